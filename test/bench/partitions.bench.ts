// Time partitions (docs/scaling.md) on a durable embedded PostgreSQL of its own:
// - events, at 1M: the upgrade (migration 2700 on an installation holding 1M events; the start-up waits for it), and
//   expiry of those events: dropping their partition against the batched DELETE that expiry was before (10,000 rows a
//   statement), in time, WAL written and space left behind;
// - records, one day of 1M (1,000 runs of 1,000, 5% with an archived attempt): retention as it was before migration
//   2900 (runs deleted 200 a transaction, their records and attempts by cascade, on the unpartitioned tables) against
//   retention now (the day's partitions dropped, then its runs deleted), in time, WAL and space left behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { entities, migrations } from '../../server/db/data-source.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../server/db/embedded.js';
import { EventPartitions1700000002700 } from '../../server/db/migrations/1700000002700-EventPartitions.js';
import { RecordPartitions1700000002900 } from '../../server/db/migrations/1700000002900-RecordPartitions.js';
import { ACTIVE_RUN_STATUSES } from '../../server/domain/run-lifecycle.js';
import { AuditService } from '../../server/services/access/audit.service.js';
import { EVENTS_TABLE, PartitionMaintenance } from '../../server/services/housekeeping/partitions.js';
import { RetentionService } from '../../server/services/housekeeping/retention.service.js';
import { dayPartitionName } from '../../server/sql/partitions.js';
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

const RECORD_RUNS = 1_000;
const RECORDS_PER_RUN = 1_000;
const RETENTION_DAYS = 30;
/** The day of records that expires: 40 days ago (UTC midnight). */
const expiredDay = () => new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 40 * 86_400_000);

/** Retention's batch before migration 2900 (sql/retention.ts then): runs deleted, records and attempts by cascade. */
const PURGE_RUNS_BEFORE_SQL = `
WITH doomed AS (
  SELECT id, pipeline_id, count_total FROM runs
  WHERE ended_at < now() - make_interval(days => $1) AND NOT (status = ANY($3::run_status[]))
  ORDER BY ended_at LIMIT $2 FOR UPDATE SKIP LOCKED
),
gone_events AS (DELETE FROM events WHERE run_id IN (SELECT id FROM doomed)),
gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING pipeline_id, count_total)
SELECT pipeline_id, count(*)::int AS runs, sum(count_total)::int AS records FROM gone GROUP BY pipeline_id`;

/**
 * One day of records (40 days ago): RECORD_RUNS runs created in it, ended 39 days ago, RECORDS_PER_RUN records each
 * shaped as the history fill's, 5% with an archived attempt. Written on either layout (run_created_at when it has it).
 */
