// The error group statements. $1..$n of a grouped query are the values of its records filter's prepared conditions
// (services/lists/filters.ts: the filter and the tenant); the rest are appended by ErrorGroupService in the order named here.
import { seenBy } from './tenancy.js';

/**
 * The state rule, in one place: no resolution in the key's scope is OPEN; a resolution is REGRESSED once a failure
 * with the fingerprint, visible in that scope, started after it; else RESOLVED. The regression is looked for over
 * all retained history, whatever the filter and range asked (a filtered view must not hide a regression): only
 * for resolved groups, and only as far back as the group's latest failure.
 * The groups are of the failures the records filter's `conditions` (on `rec`, values $1…$p−1) select, started in
 * the window when `windowed`. Parameters from $p: scope (tenant id or null), failed statuses, states wanted (or
 * null), first, and when `windowed` the window's start and end.
 */
export function groupsSql(conditions: readonly string[], windowed: boolean, p: number): string {
  const scope = `$${p}::text`;
  const failed = `$${p + 1}::record_status[]`;
  const states = `$${p + 2}::text[]`;
  const first = `$${p + 3}::integer`;
  const where = [
    'rec.error_fingerprint IS NOT NULL',
    `rec.status = ANY(${failed})`,
    ...(windowed ? [`rec.started_at >= $${p + 4} AND rec.started_at < $${p + 5}`] : []),
    ...conditions,
  ];
  return `
WITH per_run AS (
  SELECT rec.error_fingerprint AS fingerprint, rec.run_id, count(*) AS count, min(rec.started_at) AS first_seen,
    max(rec.started_at) AS last_seen
  FROM records rec
  WHERE ${where.map((condition) => `(${condition})`).join(' AND ')}
  GROUP BY rec.error_fingerprint, rec.run_id
),
-- Per run, then per fingerprint: two hash aggregates instead of sorting every failure for count(DISTINCT run_id).
groups AS (
  SELECT fingerprint, sum(count) AS count, count(*) AS run_count, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM per_run GROUP BY fingerprint
),
judged AS (
  SELECT g.*, res.resolved_at, res.resolved_by, res.resolution_note,
    CASE WHEN res.resolved_at IS NULL THEN 'OPEN'
         WHEN (
           -- The group's latest failure in the scope, read backwards by start time.
           SELECT r.started_at FROM records r
           WHERE r.error_fingerprint = g.fingerprint AND r.status = ANY(${failed}) AND r.origin_record_id IS NULL
             AND ${seenBy('r.tenant_id', scope)}
           ORDER BY r.started_at DESC LIMIT 1
         ) > res.resolved_at THEN 'REGRESSED'
         ELSE 'RESOLVED' END AS state
  FROM groups g
  LEFT JOIN error_group_resolutions res ON res.fingerprint = g.fingerprint AND res.tenant_id IS NOT DISTINCT FROM ${scope}
),
chosen AS (
  SELECT * FROM judged
  WHERE ${states} IS NULL OR state = ANY(${states})
  ORDER BY state = 'REGRESSED' DESC, count DESC, last_seen DESC, fingerprint
  LIMIT ${first}
)
-- The sample is the group's latest failure, read for the chosen groups only.
SELECT c.*, sample.error_code, COALESCE(sample.error_message, sample.error_code, '') AS sample_message, sample.retryable
FROM chosen c
CROSS JOIN LATERAL (
  SELECT r.error_code, r.error_message, r.retryable FROM records r
  WHERE r.error_fingerprint = c.fingerprint AND r.started_at <= c.last_seen AND r.status = ANY(${failed})
    AND ${seenBy('r.tenant_id', scope)}
  ORDER BY r.started_at DESC, r.id DESC LIMIT 1
) sample
ORDER BY c.state = 'REGRESSED' DESC, c.count DESC, c.last_seen DESC, c.fingerprint`;
}

/** Whether any failure with fingerprint $1 is visible in scope $2 (a tenant id, or null for every tenant). */
export const VISIBLE_FAILURE_SQL = `
SELECT EXISTS (
  SELECT 1 FROM records r
  WHERE r.error_fingerprint = $1 AND r.status = ANY($3::record_status[]) AND r.origin_record_id IS NULL
    AND ${seenBy('r.tenant_id', '$2::text')}
) AS visible`;

/** Failures with fingerprint $1 in scope $2, per tenant: whose data a resolution concerns (audit log). */
export const FAILURES_BY_TENANT_SQL = `
SELECT r.tenant_id, count(*)::int AS n FROM records r
WHERE r.error_fingerprint = $1 AND r.status = ANY($3::record_status[]) AND r.origin_record_id IS NULL
  AND ${seenBy('r.tenant_id', '$2::text')}
GROUP BY r.tenant_id`;

/** Resolves fingerprint $1 in scope $2 (re-resolving moves the time and replaces who and the note). */
export const RESOLVE_SQL = `
INSERT INTO error_group_resolutions (tenant_id, fingerprint, resolved_at, resolved_by, resolution_note)
VALUES ($2, $1, now(), $3, $4)
ON CONFLICT ON CONSTRAINT error_group_resolutions_scope DO UPDATE SET
  resolved_at = EXCLUDED.resolved_at, resolved_by = EXCLUDED.resolved_by, resolution_note = EXCLUDED.resolution_note
RETURNING resolved_at`;

/** Removes the resolution of fingerprint $1 in scope $2; returns it, or nothing when the group was OPEN. */
export const REOPEN_SQL = `
WITH removed AS (
  DELETE FROM error_group_resolutions WHERE fingerprint = $1 AND tenant_id IS NOT DISTINCT FROM $2
  RETURNING resolved_at, resolved_by, resolution_note
) SELECT * FROM removed`;
