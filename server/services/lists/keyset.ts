// Keyset pagination: order by (sort key, id), continue after a cursor. Never OFFSET: a page deep in the list costs
// what the first one does. A list's page, and the pages of many runs' records with their counts, are one prepared
// statement per shape (list-statements.ts), and so is a list's count.
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils.js';
import { checkCursorValue, checkPageSize, decodeCursor, encodeCursor } from '../../domain/cursor.js';
import type { SortDirection } from '../../domain/enums.js';
import { checkIds } from '../../domain/ids.js';
import {
  afterEachSql,
  afterPositionSql,
  cappedCountSql,
  estimateCandidatesSql,
  firstPagesSql,
  keysetPageSql,
  limitedSql,
  nextPagesSql,
  PARTITION,
  pageOfFewSql,
  pagesRowsSql,
  partitionCountsSql,
} from '../../sql/lists.js';
import { type BoundedCount, boundedFrom, countOnce, EXACT_COUNT_CAP } from './bounded-count.js';
import type { PreparedConditions } from './filters.js';
import { hydrate, selectExpressions } from './hydrate.js';
import { inOneSnapshot, type ListStatement, listStatement, type RunListStatement, runListStatement } from './list-statements.js';

export interface SortKey {
  /** Name of the sort field, kept in the cursor so a cursor of another order is refused. */
  field: string;
  /** SQL expression of the key, never null. */
  expression: string;
  /** SQL type to cast the cursor's value to. */
  type: 'timestamptz' | 'integer';
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
  /** Counts the matches, exactly up to a cap (bounded-count.ts); only called when a client selects totalCount. */
  count: () => Promise<BoundedCount>;
}

/** Where a page continues: the cursor's sort value, checked against the key's type, and its id. */
function afterPosition(after: string, sort: SortKey, validId: (id: string) => boolean): { value: string; id: string } {
  const cursor = decodeCursor(after, sort.field);
  checkIds([cursor.id], validId, 'after');
  return { value: checkCursorValue(cursor.value, sort.type), id: cursor.id };
}

/** A list keysetPage reads: its entity under `alias`, its filters as prepared conditions (for its pages and its count). */
export interface KeysetList<T extends ObjectLiteral> {
  db: DataSource;
  entity: EntityTarget<T>;
  alias: string;
  /** What the actor may see of what the filter names (services/lists/filters.ts); its values are $1… of the statement. */
  where: PreparedConditions;
}

/**
 * One page of a list: one statement per shape (which filters, sort, page size, columns, cursor or none), prepared once
 * per connection (list-statements.ts); the values of this request are its parameters.
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }>(
  list: KeysetList<T>,
  sort: SortKey,
  direction: SortDirection,
  first: number,
  after: string | null | undefined,
  validId: (id: string) => boolean,
  /**
   * Entity properties to read (the id always comes), a column's or an embedded object's; undefined, or one that is
   * neither: all of them.
   */
  columns?: readonly string[],
  /** How the page's statement runs: on the pool, or on one connection in a snapshot (inOneSnapshot). */
  run: RunListStatement = (statement, values) => runListStatement(list.db, statement, values),
): Promise<Page<T>> {
  checkPageSize(first);
  const { db, alias } = list;
  const page = positioned(list, sort, direction, after, validId);
  const metadata = db.getMetadata(list.entity);
  const key = `${metadata.tableName}|${alias}|${columns?.join(',') ?? '*'}|${sort.expression}|${page.order}|${first}|${page.shapeKey}`;
  const statement = listStatement(key, () => keysetPageSql(page.rows(metadata, columns, first)));
  const raw = await run(statement, page.values);
  return { ...pageOfRows(list, sort, first, raw), count: countOnce(() => listCount(list, sort, page.order)) };
}

/** What keysetPageOfFew reads a list's few matches by. */
export interface FewMatches {
  /** Past this many matches the walk reads the page instead. */
  cap: number;
  /** The columns that find one row (the id, and the partition key when there is one). */
  rowKey: readonly string[];
  /**
   * For a first page in an order whose newest rows are first: conditions confining the list to its newest rows
   * (placeholders from `$${next}` on, their values given with them), chosen from PostgreSQL's estimate of the matches
   * (`plan`) so that they hold about NEWEST_MARGIN pages; null when none would. What it reads to choose them it reads
   * with `run`, in the snapshot the narrower read then reads in. A read of them that fills the page is the whole
   * list's page: every row outside is older than every row inside.
   */
  newest?: (plan: PlanNode, wanted: number, next: number, run: RunListStatement) => Promise<NarrowerRead | null>;
}

