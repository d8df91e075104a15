import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A run's progress events are coalesced where they are written, so the event table holds exactly what
 * every instance delivers live and what a resume replays. progress_event_at: when the run's last progress
 * event was written; progress_pending: counts moved since, and a trailing event is owed.
 */
export class ProgressEvents1700000000500 implements MigrationInterface {
  name = 'ProgressEvents1700000000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE runs ADD COLUMN progress_event_at timestamptz, ADD COLUMN progress_pending boolean NOT NULL DEFAULT false;
      CREATE INDEX runs_progress_pending ON runs (progress_event_at) WHERE progress_pending;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      DROP INDEX runs_progress_pending;
      ALTER TABLE runs DROP COLUMN progress_event_at, DROP COLUMN progress_pending;
    `);
  }
}
