// The upgrade of an installation holding 1M records to partitions with the service up (docs/scaling.md, "Upgrading
// an installation that has records"): the old layout filled, then the new code started as `npm start` runs it (a
// server process of its own, its leader running the copy) while 4 workers report records through the API:
// - ingest before the copy (the bench holds the leader's lock, so no copy runs yet: the mirror alone), during it and
//   after the swap, in records a second, with each phase's slowest request;
// - the copy's rows a second, the time from the leader taking over to the swap, the swap's lock time (its log);
// - nothing lost or doubled: the old rows unchanged (count, ids, a checksum), every acknowledged record once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { migrations } from '../../server/db/data-source.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../server/db/embedded.js';
import { RecordPartitions1700000002900 } from '../../server/db/migrations/1700000002900-RecordPartitions.js';
import { LEADER_LOCK_KEY } from '../../server/jobs/scheduler.js';
import { PartitionMaintenance } from '../../server/services/housekeeping/partitions.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { fillHistory } from './fill.js';
import { workerRecord } from './ingest.bench.js';
import { type BenchServerProcess, startServerProcess, stopServerProcess } from './server-process.js';
import { ADMIN_SECRET, count, heading, percentile, printTable, runWhenStartedDirectly, type SummaryRow } from './support.js';

const RUNS = Number(process.env.BENCH_REPARTITION_RUNS ?? 2_000);
const RECORDS_PER_RUN = 500;
const WORKERS = 4;
const BATCH = 500;
/** How long ingest is measured before the copy and after the swap. */
const WINDOW_MS = 20_000;
/** The swap must not hold writers longer than this (the target of "a short transaction"). */
const TARGET_LOCK_MS = 2_000;

const REPORT = `mutation($runId: ID!, $records: [RecordReportInput!]!) {
  reportRecords(runId: $runId, records: $records) { accepted rejected { index reason } }
}`;

/** What the workers did in one phase: records acknowledged, how long, the slowest request. */
interface Phase {
  records: number;
  seconds: number;
  latencies: number[];
}

/** 4 workers reporting batches into runs of their own until stopped; every request must be acknowledged whole. */
class Workers {
  private stopped = false;
  private phase: Phase = { records: 0, seconds: 0, latencies: [] };
  private phaseStarted = performance.now();
  private done: Promise<void>[] = [];
  acknowledged = 0;

  constructor(
    private readonly client: GraphQLClient,
    private readonly pipelineId: string,
  ) {}

  start(): void {
    this.done = Array.from({ length: WORKERS }, (_, w) =>
      this.report(w).catch((error) => {
        this.failure ??= error;
        this.stopped = true;
      }),
    );
  }

  /** Requests sent again after the connection was reset under them (the server busy past its keep-alive). */
  resent = 0;

  /**
   * One report; sent again, as the SDK does, when the connection breaks under it: a report sent twice changes
   * nothing the second time (the same outcome of the same records).
   */
  private async send(runId: string, records: unknown[]): Promise<{ reportRecords: { accepted: number } }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.ok<{ reportRecords: { accepted: number } }>(REPORT, { runId, records });
      } catch (error) {
        if (!(error instanceof TypeError) || attempt >= 3) throw error;
        this.resent++;
      }
    }
  }

  /** Ends the phase running now and starts the next. */
  cut(): Phase {
    const ended = { ...this.phase, seconds: (performance.now() - this.phaseStarted) / 1000 };
    this.phase = { records: 0, seconds: 0, latencies: [] };
    this.phaseStarted = performance.now();
    return ended;
  }

  /** Stops them; throws what failed a request, if anything did. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.done);
    if (this.failure) throw this.failure;
  }

  /** What failed a request, if anything did (the workers stop, and the bench with them). */
  failure: unknown = null;

  get failed(): boolean {
    return this.failure !== null;
  }

  private async report(w: number): Promise<void> {
    const { startRun } = await this.client.ok<{ startRun: { id: string } }>(
      'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
      { input: { pipelineId: this.pipelineId, mode: 'REAL_TIME', correlationId: `repartition-${w}` } },
    );
    const now = Date.now();
    for (let batch = 0; !this.stopped; batch++) {
      const records = Array.from({ length: BATCH }, (_, i) => workerRecord(w, batch * BATCH + i, now));
      const started = performance.now();
      const { reportRecords } = await this.send(startRun.id, records);
      if (reportRecords.accepted !== BATCH) throw new Error(`repartition bench: ${reportRecords.accepted} of ${BATCH} accepted`);
      this.phase.latencies.push(performance.now() - started);
      this.phase.records += BATCH;
      this.acknowledged += BATCH;
    }
  }
}

