// Statements on rollups. The leader's (services/analytics/rollup-maintenance.ts): deltas folded into every cube of
// record_rollups, and old rollups dropped. The reads (services/analytics/rollup-query.ts): the cells of a plan from one cube,
// with the deltas not folded yet, put together from the parts below ($n placeholders and dimension conditions come
// from the caller, which binds their values).
import { ROLLUP_COLUMNS } from '../domain/rollup-cubes.js';

/** The deltas of one batch (at most $1 rows), gone from the table in the same transaction that adds them to the rollups. */
export const TAKE_DELTAS_SQL = `
WITH moved AS (
  DELETE FROM record_rollup_deltas WHERE ctid IN (SELECT ctid FROM record_rollup_deltas LIMIT $1)
  RETURNING hour, ${ROLLUP_COLUMNS.join(', ')}, records, coalesce(array_to_string(latency_hist, ','), '') AS hist
)
SELECT * FROM moved`;

/**
 * Adds sums ($1: a JSON array of {tier, cube, start_ms, the rollup columns, records, hist}) to their rollup rows.
 * hist_add only where a row exists already: a handful a second in steady state.
 */
export const UPSERT_ROLLUPS_SQL = `
INSERT INTO record_rollups AS r (tier, cube, bucket_start, ${ROLLUP_COLUMNS.join(', ')}, records, latency_hist)
SELECT tier, cube, to_timestamp(start_ms / 1000.0), ${ROLLUP_COLUMNS.join(', ')}, records, string_to_array(nullif(hist, ''), ',')::integer[]
FROM jsonb_to_recordset($1::jsonb) AS t(tier text, cube text, start_ms bigint, pipeline_id uuid, tenant_id text, entity_type text,
     operation record_operation, mode sync_mode, status record_status, records bigint, hist text)
ON CONFLICT ON CONSTRAINT record_rollups_key
DO UPDATE SET records = r.records + EXCLUDED.records, latency_hist = hist_add(r.latency_hist, EXCLUDED.latency_hist)`;

/** Deletes up to $2 rollup rows whose bucket started over $1 days ago (TypeORM answers [rows, rowCount]). */
export const PURGE_ROLLUPS_SQL = `
DELETE FROM record_rollups WHERE ctid IN (
  SELECT ctid FROM record_rollups WHERE bucket_start < now() - make_interval(days => $1) LIMIT $2)`;

/** The first and last bucket of the full cube. */
export const FULL_CUBE_SPAN_SQL = "SELECT min(bucket_start) AS first, max(bucket_start) AS last FROM record_rollups WHERE cube = 'full'";

/** The full cube's rows of tier $1 starting in [$2, $3), histograms as text. */
export const FULL_CUBE_DAY_SQL = `
SELECT bucket_start, ${ROLLUP_COLUMNS.join(', ')}, records, coalesce(array_to_string(latency_hist, ','), '') AS hist
FROM record_rollups WHERE tier = $1 AND cube = 'full' AND bucket_start >= $2 AND bucket_start < $3`;

const ROLLUP_ROW = `${ROLLUP_COLUMNS.join(', ')}, records, latency_hist`;

/** The alias of the rollup rows in rollupCellsSql and unfoldedDeltasSql, as the filter's conditions (`dims`) name them. */
export const ROLLUP_ALIAS = 'd';

const and = (conditions: readonly string[]) => conditions.map((condition) => ` AND (${condition})`).join('');

/** The rollup rows of one tier and cube ($cube) starting at the given times ($starts), filtered by `dims`. */
export const rollupCellsSql = (tier: 'day' | 'hour', cube: string, starts: string, dims: readonly string[]) => `
SELECT '${tier}' AS tier, bucket_start AS at, ${ROLLUP_ROW} FROM record_rollups ${ROLLUP_ALIAS}
WHERE tier = '${tier}' AND cube = ${cube} AND bucket_start = ANY(${starts}::timestamptz[])${and(dims)}`;

/**
 * Deltas not folded yet, in the hours ($hours) and the UTC days ($days) read, filtered by `dims`. Both are one array
 * parameter each, however long the window: a parameter a day ran past the protocol's 65,535 for windows of decades.
 */
export const unfoldedDeltasSql = (hours: string, days: string, dims: readonly string[]) => `
SELECT 'delta' AS tier, hour AS at, ${ROLLUP_ROW} FROM record_rollup_deltas ${ROLLUP_ALIAS}
WHERE (hour = ANY(${hours}::timestamptz[])
       OR date_bin('1 day', hour, timestamptz '1970-01-01T00:00:00Z') = ANY(${days}::timestamptz[]))${and(dims)}`;

/** What recordBucketsSql reads: placeholders, the filter's conditions on `t`, and what it groups by. */
interface RecordBuckets {
  /** Placeholders of the bucket's size (an interval's text) and origin (a time). */
  size: string;
  origin: string;
  /** The filter's conditions on the records (alias `t`). */
  conditions: readonly string[];
  /** Placeholders of the start-time ranges read: a record counts in the first one it starts in. */
  ranges: readonly { from: string; to: string }[];
  groupBy: readonly string[];
  /** Whether each row also says its latency bucket (`lb`; NULL for records without a latency). */
  latency: boolean;
}

