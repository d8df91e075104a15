// Keyset pagination: order by (sort key, id), continue after a cursor. Never OFFSET: a page deep in the list costs
// what the first one does. A list's page is one prepared statement per shape (list-statements.ts); the pages of many
// runs' records and the counts go through TypeORM's query builder.
import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { DriverUtils } from 'typeorm/driver/DriverUtils.js';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { checkCursorValue, checkPageSize, decodeCursor, encodeCursor } from '../domain/cursor.js';
import type { SortDirection } from '../domain/enums.js';
import { checkIds } from '../domain/ids.js';
import { afterPositionSql, firstPagesSql, keysetPageSql, nextPagesSql, partitionCountsSql } from '../sql/lists.js';
import { type BoundedCount, boundedCount, boundedFrom, countOnce, EXACT_COUNT_CAP } from './bounded-count.js';
import type { PreparedConditions } from './filters.js';
import { hydrate } from './hydrate.js';
import { listStatement, runListStatement } from './list-statements.js';

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

/** A list keysetPage reads: its entity under `alias`, its filters as prepared conditions, and the same for counting. */
export interface KeysetList<T extends ObjectLiteral> {
  db: DataSource;
  entity: EntityTarget<T>;
  alias: string;
  /** What the actor may see of what the filter names (services/filters.ts); its values are $1… of the statement. */
  where: PreparedConditions;
  /** The same list through the query builder (no order, no page), built only when a client selects totalCount. */
  countQuery: () => SelectQueryBuilder<T>;
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
): Promise<Page<T>> {
  checkPageSize(first);
  const { db, alias, where } = list;
  const order = direction === 'ASC' ? 'ASC' : 'DESC';
  const values = [...where.values];
  const position = after ? afterPosition(after, sort, validId) : null;
  if (position) values.push(position.value, position.id);
  const metadata = db.getMetadata(list.entity);
  const key = `${metadata.tableName}|${alias}|${columns?.join(',') ?? '*'}|${sort.expression}|${order}|${first}|${position ? 'after' : ''}|${where.conditions.join('\n')}`;
  const statement = listStatement(key, () => {
    const conditions = [...where.conditions];
    if (position) {
      const n = where.values.length;
      conditions.push(afterPositionSql(sort.expression, alias, order, sort.type, `$${n + 1}`, `$${n + 2}`));
    }
    return keysetPageSql({
      columns: selectExpressions(db, metadata, alias, columns),
      table: metadata.tableName,
      alias,
      conditions,
      sort: sort.expression,
      order,
      limit: first + 1,
    });
  });
  const raw = await runListStatement(db, statement, values);
  const entities = hydrate<T>(metadata, db.driver, alias, raw.slice(0, first));
  const edges = entities.map((node, i) => ({
    node,
    cursor: encodeCursor({ field: sort.field, value: raw[i].sort_key as string, id: String(node.id) }),
  }));
  return {
    edges,
    hasNextPage: raw.length > first,
    endCursor: edges.at(-1)?.cursor ?? null,
    count: countOnce(() => boundedCount(list.countQuery().orderBy(sort.expression, order).addOrderBy(`${alias}.id`, order))),
  };
}

/** One partition's page in keysetPages: the partition (e.g. a run id) and the cursor to continue after, if any. */
export interface PartitionPage {
  partition: string;
  after: string | null | undefined;
}

/**
 * The pages of many partitions of one list in one query (the records of each run of a page of runs): a lateral join
 * takes each partition's page with its own cursor, an index range scan each, then one read of the rows by id.
 * Each page, cursor and count is the one keysetPage gives for that partition alone. `scoped(column)` is a query of one
 * partition, named by the SQL expression `column`, with its filters (no order, no page); `partitionColumn` holds the
 * partition on the rows (uuid). A bad cursor fails its own page only.
 */
