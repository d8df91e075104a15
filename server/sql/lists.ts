// Statements of the lists (services/keyset.ts, bounded-count.ts, record-query.service.ts). The inner queries come
// from the query builder with a list's filters; the partition each lateral query reads is `k.partition`.

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
