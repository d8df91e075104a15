// Statements of the lists (services/keyset.ts, bounded-count.ts, record-query.service.ts). The inner queries come
// from the query builder with a list's filters; the partition each lateral query reads is `k.partition`.

/**
 * One keyset page, prepared once per shape (services/keyset.ts): `columns` are select expressions, `conditions` the
 * filters' (services/filters.ts), `after` the position to continue after, if any; `limit` is the page size + 1.
 * The sort key comes as text (`sort_key`) for the cursors.
 */
export const keysetPageSql = (page: {
  columns: string[];
  table: string;
  alias: string;
  conditions: string[];
  sort: string;
  order: 'ASC' | 'DESC';
  limit: number;
}) =>
  `SELECT ${page.columns.join(', ')}, ${page.sort}::text AS sort_key FROM "${page.table}" "${page.alias}"` +
  (page.conditions.length > 0 ? ` WHERE ${page.conditions.map((c) => `(${c})`).join(' AND ')}` : '') +
  ` ORDER BY ${page.sort} ${page.order}, ${page.alias}.id ${page.order} LIMIT ${page.limit}`;

/** The condition of a page continuing after (value, id): `value` and `id` are placeholders, the value cast to `type`. */
export const afterPositionSql = (sort: string, alias: string, order: 'ASC' | 'DESC', type: string, value: string, id: string) =>
  `(${sort}, ${alias}.id) ${order === 'ASC' ? '>' : '<'} (CAST(${value} AS ${type}), ${id})`;

/** How many rows `capped` (a query already limited to the cap + 1) lets through. */
export const cappedCountSql = (capped: string) => `SELECT count(*)::int AS n FROM (${capped}) capped`;

/** The ids of each partition's first page: `page` (limited, ordered) once per partition of :starting. */
export const firstPagesSql = (page: string) =>
  `SELECT page.id FROM unnest(CAST(:starting AS uuid[])) AS k(partition) CROSS JOIN LATERAL (${page}) page`;

/** The ids of each partition's next page: `page` once per partition of :partitions, after its own (value, id). */
export const nextPagesSql = (page: string, sortType: string) => `
SELECT page.id FROM unnest(CAST(:partitions AS uuid[]), CAST(:afterValues AS ${sortType}[]), CAST(:afterIds AS bigint[]))
  AS k(partition, after_value, after_id) CROSS JOIN LATERAL (${page}) page`;

/** Each partition of :partitions with how many rows `capped` (limited to the cap + 1) lets through for it. */
export const partitionCountsSql = (capped: string) => `
SELECT k.partition, (SELECT count(*)::int FROM (${capped}) capped) AS n
FROM unnest(CAST(:partitions AS uuid[])) AS k(partition)`;

/** When the oldest record kept started (null when there are none). */
export const OLDEST_RECORD_SQL = 'SELECT min(started_at) AS at FROM records';
