import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dayPartitionName, startOfUtcDay } from '../../sql/partitions.js';
import {
  createDayPartitionSql,
  createRecordTablesSql,
  NEXT_RECORD_IDS_SQL,
  RECORD_TABLES,
  RECORD_TABLES_BESIDE,
  renameRecordTablesSql,
  rollupTriggersSql,
} from '../../sql/record-partitions.js';

/** Days made at once, today included: as the leader's job makes them (DAYS_AHEAD = 2). */
const DAYS_MADE = 3;
const DAY_MS = 86_400_000;

/**
 * Records and record attempts partitioned by time (docs/scaling.md, "Records and attempts"): one partition a UTC day
 * of `run_created_at`, a copy of the creation time of the record's run, so a run's records and their attempts share a
 * partition, a run-scoped read plans one, and retention drops whole days.
 *
 * 1. Both old tables get `run_created_at` (nullable, no default: no row is rewritten), which every write fills from
 *    now on, so the same statements serve both layouts.
 * 2. The partitioned tables are made beside them (`records_partitioned`, `record_attempts_partitioned`; the DDL is
 *    sql/record-partitions.ts) with their default partitions and today's and the next two days'.
 * 3. An installation without records (a fresh one) swaps at once: the old tables are dropped, the new ones take
 *    their names, the rollup triggers move onto the partitioned `records`, and ids continue after the old ones.
 *    An installation with records keeps using the old tables: its rows are copied and the tables swapped with the
 *    service up, later (not in this migration, which must stay short under the startup lock).
 *
 * \`runs_created\` serves retention's question of a day: have all the runs created in it ended long enough ago?
 *
 * The foreign keys between the tables are dropped (`record_attempts.record_id` and `records.origin_record_id` →
 * `records(id)`): on a partitioned table they would have to carry the key, block the drop of a day referenced from
 * a newer one, and could not be added NOT VALID before PostgreSQL 18. The partitioned `records` has no key to runs
 * either: dropping a day would lock `runs` against every report. Their effect lives in the statements that delete
 * runs (retention, purgeHistory): records and attempts go with their runs, origins pointing at them are cleared.
 */
export class RecordPartitions1700000002900 implements MigrationInterface {
  name = 'RecordPartitions1700000002900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE records ADD COLUMN run_created_at timestamptz;
      ALTER TABLE record_attempts ADD COLUMN run_created_at timestamptz;
      ALTER TABLE record_attempts DROP CONSTRAINT record_attempts_record_id_fkey;
      ALTER TABLE records DROP CONSTRAINT records_origin_record_id_fkey;
      -- Retention asks of each old day whether every run created in it has ended long enough ago.
      CREATE INDEX runs_created ON runs (created_at);
    `);
    const [next]: { records: string; attempts: string }[] = await q.query(NEXT_RECORD_IDS_SQL);
    const firstIds = { records: Number(next.records), attempts: Number(next.attempts) };
    for (const statement of createRecordTablesSql(RECORD_TABLES_BESIDE, firstIds)) await q.query(statement);
    const [{ now }]: { now: Date }[] = await q.query('SELECT now() AS now');
    const today = startOfUtcDay(now);
    for (let n = 0; n < DAYS_MADE; n++) {
      const day = new Date(today.getTime() + n * DAY_MS);
      const next = new Date(day.getTime() + DAY_MS);
      await q.query(createDayPartitionSql(RECORD_TABLES_BESIDE.records, dayPartitionName(RECORD_TABLES.records, day), day, next));
      await q.query(createDayPartitionSql(RECORD_TABLES_BESIDE.attempts, dayPartitionName(RECORD_TABLES.attempts, day), day, next));
    }

    // Locked first, so no record lands in the old table between the check and the drop.
    await q.query('LOCK TABLE records, record_attempts IN ACCESS EXCLUSIVE MODE');
    const [{ empty }]: { empty: boolean }[] = await q.query(
      'SELECT NOT EXISTS (SELECT 1 FROM records) AND NOT EXISTS (SELECT 1 FROM record_attempts) AS empty',
    );
    if (!empty) return;
    await q.query('DROP TABLE record_attempts, records');
    for (const statement of renameRecordTablesSql(RECORD_TABLES_BESIDE, RECORD_TABLES)) await q.query(statement);
    for (const statement of rollupTriggersSql(RECORD_TABLES.records)) await q.query(statement);
  }

  async down(): Promise<void> {
    // Back to one unpartitioned table would be a full copy of every record: restore a backup instead.
    throw new Error('RecordPartitions1700000002900 cannot be reverted');
  }
}
