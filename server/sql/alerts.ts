// Statements of alerting: the evaluator's facts (each a probe of an index per pipeline, never a walk of history),
// alert transitions, the outbox and its sender (services/alerts/alert-evaluator.ts, services/alerts/delivery-sender.ts,
// services/alerts/alert-rule.service.ts, services/alerts/notification-channel.service.ts).
import { inRunsPartitions } from './record-partitions.js';
import { countsOwnRecords } from './runs.js';
import { seenBy } from './tenancy.js';

/**
 * RUN_FAILED: per pipeline ($1 ids), the statuses and ids of its latest $2 finished runs, newest first
 * (runs_pipeline_finished). CLEANUP runs are housekeeping; a cancel says nothing about the pipeline.
 */
export const LATEST_FINISHED_RUNS_SQL = `
SELECT ids.id AS pipeline_id, f.statuses, f.run_ids, f.durations
FROM unnest($1::uuid[]) AS ids(id)
CROSS JOIN LATERAL (
  SELECT array_agg(x.status::text ORDER BY x.ended_at DESC) AS statuses, array_agg(x.id ORDER BY x.ended_at DESC) AS run_ids,
         array_agg(extract(epoch FROM x.ended_at - x.started_at)::float8 ORDER BY x.ended_at DESC) AS durations
  FROM (
    SELECT r.id, r.status, r.started_at, r.ended_at FROM runs r
    WHERE r.pipeline_id = ids.id AND r.ended_at IS NOT NULL AND r.mode <> 'CLEANUP' AND r.status <> 'CANCELLED'
    ORDER BY r.ended_at DESC LIMIT $2
  ) x
) f`;

/**
 * ERROR_RATE: per (pipeline $1[i], window $2[i] seconds), the records and failures of the runs started in the window,
 * from the runs' own counts (kept current by ingest and retries: no record is read), of the runs countsOwnRecords
 * keeps.
 */
export const ERROR_RATE_FACTS_SQL = `
SELECT w.pipeline_id, w.window_seconds, COALESCE(sum(r.count_total), 0)::bigint AS total, COALESCE(sum(r.count_failed), 0)::bigint AS failed
FROM unnest($1::uuid[], $2::integer[]) AS w(pipeline_id, window_seconds)
LEFT JOIN runs r ON r.pipeline_id = w.pipeline_id AND r.started_sort >= now() - make_interval(secs => w.window_seconds)
  AND r.started_at IS NOT NULL AND ${countsOwnRecords('r')}
GROUP BY w.pipeline_id, w.window_seconds`;

/** RUN_DURATION: every run still running, with its pipeline and how long it has run (runs_leased). */
export const RUNNING_RUNS_SQL = `
SELECT r.id, r.pipeline_id, extract(epoch FROM now() - r.started_at)::float8 AS seconds FROM runs r
WHERE r.status IN ('RUNNING', 'CANCELLING') AND r.started_at IS NOT NULL`;

/**
 * Failures among the records $1 (events' ids) of runs $3 that carry a fingerprint: originals only, statuses $2. The
 * runs confine the read to their days: by id alone, every day's partition is probed for each id.
 */
export const FAILURES_OF_RECORDS_SQL = `
SELECT r.id, r.run_id, r.pipeline_id, r.tenant_id, r.error_fingerprint AS fingerprint, r.error_code, r.error_message, r.started_at
FROM records r
WHERE r.id = ANY($1::bigint[]) AND r.error_fingerprint IS NOT NULL AND r.status = ANY($2::record_status[]) AND r.origin_record_id IS NULL
  AND ${inRunsPartitions('r', '$3::uuid[]')}`;

/**
 * A preview of an error group rule: the failures (statuses $2, with a fingerprint, originals) of pipelines $1 started
 * since $3, the latest $4 of them, in the shape of FAILURES_OF_RECORDS_SQL (records_failures_pipeline_started).
 */
