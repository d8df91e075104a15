// Reads on a streaming replica while ingest runs on the primary (issue 25): the runs and records list pages as a
// VIEWER (who has written nothing, so reads on the replica), quiet and then under 4 ingest workers, and the replica's
// lag from /metrics every 250 ms. Background jobs off, as the other benches; the rollup fold runs every second as the
// leader runs it, as in the ingest bench.
import pg from 'pg';
import { loadConfig } from '../../server/config.js';
import { poolOf } from '../../server/db/pool.js';
import { type Syncwatch, startSyncwatch } from '../../server/instance.js';
import { createLogger } from '../../server/logger.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { type ReplicatedDatabase, startReplicatedDatabase } from '../support/replica.js';
import { fillHistory } from './fill.js';
import { postFromClientProcess, workerRecord } from './ingest.bench.js';
import { TARGET_P95_MS } from './lists.bench.js';
import {
  ADMIN_SECRET,
  count,
  heading,
  type Latencies,
  measure,
  ms,
  percentile,
  printTable,
  runWhenStartedDirectly,
  type SummaryRow,
} from './support.js';

const FILL_RUNS = Number(process.env.BENCH_REPLICA_RUNS ?? 5_000);
const FILL_RECORDS_PER_RUN = Number(process.env.BENCH_REPLICA_RECORDS_PER_RUN ?? 100);
const WORKERS = 4;
const BATCH = 1_000;
const BATCHES = Number(process.env.BENCH_REPLICA_BATCHES ?? 60);
const QUIET_SAMPLES = 200;
const LAG_SAMPLE_MS = 250;
const PAGE = 50;

const RUNS_PAGE = `query($first: Int) { runs(first: $first) {
  edges { cursor node { id mode status operationType startedAt endedAt tenantId counts { total failed } entityTypes } }
  pageInfo { hasNextPage endCursor } } }`;
const RECORDS_PAGE = `query($first: Int) { records(first: $first) {
  edges { cursor node { id entityType sourceId targetId operation status errorCode errorMessage startedAt endedAt latencyMs } }
  pageInfo { hasNextPage endCursor } } }`;
const REPORT = `mutation($runId: ID!, $records: [RecordReportInput!]!) {
  reportRecords(runId: $runId, records: $records) { accepted rejected { index reason } }
}`;

interface LagSample {
  inUse: boolean;
  /** The instance's connections on the replica whose last statement read runs or records. */
  pageReadersOnReplica: number;
  seconds: number;
  bytes: number;
}

const gauge = (metrics: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? Number.NaN);

/** Samples the replica gauges of /metrics (and the replica's own view of its readers) every 250 ms until stopped. */
function sampleLag(baseUrl: string, readersOnReplica: () => Promise<number>): { stop(): Promise<LagSample[]> } {
  const samples: LagSample[] = [];
  let pending: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (pending) return;
    pending = (async () => {
      const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
      samples.push({
        inUse: gauge(metrics, 'syncwatch_replica_in_use') === 1,
        pageReadersOnReplica: await readersOnReplica(),
        seconds: gauge(metrics, 'syncwatch_replica_lag_seconds'),
        bytes: gauge(metrics, 'syncwatch_replica_lag_bytes'),
      });
      pending = null;
    })();
  }, LAG_SAMPLE_MS);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      return samples;
    },
  };
}

/** Both pages one after another, timed each, until `done` resolves. */
async function pagesUntil(viewer: GraphQLClient, done: Promise<unknown>): Promise<{ runs: Latencies; records: Latencies }> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const runs: number[] = [];
  const records: number[] = [];
  const timed = async (query: string, into: number[]) => {
    const start = performance.now();
    await viewer.ok(query, { first: PAGE });
    into.push(performance.now() - start);
  };
  while (!finished) {
    await timed(RUNS_PAGE, runs);
    await timed(RECORDS_PAGE, records);
  }
  const latencies = (times: number[]): Latencies => {
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], samples: times.length };
  };
  return { runs: latencies(runs), records: latencies(records) };
}

/** The leader's fold every second, one at a time; stop() waits for the one in flight (the instance stops next). */
function foldEverySecond(instance: Syncwatch): { stop(): Promise<void> } {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = instance.services.rollups.fold().finally(() => {
      running = null;
    });
  }, 1_000);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** The pages as `viewer` through `instance` while 4 workers report 4 runs of `label`; /metrics sampled meanwhile. */
