// Run, retry and rollup state read at scrape time for /metrics (http/metrics-endpoint.ts).

/** Runs per status: those in statuses $1 (the active ones), and those that ended in the last 24 hours. */
export const RUNS_BY_STATUS_SQL = `
SELECT status, count(*)::int AS n FROM runs
WHERE status = ANY($1::run_status[]) OR ended_at > now() - interval '24 hours' GROUP BY status`;

/** How many records wait for an automatic retry whose time has come. */
export const RETRIES_DUE_SQL = 'SELECT count(*)::int AS n FROM records WHERE next_retry_at <= now()';

/** Rollup deltas ingest has written and the leader's fold has not moved into the rollups yet. */
export const UNFOLDED_DELTAS_SQL = 'SELECT count(*)::int AS n FROM record_rollup_deltas';

/** Error-group deltas the leader's fold has not moved into the error-group counts yet. */
export const UNFOLDED_ERROR_GROUP_DELTAS_SQL = 'SELECT count(*)::int AS n FROM error_group_deltas';
