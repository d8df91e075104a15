// The list pages' statements, built once per shape on the pg pool: no SQL rebuilt by TypeORM on every request
// (issue 13).
//
// Plans: a named statement's plan may become generic (one for any values) after five executions, and that is worse
// when a value decides the plan: an entity type that no record has walked the whole time index under a generic plan
// (593 ms on 1M records) where its custom plan read the entity's index (15 ms); a LIKE pattern or a time range
// likewise. So a statement with values is sent unnamed, which PostgreSQL plans for its values each time, as TypeORM's
// statements are; a statement without values (enum filters are named in its text, filters.ts), such as a first page
// of failures, is named: parsed and planned once per connection, its one plan being the plan for its constants.
// (Forcing custom plans on the whole pool instead cost every other prepared statement its cached plan: ingest lost
// an eighth of its rate.)
import pg from 'pg';
import { type DataSource, QueryFailedError } from 'typeorm';
import { poolOf } from '../../db/pool.js';
import { BEGIN_READ_ONLY_SNAPSHOT_SQL } from '../../db/read-only-snapshot.js';
import { dateFromPostgres } from '../../domain/iso-date.js';

/** Shapes kept (text built); past it the least recently used one is built again when next asked. */
const MAX_SHAPES = 500;
/**
 * Names handed out in a process. A connection keeps each statement it prepared until it closes (pg never
 * deallocates), so names are never reused for another text and stop here: shapes past it run unnamed.
 */
const MAX_NAMES = 200;

const TIMESTAMPTZ = 1184;
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => unknown;
/** pg's parsers, but timestamptz read with its answer text made on the way (domain/iso-date.ts), the instant pg gives. */
const LIST_TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary'
      ? (text: string) => dateFromPostgres(text) ?? parseTimestamptz(text)
      : pg.types.getTypeParser(oid, format),
};

export interface ListStatement {
  text: string;
  /**
   * The prepared statement's name, given when it first runs without values (one with values never runs named, so it
   * takes none of MAX_NAMES); undefined past MAX_NAMES: unnamed.
   */
  name?: string;
}

const shapes = new Map<string, ListStatement>();
const names = new Map<string, string>();

/** The statement of a shape: `key` names the shape (everything its text depends on), `build` writes its text once. */
export function listStatement(key: string, build: () => string): ListStatement {
  let statement = shapes.get(key);
  if (statement) {
    // Most recently used last: a Map iterates in insertion order.
    shapes.delete(key);
    shapes.set(key, statement);
    return statement;
  }
  statement = { text: build() };
  shapes.set(key, statement);
  if (shapes.size > MAX_SHAPES) shapes.delete(shapes.keys().next().value as string);
  return statement;
}

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMES) {
    name = `syncwatch_list_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

/** Runs a list statement and gives its rows (runListStatement, or one connection's in inOneSnapshot). */
export type RunListStatement = (statement: ListStatement, values: unknown[]) => Promise<Record<string, unknown>[]>;

/**
 * Runs a list statement on the data source's pool, logged and failing as TypeORM's own queries do (a connection that
 * cannot be had as it is, a failed statement as a QueryFailedError with the driver's code), without its query runner
 * around the one round trip.
 */
export async function runListStatement(db: DataSource, statement: ListStatement, values: unknown[]): Promise<Record<string, unknown>[]> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    return await runOn(db, client, statement, values);
  } catch (error) {
    broken = brokenBy(error);
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `work`'s list statements on one connection, in one snapshot (a read-only REPEATABLE READ transaction): what one
 * statement read bounds what the next one reads, and no commit between them changes it. A failure of `work`'s own
 * (bad input found between statements) rolls back and keeps the connection; only a connection that failed is dropped.
 */
export async function inOneSnapshot<T>(db: DataSource, work: (run: RunListStatement) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  const on = async <R>(query: () => Promise<R>): Promise<R> => {
    try {
      return await query();
    } catch (error) {
      broken ??= brokenBy(error);
      throw error;
    }
  };
  try {
    await on(() => client.query(BEGIN_READ_ONLY_SNAPSHOT_SQL));
    const result = await work((statement, values) => on(() => runOn(db, client, statement, values)));
    await on(() => client.query('COMMIT'));
    return result;
  } catch (error) {
    const rollback = await client.query('ROLLBACK').then(
      () => undefined,
      (failed: Error) => failed,
    );
    broken ??= rollback;
    throw error;
  } finally {
    client.release(broken);
  }
}

async function runOn(db: DataSource, client: pg.PoolClient, statement: ListStatement, values: unknown[]) {
  db.logger.logQuery(statement.text, values);
  try {
    if (values.length === 0) statement.name ??= nameOf(statement.text);
    const name = values.length > 0 ? undefined : statement.name;
    const result = await client.query({ name, text: statement.text, values, types: LIST_TYPES });
    return result.rows as Record<string, unknown>[];
  } catch (error) {
    db.logger.logQueryError(error as Error, statement.text, values);
    throw new QueryFailedError(statement.text, values, error as Error);
  }
}

/** The error that leaves a connection unusable: anything but a statement PostgreSQL refused (a broken socket). */
function brokenBy(error: unknown): Error | undefined {
  const cause = error instanceof QueryFailedError ? error.driverError : error;
  return cause instanceof pg.DatabaseError ? undefined : (cause as Error);
}