/** Conditions narrowing a read, their values (after the page's), and what of them shapes the statement. */
export interface NarrowerRead {
  conditions: string[];
  /** Those of `conditions` the page's rows are read back with too (pageOfFewSql). */
  rowConditions?: string[];
  values: unknown[];
  shapeKey: string;
}

/** A node of PostgreSQL's plan, as `EXPLAIN (FORMAT JSON)` gives it. */
export interface PlanNode {
  'Plan Rows'?: number;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** How many pages' worth of matches FewMatches.newest aims its narrower read at: estimates of a search are rough. */
export const NEWEST_MARGIN = 3;

/**
 * One page of a list that few rows match, read through its matches (pageOfFewSql): up to `few.cap` of them found in
 * no order, sorted, and the page's rows read by `few.rowKey`. For filters whose matches a walk of the order's index
 * finds late (a source-id search: each day's index walked until that day's first match, 0.8 s at 10M records where
 * its trigram index finds all of them in 50 ms). A first page is read from the newest matches first when
 * `few.newest` says how (a search's newest days: p50 53–72 → 22–42 ms at 10M records), and from all of them when those do not
 * fill it. Null when more than `few.cap` match, or PostgreSQL expects many more: the caller reads keysetPage.
 */
export async function keysetPageOfFew<T extends ObjectLiteral & { id: string }>(
  list: KeysetList<T>,
  sort: SortKey,
  direction: SortDirection,
  first: number,
  after: string | null | undefined,
  validId: (id: string) => boolean,
  columns: readonly string[] | undefined,
  few: FewMatches,
): Promise<Page<T> | null> {
  checkPageSize(first);
  const { db, alias } = list;
  const page = positioned(list, sort, direction, after, validId);
  const metadata = db.getMetadata(list.entity);
  const key = `few|${few.cap}|${few.rowKey.join(',')}|${metadata.tableName}|${alias}|${columns?.join(',') ?? '*'}|${sort.expression}|${page.order}|${first}|${page.shapeKey}`;
  /** The page of the matches `narrower` leaves (all of them without), and how many there were (up to cap + 1). */
  const read = async (narrower?: NarrowerRead, run: RunListStatement = (statement, values) => runListStatement(db, statement, values)) => {
    const statement = listStatement(narrower ? `${key}|${narrower.shapeKey}` : key, () => {
      const rows = page.rows(metadata, columns, first);
      return pageOfFewSql({
        ...rows,
        conditions: [...rows.conditions, ...(narrower?.conditions ?? [])],
        cap: few.cap,
        rowKey: few.rowKey,
        rowConditions: narrower?.rowConditions,
      });
    });
    const raw = await run(statement, [...page.values, ...(narrower?.values ?? [])]);
    return { candidates: raw[0]?.candidates as number, rows: raw.filter((row) => row.page_id !== null) };
  };
  // PostgreSQL's estimate first (one more plan, ~5 ms at 10M records): a broad search, which the walk pages at once,
  // would otherwise pay for finding cap + 1 matches before the walk (a 5 ms page took 25–50 ms).
  const estimate = listStatement(
    `estimate|${few.rowKey.join(',')}|${metadata.tableName}|${alias}|${sort.expression}|${page.shapeKey}`,
    () =>
      estimateCandidatesSql({ table: metadata.tableName, alias, conditions: page.conditions(), sort: sort.expression, rowKey: few.rowKey }),
  );
  const plan = await plannedMatches(db, estimate, page.values);
  if ((plan?.['Plan Rows'] ?? Number.POSITIVE_INFINITY) > few.cap * FEW_ESTIMATE_SLACK) return null;

  const { newest: narrow } = few;
  if (plan && !after && narrow) {
    const newest = await inOneSnapshot(db, async (run) => {
      const narrower = await narrow(plan, first + 1, page.values.length + 1, run);
      return narrower && read(narrower, run);
    });
    // A full page of the newest matches is the page; past the cap they were not all read, so not all sorted.
    if (newest && newest.rows.length > first && newest.candidates <= few.cap) {
      const count = async () => {
        const all = await read();
        return all.candidates <= few.cap ? boundedFrom(all.candidates) : listCount(list, sort, page.order);
      };
      return { ...pageOfRows(list, sort, first, newest.rows), count: countOnce(count) };
    }
  }
  const { candidates, rows } = await read();
  if (candidates > few.cap) return null;
  // A first page has counted every match already (a page after a cursor, only those after it).
  const count = after ? () => listCount(list, sort, page.order) : async () => boundedFrom(candidates);
  return { ...pageOfRows(list, sort, first, rows), count: countOnce(count) };
}

/**
 * PostgreSQL's plan of an `EXPLAIN (FORMAT JSON)` statement (its top node's rows the matches it expects); null when it
 * cannot be had (an estimate is advice; the walk then reads the page, as it always could).
 */
async function plannedMatches(db: DataSource, explain: ListStatement, values: unknown[]): Promise<PlanNode | null> {
  try {
    const [plan] = await runListStatement(db, explain, values);
    const top = (plan?.['QUERY PLAN'] as { Plan?: PlanNode }[] | undefined)?.[0]?.Plan;
    return typeof top?.['Plan Rows'] === 'number' ? top : null;
  } catch {
    return null;
  }
}

/** The rows a plan expects from each relation it scans (a partitioned table's: from each partition), by name. */
export function plannedRowsByRelation(plan: PlanNode): Map<string, number> {
  const rows = new Map<string, number>();
  const visit = (node: PlanNode) => {
    const relation = node['Relation Name'];
    if (relation) rows.set(relation, (rows.get(relation) ?? 0) + (node['Plan Rows'] ?? 0));
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(plan);
  return rows;
}

/**
 * How far over keysetPageOfFew's cap PostgreSQL's estimate of the matches may be and the matches still be read first:
 * estimates of a search are rough (11,000 for a search that matches 5,000); a count past the cap still leaves the
 * page to the walk.
 */
const FEW_ESTIMATE_SLACK = 2;

/** A page's values (the filters', then the cursor's position), its conditions, and what of it shapes the statement. */
function positioned<T extends ObjectLiteral>(
  list: KeysetList<T>,
  sort: SortKey,
  direction: SortDirection,
  after: string | null | undefined,
  validId: (id: string) => boolean,
) {
  const { alias, where } = list;
  const order: 'ASC' | 'DESC' = direction === 'ASC' ? 'ASC' : 'DESC';
  const values = [...where.values];
  const position = after ? afterPosition(after, sort, validId) : null;
  if (position) values.push(position.value, position.id);
  const conditions = () => {
    const n = where.values.length;
    return position
      ? [...where.conditions, afterPositionSql(sort.expression, alias, order, sort.type, `$${n + 1}`, `$${n + 2}`)]
      : [...where.conditions];
  };
  /** What a page statement reads: the list's rows in the order, `first` + 1 of them (one more tells a next page). */
  const rows = (metadata: EntityMetadata, columns: readonly string[] | undefined, first: number) => ({
    columns: selectExpressions(list.db, metadata, alias, columns),
    table: metadata.tableName,
    alias,
    conditions: conditions(),
    sort: sort.expression,
    order,
    limit: first + 1,
  });
  return { order, values, conditions, rows, shapeKey: `${position ? 'after' : ''}|${where.conditions.join('\n')}` };
}

/** The page of the rows a page statement read (one more than `first` when there is a next page). */
function pageOfRows<T extends ObjectLiteral & { id: string }>(
  list: KeysetList<T>,
  sort: SortKey,
  first: number,
  raw: Record<string, unknown>[],
): Omit<Page<T>, 'count'> {
  const entities = hydrate<T>(list.db.getMetadata(list.entity), list.db.driver, list.alias, raw.slice(0, first));
  const edges = entities.map((node, i) => ({
    node,
    cursor: encodeCursor({ field: sort.field, value: raw[i].sort_key as string, id: String(node.id) }),
  }));
  return { edges, hasNextPage: raw.length > first, endCursor: edges.at(-1)?.cursor ?? null };
}

/**
 * A list's matches, counted up to the cap + 1 of them in the list's order: the rows are then read the way the list's
 * pages are, by its index, instead of by a scan the planner expects to stop early (it assumes the matches spread
 * evenly; the last week's records sit at the end of the table, so a capped scan read 77 % of it). One statement per
 * shape, like the pages; built and run only when a client selects totalCount.
 */
async function listCount<T extends ObjectLiteral>(list: KeysetList<T>, sort: SortKey, order: 'ASC' | 'DESC'): Promise<BoundedCount> {
  const { db, alias, where } = list;
  const table = db.getMetadata(list.entity).tableName;
  const key = `count|${table}|${alias}|${sort.expression}|${order}|${where.conditions.join('\n')}`;
  const statement = listStatement(key, () =>
    cappedCountSql(
      limitedSql({ select: '1', table, alias, conditions: where.conditions, sort: sort.expression, order, limit: EXACT_COUNT_CAP + 1 }),
    ),
  );
  const [row] = await runListStatement(db, statement, where.values);
  return boundedFrom(row.n as number);
}

/** One partition's page in keysetPages: the partition (e.g. a run id) and the cursor to continue after, if any. */
export interface PartitionPage {
  partition: string;
  after: string | null | undefined;
}

/** A list keysetPages reads in partitions (a run's records): its entity under `alias`, the partition on its rows. */
export interface PartitionedList<T extends ObjectLiteral> {
  db: DataSource;
  entity: EntityTarget<T>;
  alias: string;
  /** The column holding the partition on the rows (uuid). */
  partitionColumn: string;
  /**
   * What the actor may see of the one partition the SQL expression `partition` names (services/lists/filters.ts), its
   * values $1… of the statements.
   */
  where: (partition: string) => PreparedConditions;
  /**
   * Conditions on the rows read by id once the pages are known, given the SQL expression of every partition asked (a
   * uuid[]): lets a partitioned table read only the days those partitions lie in.
   */
  rowsWhere?: (partitions: string, where: PreparedConditions) => string[];
}

/**
 * The pages of many partitions of one list in one query (the records of each run of a page of runs): a lateral join
 * takes each partition's page with its own cursor, an index range scan each, then one read of the rows by id.
 * Each page, cursor and count is the one keysetPage gives for that partition alone. One statement per shape (which
 * filters, page size, columns, first and/or continued pages), as keysetPage's (list-statements.ts); the partitions and
 * cursors of this request are its parameters. A bad cursor fails its own page only. The counts (of each partition
 * asked, once) are one more statement, run only when one is asked.
 */
export async function keysetPages<T extends ObjectLiteral & { id: string }>(
  list: PartitionedList<T>,
  sort: SortKey,
  direction: SortDirection,
  first: number,
  pages: readonly PartitionPage[],
  validId: (id: string) => boolean,
  properties?: readonly string[],
): Promise<(Page<T> | Error)[]> {
  checkPageSize(first);
  const order = direction === 'ASC' ? 'ASC' : 'DESC';
  const results: (Page<T> | Error)[] = new Array(pages.length);
  const asked: Asked[] = [];
  pages.forEach((page, index) => {
    try {
      asked.push({ index, partition: page.partition, after: page.after ? afterPosition(page.after, sort, validId) : null });
    } catch (error) {
      results[index] = error as Error;
    }
  });
  if (asked.length === 0) return results;

  const where = list.where(PARTITION);
  // Each partition once a statement: its rows come back by partition, so one asked twice (a run's records under two
  // aliases, with two cursors) is read by a statement of its own.
  const rounds: Asked[][] = [];
  const times = new Map<string, number>();
  for (const a of asked) {
    const round = times.get(a.partition) ?? 0;
    times.set(a.partition, round + 1);
    if (round === rounds.length) rounds.push([]);
    rounds[round].push(a);
  }
  const counts = partitionCounts(list, where, sort, order, [...times.keys()]);
  const read = await Promise.all(rounds.map((round) => partitionRows(list, where, sort, order, first, round, properties)));
  rounds.forEach((round, r) => {
    for (const a of round) {
      const found = read[r].get(a.partition) ?? [];
      const edges = found.slice(0, first).map(({ node, sortKey }) => ({
        node,
        cursor: encodeCursor({ field: sort.field, value: sortKey, id: String(node.id) }),
      }));
      results[a.index] = {
        edges,
        hasNextPage: found.length > first,
        endCursor: edges.at(-1)?.cursor ?? null,
        count: countOnce(() => counts.load(a.partition)),
      };
    }
  });
  return results;
}

/** One partition's page asked of keysetPages: where its answer goes, and the position it continues after, if any. */
interface Asked {
  index: number;
  partition: string;
  after: { value: string; id: string } | null;
}

/**
 * The rows of the pages `asked` (each partition once) in one statement, up to first + 1 a partition, by partition in
 * the list's order, each with its sort key as text.
 */
async function partitionRows<T extends ObjectLiteral & { id: string }>(
  list: PartitionedList<T>,
  where: PreparedConditions,
  sort: SortKey,
  order: 'ASC' | 'DESC',
  first: number,
  asked: readonly Asked[],
  properties: readonly string[] | undefined,
): Promise<Map<string, { node: T; sortKey: string }[]>> {
  const { db, alias, partitionColumn } = list;
  const metadata = db.getMetadata(list.entity);
  // First pages and continued ones apart: with no cursor to compare, the planner walks each run's index in order rather
  // than intersecting it with a filter's index (a comparison with unknown values looks selective to it).
  const starting = asked.filter((a) => a.after === null);
  const continuing = asked.flatMap((a) => (a.after ? [{ partition: a.partition, ...a.after }] : []));
  // $1… the filter's values, then the first pages' partitions, then the continued pages' partitions, values and ids.
  const values = [...where.values];
  if (starting.length > 0) values.push(starting.map((a) => a.partition));
  const startingAt = starting.length > 0 ? values.length : 0;
  if (continuing.length > 0) {
    values.push(
      continuing.map((a) => a.partition),
      continuing.map((a) => a.value),
      continuing.map((a) => a.id),
    );
  }
  const continuingAt = continuing.length > 0 ? values.length - 2 : 0;
  const key = `pages|${list.rowsWhere ? 'rows-where|' : ''}${metadata.tableName}|${alias}|${partitionColumn}|${properties?.join(',') ?? '*'}|${sort.expression}|${sort.type}|${order}|${first}|${startingAt}|${continuingAt}|${where.conditions.join('\n')}`;
  const statement = listStatement(key, () => {
    const page = (conditions: string[]) =>
      limitedSql({ select: `${alias}.id`, table: metadata.tableName, alias, conditions, sort: sort.expression, order, limit: first + 1 });
    const ids: string[] = [];
    if (startingAt) ids.push(firstPagesSql(page(where.conditions), `$${startingAt}`));
    if (continuingAt) {
      const after = afterEachSql(sort.expression, alias, order);
      const placeholders = { partitions: `$${continuingAt}`, values: `$${continuingAt + 1}`, ids: `$${continuingAt + 2}` };
      ids.push(nextPagesSql(page([...where.conditions, after]), sort.type, placeholders));
    }
    // Only the columns asked for (with the id and the partition's), when the properties are all plain columns.
    const partitionProperty = metadata.findColumnWithDatabaseName(partitionColumn)?.propertyName ?? partitionColumn;
    const columns = selectExpressions(db, metadata, alias, properties && [...properties, partitionProperty]);
    const partitions = [startingAt && `CAST($${startingAt} AS uuid[])`, continuingAt && `CAST($${continuingAt} AS uuid[])`]
      .filter(Boolean)
      .join(' || ');
    const conditions = list.rowsWhere?.(`(${partitions})`, where) ?? [];
    return pagesRowsSql({ columns, table: metadata.tableName, alias, ids, conditions, partitionColumn, sort: sort.expression, order });
  });
  // Built from the raw rows as a single page's are (hydrate.ts): 500 to 1,000 records.
  const raw = await runListStatement(db, statement, values);
  const entities = hydrate<T>(metadata, db.driver, alias, raw);
  const partitionKey = DriverUtils.buildAlias(db.driver, undefined, alias, partitionColumn);
  const rows = new Map<string, { node: T; sortKey: string }[]>();
  entities.forEach((node, i) => {
    const partition = String(raw[i][partitionKey]);
    let found = rows.get(partition);
    if (!found) {
      found = [];
      rows.set(partition, found);
    }
    found.push({ node, sortKey: raw[i].sort_key as string });
  });
  return rows;
}

/**
 * Bounded counts of many partitions in one statement (one per shape, on the pages' prepared conditions), for all of
 * them the first time one is asked: built and run only when a client selects totalCount. Each partition's rows are
 * counted in the list's order (see boundedCount).
 */
function partitionCounts<T extends ObjectLiteral>(
  list: PartitionedList<T>,
  where: PreparedConditions,
  sort: SortKey,
  order: 'ASC' | 'DESC',
  partitions: string[],
) {
  let all: Promise<Map<string, BoundedCount>> | null = null;
  const countAll = async () => {
    const { db, alias } = list;
    const table = db.getMetadata(list.entity).tableName;
    const values = [...where.values, partitions];
    const key = `counts|${table}|${alias}|${sort.expression}|${order}|${where.conditions.join('\n')}`;
    const statement = listStatement(key, () => {
      const capped = limitedSql({
        select: '1',
        table,
        alias,
        conditions: where.conditions,
        sort: sort.expression,
        order,
        limit: EXACT_COUNT_CAP + 1,
      });
      return partitionCountsSql(capped, `$${values.length}`);
    });
    const rows = await runListStatement(db, statement, values);
    return new Map(rows.map((row) => [String(row.partition), boundedFrom(row.n as number)]));
  };
  return {
    load: async (partition: string) => {
      all ??= countAll();
      return (await all).get(partition) ?? boundedFrom(0);
    },
  };
}
