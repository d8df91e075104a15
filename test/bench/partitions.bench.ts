// Time partitions of the event table (docs/scaling.md), at 1M events on a durable embedded PostgreSQL of its own:
// - the upgrade: migration 2700 on an installation holding 1M events (the start-up waits for it);
// - expiry of those 1M events: dropping their partition against the batched DELETE that expiry was before (10,000
//   rows a statement), in time, WAL written and space left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { migrations } from '../../server/db/data-source.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../server/db/embedded.js';
import { EventPartitions1700000002700 } from '../../server/db/migrations/1700000002700-EventPartitions.js';
import { EVENTS_TABLE, PartitionMaintenance } from '../../server/services/housekeeping/partitions.js';
import { count, heading, printTable, runWhenStartedDirectly, type SummaryRow } from './support.js';

const EVENTS = 1_000_000;
const FILL_SLICE = 100_000;
/** The former expiry's slice (events/event-store.ts before partitions). */
const DELETE_SLICE = 10_000;
/** An upgrade's start-up should not wait long for this migration. */
const TARGET_MIGRATION_SECONDS = 10;
const MB = 1024 * 1024;

/** 1M events over the last 20 hours, shaped as ingest writes them (a records event lists the ids it changed). */
async function fill(db: DataSource, table: string): Promise<void> {
  for (let from = 0; from < EVENTS; from += FILL_SLICE) {
    await db.query(
      `INSERT INTO ${table} (kind, run_id, pipeline_id, at, payload)
       SELECT 'records', gen_random_uuid(), gen_random_uuid(), now() - make_interval(secs => i * 0.072),
              jsonb_build_object('recordIds', jsonb_build_array(i::text, (i + 1)::text, (i + 2)::text, (i + 3)::text))
       FROM generate_series($1::int, $2::int) i`,
      [from + 1, Math.min(from + FILL_SLICE, EVENTS)],
    );
  }
}

async function walBytesDuring(db: DataSource, work: () => Promise<unknown>): Promise<{ seconds: number; walMb: number }> {
  const [{ lsn: before }] = await db.query('SELECT pg_current_wal_lsn()::text AS lsn');
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const [{ bytes }] = await db.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::float8 AS bytes', [before]);
  return { seconds, walMb: bytes / MB };
}

const sizeMb = async (db: DataSource, table: string) =>
  Number((await db.query('SELECT pg_total_relation_size($1::regclass)::float8 AS bytes', [table]))[0].bytes) / MB;

export async function runPartitionsBench(): Promise<SummaryRow[]> {
  heading(`Event partitions at ${count(EVENTS)} events`);
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-partitions-pg-'));
  let database: EmbeddedDatabase | null = null;
  let db: DataSource | null = null;
  try {
    database = await startEmbeddedPostgres(dir, { persistent: false, durable: true });
    await database.createDatabase('partitions');
    const url = database.urlFor('partitions');
    const before = new DataSource({ type: 'postgres', url, migrations: migrations.filter((m) => m !== EventPartitions1700000002700) });
    await before.initialize();
    await before.runMigrations({ transaction: 'all' });
    await fill(before, 'events');
    // The former expiry's table beside it: the same events, unpartitioned.
    await before.query('CREATE TABLE events_flat (LIKE events INCLUDING ALL)');
    await fill(before, 'events_flat');
    await before.query('VACUUM ANALYZE events');
    await before.query('VACUUM ANALYZE events_flat');
    await before.destroy();

    const after = new DataSource({ type: 'postgres', url, migrations });
    db = after;
    await after.initialize();
    const migration = await walBytesDuring(after, () => after.runMigrations({ transaction: 'all' }));

    const flatBefore = await sizeMb(after, 'events_flat');
    const deleted = await walBytesDuring(after, async () => {
      for (;;) {
        const [{ n }] = await after.query(
          `WITH gone AS (DELETE FROM events_flat WHERE id IN (SELECT id FROM events_flat WHERE at < now() LIMIT $1) RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [DELETE_SLICE],
        );
        if (n < DELETE_SLICE) return;
      }
    });
    const flatAfter = await sizeMb(after, 'events_flat');

    const partitionBefore = await sizeMb(after, 'events_before_partitions');
    const partitions = new PartitionMaintenance(after);
    let droppedPartitions: string[] = [];
    const dropped = await walBytesDuring(after, async () => {
      droppedPartitions = (await partitions.dropBefore(EVENTS_TABLE, new Date(Date.now() + 60_000))).partitionsDropped;
    });
    if (!droppedPartitions.includes('events_before_partitions')) throw new Error('partitions bench: the old table was not dropped');

    printTable(
      ['step', 'seconds', 'WAL', 'space before', 'space left'],
      [
        ['migration 2700 (1M events attached)', migration.seconds.toFixed(2), `${migration.walMb.toFixed(1)} MB`, '', ''],
        [
          `expiry, batched DELETE (${count(DELETE_SLICE)} a statement)`,
          deleted.seconds.toFixed(2),
          `${deleted.walMb.toFixed(1)} MB`,
          `${flatBefore.toFixed(0)} MB`,
          `${flatAfter.toFixed(0)} MB (dead rows until vacuum)`,
        ],
        [
          'expiry, partition dropped',
          dropped.seconds.toFixed(2),
          `${dropped.walMb.toFixed(1)} MB`,
          `${partitionBefore.toFixed(0)} MB`,
          '0 MB',
        ],
      ],
    );
    return [
      {
        measure: 'partitions: migration at 1M events',
        value: `${migration.seconds.toFixed(2)} s`,
        target: `< ${TARGET_MIGRATION_SECONDS} s`,
        met: migration.seconds < TARGET_MIGRATION_SECONDS,
      },
      {
        measure: 'partitions: expiry of 1M events, drop vs DELETE',
        value: `${dropped.seconds.toFixed(2)} s vs ${deleted.seconds.toFixed(2)} s; WAL ${dropped.walMb.toFixed(1)} vs ${deleted.walMb.toFixed(1)} MB`,
        target: 'drop faster, less WAL',
        met: dropped.seconds < deleted.seconds && dropped.walMb < deleted.walMb,
      },
    ];
  } finally {
    await db?.destroy().catch(() => {});
    await database?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run on its own: node --import tsx/esm test/bench/partitions.bench.ts
runWhenStartedDirectly(import.meta.url, runPartitionsBench);
