// Retention's statements (services/housekeeping/retention.service.ts): old finished runs go, a batch per transaction.
import { seenBy } from './tenancy.js';

/**
 * One batch of a purge: up to $3 runs that ended over $1 days ago and are not in statuses $4 (the active ones),
 * of tenant $2 (every tenant when null), deleted with their records and events. Records and attempts have no foreign
 * keys (they are partitioned: docs/scaling.md), so the statement does what the keys did: the runs' records go, their
 * attempts too, and records of other runs pointing at them as their original (a retry run's attempts, kept longer)
 * point at nothing. Rows another purge holds are skipped. Returns, per pipeline touched, how
 * many runs and records went. (Joined on the run alone, not on its partition: rows of an unpartitioned table written
 * before migration 2900 have no run_created_at.)
 */
export const PURGE_RUNS_SQL = `
WITH doomed AS (
  SELECT id, pipeline_id, count_total FROM runs
  WHERE ended_at < now() - make_interval(days => $1) AND NOT (status = ANY($4::run_status[]))
    AND ${seenBy('tenant_id', '$2::text')}
  ORDER BY ended_at LIMIT $3 FOR UPDATE SKIP LOCKED
),
gone_attempts AS (
  DELETE FROM record_attempts a USING records r
  WHERE r.run_id IN (SELECT id FROM doomed) AND a.record_id = r.id
),
orphaned AS (
  UPDATE records o SET origin_record_id = NULL
  FROM records r
  WHERE r.run_id IN (SELECT id FROM doomed) AND o.origin_record_id = r.id AND o.origin_record_id IS NOT NULL
    AND o.run_id NOT IN (SELECT id FROM doomed)
),
gone_records AS (DELETE FROM records WHERE run_id IN (SELECT id FROM doomed)),
gone_events AS (DELETE FROM events WHERE run_id IN (SELECT id FROM doomed)),
-- Their error-group counts go with the runs (the foreign key); the deltas not folded yet go here.
gone_error_deltas AS (DELETE FROM error_group_deltas WHERE run_id IN (SELECT id FROM doomed)),
gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING pipeline_id, count_total)
SELECT pipeline_id, count(*)::int AS runs, sum(count_total)::int AS records FROM gone GROUP BY pipeline_id`;

/**
 * Whether the day [$1, $2) of records may be dropped whole: every run created in it ended over $3 days ago (none in
 * statuses $4, the active ones, none unended, none ended later), and the rollup fold has no delta left for the
 * day's hours or earlier (the drop fires no trigger: rollups keep what was folded).
 */
export const RECORD_DAY_EXPIRED_SQL = `
SELECT NOT EXISTS (
         SELECT 1 FROM runs
         WHERE created_at >= $1 AND created_at < $2
           AND (status = ANY($4::run_status[]) OR ended_at IS NULL OR ended_at >= now() - make_interval(days => $3))
       )
   AND NOT EXISTS (SELECT 1 FROM record_rollup_deltas WHERE hour < $2) AS expired`;
