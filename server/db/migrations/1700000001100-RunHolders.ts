import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs bound to the worker that holds them: the key that started or claimed the run, and the hash of the
 * lease token it was given. heartbeat, reportRecords and finishRun of another worker's run are refused.
 */
export class RunHolders1700000001100 implements MigrationInterface {
  name = 'RunHolders1700000001100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE runs ADD COLUMN holder_key_id uuid, ADD COLUMN lease_token_hash text');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE runs DROP COLUMN holder_key_id, DROP COLUMN lease_token_hash');
  }
}
