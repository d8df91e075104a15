// The list pages' statements, built once per shape and run as named prepared statements on the pg pool: no SQL
// rebuilt by TypeORM on every request, and PostgreSQL parses (and, where it is safe, plans) each shape once per
// connection instead of on every page (issue 13).
//
// Plans: after five executions PostgreSQL may switch a named statement to a generic plan, one for any values. That is
// safe when the plan cannot depend on the values: enums are named in the text (filters.ts), lists are one array,
// equalities walk an index whose order is the sort's. It is not when a value decides the plan: a LIKE pattern (a
// common fragment walks the time index, a rare one reads the trigram index) or a time range (a narrow old range reads
// a range of the index, a wide one walks it). Those shapes go unnamed: still built once, but parsed and planned for
// their values each time, as before.
import pg from 'pg';
import { type DataSource, QueryFailedError } from 'typeorm';

/** Shapes kept (text built); past it the least recently used one is built again when next asked. */
const MAX_SHAPES = 500;
/**
 * Names handed out in a process. A connection keeps each statement it prepared until it closes (pg never
 * deallocates), so names are never reused for another text and stop here: shapes past it run unnamed.
 */
const MAX_NAMES = 200;

export interface ListStatement {
  text: string;
  /** The prepared statement's name; undefined: sent unnamed (parsed and planned each time). */
  name: string | undefined;
}

const shapes = new Map<string, ListStatement>();
const names = new Map<string, string>();

/**
 * The statement of a shape: `key` names the shape (everything its text depends on), `build` writes its text once.
 * `planEachTime`: the shape's plan depends on its values (see above), so it is never named.
 */
export function listStatement(key: string, build: () => string, planEachTime: boolean): ListStatement {
  let statement = shapes.get(key);
  if (statement) {
    // Most recently used last: a Map iterates in insertion order.
    shapes.delete(key);
    shapes.set(key, statement);
    return statement;
  }
  const text = build();
  statement = { text, name: planEachTime ? undefined : nameOf(text) };
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

/**
 * Runs a list statement on the data source's pool, logged and failing as TypeORM's own queries do (a connection that
 * cannot be had as it is, a failed statement as a QueryFailedError with the driver's code), without its query runner
 * around the one round trip.
 */
export async function runListStatement(db: DataSource, statement: ListStatement, values: unknown[]): Promise<Record<string, unknown>[]> {
  const pool = (db.driver as unknown as { master: pg.Pool }).master;
  const client = await pool.connect();
  db.logger.logQuery(statement.text, values);
  let broken: Error | undefined;
  try {
    const result = await client.query({ name: statement.name, text: statement.text, values });
    return result.rows;
  } catch (error) {
    // A statement PostgreSQL refused leaves the connection usable; anything else (a broken socket) does not.
    if (!(error instanceof pg.DatabaseError)) broken = error as Error;
    db.logger.logQueryError(error as Error, statement.text, values);
    throw new QueryFailedError(statement.text, values, error as Error);
  } finally {
    client.release(broken);
  }
}
