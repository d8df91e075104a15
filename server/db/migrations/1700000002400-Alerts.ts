import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Alerts (DESIGN.md, "Alerts").
 * - `alert_rules` with their `alert_rule_channels`; `notification_channels` keep their URL and signing secrets
 *   (needed to sign: stored as given, readable by admins only through the API).
 * - `alerts`: one row per firing of a rule for a target (`target_key`: the pipeline id, or the fingerprint of an
 *   error group). The unique partial index `alerts_one_open` is the rule "while a target's alert is open no second
 *   one opens": a storm of failures can only find the open row, and two evaluators cannot both insert one.
 * - `deliveries`: the outbox, written in the transaction that changes an alert, with the envelope as it will be
 *   sent (retries send the same body under the same webhook-id); `deliveries_due` is the sender's queue.
 * - `alert_evaluator`: where the evaluator is in the event table (error group conditions read record batches from
 *   it), moved in the same transaction as the alerts it opened: a leader change neither skips nor repeats a batch.
 */
export class Alerts1700000002400 implements MigrationInterface {
  name = 'Alerts1700000002400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TYPE alert_condition AS ENUM
        ('RUN_FAILED', 'ERROR_RATE', 'PIPELINE_HEALTH', 'ERROR_GROUP_NEW', 'ERROR_GROUP_REGRESSED', 'DEAD_LETTERS', 'RUN_DURATION');
      CREATE TYPE alert_severity AS ENUM ('WARNING', 'CRITICAL');
      CREATE TYPE alert_state AS ENUM ('FIRING', 'ACKNOWLEDGED', 'RESOLVED');
      CREATE TYPE channel_kind AS ENUM ('WEBHOOK', 'SLACK');
      CREATE TYPE delivery_status AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

      CREATE TABLE notification_channels (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        kind channel_kind NOT NULL,
        url text NOT NULL,
        tenant_id text,
        signing_secret text,
        previous_secret text,
        previous_secret_until timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        failing_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE alert_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        condition alert_condition NOT NULL,
        severity alert_severity NOT NULL DEFAULT 'WARNING',
        pipeline_ids uuid[],
        tenant_id text,
        threshold double precision,
        window_seconds integer,
        health_states text[],
        repeat_interval_seconds integer NOT NULL DEFAULT 0,
        muted_until timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text
      );

      CREATE TABLE alert_rule_channels (
        rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
        channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
        PRIMARY KEY (rule_id, channel_id)
      );
      CREATE INDEX alert_rule_channels_channel ON alert_rule_channels (channel_id);

      CREATE TABLE alerts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        rule_id uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
        target_key text NOT NULL,
        tenant_id text,
        pipeline_id uuid REFERENCES pipelines (id) ON DELETE SET NULL,
        run_id uuid REFERENCES runs (id) ON DELETE SET NULL,
        fingerprint text,
        state alert_state NOT NULL DEFAULT 'FIRING',
        severity alert_severity NOT NULL,
        summary text NOT NULL,
        value double precision,
        fired_at timestamptz NOT NULL DEFAULT now(),
        acknowledged_at timestamptz,
        acknowledged_by text,
        acknowledgement_note text,
        resolved_at timestamptz,
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        last_notified_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX alerts_one_open ON alerts (rule_id, target_key) WHERE state <> 'RESOLVED';
      CREATE INDEX alerts_seq ON alerts (seq);
      CREATE INDEX alerts_tenant_seq ON alerts (tenant_id, seq);

      CREATE TABLE deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
        alert_id uuid REFERENCES alerts (id) ON DELETE SET NULL,
        tenant_id text,
        event text NOT NULL,
        payload jsonb NOT NULL,
        status delivery_status NOT NULL DEFAULT 'PENDING',
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        attempt_log jsonb NOT NULL DEFAULT '[]',
        next_attempt_at timestamptz DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      );
      CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'PENDING';
      CREATE INDEX deliveries_channel_seq ON deliveries (channel_id, seq);
      CREATE INDEX deliveries_seq ON deliveries (seq);

      CREATE TABLE alert_evaluator (
        id integer PRIMARY KEY CHECK (id = 1),
        event_xid xid8 NOT NULL,
        event_id bigint NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE alert_evaluator, deliveries, alerts, alert_rule_channels, alert_rules, notification_channels;
      DROP TYPE delivery_status, channel_kind, alert_state, alert_severity, alert_condition;
    `);
  }
}
