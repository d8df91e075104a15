import type { MigrationInterface, QueryRunner } from 'typeorm';
import { markRecordStarts } from '../../services/housekeeping/partitions.js';
import { IS_PARTITIONED_SQL } from '../../sql/partitions.js';
import {
  createRecordsStartedSinceSql,
  RECORD_TABLES,
  RECORD_TABLES_BESIDE,
  START_MARKS_TABLE,
  startMarkTriggersSql,
} from '../../sql/record-partitions.js';
import { firstRecordsStartedSinceSql } from './1700000002940-RecordsStartedSince.js';

/** A statement trigger's body: the latest start of the statement's records (`new_records`) per UTC day of their key. */
const MARK_STARTS = `
BEGIN
  INSERT INTO ${START_MARKS_TABLE} (day, latest_start)
  SELECT date_trunc('day', run_created_at, 'UTC'), max(started_at) FROM new_records
  WHERE run_created_at IS NOT NULL GROUP BY 1;
  RETURN NULL;
END`;

/**
 * The start marks (sql/record-partitions.ts, RECORDS_STARTED_SINCE_FUNCTION): the latest start of the records of each
 * UTC day of the partition key, appended by statement triggers on `records` and pruned by the leader, so the days
 * holding records started since a time are read from a few dozen rows rather than asked of each day's index. Made
 * from the days already there, then the function reads them. An upgrade whose records are not partitioned yet marks
 * its copy beside them as it is written; until the swap the function bounds nothing.
 */
export class RecordStartMarks1700000002980 implements MigrationInterface {
  name = 'RecordStartMarks1700000002980';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ${START_MARKS_TABLE} (
        -- A UTC day of the partition key (run_created_at), at or before the key of every record the mark stands for
        -- ('-infinity' for a partition without a lower bound).
        day timestamptz NOT NULL,
        latest_start timestamptz NOT NULL
      );
      CREATE INDEX ${START_MARKS_TABLE}_day ON ${START_MARKS_TABLE} (day, latest_start);
      -- Rows come and go every few seconds: vacuumed often, so reads stay a few pages.
      ALTER TABLE ${START_MARKS_TABLE} SET (autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0,
                                            autovacuum_vacuum_cost_delay = 0);

      CREATE FUNCTION records_start_marks_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$ ${MARK_STARTS} $$;
      -- An update marks its new starts the same way; a start moved earlier leaves the later mark: a bound a little
      -- older than needed, never one too new.
      CREATE FUNCTION records_start_marks_on_update() RETURNS trigger LANGUAGE plpgsql AS $$ ${MARK_STARTS} $$;
    `);
    // On the partitioned records, and on an upgrade's copy beside the old ones: the copy's batches and the mirror
    // mark as they write, and the marks are there when the swap renames the copy (with its triggers) to `records`.
    for (const table of await partitionedRecordTables(q)) {
      for (const statement of startMarkTriggersSql(table)) await q.query(statement);
      await markRecordStarts(q, table);
    }
    await q.query(createRecordsStartedSinceSql());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(firstRecordsStartedSinceSql());
    for (const table of await partitionedRecordTables(q)) {
      await q.query(`DROP TRIGGER IF EXISTS records_start_marks_insert ON ${table}`);
      await q.query(`DROP TRIGGER IF EXISTS records_start_marks_update ON ${table}`);
    }
    await q.query(`
      DROP FUNCTION records_start_marks_on_insert(), records_start_marks_on_update();
      DROP TABLE ${START_MARKS_TABLE};
    `);
  }
}

/** Which of `records` and an upgrade's copy beside it are partitioned (and so carry the marks' triggers). */
async function partitionedRecordTables(q: QueryRunner): Promise<string[]> {
  const tables: string[] = [];
  for (const table of [RECORD_TABLES.records, RECORD_TABLES_BESIDE.records]) {
    const [{ partitioned }]: { partitioned: boolean }[] = await q.query(IS_PARTITIONED_SQL, [table]);
    if (partitioned) tables.push(table);
  }
  return tables;
}
