// Statements on runs: leases, claims, counts. Every lease time comes from the database's now(), the clock
// every lease is checked against (LAPSED_LEASES_SQL); a Node clock apart from it would shorten or stretch leases.

/** The end of a lease of `seconds` (a parameter) from the database's now(): the one spelling of a lease. */
const leaseEnd = (seconds: string) => `now() + make_interval(secs => ${seconds}::double precision)`;

/**
 * Runs whose records are their pipeline's own work, counted by health and alerts from the runs' counts: not CLEANUP
 * (syncwatch's housekeeping), and not a RETRY run of records (they are attempts of records their originals count).
 * A re-run of a failed session is a RETRY run with records of its own: counted. The SQL twin of holdsAttempts.
 */
export const countsOwnRecords = (run: string) => `NOT (${run}.mode = 'CLEANUP' OR (${run}.mode = 'RETRY' AND ${run}.rerun IS NULL))`;

/** Starts or renews run $1's lease for $2 seconds. (UPDATE wrapped in WITH ... SELECT: TypeORM answers a bare UPDATE with [rows, rowCount].) */
export const RENEW_LEASE_SQL = `
WITH renewed AS (
  UPDATE runs SET lease_expires_at = ${leaseEnd('$2')} WHERE id = $1 RETURNING lease_expires_at
) SELECT lease_expires_at FROM renewed`;

/**
 * Hands the oldest QUEUED run of pipeline $1 (of modes $4, or any) to worker $2 under a lease of $3 seconds, held by
 * key $5 and the token hashed as $6. Concurrent claimers skip each other's row: each gets another run or none.
 */
export const CLAIM_RUN_SQL = `
WITH claimed AS (
  UPDATE runs SET status = 'RUNNING', started_at = now(), worker_id = $2, lease_expires_at = ${leaseEnd('$3')},
                  holder_key_id = $5, lease_token_hash = $6
  WHERE id = (SELECT id FROM runs WHERE pipeline_id = $1 AND status = 'QUEUED'
                AND ($4::sync_mode[] IS NULL OR mode = ANY($4::sync_mode[]))
              ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING id
) SELECT id FROM claimed`;

/** Up to 1,000 runs in statuses $1 (the leased ones) whose lease ran out, locked; another sweeper skips them. */
export const LAPSED_LEASES_SQL = `
SELECT id, status FROM runs
WHERE status = ANY($1::run_status[]) AND lease_expires_at < now()
ORDER BY lease_expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED`;

/** Adds count deltas to a run and renews its lease. */
export const APPLY_COUNTS_SQL = `
UPDATE runs SET
  count_total = count_total + $2, count_created = count_created + $3, count_updated = count_updated + $4,
  count_deleted = count_deleted + $5, count_skipped = count_skipped + $6, count_succeeded = count_succeeded + $7,
  count_failed = count_failed + $8, count_pending = count_pending + $9,
  lease_expires_at = CASE WHEN $10::double precision IS NULL THEN lease_expires_at ELSE ${leaseEnd('$10')} END
WHERE id = $1`;
