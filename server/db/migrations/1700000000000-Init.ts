import type { MigrationInterface, QueryRunner } from 'typeorm';

// The whole first schema. SQL, not entity sync: indexes and enum types are
// chosen by hand for the contract's filters and keyset pagination.
export class Init1700000000000 implements MigrationInterface {
  name = 'Init1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE TYPE sync_mode AS ENUM ('REAL_TIME','MANUAL','SCHEDULED','ON_DEMAND','RETRY','CLEANUP');
      CREATE TYPE sync_direction AS ENUM ('PUSH','PULL');
      CREATE TYPE run_status AS ENUM ('QUEUED','RUNNING','CANCELLING','SUCCEEDED','COMPLETED_WITH_ERRORS','FAILED','CANCELLED','ROLLED_BACK');
      CREATE TYPE record_status AS ENUM ('PENDING','EXTRACTING','IN_PROGRESS','SUCCESS','PARTIAL_SUCCESS','PARTIALLY_FAILED','FAILED','EXTRACTION_FAILED','SKIPPED','RETRY_SCHEDULED','DEAD_LETTERED','DISCARDED','CANCELLED');
      CREATE TYPE record_operation AS ENUM ('CREATE','UPDATE','DELETE');
      CREATE TYPE api_role AS ENUM ('VIEWER','OPERATOR','INGEST','ADMIN');

      CREATE TABLE pipelines (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        source_system text NOT NULL,
        target_system text NOT NULL,
        direction sync_direction NOT NULL DEFAULT 'PUSH',
        tenant_id text,
        config jsonb,
        max_attempts integer NOT NULL DEFAULT 5,
        initial_delay_seconds integer NOT NULL DEFAULT 30,
        backoff_factor double precision NOT NULL DEFAULT 2,
        max_delay_seconds integer NOT NULL DEFAULT 3600,
        non_retryable_error_codes text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX pipelines_tenant ON pipelines (tenant_id, created_at);

      CREATE TABLE runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pipeline_id uuid NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
        tenant_id text,
        mode sync_mode NOT NULL,
        operation_type text,
        status run_status NOT NULL,
        triggered_by text,
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        ended_at timestamptz,
        expected_total integer,
        count_total integer NOT NULL DEFAULT 0,
        count_created integer NOT NULL DEFAULT 0,
        count_updated integer NOT NULL DEFAULT 0,
        count_deleted integer NOT NULL DEFAULT 0,
        count_skipped integer NOT NULL DEFAULT 0,
        count_succeeded integer NOT NULL DEFAULT 0,
        count_failed integer NOT NULL DEFAULT 0,
        count_pending integer NOT NULL DEFAULT 0,
        error text,
        lease_expires_at timestamptz,
        worker_id text,
        retry_of uuid REFERENCES runs(id) ON DELETE SET NULL,
        config_snapshot jsonb,
        -- Sort keys of RunSortField: a run not started or not ended yet sorts as the newest.
        started_sort timestamptz GENERATED ALWAYS AS (COALESCE(started_at, 'infinity'::timestamptz)) STORED,
        ended_sort timestamptz GENERATED ALWAYS AS (COALESCE(ended_at, 'infinity'::timestamptz)) STORED
      );
      CREATE INDEX runs_started ON runs (started_sort, id);
      CREATE INDEX runs_ended ON runs (ended_sort, id);
      CREATE INDEX runs_pipeline_started ON runs (pipeline_id, started_sort, id);
      CREATE INDEX runs_status_started ON runs (status, started_sort, id);
      CREATE INDEX runs_tenant_started ON runs (tenant_id, started_sort, id);
      CREATE INDEX runs_queued ON runs (pipeline_id, created_at) WHERE status = 'QUEUED';
      CREATE INDEX runs_leased ON runs (lease_expires_at) WHERE status IN ('RUNNING','CANCELLING');
      CREATE INDEX runs_correlation ON runs (correlation_id) WHERE correlation_id IS NOT NULL;