async function pagesUnderIngest(
  instance: Syncwatch,
  viewer: GraphQLClient,
  worker: GraphQLClient,
  pipelineId: string,
  label: string,
  readersOnReplica: () => Promise<number>,
) {
  const baseUrl = `http://127.0.0.1:${instance.port}`;
  const now = Date.now();
  const bodies: string[][] = [];
  for (let w = 0; w < WORKERS; w++) {
    const { startRun } = await worker.ok<{ startRun: { id: string } }>(
      'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
      { input: { pipelineId, mode: 'REAL_TIME', correlationId: `${label}-bench-${w}` } },
    );
    bodies.push(
      Array.from({ length: BATCHES }, (_, b) => {
        const records = Array.from({ length: BATCH }, (_, i) => workerRecord(w, b * BATCH + i, now));
        return JSON.stringify({ query: REPORT, variables: { runId: startRun.id, records } });
      }),
    );
  }
  const lag = sampleLag(baseUrl, readersOnReplica);
  const folding = foldEverySecond(instance);
  const ingest = postFromClientProcess(`${baseUrl}/graphql`, worker.secret ?? '', bodies, BATCH);
  const busyStart = performance.now();
  const busy = await pagesUntil(viewer, ingest);
  const ingestSeconds = await ingest;
  // The sampling ends with the ingest: the fold in flight may then fold the rest of the backlog for a while.
  const samples = await lag.stop();
  const busyWallSeconds = (performance.now() - busyStart) / 1000;
  await folding.stop();
  return { busy, ingestSeconds, samples, busyWallSeconds };
}

