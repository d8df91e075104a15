// Set-based statements of retries and dead letters: whole filters at once, never a loop over records.
// (An UPDATE ... RETURNING is wrapped in WITH ... SELECT: TypeORM's query() returns plain rows only for SELECTs.)
import { inRunPartition, inRunsPartitions, orKeyless, RECORDS_UPSERT_KEY } from './record-partitions.js';
import { seenBy } from './tenancy.js';

/**
 * Due automatic retries, taken once: the lock and the cleared next_retry_at keep two schedulers apart. Each is
 * updated by its id and partition key (a row without one, as inRunPartition takes them): by id alone, every day's
 * partition would be probed for each.
 */
export const TAKE_DUE_RETRIES_SQL = `
WITH taken AS (
  UPDATE records r SET status = 'RETRY_SCHEDULED', next_retry_at = NULL, updated_at = now()
  FROM (
    SELECT id, run_created_at FROM records
    WHERE next_retry_at <= now()
    ORDER BY next_retry_at LIMIT $1
    FOR UPDATE SKIP LOCKED
  ) due
  WHERE r.id = due.id AND ${orKeyless('r', 'r.run_created_at = due.run_created_at')}
  RETURNING r.id, r.pipeline_id, r.run_id, r.tenant_id, r.entity_type, r.source_id
)
SELECT * FROM taken`;

/**
 * An original's next attempt as a PENDING record of retry run `runId` (created at `runCreatedAt`: the attempt's
 * partition is its retry run's, not its original's), numbered after the original's attempts.
 */
const attemptsInto = (runId: string, runCreatedAt: string) => `
INSERT INTO records (run_id, pipeline_id, tenant_id, mode, entity_type, source_id, target_id, operation, status,
                     retryable, details, origin_record_id, attempts, started_at, run_created_at)
SELECT ${runId}, o.pipeline_id, o.tenant_id, 'RETRY', o.entity_type, o.source_id, o.target_id, o.operation, 'PENDING',
       o.retryable, o.details, o.id, o.attempts + 1, now(), ${runCreatedAt}`;

/** The retry run's records: one attempt of each original ($2, of runs $3: their days are read, not every day). */
export const INSERT_RETRY_ATTEMPTS_SQL = `${attemptsInto('$1', '(SELECT created_at FROM runs WHERE id = $1)')}
FROM records o WHERE o.id = ANY($2::bigint[]) AND ${inRunsPartitions('o', '$3::uuid[]')}`;

/**
 * Due retries join their pipeline's automatic retry run that still waits in the queue (locked, so no worker
 * claims it meanwhile). An entity already in that run stays out: a retry run holds one attempt per entity.
 */
export const JOIN_QUEUED_RETRY_RUN_SQL = `
WITH open AS (
  SELECT id, created_at, retry_of FROM runs
  WHERE pipeline_id = $1 AND status = 'QUEUED' AND mode = 'RETRY' AND triggered_by = $3
  ORDER BY created_at DESC LIMIT 1
  FOR UPDATE SKIP LOCKED
),
joined AS (${attemptsInto('open.id', 'open.created_at')}
  FROM records o CROSS JOIN open WHERE o.id = ANY($2::bigint[]) AND ${inRunsPartitions('o', '$4::uuid[]')}
  ON CONFLICT ON CONSTRAINT ${RECORDS_UPSERT_KEY} DO NOTHING
  RETURNING run_id, origin_record_id
),
grown AS (
  UPDATE runs r SET
    count_total = count_total + j.n, count_pending = count_pending + j.n, expected_total = COALESCE(expected_total, 0) + j.n,
    retry_of = CASE WHEN j.origins = ARRAY[r.retry_of] THEN r.retry_of END
  FROM (SELECT jr.run_id, count(*)::int AS n, array_agg(DISTINCT o.run_id) AS origins
        FROM joined jr JOIN records o ON o.id = jr.origin_record_id AND ${inRunsPartitions('o', '$4::uuid[]')} GROUP BY jr.run_id) j
  WHERE r.id = j.run_id
  RETURNING r.id
)
SELECT (SELECT id FROM grown) AS run_id, array(SELECT origin_record_id::text FROM joined) AS joined`;

/**
 * A cancelled retry run gives its unreported attempts back: they are CANCELLED, and their originals
 * return to their failure (a replayed dead letter to DEAD_LETTERED) with the automatic retry their
 * policy plans, as if the run had not been queued: cancelling is no attempt.
 */
