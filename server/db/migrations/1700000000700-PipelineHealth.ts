import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pipeline health and error groups.
 * - `expected_interval_seconds`: how often a pipeline should succeed (null: no expectation, never STALE).
 * - Health reads a pipeline's last finished run, last success and waiting dead letters: each is one probe of a
 *   small partial index, so a page of pipelines selecting `health` costs a few index reads per pipeline, not a
 *   walk of its history (a pipeline failing for weeks has thousands of runs after its last success).
 * - `error_group_resolutions`: an operator's resolution of an error group, per tenant scope (null: keys bound to no
 *   tenant), so one tenant's resolution never changes what another sees. OPEN is the absence of a row; REGRESSED
 *   is derived at read time from failures that started after `resolved_at`.
 */
export class PipelineHealth1700000000700 implements MigrationInterface {
  name = 'PipelineHealth1700000000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE pipelines ADD COLUMN expected_interval_seconds integer
        CONSTRAINT pipelines_expected_interval_positive CHECK (expected_interval_seconds > 0);

      CREATE INDEX runs_pipeline_finished ON runs (pipeline_id, ended_at DESC)
        WHERE ended_at IS NOT NULL AND mode <> 'CLEANUP' AND status <> 'CANCELLED';
      CREATE INDEX runs_pipeline_succeeded ON runs (pipeline_id, ended_at DESC)
        WHERE status IN ('SUCCEEDED', 'COMPLETED_WITH_ERRORS') AND mode <> 'CLEANUP';
      CREATE INDEX records_dead_letters ON records (pipeline_id)
        WHERE status = 'DEAD_LETTERED' AND origin_record_id IS NULL;

      -- errorGroups over a window: original failures by start time, with what grouping and the usual scoping read, so
      -- the default query is an index-only scan of the failures (about a tenth of the records) instead of heap visits.
      CREATE INDEX records_failures_started ON records (started_at)
        INCLUDE (error_fingerprint, run_id, status, tenant_id, pipeline_id)
        WHERE error_fingerprint IS NOT NULL AND origin_record_id IS NULL;

      CREATE TABLE error_group_resolutions (
        tenant_id text,
        fingerprint text NOT NULL,
        resolved_at timestamptz NOT NULL DEFAULT now(),
        resolved_by text NOT NULL,
        resolution_note text,
        CONSTRAINT error_group_resolutions_scope UNIQUE NULLS NOT DISTINCT (tenant_id, fingerprint)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE error_group_resolutions;
      DROP INDEX records_failures_started, records_dead_letters, runs_pipeline_succeeded, runs_pipeline_finished;
      ALTER TABLE pipelines DROP COLUMN expected_interval_seconds;
    `);
  }
}
