// Statements of the lists (services/lists/keyset.ts, record-query.service.ts). Conditions come from a
// list's filters (services/lists/filters.ts), values as placeholders ($1…).

/**
 * One keyset page, prepared once per shape (services/lists/keyset.ts): `columns` are select expressions, `conditions` the
 * filters' (services/lists/filters.ts), `after` the position to continue after, if any; `limit` is the page size + 1.
 * The sort key comes as text (`sort_key`) for the cursors.
 */
export const keysetPageSql = (page: Omit<LimitedRows, 'select'> & { columns: string[] }) =>
  limitedSql({ ...page, select: `${page.columns.join(', ')}, ${page.sort}::text AS sort_key` });

/** What a list's matches are, in no order: their row key (`key_<column>`) and sort value. */
interface Candidates {
  table: string;
  alias: string;
  conditions: string[];
  sort: string;
  rowKey: readonly string[];
}

const candidatesSql = ({ table, alias, conditions, sort, rowKey }: Candidates) =>
  `SELECT ${rowKey.map((column) => `${alias}.${column} AS key_${column}`).join(', ')}, ${sort} AS sort_value FROM "${table}" "${alias}"` +
  (conditions.length > 0 ? ` WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '');

/** PostgreSQL's plan of all of a list's matches (JSON: its estimate of how many), for the values given. */
export const estimateCandidatesSql = (candidates: Candidates) => `EXPLAIN (FORMAT JSON) ${candidatesSql(candidates)}`;

/**
 * A keyset page read through the list's matches (services/lists/keyset.ts, keysetPageOfFew): up to `cap` + 1 of them
 * taken in no order, so PostgreSQL finds them by the index that finds them all best (a search's trigram index)
 * rather than walking the order's index of every day until each day's first match turns up; then sorted, and the
 * page's rows read by `rowKey` (the columns that find one row: the id, which it must hold, and the partition key when
 * there is one).
 * `rowConditions`, which the matches meet, are repeated where their rows are read back: on the partition key, they
 * keep PostgreSQL from planning that read in every day (~5 ms at 10M records).
 * `candidates` is how many matched, up to cap + 1; a row without `page_id` stands for an empty page.
 */
export const pageOfFewSql = (
  page: Omit<LimitedRows, 'select'> & { columns: string[]; cap: number; rowKey: readonly string[]; rowConditions?: readonly string[] },
) => {
  const { alias, order } = page;
  const join = [
    ...page.rowKey.map((column) => `${alias}.${column} = top.key_${column}`),
    ...(page.rowConditions ?? []).map((c) => `(${c})`),
  ].join(' AND ');
  return `
WITH candidates AS MATERIALIZED (
  ${candidatesSql(page)} LIMIT ${page.cap + 1}
),
top AS (SELECT * FROM candidates ORDER BY sort_value ${order}, key_id ${order} LIMIT ${page.limit})
SELECT (SELECT count(*) FROM candidates)::int AS candidates, top.key_id AS page_id, top.sort_value::text AS sort_key,
  ${page.columns.join(', ')}
FROM (SELECT) one
LEFT JOIN (top JOIN "${page.table}" "${alias}" ON ${join}) ON true
ORDER BY top.sort_value ${order}, top.key_id ${order}`;
};

/** The rows of `table` whose id is one of $1 (an array of the id column's type). */
export const entitiesByIdsSql = (read: { columns: string[]; table: string; alias: string; id: string; idType: string }) =>
  `SELECT ${read.columns.join(', ')} FROM "${read.table}" "${read.alias}" WHERE "${read.alias}"."${read.id}" = ANY(CAST($1 AS ${read.idType}[]))`;

/** The condition of a page continuing after (value, id): `value` and `id` are placeholders, the value cast to `type`. */
export const afterPositionSql = (sort: string, alias: string, order: 'ASC' | 'DESC', type: string, value: string, id: string) =>
  `(${sort}, ${alias}.id) ${order === 'ASC' ? '>' : '<'} (CAST(${value} AS ${type}), ${id})`;

/** How many rows `capped` (limitedSql selecting 1, limited to the count's cap + 1) lets through. */
export const cappedCountSql = (capped: string) => `SELECT count(*)::int AS n FROM (${capped}) capped`;

/** The partition each lateral query of firstPagesSql, nextPagesSql and partitionCountsSql reads, as conditions name it. */
export const PARTITION = 'k.partition';

/** What limitedSql reads: its rows' select list, table and alias, conditions, order and limit. */
interface LimitedRows {
  select: string;
  table: string;
  alias: string;
  conditions: string[];
  sort: string;
  order: 'ASC' | 'DESC';
  limit: number;
}

/**
 * `select` of a list's rows in its order, at most `limit` of them: the inner query of firstPagesSql, nextPagesSql
 * (`select` the id, `limit` the page size + 1), cappedCountSql and partitionCountsSql (`select` 1, `limit` the count's cap + 1).
 */
export const limitedSql = (rows: LimitedRows) =>
  `SELECT ${rows.select} FROM "${rows.table}" "${rows.alias}"` +
  (rows.conditions.length > 0 ? ` WHERE ${rows.conditions.map((c) => `(${c})`).join(' AND ')}` : '') +
  ` ORDER BY ${rows.sort} ${rows.order}, ${rows.alias}.id ${rows.order} LIMIT ${rows.limit}`;

/** The ids of each partition's first page: `page` (limited, ordered, reading PARTITION) once per partition of the uuid[] `partitions`. */
export const firstPagesSql = (page: string, partitions: string) =>
  `SELECT page.id FROM unnest(CAST(${partitions} AS uuid[])) AS k(partition) CROSS JOIN LATERAL (${page}) page`;

/** The condition of nextPagesSql's page: after its partition's own (value, id). */
export const afterEachSql = (sort: string, alias: string, order: 'ASC' | 'DESC') =>
  `(${sort}, ${alias}.id) ${order === 'ASC' ? '>' : '<'} (k.after_value, k.after_id)`;

/**
 * The ids of each partition's next page: `page` (with afterEachSql) once per partition, after its own (value, id);
 * the placeholders of three arrays of the same length: partitions, after values (cast to `sortType`), after ids.
 */
export const nextPagesSql = (page: string, sortType: string, after: { partitions: string; values: string; ids: string }) => `
SELECT page.id FROM unnest(CAST(${after.partitions} AS uuid[]), CAST(${after.values} AS ${sortType}[]), CAST(${after.ids} AS bigint[]))
  AS k(partition, after_value, after_id) CROSS JOIN LATERAL (${page}) page`;

/**
 * The rows of the pages `ids` (firstPagesSql and/or nextPagesSql), read by primary key from an array of them computed
 * once (rather than a join the planner might turn into a scan of the table); ordered by partition, then as the list.
 */
export const pagesRowsSql = (rows: {
  columns: string[];
  table: string;
  alias: string;
  ids: string[];
  /** More conditions on the rows (a partitioned table's key, so that only the days of the pages are read). */
  conditions: string[];
  partitionColumn: string;
  sort: string;
  order: 'ASC' | 'DESC';
}) =>
  `SELECT ${rows.columns.join(', ')}, ${rows.sort}::text AS sort_key FROM "${rows.table}" "${rows.alias}"` +
  ` WHERE ${[`${rows.alias}.id = ANY(ARRAY(${rows.ids.join(' UNION ALL ')}))`, ...rows.conditions].join(' AND ')}` +
  ` ORDER BY ${rows.alias}.${rows.partitionColumn}, ${rows.sort} ${rows.order}, ${rows.alias}.id ${rows.order}`;

/** Each partition of the uuid[] `partitions` with how many rows `capped` (reading PARTITION, limited to the cap + 1) lets through for it. */
export const partitionCountsSql = (capped: string, partitions: string) => `
SELECT k.partition, (SELECT count(*)::int FROM (${capped}) capped) AS n
FROM unnest(CAST(${partitions} AS uuid[])) AS k(partition)`;

/**
 * When the runs $1 (a uuid[]) were created: their records' partition key. Any tenant's: only the bounds of a read come
 * of it, and that read keeps to what the actor may see.
 */
export const RUNS_CREATED_SQL = 'SELECT created_at FROM runs WHERE id = ANY($1::uuid[])';

/** When the oldest record kept started (null when there are none). */
export const OLDEST_RECORD_SQL = 'SELECT min(started_at) AS at FROM records';