export const RECENT_FAILURES_SQL = `
SELECT r.id, r.run_id, r.pipeline_id, r.tenant_id, r.error_fingerprint AS fingerprint, r.error_code, r.error_message, r.started_at
FROM records r
WHERE r.pipeline_id = ANY($1::uuid[]) AND r.error_fingerprint IS NOT NULL AND r.status = ANY($2::record_status[])
  AND r.origin_record_id IS NULL AND r.started_at >= $3
ORDER BY r.started_at DESC, r.id DESC LIMIT $4`;

/**
 * Whether fingerprint $1 failed before $2 (statuses $3) in tenant scope $4 (null: any tenant), other than the
 * records $5: one probe of records_fingerprint_started.
 */
export const SEEN_BEFORE_SQL = `
SELECT EXISTS (
  SELECT 1 FROM records r
  WHERE r.error_fingerprint = $1 AND r.started_at <= $2 AND r.status = ANY($3::record_status[]) AND r.origin_record_id IS NULL
    AND ${seenBy('r.tenant_id', '$4::text')} AND NOT (r.id = ANY($5::bigint[]))
) AS seen`;

/** Whether rule $1 ever had an alert for target $2 (ERROR_GROUP_NEW fires once per fingerprint). */
export const EVER_ALERTED_SQL = `SELECT EXISTS (SELECT 1 FROM alerts WHERE rule_id = $1 AND target_key = $2) AS alerted`;

/** The resolution of fingerprints $1 in tenant scope $2 (null: unbound keys' scope), when there is one. */
export const RESOLUTIONS_SQL = `
SELECT fingerprint, resolved_at FROM error_group_resolutions WHERE fingerprint = ANY($1::text[]) AND tenant_id IS NOT DISTINCT FROM $2`;

/** Opens an alert unless the rule already has an open one for the target (alerts_one_open); the row, or none. */
export const OPEN_ALERT_SQL = `
INSERT INTO alerts (rule_id, target_key, tenant_id, pipeline_id, run_id, fingerprint, severity, summary, value, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
ON CONFLICT (rule_id, target_key) WHERE state <> 'RESOLVED' DO NOTHING
RETURNING id`;

/** Resolves alert $1 if still open; the id, or none when another change came first. */
export const RESOLVE_ALERT_SQL = `
WITH changed AS (UPDATE alerts SET state = 'RESOLVED', resolved_at = now() WHERE id = $1 AND state <> 'RESOLVED' RETURNING id)
SELECT id FROM changed`;

/** Notes a reminder of FIRING alert $1; the id, or none when it changed meanwhile. */
export const REMIND_ALERT_SQL = `
WITH changed AS (UPDATE alerts SET last_notified_at = now() WHERE id = $1 AND state = 'FIRING' RETURNING id)
SELECT id FROM changed`;

/** A failure with fingerprint $2 arrived now: the open error group alert of rule $1 is not quiet. */
export const ALERT_SEEN_SQL = `
UPDATE alerts SET last_seen_at = now() WHERE rule_id = $1 AND target_key = $2 AND state <> 'RESOLVED'`;

/** Where the evaluator is in the event table, if it has been anywhere. */
export const EVALUATOR_POSITION_SQL = `SELECT event_xid::text AS event_xid, event_id::text AS event_id FROM alert_evaluator WHERE id = 1`;

/** Moves the evaluator to ($1 xid, $2 id). */
export const SAVE_EVALUATOR_POSITION_SQL = `
INSERT INTO alert_evaluator (id, event_xid, event_id) VALUES (1, $1::xid8, $2::bigint)
ON CONFLICT (id) DO UPDATE SET event_xid = EXCLUDED.event_xid, event_id = EXCLUDED.event_id`;

/** One evaluation at a time, even if two instances briefly both think they lead (transaction-scoped). */
export const EVALUATION_LOCK_SQL = 'SELECT pg_advisory_xact_lock(7130024)';

/** Writes a notification into the outbox: channel $1, alert $2, tenant $3, event $4, envelope $5. */
export const ENQUEUE_DELIVERY_SQL = `
INSERT INTO deliveries (channel_id, alert_id, tenant_id, event, payload) VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id`;