async function waitForReplicaToCatchUp(primary: pg.Pool, replica: pg.Pool): Promise<void> {
  const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  for (;;) {
    const { rows: caught } = await replica.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
    if (caught[0].done) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The statements this instance's connections on the replica last ran that read runs or records. */
async function pageReadsOnReplica(replica: pg.Pool, applicationName: string): Promise<number> {
  const { rows } = await replica.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1 AND query ~* 'FROM "?(runs|records)"?\\s'`,
    [applicationName],
  );
  return Number(rows[0].n);
}

export async function runReplicaBench(): Promise<SummaryRow[]> {
  const total = WORKERS * BATCHES * BATCH;
  heading(
    `Reads on a streaming replica: ${count(FILL_RUNS * FILL_RECORDS_PER_RUN)} records filled, then ${WORKERS} workers × ${BATCHES} batches of ${count(BATCH)} on the primary`,
  );
  let database: ReplicatedDatabase | null = null;
  const instances: Syncwatch[] = [];
  let primarySql: pg.Pool | null = null;
  let replicaSql: pg.Pool | null = null;
  try {
    database = await startReplicatedDatabase('bench');
    primarySql = new pg.Pool({ connectionString: database.primary.urlFor(database.name), max: 2 });
    replicaSql = new pg.Pool({ connectionString: database.replica.urlFor(database.name), max: 2 });
    primarySql.on('error', () => {});
    replicaSql.on('error', () => {});
    const settings = {
      DATABASE_URL: database.primary.urlFor(database.name),
      DATABASE_READ_URL: database.replica.urlFor(database.name),
      // The gauges as fresh as they are sampled.
      REPLICA_CHECK_MS: String(LAG_SAMPLE_MS),
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_SECRET,
      LOG_LEVEL: 'error',
    };
    const config = loadConfig(settings);
    const started = await startSyncwatch(config, { logger: createLogger(config.logLevel), jobs: false });
    instances.push(started);
    const baseUrl = `http://127.0.0.1:${started.port}`;
    const graphqlUrl = `${baseUrl}/graphql`;
    const admin = new GraphQLClient(graphqlUrl, ADMIN_SECRET);
    const keyFor = async (role: 'VIEWER' | 'INGEST') => {
      const { createApiKey } = await admin.ok<{ createApiKey: { secret: string } }>(
        'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
        { input: { name: `bench-replica-${role.toLowerCase()}`, role } },
      );
      return new GraphQLClient(graphqlUrl, createApiKey.secret);
    };
    const viewer = await keyFor('VIEWER');
    const worker = await keyFor('INGEST');

    const fillStart = performance.now();
    await fillHistory(primarySql, FILL_RUNS, FILL_RECORDS_PER_RUN);
    await waitForReplicaToCatchUp(primarySql, replicaSql);
    console.log(`filled and replayed on the replica in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

    // 1. Quiet: no ingest.
    const quietRuns = await measure(() => viewer.ok(RUNS_PAGE, { first: PAGE }), QUIET_SAMPLES);
    const quietRecords = await measure(() => viewer.ok(RECORDS_PAGE, { first: PAGE }), QUIET_SAMPLES);

    // Where the viewer's pages were read: the instance's connections on the replica ran them.
    const applicationName = (poolOf(started.db).options as { application_name: string }).application_name;
    const readersOnReplica = () => pageReadsOnReplica(replicaSql as pg.Pool, applicationName);
    if ((await readersOnReplica()) === 0) throw new Error('no connection of the instance read runs or records on the replica');

    // 2. The same pages while 4 workers report into runs of their own.
    const { createPipeline } = await admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      { input: { name: 'Replica bench ingest', sourceSystem: 'Billing', targetSystem: 'CRM' } },
    );
    const { busy, ingestSeconds, samples, busyWallSeconds } = await pagesUnderIngest(
      started,
      viewer,
      worker,
      createPipeline.id,
      'replica',
      readersOnReplica,
    );

    const seenOnReplica = samples.filter((sample) => sample.pageReadersOnReplica > 0).length;
    const inUse = samples.filter((sample) => sample.inUse).length;
    const lagSeconds = samples.map((sample) => sample.seconds).filter(Number.isFinite);
    const lagBytes = samples.map((sample) => sample.bytes).filter(Number.isFinite);
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
    const stored = Number(
      (await primarySql.query('SELECT count(*) AS n FROM records WHERE pipeline_id = $1', [createPipeline.id])).rows[0].n,
    );
    if (stored !== total) throw new Error(`expected ${total} ingested records, found ${stored}`);

    // 3. For reference, the same pages under the same ingest through an instance without DATABASE_READ_URL.
    const primaryOnly = await startSyncwatch(loadConfig({ ...settings, DATABASE_READ_URL: '' }), {
      logger: createLogger(config.logLevel),
      jobs: false,
    });
    instances.push(primaryOnly);
    const onPrimary = await pagesUnderIngest(
      primaryOnly,
      new GraphQLClient(`http://127.0.0.1:${primaryOnly.port}/graphql`, viewer.secret),
      new GraphQLClient(`http://127.0.0.1:${primaryOnly.port}/graphql`, worker.secret),
      createPipeline.id,
      'primary',
      async () => 0,
    );

    const row = (latencies: Latencies) => [ms(latencies.p50), ms(latencies.p95), ms(latencies.max), String(latencies.samples)];
    printTable(
      ['page (first 50, as a VIEWER)', 'p50', 'p95', 'max', 'samples'],
      [
        ['runs, no ingest', ms(quietRuns.p50), ms(quietRuns.p95), ms(quietRuns.max), String(quietRuns.samples)],
        ['records, no ingest', ms(quietRecords.p50), ms(quietRecords.p95), ms(quietRecords.max), String(quietRecords.samples)],
        ['runs, 4 workers ingesting', ms(busy.runs.p50), ms(busy.runs.p95), ms(busy.runs.max), String(busy.runs.samples)],
        ['records, 4 workers ingesting', ms(busy.records.p50), ms(busy.records.p95), ms(busy.records.max), String(busy.records.samples)],
        ['runs, 4 workers ingesting, on the primary', ...row(onPrimary.busy.runs)],
        ['records, 4 workers ingesting, on the primary', ...row(onPrimary.busy.records)],
      ],
    );
    printTable(
      ['measure', 'value'],
      [
        [
          'ingest beside the pages on the primary',
          `${count(total)} records: ${count(Math.round(total / onPrimary.ingestSeconds))} records/s`,
        ],
        ['ingest', `${count(total)} records in ${ingestSeconds.toFixed(1)} s: ${count(Math.round(total / ingestSeconds))} records/s`],
        ["sampled while ingesting (the workers' process starting included)", `${busyWallSeconds.toFixed(1)} s`],
        ['replica in use (/metrics samples)', `${inUse} of ${samples.length}`],
        ['replica lag seconds (mean / max)', `${mean(lagSeconds).toFixed(3)} / ${Math.max(0, ...lagSeconds).toFixed(3)} s`],
        ['replica lag bytes (mean / max)', `${count(Math.round(mean(lagBytes)))} / ${count(Math.max(0, ...lagBytes))}`],
        ['samples with the replica showing page reads of the instance', `${seenOnReplica} of ${samples.length}`],
      ],
    );
    const pageRow = (name: string, latencies: Latencies): SummaryRow => ({
      measure: `replica: ${name} page p95`,
      value: ms(latencies.p95),
      target: `≤ ${TARGET_P95_MS} ms`,
      met: latencies.p95 <= TARGET_P95_MS,
    });
    return [
      pageRow('runs (no ingest)', quietRuns),
      pageRow('records (no ingest)', quietRecords),
      pageRow(`runs (${WORKERS} workers ingesting)`, busy.runs),
      pageRow(`records (${WORKERS} workers ingesting)`, busy.records),
      { measure: 'replica: runs page p95 on the primary instead (4 workers ingesting)', value: ms(onPrimary.busy.runs.p95) },
      { measure: 'replica: records page p95 on the primary instead (4 workers ingesting)', value: ms(onPrimary.busy.records.p95) },
      { measure: 'replica: in use while ingesting', value: `${inUse} of ${samples.length} samples` },
      {
        measure: 'replica: lag while ingesting (mean / max)',
        value: `${mean(lagSeconds).toFixed(3)} / ${Math.max(0, ...lagSeconds).toFixed(3)} s`,
      },
      {
        measure: 'replica: lag bytes while ingesting (mean / max)',
        value: `${count(Math.round(mean(lagBytes)))} / ${count(Math.max(0, ...lagBytes))}`,
      },
    ];
  } finally {
    await primarySql?.end().catch(() => {});
    await replicaSql?.end().catch(() => {});
    for (const instance of instances) await instance.stop().catch(() => {});
    await database?.stop().catch(() => {});
  }
}

runWhenStartedDirectly(import.meta.url, runReplicaBench);
