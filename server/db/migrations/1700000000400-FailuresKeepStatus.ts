import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A reported failure keeps its status (FAILED, EXTRACTION_FAILED, PARTIALLY_FAILED) while its automatic retry
 * waits: `nextRetryAt` says when. RETRY_SCHEDULED now means "in a queued or running retry run", so
 * `statuses: [FAILED]` finds every failure that has not yet been handed to a retry.
 */
export class FailuresKeepStatus1700000000400 implements MigrationInterface {
  name = 'FailuresKeepStatus1700000000400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION retry_status(reported record_status, retryable boolean, attempts integer, max_attempts integer)
        RETURNS record_status LANGUAGE sql IMMUTABLE AS $$
          SELECT CASE WHEN retryable AND attempts >= max_attempts THEN 'DEAD_LETTERED'::record_status ELSE reported END
        $$;
      UPDATE records SET status = COALESCE(reported_status, 'FAILED')
        WHERE status = 'RETRY_SCHEDULED' AND next_retry_at IS NOT NULL;
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION retry_status(reported record_status, retryable boolean, attempts integer, max_attempts integer)
        RETURNS record_status LANGUAGE sql IMMUTABLE AS $$
          SELECT CASE WHEN NOT retryable THEN reported
                      WHEN attempts < max_attempts THEN 'RETRY_SCHEDULED'::record_status
                      ELSE 'DEAD_LETTERED'::record_status END
        $$;
      UPDATE records SET status = 'RETRY_SCHEDULED' WHERE next_retry_at IS NOT NULL;
    `);
  }
}
