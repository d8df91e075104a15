import type { MigrationInterface, QueryRunner } from 'typeorm';
import { laterRecordIndexSql, RECORD_TABLES, RECORD_TABLES_BESIDE } from '../../sql/record-partitions.js';

/**
 * A pipeline's records by end read `(pipeline_id, ended_sort, id)` (sql/record-partitions.ts). Made `ON ONLY` the
 * partitioned records, and the upgrade's copy beside them when there is one (its swap renames the index with the
 * others); the leader builds each day's own index afterwards without blocking writes
 * (services/housekeeping/partition-indexes.ts). Records not partitioned yet (an upgrade's old table, swapped out once
 * copied) get none.
 */
export class RecordsPipelineEnded1700000002970 implements MigrationInterface {
  name = 'RecordsPipelineEnded1700000002970';

  async up(q: QueryRunner): Promise<void> {
    for (const table of [RECORD_TABLES.records, RECORD_TABLES_BESIDE.records]) {
      const [{ partitioned }] = await q.query(
        `SELECT EXISTS (SELECT 1 FROM pg_class WHERE oid = to_regclass($1) AND relkind = 'p') AS partitioned`,
        [table],
      );
      if (partitioned) await q.query(laterRecordIndexSql(table, 'pipeline_ended'));
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [RECORD_TABLES.records, RECORD_TABLES_BESIDE.records]) {
      await q.query(`DROP INDEX IF EXISTS ${table}_pipeline_ended`);
    }
  }
}