/**
 * Records counted by output bucket (`at`, date_bin of their start time), the range they were read from (`part`,
 * its index), the group columns and, with `latency`, their latency bucket (`lb`): each record once, by its original
 * (attempts in retry runs are counted through the originals they update).
 */
export function recordBucketsSql(read: RecordBuckets): string {
  const inRange = ({ from, to }: { from: string; to: string }) => `t.started_at >= ${from} AND t.started_at < ${to}`;
  const columns = [
    `date_bin(CAST(${read.size} AS interval), t.started_at, CAST(${read.origin} AS timestamptz)) AS at`,
    `CASE ${read.ranges.map((range, i) => `WHEN ${inRange(range)} THEN ${i}`).join(' ')} END AS part`,
    ...read.groupBy.map((column) => `t.${column} AS ${column}`),
    ...(read.latency ? ['latency_bucket(t.latency_ms) AS lb'] : []),
  ];
  const groups = columns.map((_, i) => String(i + 1));
  return `SELECT ${columns.join(', ')}, count(*) AS records FROM records t
WHERE t.origin_record_id IS NULL${and(read.conditions)} AND (${read.ranges.map((range) => `(${inRange(range)})`).join(' OR ')})
GROUP BY ${groups.join(', ')}`;
}

/** Record counts of the branches' rows, summed per tier, start (`at`) and group column. */
export function rollupCountsSql(branches: string[], groupBy: readonly string[]): string {
  const keys = ['t.tier', 't.at', ...groupBy.map((column) => `t.${column}`)].join(', ');
  return `SELECT ${keys}, NULL::integer AS sign, sum(t.records)::bigint AS records FROM (${branches.join('\n UNION ALL ')}) t GROUP BY ${keys}`;
}

/** Rollup rows that count into one output bucket with one sign: the placeholders of both, and the branches reading them. */
export interface BucketRead {
  bucket: string;
  sign: string;
  branches: string[];
}

/**
 * The rows of each read summed per output bucket (`at`), sign and group column, in PostgreSQL: record counts and, with
 * `histogramLength`, the latency histograms added up element by element (`hist`, comma-separated; `hist_length`, the
 * longest histogram added, says whether the length sufficed). A histogram is a dense integer array, so `h[i]` is found
 * without reading the elements before it: on a week's performance table (1,944 rows) a sum per element took PostgreSQL
 * 24 ms, turning every row's histogram into text for the caller to add up 76 to 87 ms, unnesting the arrays into rows
 * and summing by position 289 ms. Each read's branches carry its bucket and sign as constants: joined to a list
 * of where each row counts instead, the planner at times chose a nested loop over every pair (25 ms at 10M records).
 */
export function rollupSumsSql(reads: BucketRead[], groupBy: readonly string[], histogramLength: number): string {
  const groups = groupBy.map((column) => `t.${column}`);
  const elements = Array.from({ length: histogramLength }, (_, i) => `sum(t.latency_hist[${i + 1}])`);
  const rows = reads.flatMap(({ bucket, sign, branches }) =>
    branches.map((branch) => `SELECT CAST(${bucket} AS timestamptz) AS bucket, CAST(${sign} AS integer) AS sign, b.* FROM (${branch}) b`),
  );
  return `SELECT ${['t.bucket AS at', 'NULL::text AS tier', 't.sign', ...groups].join(', ')}, sum(t.records)::bigint AS records,
  max(cardinality(t.latency_hist)) AS hist_length, array_to_string(ARRAY[${elements.join(', ')}]::bigint[], ',', '0') AS hist
FROM (${rows.join('\n UNION ALL ')}) t
GROUP BY ${['t.bucket', 't.sign', ...groups].join(', ')}`;
}

/**
 * The rollups' rows (rollupCountsSql or rollupSumsSql) and the records' buckets (recordBucketsSql), one of them at
 * least, as one statement, so both are read in one snapshot: the columns of both, each row with the other's left null
 * (`part` is null on rollup rows). The records' part is a materialized CTE, which parallel workers never read: as two
 * branches of a UNION ALL, the planner gave each part a worker of its own (a Parallel Append), and starting the
 * workers took 10 to 25 ms of a statement that takes 2 ms in one process (the DAY series with a mode filter at 10M records).
 */
export function sourcesSql(read: { rollups: string | null; records: string | null; groupBy: readonly string[]; latency: boolean }): string {
  if (read.rollups === null || read.records === null) return read.rollups ?? read.records ?? '';
  const groups = read.groupBy.join(', ');
  const columns = (own: string[], latency: string[]) =>
    ['at', ...own, ...(groups ? [groups] : []), 'records', ...(read.latency ? latency : [])].join(', ');
  return `WITH record_buckets AS MATERIALIZED (${read.records})
SELECT ${columns(['tier', 'sign', 'NULL::integer AS part'], ['hist_length', 'hist', 'NULL::smallint AS lb'])} FROM (${read.rollups}) r
UNION ALL
SELECT ${columns(['NULL::text AS tier', 'NULL::integer AS sign', 'part'], ['NULL::integer AS hist_length', 'NULL::text AS hist', 'lb'])} FROM record_buckets`;
}

/** What each latency bucket 0..$1 stands for, as latency_bucket_value says. */
export const BUCKET_VALUES_SQL = 'SELECT array_agg(latency_bucket_value(b) ORDER BY b) AS v FROM generate_series(0, $1::int) b';