async function fillExpiredDay(db: DataSource, partitioned: boolean): Promise<void> {
  const day = expiredDay();
  await db.query(`INSERT INTO pipelines (name, source_system, target_system) VALUES ('bench retention', 'ERP', 'CRM')`);
  await db.query(
    `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at, count_total, count_succeeded)
     SELECT p.id, 'SCHEDULED', 'SUCCEEDED', $1::timestamptz + g * interval '80 seconds', $1::timestamptz + g * interval '80 seconds',
            now() - interval '39 days', $3, $3
     FROM pipelines p, generate_series(0, $2::int - 1) g WHERE p.name = 'bench retention'`,
    [day.toISOString(), RECORD_RUNS, RECORDS_PER_RUN],
  );
  const key = partitioned ? ', run_created_at' : '';
  for (let from = 0; from < RECORD_RUNS; from += 100) {
    await db.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, target_id, operation, status, error_code,
                            error_message, error_fingerprint, retryable, started_at, ended_at, latency_ms${key})
       SELECT r.id, r.pipeline_id, r.mode, 'Account', 'ACC-' || lpad(i::text, 6, '0'), 'crm-' || i, 'UPDATE',
              CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'SUCCESS' END::record_status,
              CASE WHEN i % 10 = 0 THEN 'ROW_LOCKED' END, CASE WHEN i % 10 = 0 THEN 'Unable to lock row ' || i END,
              CASE WHEN i % 10 = 0 THEN 'bench-fingerprint' END, i % 10 = 0,
              r.created_at + i * interval '50 milliseconds', r.created_at + i * interval '50 milliseconds' + interval '80 milliseconds', 80
              ${partitioned ? ', r.created_at' : ''}
       FROM (SELECT * FROM runs WHERE pipeline_id = (SELECT id FROM pipelines WHERE name = 'bench retention')
             ORDER BY created_at OFFSET $1 LIMIT 100) r
       CROSS JOIN generate_series(1, $2::int) i`,
      [from, RECORDS_PER_RUN],
    );
  }
  await db.query(
    `INSERT INTO record_attempts (record_id, attempt, run_id, status, error_code, error_message, started_at, ended_at, latency_ms${key})
     SELECT id, 1, run_id, 'FAILED', 'ROW_LOCKED', error_message, started_at, ended_at, latency_ms${key}
     FROM records WHERE status = 'FAILED' AND id % 2 = 0`,
  );
  // The fill's rollup deltas are not what is measured: a day is dropped only once they are folded.
  await db.query('DELETE FROM record_rollup_deltas');
  await db.query('VACUUM ANALYZE runs, records, record_attempts');
  await db.query('CHECKPOINT');
}

const tableSizeMb = async (db: DataSource, tables: string[]) => {
  let total = 0;
  for (const table of tables) {
    const [{ bytes }] = await db.query('SELECT COALESCE(pg_total_relation_size(to_regclass($1)), 0)::float8 AS bytes', [table]);
    total += Number(bytes);
  }
  return total / MB;
};

/** Retention of one day of 1M records, as before migration 2900 and by partition, each on a database of its own. */
async function recordRetention(database: EmbeddedDatabase): Promise<{ rows: string[][]; summary: SummaryRow }> {
  const recordsTotal = RECORD_RUNS * RECORDS_PER_RUN;
  // Before: the unpartitioned tables, as migration 2900 found them.
  await database.createDatabase('retention_before');
  const before = new DataSource({
    type: 'postgres',
    url: database.urlFor('retention_before'),
    migrations: migrations.filter((m) => m !== RecordPartitions1700000002900),
  });
  await before.initialize();
  let deleted: { seconds: number; walMb: number };
  let flatBefore: number;
  let flatAfter: number;
  try {
    await before.runMigrations({ transaction: 'all' });
    await fillExpiredDay(before, false);
    flatBefore = await tableSizeMb(before, ['records', 'record_attempts']);
    deleted = await walBytesDuring(before, async () => {
      for (;;) {
        const rows: { runs: number }[] = await before.transaction((manager) =>
          manager.query(PURGE_RUNS_BEFORE_SQL, [RETENTION_DAYS, 200, ACTIVE_RUN_STATUSES]),
        );
        if (rows.reduce((sum, row) => sum + row.runs, 0) < 200) return;
      }
    });
    flatAfter = await tableSizeMb(before, ['records', 'record_attempts']);
  } finally {
    await before.destroy();
  }

  // Now: the partitioned tables, the day's partitions made as the leader would have made them.
  await database.createDatabase('retention_after');
  const after = new DataSource({ type: 'postgres', url: database.urlFor('retention_after'), migrations, entities });
  await after.initialize();
  try {
    await after.runMigrations({ transaction: 'all' });
    const partitions = new PartitionMaintenance(after);
    await partitions.createDays(expiredDay(), 1);
    await fillExpiredDay(after, true);
    const day = dayPartitionName('records', expiredDay());
    const dayBefore = await tableSizeMb(after, [day, dayPartitionName('record_attempts', expiredDay())]);
    let droppedDays: string[] = [];
    const dropped = await walBytesDuring(after, async () => {
      droppedDays = await partitions.dropExpiredRecordDays(RETENTION_DAYS);
    });
    if (!droppedDays.includes(day)) throw new Error(`partitions bench: ${day} was not dropped`);
    const retention = new RetentionService(after, new AuditService(after), partitions);
    let outcome = { runsDeleted: 0, recordsDeleted: 0 };
    const runsAfter = await walBytesDuring(after, async () => {
      outcome = await retention.purgeExpired(RETENTION_DAYS);
    });
    if (outcome.runsDeleted !== RECORD_RUNS || outcome.recordsDeleted !== recordsTotal) {
      throw new Error(`partitions bench: retention removed ${outcome.runsDeleted} runs, ${outcome.recordsDeleted} records`);
    }
    const whole = { seconds: dropped.seconds + runsAfter.seconds, walMb: dropped.walMb + runsAfter.walMb };
    const rows = [
      [
        `records: retention before 2900 (runs 200 a transaction, records by cascade)`,
        deleted.seconds.toFixed(2),
        `${deleted.walMb.toFixed(1)} MB`,
        `${flatBefore.toFixed(0)} MB`,
        `${flatAfter.toFixed(0)} MB (dead rows until vacuum)`,
      ],
      [
        `records: the day's partitions dropped`,
        dropped.seconds.toFixed(2),
        `${dropped.walMb.toFixed(1)} MB`,
        `${dayBefore.toFixed(0)} MB`,
        '0 MB',
      ],
      [
        `records: retention now (the drop, then the ${count(RECORD_RUNS)} runs)`,
        whole.seconds.toFixed(2),
        `${whole.walMb.toFixed(1)} MB`,
        '',
        '',
      ],
    ];
    return {
      rows,
      summary: {
        measure: `partitions: retention of a day of ${count(recordsTotal)} records, now vs before`,
        value: `${whole.seconds.toFixed(2)} s vs ${deleted.seconds.toFixed(2)} s; WAL ${whole.walMb.toFixed(1)} vs ${deleted.walMb.toFixed(1)} MB`,
        target: 'faster, less WAL',
        met: whole.seconds < deleted.seconds && whole.walMb < deleted.walMb,
      },
    };
  } finally {
    await after.destroy();
  }
}

