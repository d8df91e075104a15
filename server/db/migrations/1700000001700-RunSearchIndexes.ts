import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * RunFilter.search, each part by an index of its own (filters.ts unites their ids): a run id by its beginning
 * (btree on its text), a correlation id or tenant by any part (trigrams). Before, the search read every run and
 * looked each one's pipeline name up (7.5 ms on 2,000 runs, growing with the table).
 */
export class RunSearchIndexes1700000001700 implements MigrationInterface {
  name = 'RunSearchIndexes1700000001700';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX runs_id_prefix ON runs ((id::text) text_pattern_ops)');
    await queryRunner.query('CREATE INDEX runs_correlation_trgm ON runs USING gin (lower(correlation_id) gin_trgm_ops)');
    await queryRunner.query('CREATE INDEX runs_tenant_trgm ON runs USING gin (lower(tenant_id) gin_trgm_ops)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX runs_tenant_trgm');
    await queryRunner.query('DROP INDEX runs_correlation_trgm');
    await queryRunner.query('DROP INDEX runs_id_prefix');
  }
}
