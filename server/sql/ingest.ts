// The set-based statements of reportRecords. The upsert takes the batch as one JSON array ($2): cheaper to
// build than thirteen typed arrays, and read back by Postgres in one pass. Times travel as epoch milliseconds:
// formatting a date as text cost Node more than the rest of the batch's JSON.
import { PENDING_RECORD_STATUSES } from '../domain/record-outcome.js';
import { archiveAttemptOf } from './attempts.js';
import { sqlList } from './literals.js';
import { ATTEMPTS_UPSERT_KEY, inKeyBounds, RECORDS_UPSERT_KEY } from './record-partitions.js';
import { runIdUnplanned, runRecordsByKey } from './run-record-keys.js';

const INPUT = `
input AS (
  SELECT t.entity_type, t.source_id, t.target_id, t.operation, t.status, t.error_code, t.error_message,
         t.error_fingerprint, t.retryable, to_timestamp(t.started_ms / 1000.0) AS started_at,
         to_timestamp(t.ended_ms / 1000.0) AS ended_at, t.latency_ms, t.details::jsonb AS details
  FROM jsonb_to_recordset($2::jsonb) AS t(entity_type text, source_id text, target_id text, operation record_operation,
       status record_status, error_code text, error_message text, error_fingerprint text, retryable boolean,
       started_ms bigint, ended_ms bigint, latency_ms integer, details text)
)`;

/**
 * A re-report is a new attempt of the record when its current attempt has ended (a final status was reported)
 * and the report tells another outcome; the same report again (a worker resending a batch) changes nothing.
 */
const NEW_ATTEMPT = `(p.reported_status IS NOT NULL AND p.reported_status NOT IN (${sqlList(PENDING_RECORD_STATUSES)})
   AND ((i.status, i.error_code, i.error_message) IS DISTINCT FROM (p.reported_status, p.error_code, p.error_message)
        OR (i.started_at IS NOT NULL AND i.started_at IS DISTINCT FROM p.started_at)
        OR (i.ended_at IS NOT NULL AND i.ended_at IS DISTINCT FROM p.ended_at)))`;

/**
 * Upserts the batch into the run. `previous` reads rows as they were before the statement, so count
 * deltas are exact. A retryable failure in an ordinary run is scheduled for retry (or dead-lettered)
 * by retry_status/retry_due_at; in a RETRY run the row is an attempt of an original record, which
 * FOLLOW_ATTEMPTS_SQL updates. started_at keeps the attempt's value when a re-report gives none. Returns the changes
 * in groups (RecordChangeGroup).
 */
