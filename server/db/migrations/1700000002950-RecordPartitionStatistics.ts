import type { MigrationInterface, QueryRunner } from 'typeorm';
import { recordPartitionStatisticsSql } from '../../sql/record-partitions.js';

/**
 * The dependency statistics of run and partition key on every day of records made so far (new days get them when
 * made: sql/record-partitions.ts, recordPartitionStatisticsSql). They are filled at each day's next analyze
 * (autovacuum's, as the day is written, or `ANALYZE records`), not here: analyzing every day would hold the startup
 * lock for about a second a day of 1M records.
 */
export class RecordPartitionStatistics1700000002950 implements MigrationInterface {
  name = 'RecordPartitionStatistics1700000002950';

  async up(q: QueryRunner): Promise<void> {
    const partitions: { name: string }[] = await q.query(
      `SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relname ~ '^records_(p[0-9]{8}|default)$' ORDER BY relname`,
    );
    for (const { name } of partitions) {
      for (const statement of recordPartitionStatisticsSql(name)) await q.query(statement);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const statistics: { name: string }[] = await q.query(
      `SELECT stxname AS name FROM pg_statistic_ext WHERE stxname ~ '^records_(p[0-9]{8}|default)_run_key$'`,
    );
    for (const { name } of statistics) await q.query(`DROP STATISTICS ${name}`);
  }
}
