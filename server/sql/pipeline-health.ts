// The facts pipeline health is decided from, for many pipelines in one statement ($1: their ids, $2: now).
// Each sub-select is one probe of an index: runs_pipeline_started, runs_pipeline_finished, runs_pipeline_succeeded,
// records_dead_letters; the 24-hour error rate sums the counts of the window's runs (kept current by ingest and
// retries) instead of reading their records, of the runs countsOwnRecords keeps (not RETRY runs of records, whose
// records are attempts their originals count; not CLEANUP runs, syncwatch's housekeeping).
import { COMPLETED_RUN_STATUSES } from '../domain/run-lifecycle.js';
import { sqlList } from './literals.js';
import { countsOwnRecords } from './runs.js';
export const HEALTH_FACTS_SQL = `
SELECT ids.id AS pipeline_id,
  (SELECT r.started_at FROM runs r
    WHERE r.pipeline_id = ids.id AND r.started_at IS NOT NULL AND r.mode <> 'CLEANUP'
    ORDER BY r.started_sort DESC LIMIT 1) AS last_run_at,
  fin.status AS last_finished_status, fin.ended_at AS last_finished_at, fin.error AS last_finished_error,
  (SELECT r.ended_at FROM runs r
    WHERE r.pipeline_id = ids.id AND r.status IN (${sqlList(COMPLETED_RUN_STATUSES)}) AND r.mode <> 'CLEANUP'
    ORDER BY r.ended_at DESC LIMIT 1) AS last_success_at,
  win.total AS recent_records, win.failed AS recent_failed,
  (SELECT count(*) FROM records d
    WHERE d.pipeline_id = ids.id AND d.status = 'DEAD_LETTERED' AND d.origin_record_id IS NULL) AS dead_letters
FROM unnest($1::uuid[]) AS ids(id)
LEFT JOIN LATERAL (
  SELECT r.status, r.ended_at, r.error FROM runs r
  WHERE r.pipeline_id = ids.id AND r.ended_at IS NOT NULL AND r.mode <> 'CLEANUP' AND r.status <> 'CANCELLED'
  ORDER BY r.ended_at DESC LIMIT 1
) fin ON true
CROSS JOIN LATERAL (
  SELECT COALESCE(sum(r.count_total), 0) AS total, COALESCE(sum(r.count_failed), 0) AS failed FROM runs r
  WHERE r.pipeline_id = ids.id AND r.started_sort >= $2::timestamptz - make_interval(hours => $3)
    AND r.started_at IS NOT NULL AND ${countsOwnRecords('r')}
) win`;
