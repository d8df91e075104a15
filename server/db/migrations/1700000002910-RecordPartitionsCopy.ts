import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The upgrade of an installation that has records, with the service up (docs/scaling.md, "Upgrading an installation
 * that has records"). Migration 2900 made the partitioned tables beside the old ones (`records_partitioned`,
 * `record_attempts_partitioned`) when the old `records` had rows; this one starts the copy:
 *
 * - statement triggers on the old tables mirror each insert, update and delete into the partitioned ones (set-based,
 *   from the statement's transition tables: one statement a mirrored statement, where a row trigger would be one a
 *   row of every ingest batch), the partition key computed from the run where the old row lacks it;
 * - `repartition_progress` says, per table, up to which id the leader's batched copy has gone
 *   (services/housekeeping/record-repartition.ts) and up to which id it must go: rows above `copy_until` were
 *   written with the mirror in place.
 *
 * The rollup triggers stay on the old tables only until the swap: on both, every record would count twice.
 * Nothing to do when 2900 found the old table empty (it swapped at once): the progress table stays empty.
 */
export class RecordPartitionsCopy1700000002910 implements MigrationInterface {
  name = 'RecordPartitionsCopy1700000002910';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE repartition_progress (
        table_name text PRIMARY KEY,
        -- The old table's highest id when the mirror started: every row above it is mirrored by the triggers.
        copy_until bigint NOT NULL,
        -- The batched copy has gone through every id up to here.
        copied_through bigint NOT NULL DEFAULT 0,
        -- Rows at or below copy_until when the mirror started, and how many the batches have copied.
        rows_to_copy bigint NOT NULL,
        rows_copied bigint NOT NULL DEFAULT 0,
        started_at timestamptz NOT NULL DEFAULT now()
      );
    `);
    const [{ pending }] = await q.query(`SELECT to_regclass('records_partitioned') IS NOT NULL AS pending`);
    if (!pending) return;

    // The partition key where an old row lacks it (written before 2900): its run's creation, the record's for an attempt.
    const recordKey = (row: string) => `COALESCE(${row}.run_created_at, (SELECT u.created_at FROM runs u WHERE u.id = ${row}.run_id))`;
    const attemptKey = (row: string) =>
      `COALESCE(${row}.run_created_at, (SELECT COALESCE(r.run_created_at, u.created_at) FROM records r JOIN runs u ON u.id = r.run_id WHERE r.id = ${row}.record_id))`;
    for (const [table, key] of [
      ['records', recordKey],
      ['record_attempts', attemptKey],
    ] as const) {
      await this.mirror(q, table, `${table}_partitioned`, key);
      await q.query(
        `INSERT INTO repartition_progress (table_name, copy_until, rows_to_copy)
         SELECT $1, COALESCE(max(id), 0), count(*) FROM ${table}`,
        [table],
      );
    }
  }

  /** Statement triggers on `table` that repeat its inserts, updates and deletes on `partitioned`. */
  private async mirror(q: QueryRunner, table: string, partitioned: string, key: (row: string) => string): Promise<void> {
    const rows: { name: string }[] = await q.query(
      `SELECT attname AS name FROM pg_attribute
       WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
      [partitioned],
    );
    const columns = rows.map((row) => row.name);
    const list = columns.join(', ');
    const values = (row: string) => columns.map((c) => (c === 'run_created_at' ? key(row) : `${row}.${c}`)).join(', ');
    const sets = columns
      .filter((c) => c !== 'id')
      .map((c) => `${c} = ${c === 'run_created_at' ? key('n') : `n.${c}`}`)
      .join(', ');
    await q.query(`
      CREATE FUNCTION ${table}_mirror_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ${partitioned} (${list}) OVERRIDING SYSTEM VALUE SELECT ${values('n')} FROM mirrored_new n;
        RETURN NULL;
      END $$;
      -- A row the batched copy has not reached yet matches nothing here: the copy takes its current version later.
      CREATE FUNCTION ${table}_mirror_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ${partitioned} p SET ${sets} FROM mirrored_new n WHERE p.id = n.id AND p.run_created_at = ${key('n')};
        RETURN NULL;
      END $$;
      -- By id alone: a delete cascading from its run has no run left to compute the key from.
      CREATE FUNCTION ${table}_mirror_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM ${partitioned} p USING mirrored_old o WHERE p.id = o.id;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ${table}_mirror_insert AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS mirrored_new FOR EACH STATEMENT EXECUTE FUNCTION ${table}_mirror_insert();
      CREATE TRIGGER ${table}_mirror_update AFTER UPDATE ON ${table}
        REFERENCING NEW TABLE AS mirrored_new FOR EACH STATEMENT EXECUTE FUNCTION ${table}_mirror_update();
      CREATE TRIGGER ${table}_mirror_delete AFTER DELETE ON ${table}
        REFERENCING OLD TABLE AS mirrored_old FOR EACH STATEMENT EXECUTE FUNCTION ${table}_mirror_delete();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['records', 'record_attempts']) {
      await q.query(`
        DROP TRIGGER IF EXISTS ${table}_mirror_insert ON ${table};
        DROP TRIGGER IF EXISTS ${table}_mirror_update ON ${table};
        DROP TRIGGER IF EXISTS ${table}_mirror_delete ON ${table};
        DROP FUNCTION IF EXISTS ${table}_mirror_insert(), ${table}_mirror_update(), ${table}_mirror_delete();
      `);
    }
    await q.query('DROP TABLE repartition_progress');
  }
}
