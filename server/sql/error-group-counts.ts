// Error groups counted as they happen (migration 2960): per UTC hour, run and fingerprint, the failures of the run's
// original records. The leader folds the triggers' deltas (services/analytics/error-group-counts.ts); errorGroups
// reads the counts of whole hours with the deltas not folded yet (sql/error-groups.ts).
import { inRunPartition } from './record-partitions.js';

/**
 * Folds up to $1 deltas into the counts, summed per cell, for runs that still exist (a purged run's cells went with
 * it). Answers how many deltas it took, and the cells the fold left empty or took failures from, for FIX_CELLS_SQL
 * (three arrays of one aggregate, so in the same order).
 */
export const FOLD_ERROR_GROUP_DELTAS_SQL = `
WITH gone AS (
  -- Deltas of runs purged meanwhile (a purge deletes its runs' deltas, a writer racing it may leave one).
  DELETE FROM error_group_deltas d WHERE NOT EXISTS (SELECT 1 FROM runs u WHERE u.id = d.run_id)
),
-- The runs first, skipping those a purge holds (it deletes their deltas itself): the fold never waits for a purge,
-- and a purge never waits for deltas the fold holds.
held AS (
  SELECT u.id FROM runs u WHERE u.id IN (SELECT DISTINCT run_id FROM error_group_deltas) FOR KEY SHARE SKIP LOCKED
),
taken AS (
  DELETE FROM error_group_deltas WHERE ctid IN (
    SELECT ctid FROM error_group_deltas WHERE run_id IN (SELECT id FROM held) LIMIT $1)
  RETURNING *
),
summed AS (
  SELECT hour, run_id, error_fingerprint, pipeline_id, tenant_id, sum(failures) AS failures, min(first_seen) AS first_seen,
    max(last_seen) AS last_seen, bool_or(removed) AS removed
  FROM taken GROUP BY 1, 2, 3, 4, 5
),
folded AS (
  INSERT INTO error_group_counts AS c (hour, run_id, error_fingerprint, pipeline_id, tenant_id, failures, first_seen, last_seen)
  SELECT hour, run_id, error_fingerprint, pipeline_id, tenant_id, failures, first_seen, last_seen FROM summed
  ON CONFLICT (hour, run_id, error_fingerprint) DO UPDATE SET failures = c.failures + EXCLUDED.failures,
    first_seen = least(c.first_seen, EXCLUDED.first_seen), last_seen = greatest(c.last_seen, EXCLUDED.last_seen)
  RETURNING c.hour, c.run_id, c.error_fingerprint, c.failures
),
to_fix AS (
  SELECT f.* FROM folded f JOIN summed s USING (hour, run_id, error_fingerprint) WHERE f.failures = 0 OR s.removed
)
SELECT (SELECT count(*) FROM taken)::int AS deltas, COALESCE(array_agg(hour), '{}') AS hours,
  COALESCE(array_agg(run_id), '{}') AS run_ids, COALESCE(array_agg(error_fingerprint), '{}') AS fingerprints
FROM to_fix`;

/**
 * The cells ($1 hours, $2 runs, $3 fingerprints) a fold emptied go; those it took failures from get their first and
 * last start read again from the records (failed statuses $4), which the least and greatest of what was added
 * cannot give back.
 */
export const FIX_CELLS_SQL = `
WITH cells AS (
  SELECT * FROM unnest($1::timestamptz[], $2::uuid[], $3::text[]) AS k(hour, run_id, error_fingerprint)
),
emptied AS (
  DELETE FROM error_group_counts c USING cells k
  WHERE (c.hour, c.run_id, c.error_fingerprint) = (k.hour, k.run_id, k.error_fingerprint) AND c.failures = 0
)
UPDATE error_group_counts c SET first_seen = seen.first_seen, last_seen = seen.last_seen
FROM cells k CROSS JOIN LATERAL (
  SELECT min(r.started_at) AS first_seen, max(r.started_at) AS last_seen FROM records r
  WHERE r.run_id = k.run_id AND ${inRunPartition('r', 'k.run_id')} AND r.error_fingerprint = k.error_fingerprint
    AND r.status = ANY($4::record_status[]) AND r.origin_record_id IS NULL
    AND r.started_at >= k.hour AND r.started_at < k.hour + interval '1 hour'
) seen
WHERE (c.hour, c.run_id, c.error_fingerprint) = (k.hour, k.run_id, k.error_fingerprint) AND c.failures <> 0`;

/** Placeholders of a read of the counts: the whole hours [from, to) they answer for. */
export interface CountedHours {
  from: string;
  to: string;
}

/**
 * Failures per fingerprint and run (fingerprint, run_id, failures, first_seen, last_seen) in whole hours (every hour
 * when null), from the counts and the deltas not folded yet, both under alias `c` with the filter's `conditions`.
 */
export function countedFailuresSql(conditions: readonly string[], hours: CountedHours | null): string {
  const within = hours ? [`c.hour >= ${hours.from}`, `c.hour < ${hours.to}`] : [];
  const where = [...within, ...conditions].map((condition) => `(${condition})`).join(' AND ') || 'true';
  const part = (table: string) =>
    `SELECT c.error_fingerprint AS fingerprint, c.run_id, c.failures, c.first_seen, c.last_seen FROM ${table} c WHERE ${where}`;
  return `${part('error_group_counts')}\nUNION ALL\n${part('error_group_deltas')}`;
}
