import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Export jobs, and the secrets every instance shares. A job freezes what it exports (kind, filter, limit, the
 * tenant of the key that asked, and a snapshot bound) so that the file served later, by any instance, holds the
 * rows its count promised. Nothing of an export lives on an instance's disk: the download streams from here.
 */
export class Exports1700000000800 implements MigrationInterface {
  name = 'Exports1700000000800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TYPE export_kind AS ENUM ('RECORDS','RUNS');
      CREATE TYPE export_status AS ENUM ('PENDING','RUNNING','READY','FAILED');
      CREATE TABLE export_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind export_kind NOT NULL,
        -- The filter as given (JSON), the limit, and the tenant of the key: the export's scope, frozen.
        filter jsonb,
        row_limit integer,
        tenant_id text,
        -- Snapshot bound: records up to this id (runs: created up to created_at), so later rows stay out.
        max_record_id bigint,
        status export_status NOT NULL DEFAULT 'PENDING',
        row_count integer,
        -- Why preparing failed; logged and kept for operators, never shown to callers.
        failure text,
        created_by text NOT NULL,
        created_by_key_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX export_jobs_expires ON export_jobs (expires_at);

      -- Secrets generated on first start and shared by every instance (e.g. the export link signing key).
      CREATE TABLE server_secrets (
        name text PRIMARY KEY,
        secret bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP TABLE server_secrets, export_jobs;
      DROP TYPE export_status, export_kind;
    `);
  }
}
