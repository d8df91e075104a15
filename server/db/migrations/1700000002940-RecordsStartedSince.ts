import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRecordsStartedSinceSql, RECORDS_STARTED_SINCE_FUNCTION } from '../../sql/record-partitions.js';

/**
 * The function that bounds the days a records list filtered by its start needs (sql/record-partitions.ts,
 * RECORDS_STARTED_SINCE_FUNCTION), so such lists read only the days that hold records started in their range.
 */
export class RecordsStartedSince1700000002940 implements MigrationInterface {
  name = 'RecordsStartedSince1700000002940';

  async up(q: QueryRunner): Promise<void> {
    await q.query(createRecordsStartedSinceSql());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION ${RECORDS_STARTED_SINCE_FUNCTION}(timestamptz)`);
  }
}