export const UPSERT_RECORDS_SQL = `
WITH ${INPUT},
run AS (
  SELECT r.id, r.created_at, r.pipeline_id, r.tenant_id, r.mode, r.rerun, p.non_retryable_error_codes, p.max_attempts,
         p.initial_delay_seconds, p.backoff_factor, p.max_delay_seconds
  FROM runs r JOIN pipelines p ON p.id = r.pipeline_id WHERE r.id = $1
),
previous AS (
  -- The run's creation time is the partition key: the probe reads the run's day only, and plans only the days within
  -- its bounds ($3, $4: keyBoundsOf the run).
  SELECT rec.* FROM input i CROSS JOIN run
  CROSS JOIN ${runRecordsByKey('r', 'run.id', 'i', `r.run_created_at = run.created_at AND ${inKeyBounds('r', '$3', '$4')}`)} rec
),
attempt AS (
  SELECT i.entity_type, i.source_id, ${NEW_ATTEMPT} AS is_new
  FROM input i JOIN previous p USING (entity_type, source_id)
),
archived AS (
  ${archiveAttemptOf('p')}
  FROM previous p JOIN attempt a USING (entity_type, source_id) WHERE a.is_new
  ON CONFLICT ON CONSTRAINT ${ATTEMPTS_UPSERT_KEY} DO NOTHING
),
decided AS (
  SELECT i.*, run.id AS run_id, run.created_at AS run_created_at, run.pipeline_id, run.tenant_id, run.mode, run.max_attempts, run.initial_delay_seconds,
         run.backoff_factor, run.max_delay_seconds,
         COALESCE(p.attempts, 1) + CASE WHEN a.is_new THEN 1 ELSE 0 END AS attempts,
         -- Not given: the attempt's start as known, or now, but never after its given end.
         CASE WHEN i.started_at IS NOT NULL THEN i.started_at
              WHEN p.id IS NOT NULL AND NOT a.is_new THEN p.started_at
              ELSE LEAST(now(), i.ended_at) END AS start_time,
         i.retryable AND NOT (i.error_code IS NOT NULL AND i.error_code = ANY(run.non_retryable_error_codes)) AS may_retry,
         -- A RETRY run of records holds attempts (their originals are scheduled); a re-run of a session its own records.
         run.mode = 'RETRY' AND run.rerun IS NULL AS attempts_only
  FROM input i CROSS JOIN run LEFT JOIN previous p USING (entity_type, source_id) LEFT JOIN attempt a USING (entity_type, source_id)
),
upserted AS (
  INSERT INTO records AS rec (run_id, pipeline_id, tenant_id, mode, entity_type, source_id, target_id, operation, status,
                              reported_status, error_code, error_message, error_fingerprint, retryable, next_retry_at,
                              started_at, ended_at, latency_ms, details, attempts, run_created_at)
  SELECT d.run_id, d.pipeline_id, d.tenant_id, d.mode, d.entity_type, d.source_id, d.target_id, d.operation,
         retry_status(d.status, d.may_retry AND NOT d.attempts_only, d.attempts, d.max_attempts),
         d.status, d.error_code, d.error_message, d.error_fingerprint, d.may_retry,
         retry_due_at(d.may_retry AND NOT d.attempts_only, d.attempts, d.max_attempts, d.initial_delay_seconds,
                      d.backoff_factor, d.max_delay_seconds),
         d.start_time, d.ended_at, d.latency_ms, d.details, d.attempts, d.run_created_at
  FROM decided d
  ON CONFLICT ON CONSTRAINT ${RECORDS_UPSERT_KEY} DO UPDATE SET
    target_id = COALESCE(EXCLUDED.target_id, rec.target_id),
    operation = EXCLUDED.operation,
    status = EXCLUDED.status,
    reported_status = EXCLUDED.reported_status,
    error_code = EXCLUDED.error_code,
    error_message = EXCLUDED.error_message,
    error_fingerprint = EXCLUDED.error_fingerprint,
    retryable = EXCLUDED.retryable,
    attempts = EXCLUDED.attempts,
    next_retry_at = EXCLUDED.next_retry_at,
    started_at = EXCLUDED.started_at,
    ended_at = EXCLUDED.ended_at,
    latency_ms = EXCLUDED.latency_ms,
    details = COALESCE(EXCLUDED.details, rec.details),
    updated_at = now()
  RETURNING rec.id, rec.entity_type, rec.source_id, rec.status, rec.operation
)
-- The changes grouped by status and operation before and after (a few rows, not one a record), with their ids.
SELECT u.status, u.operation, p.status AS prev_status, p.operation AS prev_operation, count(*)::integer AS records,
       array_agg(u.id ORDER BY u.id) AS ids
FROM upserted u LEFT JOIN previous p USING (entity_type, source_id)
GROUP BY 1, 2, 3, 4`;

/** Which of the batch's keys are records of retry run $1 (its attempts); $4 and $5 its key bounds (keyBoundsOf). */
export const RETRY_RUN_KEYS_SQL = `
SELECT r.entity_type, r.source_id FROM unnest($2::text[], $3::text[]) AS k(entity_type, source_id)
CROSS JOIN ${runRecordsByKey('rec', runIdUnplanned('$1'), 'k', inKeyBounds('rec', '$4', '$5', true))} r`;
