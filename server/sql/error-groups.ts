// The error group statements. A grouped query's placeholders are bound by ErrorGroupService: its filter's prepared
// conditions (services/lists/filters.ts: the filter and the tenant) first, then the values named here.
import { inKeyBounds } from './record-partitions.js';
import { seenBy } from './tenancy.js';

/** The values errorGroups binds besides its filter's, as typed placeholders (`$7::text`). */
export interface GroupPlaceholders {
  /** The tenant scope (text): a tenant id, or null for keys bound to no tenant. */
  scope: string;
  /** The statuses that count as a failure (record_status[]). */
  failed: string;
  /** The states wanted (text[]), or null for all. */
  states: string;
  /** How many groups (integer). */
  first: string;
  /**
   * The partition key from which on the days hold every record started in the window (timestamptz), when read: the
   * sample, the latest failure up to a group's last failure in the window, lies there, so only those days are planned.
   */
  sampleKeysFrom?: string;
}

/**
 * Failures per fingerprint and run (fingerprint, run_id, failures, first_seen, last_seen) read from the records the
 * filter's `conditions` (on `rec`) select, started in `range` when given. A range of minutes (a window's edge) has its
 * statuses tested on the rows its start index finds: as an index condition, PostgreSQL ANDed the start index with
 * the whole day's failures by status (40,000 entries at 10M records) to save fetching a few hundred rows, 3–4 ms
 * against under 1.
 */
export function recordFailuresSql(
  conditions: readonly string[],
  failed: string,
  range?: { from: string; to: string; minutes?: boolean },
): string {
  const status = `rec.status = ANY(${failed})`;
  const where = [
    'rec.error_fingerprint IS NOT NULL',
    range?.minutes ? `(${status}) IS TRUE` : status,
    ...(range ? [`rec.started_at >= ${range.from} AND rec.started_at < ${range.to}`] : []),
    ...conditions,
  ];
  // failures as integer, like the counts' cells: summed as bigint, not numeric (a week's 25,000 runs' sums, ~5 ms).
  return `SELECT rec.error_fingerprint AS fingerprint, rec.run_id, count(*)::int AS failures, min(rec.started_at) AS first_seen,
    max(rec.started_at) AS last_seen
  FROM records rec
  WHERE ${where.map((condition) => `(${condition})`).join(' AND ')}
  GROUP BY rec.error_fingerprint, rec.run_id`;
}

/**
 * When the latest failure of the originals with the fingerprint visible in the scope started: from the error-group
 * counts (each cell keeps its last start) and the deltas not folded yet, so no day of records is planned for it. A
 * failure taken back still counts here until the fold reads its cell again (a second).
 */
function latestFailureSql(fingerprint: string, scope: string): string {
  const where = (x: string) => `${x}.error_fingerprint = ${fingerprint} AND ${x}.failures > 0 AND ${seenBy(`${x}.tenant_id`, scope)}`;
  return `SELECT max(seen) FROM (
      (SELECT x.last_seen AS seen FROM error_group_counts x WHERE ${where('x')} AND x.last_seen IS NOT NULL
       ORDER BY x.hour DESC, x.last_seen DESC LIMIT 1)
      UNION ALL
      SELECT max(d.last_seen) FROM error_group_deltas d WHERE ${where('d')}
    ) latest`;
}

/**
 * The state rule, in one place: no resolution in the key's scope is OPEN; a resolution is REGRESSED once a failure
 * with the fingerprint, visible in that scope, started after it; else RESOLVED. The regression is looked for over
 * all retained history, whatever the filter and range asked (a filtered view must not hide a regression).
 * The groups are of the failures `parts` count per fingerprint and run (recordFailuresSql, countedFailuresSql):
 * each a statement of its own rows, added up here.
 */
export function groupsSql(parts: readonly string[], { scope, failed, states, first, sampleKeysFrom }: GroupPlaceholders): string {
  const sampleDays = sampleKeysFrom ? `\n    AND ${inKeyBounds('r', sampleKeysFrom, "'infinity'::timestamptz", true)}` : '';
  return `
WITH per_run AS (
  SELECT fingerprint, run_id, sum(failures)::int AS count, min(first_seen) AS first_seen, max(last_seen) AS last_seen
  FROM (${parts.join('\n  UNION ALL\n  ')}) part
  GROUP BY fingerprint, run_id
),
-- Per run, then per fingerprint: two hash aggregates instead of sorting every run for count(DISTINCT run_id). The runs
-- whose failures net out are left out here, not by a HAVING above: PostgreSQL took that to keep a third of the runs
-- and sorted a week's 25,000 for this step (~9 ms) instead of hashing them (~3 ms).
groups AS (
  SELECT fingerprint, sum(count) FILTER (WHERE count > 0) AS count, count(*) FILTER (WHERE count > 0) AS run_count,
    min(first_seen) FILTER (WHERE count > 0) AS first_seen, max(last_seen) FILTER (WHERE count > 0) AS last_seen
  FROM per_run GROUP BY fingerprint
  HAVING count(*) FILTER (WHERE count > 0) > 0
),
judged AS (
  SELECT g.*, res.resolved_at, res.resolved_by, res.resolution_note,
    CASE WHEN res.resolved_at IS NULL THEN 'OPEN'
         WHEN (${latestFailureSql('g.fingerprint', scope)}) > res.resolved_at THEN 'REGRESSED'
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
-- The sample is the group's latest failure (a retry's attempt too), read for the chosen groups only.
SELECT c.*, sample.error_code, COALESCE(sample.error_message, sample.error_code, '') AS sample_message, sample.retryable
FROM chosen c
CROSS JOIN LATERAL (
  SELECT r.error_code, r.error_message, r.retryable FROM records r
  WHERE r.error_fingerprint = c.fingerprint AND r.started_at <= c.last_seen AND r.status = ANY(${failed})
    AND ${seenBy('r.tenant_id', scope)}${sampleDays}
  ORDER BY r.started_at DESC, r.id DESC LIMIT 1
) sample
ORDER BY c.state = 'REGRESSED' DESC, c.count DESC, c.last_seen DESC, c.fingerprint`;
}

/** For the rest of the transaction, plans without parallel workers. */
export const SERIAL_PLAN_SQL = 'SET LOCAL max_parallel_workers_per_gather = 0';

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
