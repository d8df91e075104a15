// Retention's statements (services/housekeeping/retention.service.ts): old finished runs go, a batch per transaction.
import { seenBy } from './tenancy.js';

/**
 * One batch of a purge: up to $3 runs that ended over $1 days ago and are not in statuses $4 (the active ones),
 * of tenant $2 (every tenant when null), deleted with their events; their records and attempts go by cascade.
 * Rows another purge holds are skipped. Returns, per pipeline touched, how many runs and records went.
 */
export const PURGE_RUNS_SQL = `
WITH doomed AS (
  SELECT id, pipeline_id, count_total FROM runs
  WHERE ended_at < now() - make_interval(days => $1) AND NOT (status = ANY($4::run_status[]))
    AND ${seenBy('tenant_id', '$2::text')}
  ORDER BY ended_at LIMIT $3 FOR UPDATE SKIP LOCKED
),
gone_events AS (DELETE FROM events WHERE run_id IN (SELECT id FROM doomed)),
gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING pipeline_id, count_total)
SELECT pipeline_id, count(*)::int AS runs, sum(count_total)::int AS records FROM gone GROUP BY pipeline_id`;
