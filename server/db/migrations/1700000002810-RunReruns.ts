import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A failed session is re-run (issue 23, seed 000): a pipeline's retry policy says how many times a run that ended
 * FAILED is queued again whole (`max_run_reruns`, 0 by default: as before), and each such RETRY run says which
 * re-run of its session it is (`rerun`, null for every other run; `retry_of` names the run it repeats).
 */
export class RunReruns1700000002810 implements MigrationInterface {
  name = 'RunReruns1700000002810';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE pipelines ADD COLUMN max_run_reruns integer NOT NULL DEFAULT 0;
      ALTER TABLE runs ADD COLUMN rerun integer;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE runs DROP COLUMN rerun;
      ALTER TABLE pipelines DROP COLUMN max_run_reruns;
    `);
  }
}
