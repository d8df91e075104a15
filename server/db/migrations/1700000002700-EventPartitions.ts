import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event table partitioned by time (`at`, one partition a UTC day; docs/scaling.md): expiry drops whole days
 * instead of deleting rows one by one, and a read bounded in time (a resume's "still kept?") plans only the days it
 * needs. The leader creates the days ahead (services/housekeeping/partitions.ts); `events_default` catches what falls
 * outside them (written while no leader ran).
 *
 * Existing events are not copied: the old table becomes the partition of everything before this migration
 * (`events_before_partitions`). Events are kept EVENT_RETENTION_HOURS (a day by default), so that partition ages out
 * and is dropped whole by the next expiry past it; the start-up migration costs one scan of the old table (the
 * attach checks its rows fall in its range), under the startup lock, and no copy. An empty old table is dropped.
 *
 * No primary key: a key on a partitioned table must include `at`, ids come from one identity and are never looked up
 * alone, and the stream's order is the (xid, id) index. The identity continues from the old table's sequence.
 */
export class EventPartitions1700000002700 implements MigrationInterface {
  name = 'EventPartitions1700000002700';

  async up(q: QueryRunner): Promise<void> {
    // The rename waits for every writer of the old table (its lock), so no event lands in it after the bound is read.
    await q.query(`
      ALTER TABLE events RENAME TO events_before_partitions;
      ALTER INDEX events_position RENAME TO events_before_partitions_position;
      ALTER INDEX events_at RENAME TO events_before_partitions_at;
      ALTER TABLE events_before_partitions DROP CONSTRAINT events_pkey;
    `);
    const [{ next_id: nextId, rows }] = await q.query(
      `SELECT COALESCE(max(id), 0) + 1 AS next_id, count(*) > 0 AS rows FROM events_before_partitions`,
    );
    await q.query(`
      ALTER TABLE events_before_partitions ALTER COLUMN id DROP IDENTITY;
      CREATE TABLE events (
        id bigint GENERATED ALWAYS AS IDENTITY (START WITH ${Number(nextId)}),
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        run_id uuid,
        pipeline_id uuid,
        tenant_id text,
        payload jsonb NOT NULL DEFAULT '{}'
      ) PARTITION BY RANGE (at);
      CREATE INDEX events_position ON events (xid, id);
      CREATE INDEX events_at ON events (at);
      CREATE TABLE events_default PARTITION OF events DEFAULT;
    `);
    if (rows) {
      // A whole second past the newest: the next day's partition starts there, and JavaScript dates hold milliseconds.
      const [{ bound }] = await q.query(
        `SELECT (date_trunc('second', max(at)) + interval '1 second')::text AS bound FROM events_before_partitions`,
      );
      await q.query(`ALTER TABLE events ATTACH PARTITION events_before_partitions FOR VALUES FROM (MINVALUE) TO ('${bound}')`);
    } else {
      await q.query('DROP TABLE events_before_partitions');
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events_unpartitioned (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL,
        run_id uuid,
        pipeline_id uuid,
        tenant_id text,
        payload jsonb NOT NULL DEFAULT '{}'
      );
      INSERT INTO events_unpartitioned OVERRIDING SYSTEM VALUE SELECT * FROM events;
      SELECT setval(pg_get_serial_sequence('events_unpartitioned', 'id'), COALESCE((SELECT max(id) FROM events), 1));
      DROP TABLE events;
      ALTER TABLE events_unpartitioned RENAME TO events;
      ALTER INDEX events_unpartitioned_pkey RENAME TO events_pkey;
      CREATE INDEX events_position ON events (xid, id);
      CREATE INDEX events_at ON events (at);
    `);
  }
}