/** The old rows as one figure each: count, distinct ids, and a sum of hashes of every column but the partition key. */
const OLD_ROWS_SQL = `
SELECT count(*)::bigint::text AS n, count(DISTINCT id)::bigint::text AS ids,
       sum(hashtext((to_jsonb(r) - 'run_created_at')::text)::bigint)::text AS checksum
FROM records r WHERE id <= $1`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runRepartitionBench(): Promise<SummaryRow[]> {
  const total = RUNS * RECORDS_PER_RUN;
  heading(`Records to partitions with the service up, at ${count(total)} records and ${WORKERS} ingest workers`);
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-bench-repartition-pg-'));
  let database: EmbeddedDatabase | null = null;
  let server: BenchServerProcess | null = null;
  let sql: pg.Client | null = null;
  const log: Record<string, unknown>[] = [];
  try {
    database = await startEmbeddedPostgres(dir, { persistent: false, durable: true });
    await database.createDatabase('repartition');
    const url = database.urlFor('repartition');

    // The installation before the partitions. fill.ts writes the partition key, which the old layout lacks: a
    // column for the fill, dropped after it (a catalog change), so the old rows lack the key as an old installation's do.
    const before = new DataSource({
      type: 'postgres',
      url,
      migrations: migrations.slice(0, migrations.indexOf(RecordPartitions1700000002900)),
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'all' });
    await before.destroy();
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => {}); // an idle connection cut when the database stops must not hide the failure
    await pool.query('ALTER TABLE records ADD COLUMN run_created_at timestamptz');
    const filling = performance.now();
    await fillHistory(pool, RUNS, RECORDS_PER_RUN);
    await pool.query('ALTER TABLE records DROP COLUMN run_created_at');
    await pool.end();
    console.log(`  filled ${count(total)} records in ${((performance.now() - filling) / 1000).toFixed(0)} s`);

    sql = new pg.Client({ connectionString: url });
    await sql.connect();
    const [{ max: lastOldId }] = (await sql.query('SELECT max(id)::text AS max FROM records')).rows;
    const oldRows = (await sql.query(OLD_ROWS_SQL, [lastOldId])).rows[0];
    // The leader's lock, held by the bench until ingest before the copy is measured: the server runs no job till then.
    await sql.query('SELECT pg_advisory_lock($1)', [LEADER_LOCK_KEY]);

    server = await startServerProcess(url, { LOG_LEVEL: 'info' }, [], (line) => {
      try {
        log.push(JSON.parse(line));
      } catch {
        // not a log line
      }
    });
    // The event days an installation's leader had made before the upgrade (the bench's lock keeps the new leader from it).
    const days = new DataSource({ type: 'postgres', url });
    await days.initialize();
    await new PartitionMaintenance(days).createAhead();
    await days.destroy();
    const admin = new GraphQLClient(`${server.url}/graphql`, ADMIN_SECRET);
    const { createPipeline } = await admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      { input: { name: 'Repartition bench', sourceSystem: 'Billing', targetSystem: 'CRM' } },
    );
    const { createApiKey } = await admin.ok<{ createApiKey: { secret: string } }>(
      'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
      { input: { name: 'repartition-bench-worker', role: 'INGEST' } },
    );
    const workers = new Workers(new GraphQLClient(`${server.url}/graphql`, createApiKey.secret), createPipeline.id);
    workers.start();

    await sleep(3_000);
    workers.cut(); // warm-up
    await sleep(WINDOW_MS);
    if (workers.failed) await workers.stop();
    const beforeCopy = workers.cut();

    // The leader takes over within an election round (5 s) and starts copying.
    const handedOver = performance.now();
    await sql.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK_KEY]);
    let swapped = false;
    while (!swapped && !workers.failed) {
      await sleep(250);
      swapped = (await sql.query(`SELECT relkind = 'p' AS swapped FROM pg_class WHERE relname = 'records'`)).rows[0].swapped;
    }
    const toSwapSeconds = (performance.now() - handedOver) / 1000;
    if (workers.failed) await workers.stop();
    const duringCopy = workers.cut();
    await sleep(WINDOW_MS);
    const afterSwap = workers.cut();
    await workers.stop();

    const startup = log.find((line) => line.msg === 'migrations applied') as { ms: number } | undefined;
    const batches = log.filter((line) => line.msg === 'records copy batch') as { table: string; copied: number; ms: number }[];
    const copied = batches.filter((b) => b.table === 'records').reduce((sum, b) => sum + b.copied, 0);
    const copyingMs = batches.reduce((sum, b) => sum + b.ms, 0);
    const swap = log.find((line) => line.msg === 'records swapped to partitions') as
      | { lockMs: number; copySeconds: number; rows: Record<string, number> }
      | undefined;
    if (!swap) throw new Error('repartition bench: no swap in the log');

    // Nothing lost or doubled.
    const oldAfter = (await sql.query(OLD_ROWS_SQL, [lastOldId])).rows[0];
    // The workers' records (the leader's due retries add RETRY runs' records beside them), and no id twice.
    const { rows: all } = await sql.query(
      `SELECT count(*)::bigint::text AS n, count(DISTINCT r.id)::bigint::text AS ids,
              count(*) FILTER (WHERE u.correlation_id LIKE 'repartition-%')::int AS reported,
              count(*) FILTER (WHERE r.tableoid::regclass::text NOT LIKE 'records\\_%')::int AS outside
       FROM records r JOIN runs u ON u.id = r.run_id`,
    );
    const kept = JSON.stringify(oldAfter) === JSON.stringify(oldRows);
    const once = all[0].reported === workers.acknowledged && all[0].ids === all[0].n && all[0].outside === 0;
    if (!kept || !once) {
      throw new Error(
        `repartition bench: old rows ${JSON.stringify(oldRows)} → ${JSON.stringify(oldAfter)}; ${JSON.stringify(all[0])}, ${workers.acknowledged} acknowledged`,
      );
    }
    const swapRetries = log.filter((line) => line.msg === 'records swap did not get its locks in time; will retry').length;

    const rate = (phase: Phase) => phase.records / phase.seconds;
    const row = (name: string, phase: Phase) => {
      const sorted = [...phase.latencies].sort((a, b) => a - b);
      return [
        name,
        `${count(Math.round(rate(phase)))} records/s`,
        `${percentile(sorted, 50).toFixed(0)} ms`,
        `${percentile(sorted, 99).toFixed(0)} ms`,
        `${(sorted.at(-1) ?? 0).toFixed(0)} ms`,
        phase.seconds.toFixed(0),
      ];
    };
    printTable(
      ['ingest, 4 workers, batches of 500', 'rate', 'p50 request', 'p99 request', 'slowest', 'seconds'],
      [row('before the copy (mirror on)', beforeCopy), row('during the copy and the swap', duringCopy), row('after the swap', afterSwap)],
    );
    printTable(
      ['step', 'figure'],
      [
        [`start-up: migrations 2900 + 2910 on ${count(total)} records`, `${((startup?.ms ?? Number.NaN) / 1000).toFixed(2)} s`],
        ['leader takes over → swap committed', `${toSwapSeconds.toFixed(0)} s`],
        ['copy: rows a second while a batch runs', `${count(Math.round(copied / (copyingMs / 1000)))} rows/s`],
        ['copy: rows a second over the whole copy (paced)', `${count(Math.round(copied / toSwapSeconds))} rows/s`],
        ['copy batches (records, 10,000 each)', count(batches.filter((b) => b.table === 'records').length)],
        ['swap: locks held', `${swap.lockMs} ms`],
        ['swap: tries that gave up waiting for the locks first (500 ms, doubling)', count(swapRetries)],
        ['rows at the swap', `${count(swap.rows.records)} records, ${count(swap.rows.record_attempts)} attempts`],
        ['old rows kept (count, ids, checksum); every acknowledged record once', kept && once ? 'yes' : 'no'],
        ['reports sent again after a connection reset', count(workers.resent)],
      ],
    );
    return [
      {
        measure: `repartition: ${count(total)} records, leader taking over → swap`,
        value: `${toSwapSeconds.toFixed(0)} s; ${count(Math.round(copied / toSwapSeconds))} rows/s`,
        target: 'nothing lost or doubled',
        met: kept && once,
      },
      {
        measure: 'repartition: swap lock',
        value: `${swap.lockMs} ms`,
        target: `≤ ${count(TARGET_LOCK_MS)} ms`,
        met: swap.lockMs <= TARGET_LOCK_MS,
      },
      {
        measure: 'repartition: ingest during the copy vs before',
        value: `${count(Math.round(rate(duringCopy)))} vs ${count(Math.round(rate(beforeCopy)))} records/s`,
        target: 'ingest keeps going',
        met: rate(duringCopy) > 0,
      },
    ];
  } catch (error) {
    for (const line of log.filter((l) => l.level === 'warn' || l.level === 'error')) console.error(JSON.stringify(line));
    throw error;
  } finally {
    await sql?.end().catch(() => {});
    if (server) await stopServerProcess(server).catch(() => {});
    await database?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run on its own: node --import tsx/esm test/bench/repartition.bench.ts
runWhenStartedDirectly(import.meta.url, runRepartitionBench);