/** The enabled channels of rule $1. */
export const RULE_CHANNELS_SQL = `
SELECT c.id, c.kind FROM alert_rule_channels rc JOIN notification_channels c ON c.id = rc.channel_id
WHERE rc.rule_id = $1 AND c.enabled`;

/** The channel ids of rules $1, for AlertRule.channels. */
export const CHANNELS_OF_RULES_SQL = `SELECT rule_id, channel_id FROM alert_rule_channels WHERE rule_id = ANY($1::uuid[])`;

/** Replaces the channels of rule $1 with $2. */
export const CLEAR_RULE_CHANNELS_SQL = 'DELETE FROM alert_rule_channels WHERE rule_id = $1';
export const ADD_RULE_CHANNELS_SQL = `
INSERT INTO alert_rule_channels (rule_id, channel_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`;

/**
 * Claims up to $1 due deliveries for one attempt: their next attempt moves $2 seconds on, so a sender that dies
 * mid-request leaves them to be tried again then (the same webhook-id: receivers deduplicate).
 */
export const CLAIM_DUE_DELIVERIES_SQL = `
WITH claimed AS (
  UPDATE deliveries d SET next_attempt_at = now() + make_interval(secs => $2)
  WHERE d.id IN (
    SELECT id FROM deliveries WHERE status = 'PENDING' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED
  )
  RETURNING d.id, d.channel_id, d.event, d.payload, d.attempts
) SELECT * FROM claimed`;

/** Records one attempt of delivery $1: status $2, code $3, error $4, next attempt $5, log entry $6 (JSON). */
export const RECORD_ATTEMPT_SQL = `
UPDATE deliveries SET status = $2::delivery_status, attempts = attempts + 1, last_status_code = $3, last_error = $4, next_attempt_at = $5,
  delivered_at = CASE WHEN $2::delivery_status = 'DELIVERED' THEN now() ELSE delivered_at END,
  attempt_log = attempt_log || jsonb_build_array($6::jsonb)
WHERE id = $1`;

/** Channel $1 answered: it is not failing. */
export const CHANNEL_SUCCEEDED_SQL = 'UPDATE notification_channels SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL';

/**
 * Channel $1 failed: failing since the first failure after its last success; failing longer than $2 ms, it is
 * disabled with reason $3. Returns whether it was disabled now.
 */
export const CHANNEL_FAILED_SQL = `
WITH changed AS (
  UPDATE notification_channels SET failing_since = COALESCE(failing_since, now()),
    enabled = CASE WHEN failing_since < now() - make_interval(secs => $2 / 1000.0) THEN false ELSE enabled END,
    disabled_reason = CASE WHEN enabled AND failing_since < now() - make_interval(secs => $2 / 1000.0) THEN $3 ELSE disabled_reason END
  WHERE id = $1 AND enabled
  RETURNING NOT enabled AS disabled
) SELECT disabled FROM changed`;

/** Sends delivery $1 again from now: PENDING, next attempt due at once, its attempts kept in the log. */
export const REDELIVER_SQL = `
UPDATE deliveries SET status = 'PENDING', next_attempt_at = now(), delivered_at = NULL WHERE id = $1`;

/** Deletes up to $2 deliveries, no longer pending, written over $1 days ago; returns how many. */
export const PURGE_DELIVERIES_SQL = `
WITH gone AS (
  DELETE FROM deliveries WHERE id IN (
    SELECT id FROM deliveries WHERE status <> 'PENDING' AND created_at < now() - make_interval(days => $1) LIMIT $2)
  RETURNING 1
) SELECT count(*)::int AS n FROM gone`;

/** Deletes up to $2 alerts resolved over $1 days ago; returns how many. */
export const PURGE_ALERTS_SQL = `
WITH gone AS (
  DELETE FROM alerts WHERE id IN (
    SELECT id FROM alerts WHERE state = 'RESOLVED' AND resolved_at < now() - make_interval(days => $1) LIMIT $2)
  RETURNING 1
) SELECT count(*)::int AS n FROM gone`;
