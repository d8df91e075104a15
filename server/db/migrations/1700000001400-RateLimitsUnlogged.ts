import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters are written on every request and live a minute: they need no write-ahead log. Unlogged,
 * a request's three counter statements cost PostgreSQL no WAL write and no flush; a crash empties the table,
 * which only forgives the current minute.
 */
export class RateLimitsUnlogged1700000001400 implements MigrationInterface {
  name = 'RateLimitsUnlogged1700000001400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE rate_limits SET UNLOGGED');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE rate_limits SET LOGGED');
  }
}