export const CANCEL_UNREPORTED_SQL = `
WITH unreported AS (
  UPDATE records SET status = 'CANCELLED', updated_at = now()
  WHERE run_id = $1 AND ${inRunPartition('records', '$1')} AND origin_record_id IS NOT NULL AND reported_status IS NULL
  RETURNING id, origin_record_id
),
originals AS (
  UPDATE records o SET
    status = retry_status(COALESCE(o.reported_status, 'FAILED'), o.retryable, o.attempts, p.max_attempts),
    next_retry_at = retry_due_at(o.retryable, o.attempts, p.max_attempts, p.initial_delay_seconds, p.backoff_factor,
                                 p.max_delay_seconds),
    updated_at = now()
  FROM unreported u, pipelines p
  WHERE o.id = u.origin_record_id AND p.id = o.pipeline_id AND o.status = 'RETRY_SCHEDULED'
  RETURNING o.id
)
SELECT id::text FROM unreported`;

/**
 * A retry run that ended any other way (finished, failed, lost) made its attempts: those it never reported
 * failed (NOT_REPORTED), retryable as their originals are; the originals then follow them like any result,
 * so attempts are used up, the backoff grows, and exhausted ones are dead-lettered.
 */
export const FAIL_UNREPORTED_SQL = `
WITH failed AS (
  UPDATE records a SET
    status = 'FAILED', reported_status = 'FAILED', error_code = $2, error_message = $3, error_fingerprint = $4,
    retryable = o.retryable, ended_at = now(), updated_at = now()
  FROM records o
  WHERE a.run_id = $1 AND ${inRunPartition('a', '$1')} AND a.origin_record_id IS NOT NULL AND a.reported_status IS NULL AND o.id = a.origin_record_id
  RETURNING a.id, a.entity_type, a.source_id
)
SELECT id::text, entity_type, source_id FROM failed`;

// Operators' retries, replays and discards over a selection: `selected` is SQL selecting the ids of the original
// records the selection matches (selectedIdsSql, services/lists/record-selection.ts), with its own parameters $1..$n
// before these.

/**
 * The ids (`id`: the select expression, reading `rec`) of the records `conditions` select: a records filter's
 * prepared conditions (services/lists/filters.ts), its values the statement's.
 */
export const selectedIdsSql = (id: string, conditions: readonly string[]) =>
  `SELECT ${id} AS id FROM records rec${conditions.length > 0 ? ` WHERE ${conditions.map((condition) => `(${condition})`).join(' AND ')}` : ''}`;

/** Whether run $1 exists and a key of tenant $2 (NULL: every tenant) sees it. */
export const VISIBLE_RUN_SQL = `SELECT EXISTS (SELECT 1 FROM runs r WHERE r.id = $1 AND ${seenBy('r.tenant_id', '$2::text')}) AS visible`;

/** The selection's next chunk of records in statuses $n+1, after id $n+2, at most $n+3 of them, in id order. */
export const selectionChunkSql = (selected: string, n: number) => `
SELECT c.id FROM records c
WHERE c.id IN (${selected}) AND c.status = ANY($${n + 1}::record_status[]) AND c.id > $${n + 2}::bigint
ORDER BY c.id LIMIT $${n + 3}`;

/** How many records the selection matches. */
export const countSelectedSql = (selected: string) => `SELECT count(*)::int AS matched FROM records WHERE id IN (${selected})`;

/** A dry run: how many the selection matches, and how many of them are in statuses $n+1 (would be retried). */
export const countEligibleSql = (selected: string, n: number) => `
SELECT count(*)::int AS matched, count(*) FILTER (WHERE status = ANY($${n + 1}::record_status[]))::int AS scheduled
FROM records WHERE id IN (${selected})`;

/** The selected records still in statuses $n+1 are taken for a retry run (RETRY_SCHEDULED, no automatic retry due). */
export const takeSelectedSql = (selected: string, n: number) => `
WITH taken AS (
  UPDATE records SET status = 'RETRY_SCHEDULED', next_retry_at = NULL, updated_at = now()
  WHERE id IN (${selected}) AND status = ANY($${n + 1}::record_status[])
  RETURNING id, pipeline_id, run_id, tenant_id, entity_type, source_id
) SELECT * FROM taken`;

/** The selected dead letters are closed for good: DISCARDED. */
export const discardSelectedSql = (selected: string) => `
WITH discarded AS (
  UPDATE records SET status = 'DISCARDED', next_retry_at = NULL, updated_at = now()
  WHERE id IN (${selected}) AND status = 'DEAD_LETTERED'
  RETURNING id, run_id, pipeline_id, tenant_id
) SELECT * FROM discarded`;
