// A retry run's records are attempts of original records: the statements that archive an attempt and move the
// originals when their attempts get a result (services/retries/retry-attempts.ts runs them).
import { ATTEMPTS_UPSERT_KEY, inKeyBounds } from './record-partitions.js';
import { runIdUnplanned, runRecordsByKey } from './run-record-keys.js';

/**
 * A record's current attempt copied into its history: the one spelling of that snapshot (`o` names the
 * records row). The attempt's run is the retry run that made it, else the record's own; its status is the
 * one reported, not the retry state derived from it. RecordQueryService's currentAttempt shows the same
 * snapshot of a record already read.
 */
export const archiveAttemptOf = (o: string) => `INSERT INTO record_attempts (record_id, attempt, run_id, status, error_code, error_message,
                               started_at, ended_at, latency_ms, run_created_at)
  SELECT ${o}.id, ${o}.attempts, COALESCE(${o}.attempt_run_id, ${o}.run_id), COALESCE(${o}.reported_status, ${o}.status),
         ${o}.error_code, ${o}.error_message, ${o}.started_at, ${o}.ended_at, ${o}.latency_ms, ${o}.run_created_at`;

// After a batch in a RETRY run, each original record takes its attempt's result, in three statements
// (one statement cannot both read a row for the archive and update it: the update would hide it). $4 and $5 are the
// retry run's partition key bounds (keyBoundsOf), so its attempts are planned in its day only.
const ATTEMPTS_OF_BATCH = `
attempt AS (
  SELECT c.* FROM unnest($2::text[], $3::text[]) AS k(entity_type, source_id)
  CROSS JOIN ${runRecordsByKey('r', runIdUnplanned('$1'), 'k', inKeyBounds('r', '$4', '$5', true))} c
  WHERE c.origin_record_id IS NOT NULL
)`;

/** Locks the originals and reads their state before the attempt, for the count deltas. */
export const LOCK_ORIGINALS_SQL = `
WITH ${ATTEMPTS_OF_BATCH}
SELECT o.id, o.run_id, o.status AS prev_status, o.operation AS prev_operation
FROM records o JOIN attempt a ON o.id = a.origin_record_id
ORDER BY o.id
FOR UPDATE OF o`;

/** The first report of an attempt archives the original's previous attempt into its history. */
export const ARCHIVE_PREVIOUS_ATTEMPTS_SQL = `
WITH ${ATTEMPTS_OF_BATCH}
${archiveAttemptOf('o')}
FROM records o JOIN attempt a ON o.id = a.origin_record_id
WHERE o.attempts < a.attempts
ON CONFLICT ON CONSTRAINT ${ATTEMPTS_UPSERT_KEY} DO NOTHING`;

/** The original takes the attempt's result, number and retry schedule. */
export const FOLLOW_ATTEMPTS_SQL = `
WITH ${ATTEMPTS_OF_BATCH},
updated AS (
  UPDATE records o SET
    attempts = a.attempts,
    attempt_run_id = $1,
    status = retry_status(a.reported_status, a.retryable, a.attempts, p.max_attempts),
    next_retry_at = retry_due_at(a.retryable, a.attempts, p.max_attempts, p.initial_delay_seconds, p.backoff_factor,
                                 p.max_delay_seconds),
    reported_status = a.reported_status,
    retryable = a.retryable,
    target_id = COALESCE(a.target_id, o.target_id),
    operation = a.operation,
    error_code = a.error_code,
    error_message = a.error_message,
    error_fingerprint = a.error_fingerprint,
    started_at = a.started_at,
    ended_at = a.ended_at,
    latency_ms = a.latency_ms,
    details = COALESCE(a.details, o.details),
    updated_at = now()
  FROM attempt a JOIN pipelines p ON p.id = a.pipeline_id
  WHERE o.id = a.origin_record_id
  RETURNING o.id, o.status, o.operation
)
SELECT * FROM updated`;