export async function keysetPages<T extends ObjectLiteral & { id: string }>(
  scoped: (column: string) => SelectQueryBuilder<T>,
  alias: string,
  partitionColumn: string,
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
  const asked: { index: number; partition: string; after: { value: string; id: string } | null }[] = [];
  pages.forEach((page, index) => {
    try {
      asked.push({ index, partition: page.partition, after: page.after ? afterPosition(page.after, sort, validId) : null });
    } catch (error) {
      results[index] = error as Error;
    }
  });
  if (asked.length === 0) return results;

  // First pages and continued ones apart: with no cursor to compare, the planner walks each run's index in order rather
  // than intersecting it with a filter's index (a comparison with unknown values looks selective to it).
  const starting = asked.filter((a) => a.after === null);
  const continuing = asked.flatMap((a) => (a.after ? [{ partition: a.partition, ...a.after }] : []));
  const limited = () =>
    scoped('k.partition')
      .select(`${alias}.id`, 'id')
      .orderBy(sort.expression, order)
      .addOrderBy(`${alias}.id`, order)
      .limit(first + 1);
  const branches: string[] = [];
  const parameters: Record<string, unknown> = {};
  if (starting.length > 0) {
    const page = limited();
    branches.push(firstPagesSql(page.getQuery()));
    Object.assign(parameters, page.getParameters(), { starting: starting.map((a) => a.partition) });
  }
  if (continuing.length > 0) {
    const page = limited().andWhere(`(${sort.expression}, ${alias}.id) ${order === 'ASC' ? '>' : '<'} (k.after_value, k.after_id)`);
    branches.push(nextPagesSql(page.getQuery(), sort.type));
    Object.assign(parameters, page.getParameters(), {
      partitions: continuing.map((a) => a.partition),
      afterValues: continuing.map((a) => a.value),
      afterIds: continuing.map((a) => a.id),
    });
  }
  // where() replaces the scoped query's conditions: the ids are already the filtered ones. An array of them, computed
  // once and read by primary key, rather than a join the planner might turn into a scan of the table.
  const query = scoped('k.partition');
  // Only the columns asked for (with the id and the partition's), when the properties are all plain columns.
  const metadata = query.expressionMap.mainAlias?.metadata as EntityMetadata;
  const partitionProperty = metadata.findColumnWithDatabaseName(partitionColumn)?.propertyName ?? partitionColumn;
  const columns = properties && onlyColumns(metadata, [...properties, partitionProperty]);
  if (columns) query.select(columns.map((column) => `${alias}.${column.propertyPath}`));
  query
    .where(`${alias}.id = ANY(ARRAY(${branches.join(' UNION ALL ')}))`)
    .setParameters(parameters)
    .addSelect(`${sort.expression}::text`, 'sort_key')
    .orderBy(`${alias}.${partitionColumn}`)
    .addOrderBy(sort.expression, order)
    .addOrderBy(`${alias}.id`, order);
  // Built from the raw rows as a single page's are (hydrate.ts), not by TypeORM's grouping: 500 to 1,000 records.
  const raw = await query.getRawMany();
  const entities = hydrate<T>(metadata, query.connection.driver, alias, raw);
  const rows = new Map<string, { node: T; sortKey: string }[]>();
  entities.forEach((node, i) => {
    const partition = String(raw[i][`${alias}_${partitionColumn}`]);
    const list = rows.get(partition) ?? [];
    list.push({ node, sortKey: raw[i].sort_key });
    rows.set(partition, list);
  });

  const counts = partitionCounts(
    scoped('k.partition').orderBy(sort.expression, order).addOrderBy(`${alias}.id`, order),
    asked.map((a) => a.partition),
  );
  for (const a of asked) {
    const found = rows.get(a.partition) ?? [];
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
  return results;
}

/**
 * Bounded counts of many partitions in one query, for all of them the first time one is asked (only when a client
 * selects totalCount). `one` counts the partition k.partition, in the list's order (see boundedCount).
 */
function partitionCounts<T extends ObjectLiteral>(one: SelectQueryBuilder<T>, partitions: string[]) {
  let all: Promise<Map<string, BoundedCount>> | null = null;
  const countAll = async () => {
    const capped = one.select('1').limit(EXACT_COUNT_CAP + 1);
    const sql = partitionCountsSql(capped.getQuery());
    const [text, parameters] = capped.connection.driver.escapeQueryWithParameters(sql, { ...capped.getParameters(), partitions });
    const rows: { partition: string; n: number }[] = await capped.connection.query(text, parameters);
    return new Map(rows.map((row) => [row.partition, boundedFrom(row.n)]));
  };
  return {
    load: async (partition: string) => {
      all ??= countAll();
      return (await all).get(partition) ?? boundedFrom(0);
    },
  };
}

/**
 * The select list of a page: `"alias"."column" AS "alias_column"` (the names TypeORM gives raw rows) for the id and
 * each property's columns, when every property is a column of the entity or an embedded object of columns; else for
 * every column TypeORM selects by default.
 */
function selectExpressions(db: DataSource, metadata: EntityMetadata, alias: string, properties: readonly string[] | undefined): string[] {
  const wanted = properties && onlyColumns(metadata, properties);
  const columns = wanted ?? metadata.columns.filter((column) => column.isSelect);
  const quote = (name: string) => db.driver.escape(name);
  return columns
    .map(
      (column) =>
        `${quote(alias)}.${quote(column.databaseName)} AS ${quote(DriverUtils.buildAlias(db.driver, undefined, alias, column.databaseName))}`,
    )
    .sort();
}

/** The columns of the id and each property, when every one is a column of the entity or an embedded object's; else null. */
function onlyColumns(metadata: EntityMetadata, properties: readonly string[]): ColumnMetadata[] | null {
  const wanted = new Set([...metadata.primaryColumns.map((column) => column.propertyName), ...properties]);
  const selected = new Set<ColumnMetadata>();
  for (const property of wanted) {
    // An embedded object (a run's counts): every column of it.
    const embedded = metadata.embeddeds.find((candidate) => candidate.propertyName === property);
    if (embedded) {
      if (embedded.embeddeds.length > 0) return null;
      for (const column of embedded.columns) selected.add(column);
      continue;
    }
    const column = metadata.findColumnWithPropertyPath(property);
    if (!column || column.isVirtual || column.embeddedMetadata) return null;
    selected.add(column);
  }
  return [...selected];
}