const PAGE_DAYS = 30;
const PAGE_RECORDS_PER_DAY = 20_000;
const PAGE_SAMPLES = 30;
/** The records list's first page with no filter (originals only, newest started first), as keysetPage writes it. */
const firstPageSql = (table: string) =>
  `SELECT rec.id FROM ${table} rec WHERE rec.origin_record_id IS NULL ORDER BY rec.started_at DESC, rec.id DESC LIMIT 51`;

/**
 * The global records list's first page over PAGE_DAYS days of partitions, against the same rows in one table: the
 * list sorts by the record's own start, which says nothing of its run's creation, so no day can be pruned and each
 * day's (started_at, id) index is read in a merge. Planning and execution times from EXPLAIN ANALYZE, medians.
 */
async function globalFirstPage(database: EmbeddedDatabase): Promise<string[][]> {
  await database.createDatabase('global_page');
  const db = new DataSource({ type: 'postgres', url: database.urlFor('global_page'), migrations });
  await db.initialize();
  try {
    await db.runMigrations({ transaction: 'all' });
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    await new PartitionMaintenance(db).createDays(new Date(today - PAGE_DAYS * 86_400_000), PAGE_DAYS);
    await db.query(`INSERT INTO pipelines (name, source_system, target_system) VALUES ('bench page', 'ERP', 'CRM')`);
    await db.query(
      `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at)
       SELECT p.id, 'SCHEDULED', 'SUCCEEDED', now() - make_interval(days => d), now() - make_interval(days => d), now() - make_interval(days => d)
       FROM pipelines p, generate_series(1, $1::int) d WHERE p.name = 'bench page'`,
      [PAGE_DAYS],
    );
    await db.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, run_created_at)
       SELECT r.id, r.pipeline_id, r.mode, 'Account', 'ACC-' || i, 'UPDATE', 'SUCCESS', r.created_at + i * interval '1 second', r.created_at
       FROM runs r CROSS JOIN generate_series(1, $1::int) i`,
      [PAGE_RECORDS_PER_DAY],
    );
    await db.query('CREATE TABLE records_flat AS SELECT * FROM records');
    await db.query('CREATE INDEX records_flat_started ON records_flat (started_at, id)');
    await db.query('VACUUM ANALYZE records, records_flat');
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'records'::regclass`);
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const timed = async (table: string) => {
      const planning: number[] = [];
      const execution: number[] = [];
      for (let i = 0; i < PAGE_SAMPLES; i++) {
        const [row] = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${firstPageSql(table)}`);
        const [plan] = row['QUERY PLAN'];
        planning.push(plan['Planning Time']);
        execution.push(plan['Execution Time']);
      }
      return { planning: median(planning), execution: median(execution) };
    };
    const partitioned = await timed('records');
    const flat = await timed('records_flat');
    const total = count(PAGE_DAYS * PAGE_RECORDS_PER_DAY);
    return [
      [
        `records: global first page, ${total} records in ${n} partitions (plan / run, median)`,
        `${partitioned.planning.toFixed(2)} / ${partitioned.execution.toFixed(2)} ms`,
        '',
        '',
        '',
      ],
      [`records: the same page, the same rows in one table`, `${flat.planning.toFixed(2)} / ${flat.execution.toFixed(2)} ms`, '', '', ''],
    ];
  } finally {
    await db.destroy();
  }
}

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

    await after.destroy();
    db = null;
    heading(`Record partitions: retention of one day of ${count(RECORD_RUNS * RECORDS_PER_RUN)} records`);
    const records = await recordRetention(database);
    const page = await globalFirstPage(database);

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
        ...records.rows,
        ...page,
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
      records.summary,
    ];
  } finally {
    await db?.destroy().catch(() => {});
    await database?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run on its own: node --import tsx/esm test/bench/partitions.bench.ts
runWhenStartedDirectly(import.meta.url, runPartitionsBench);