      CREATE TABLE records (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id uuid NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        -- Copied from the run so every filter reads one table.
        pipeline_id uuid NOT NULL,
        tenant_id text,
        mode sync_mode NOT NULL,
        entity_type text NOT NULL,
        source_id text NOT NULL,
        target_id text,
        operation record_operation NOT NULL,
        status record_status NOT NULL,
        error_code text,
        error_message text,
        error_fingerprint text,
        retryable boolean NOT NULL DEFAULT false,
        attempts integer NOT NULL DEFAULT 1,
        next_retry_at timestamptz,
        -- When the worker gave no start time, the time it reported the record.
        started_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz,
        latency_ms integer,
        details jsonb,
        -- What the worker reported for the current attempt; status may differ (RETRY_SCHEDULED, DEAD_LETTERED).
        reported_status record_status,
        -- The run that made the current attempt, when it is a retry run rather than run_id.
        attempt_run_id uuid,
        -- Set on a retry run's record: the original record whose attempt it is.
        origin_record_id bigint REFERENCES records(id) ON DELETE SET NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_sort timestamptz GENERATED ALWAYS AS (COALESCE(ended_at, 'infinity'::timestamptz)) STORED,
        latency_sort integer GENERATED ALWAYS AS (COALESCE(latency_ms, -1)) STORED,
        CONSTRAINT records_run_entity_source UNIQUE (run_id, entity_type, source_id)
      );
      CREATE INDEX records_run_started ON records (run_id, started_at, id);
      CREATE INDEX records_started ON records (started_at, id);
      -- Status filters look for the few: failures, skips, retries. SUCCESS (most rows) is left out, which makes
      -- this a sixth of the size and cheaper on ingest; a SUCCESS filter walks records_started, mostly hits.
      CREATE INDEX records_status_started ON records (status, started_at, id) WHERE status <> 'SUCCESS';
      CREATE INDEX records_pipeline_started ON records (pipeline_id, started_at, id);
      -- sourceId is a case-insensitive substring search: only trigrams serve it (a text_pattern_ops btree
      -- serves prefixes only). Measured on 1M records: a rare id 235 ms without, 10-20 ms with; the broad
      -- ones walk records_status_started instead. It is the dearest index on ingest; keep fastupdate on.
      CREATE INDEX records_source_trgm ON records USING gin (lower(source_id) gin_trgm_ops);
      -- An error group's records (errorFingerprint): failures only, so cheap to keep; a rare group fell back
      -- to a full scan (150 ms on 1M records) without it.
      CREATE INDEX records_fingerprint_started ON records (error_fingerprint, started_at, id) WHERE error_fingerprint IS NOT NULL;
      CREATE INDEX records_retry_due ON records (next_retry_at) WHERE next_retry_at IS NOT NULL;
      CREATE INDEX records_origin ON records (origin_record_id) WHERE origin_record_id IS NOT NULL;

      -- The retry rule, in one place for every statement that stores a reported failure:
      -- a retryable failure waits for its next attempt until attempts reach max_attempts, then is dead-lettered.
      CREATE FUNCTION retry_status(reported record_status, retryable boolean, attempts integer, max_attempts integer)
        RETURNS record_status LANGUAGE sql IMMUTABLE AS $$
          SELECT CASE WHEN NOT retryable THEN reported
                      WHEN attempts < max_attempts THEN 'RETRY_SCHEDULED'::record_status
                      ELSE 'DEAD_LETTERED'::record_status END
        $$;
      -- When the retry after attempt number \`attempts\` is due: initial delay × factor^(attempts-1), capped.
      CREATE FUNCTION retry_due_at(retryable boolean, attempts integer, max_attempts integer,
                                   initial_delay integer, factor double precision, max_delay integer)
        RETURNS timestamptz LANGUAGE sql STABLE AS $$
          SELECT CASE WHEN retryable AND attempts < max_attempts
                      THEN now() + make_interval(secs => least(initial_delay * factor ^ (attempts - 1), max_delay))
                 END
        $$;

      -- Earlier attempts of a record; the current attempt lives on the record itself.
      CREATE TABLE record_attempts (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        record_id bigint NOT NULL REFERENCES records(id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        run_id uuid NOT NULL,
        status record_status NOT NULL,
        error_code text,
        error_message text,
        started_at timestamptz,
        ended_at timestamptz,
        latency_ms integer,
        UNIQUE (record_id, attempt)
      );

      -- The ordered change log read by live updates. xid orders by commit
      -- safety: readers stay below the oldest transaction still in flight.
      CREATE TABLE events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        run_id uuid,
        pipeline_id uuid,
        tenant_id text,
        payload jsonb NOT NULL DEFAULT '{}'
      );
      CREATE INDEX events_at ON events (at);

      CREATE TABLE audit_entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        actor_key_id uuid,
        tenant_id text,
        action text NOT NULL,
        target text,
        details jsonb
      );
      CREATE INDEX audit_tenant ON audit_entries (tenant_id, id);

      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role api_role NOT NULL,
        tenant_id text,
        secret_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE api_keys, audit_entries, events, record_attempts, records, runs, pipelines;
      DROP FUNCTION retry_status, retry_due_at;
      DROP TYPE api_role, record_operation, record_status, run_status, sync_direction, sync_mode;
    `);
  }
}
