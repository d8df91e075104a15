import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate-limit counters every instance shares (rate-limiter-flexible's PostgreSQL store, its own layout):
 * a key or an address is limited across all instances behind the load balancer, not per instance.
 */
export class RateLimits1700000000900 implements MigrationInterface {
  name = 'RateLimits1700000000900';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE rate_limits');
  }
}
