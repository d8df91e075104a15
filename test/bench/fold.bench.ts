// The rollup fold against peak ingest: 16 workers report into runs of their own pipelines, as a busy fleet does.
// How many rollup deltas a second they produce, how many a second the leader's fold moves into the rollups, and
// the backlog while both run as in production (the fold every second). The same for the error-group counts' deltas.
import { RecordStatus } from '../../server/domain/enums.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { postFromClientProcess, workerRecord } from './ingest.bench.js';
import { type BenchEnvironment, count, heading, printTable, type SummaryRow, startBenchEnvironment } from './support.js';

const WORKERS = 16;
/** Records per reportRecords: smaller batches than the ingest bench's, so more deltas per record (the harder case). */
const BATCH = Number(process.env.BENCH_FOLD_BATCH ?? 100);
const BATCHES = Number(process.env.BENCH_FOLD_BATCHES ?? 150);
/** The fold must move deltas at least this many times as fast as peak ingest makes them. */
export const TARGET_HEADROOM = 2;
const FOLD_EVERY_MS = 1_000;

const REPORT = `mutation($runId: ID!, $records: [RecordReportInput!]!) {
  reportRecords(runId: $runId, records: $records) { accepted rejected { index reason } }
}`;

interface Fleet {
  worker: GraphQLClient;
  pipelines: string[];
}

async function createFleet(env: BenchEnvironment): Promise<Fleet> {
  const worker = await env.clientFor('INGEST');
  const pipelines: string[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const { createPipeline } = await env.admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      { input: { name: `Fold bench ${w}`, sourceSystem: 'Billing', targetSystem: 'CRM', tenantId: `tenant-${w % 4}` } },
    );
    pipelines.push(createPipeline.id);
  }
  return { worker, pipelines };
}

/** One run a worker, and each worker's request bodies. */
async function bodiesFor(fleet: Fleet, label: string): Promise<string[][]> {
  const now = Date.now();
  const bodies: string[][] = [];
  for (let w = 0; w < WORKERS; w++) {
    const { startRun } = await fleet.worker.ok<{ startRun: { id: string } }>(
      'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
      { input: { pipelineId: fleet.pipelines[w], mode: w % 2 ? 'SCHEDULED' : 'REAL_TIME', correlationId: `${label}-${w}` } },
    );
    bodies.push(
      Array.from({ length: BATCHES }, (_, b) => {
        const records = Array.from({ length: BATCH }, (_, i) => workerRecord(w, b * BATCH + i, now));
        return JSON.stringify({ query: REPORT, variables: { runId: startRun.id, records } });
      }),
    );
  }
  return bodies;
}

const backlog = async (env: BenchEnvironment) => Number((await env.sql.query('SELECT count(*) AS n FROM record_rollup_deltas')).rows[0].n);
const errorGroupBacklog = async (env: BenchEnvironment) =>
  Number((await env.sql.query('SELECT count(*) AS n FROM error_group_deltas')).rows[0].n);

/** Folds as the leader does (every second, when due); returns the time spent folding and how many folds ran. */
function foldLikeTheLeader(env: BenchEnvironment): { stop(): Promise<{ busyMs: number; folds: number }> } {
  let busyMs = 0;
  let folds = 0;
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = (async () => {
      const start = performance.now();
      if ((await env.instance.services.rollups.foldWhenDue()) > 0) folds++;
      await env.instance.services.errorGroupCounts.fold();
      busyMs += performance.now() - start;
      running = null;
    })();
  }, FOLD_EVERY_MS);
  return {
    async stop() {
      clearInterval(timer);
      await running;
      return { busyMs, folds };
    },
  };
}

export async function runFoldBench(): Promise<SummaryRow[]> {
  const total = WORKERS * BATCHES * BATCH;
  heading(`Rollup fold against peak ingest: ${WORKERS} workers × ${count(BATCHES)} batches of ${BATCH} records`);
  const env = await startBenchEnvironment();
  try {
    const fleet = await createFleet(env);

    // 1. Ingest with the fold off: the deltas peak ingest makes a second, then how fast the fold moves them.
    const quietBodies = await bodiesFor(fleet, 'quiet');
    const ingestSeconds = await postFromClientProcess(env.graphqlUrl, fleet.worker.secret ?? '', quietBodies, BATCH);
    const made = await backlog(env);
    const foldStart = performance.now();
    const folded = await env.instance.services.rollups.fold();
    const foldSeconds = (performance.now() - foldStart) / 1000;
    if (folded !== made) throw new Error(`the fold moved ${folded} of ${made} deltas`);
    const makeRate = made / ingestSeconds;
    const foldRate = folded / foldSeconds;
    const groupDeltas = await errorGroupBacklog(env);
    const groupFoldStart = performance.now();
    const groupFolded = await env.instance.services.errorGroupCounts.fold();
    const groupFoldSeconds = (performance.now() - groupFoldStart) / 1000;
    if (groupFolded !== groupDeltas) throw new Error(`the error-group fold moved ${groupFolded} of ${groupDeltas} deltas`);
    const groupMakeRate = groupDeltas / ingestSeconds;
    const groupFoldRate = groupFolded / groupFoldSeconds;

    // 2. Both at once, as in production: the backlog sampled every 250 ms.
    const busyBodies = await bodiesFor(fleet, 'busy');
    const samples: number[] = [];
    const groupSamples: number[] = [];
    const sampler = setInterval(() => {
      void backlog(env).then((n) => samples.push(n));
      void errorGroupBacklog(env).then((n) => groupSamples.push(n));
    }, 250);
    const folding = foldLikeTheLeader(env);
    const busySeconds = await postFromClientProcess(env.graphqlUrl, fleet.worker.secret ?? '', busyBodies, BATCH).finally(() =>
      clearInterval(sampler),
    );
    const { busyMs, folds } = await folding.stop();
    await env.instance.services.rollups.fold();
    await env.instance.services.errorGroupCounts.fold();

    // The rollups hold every record reported, once; the error-group counts every failure.
    const { rows } = await env.sql.query("SELECT sum(records) AS n FROM record_rollups WHERE tier = 'hour' AND cube = 'status'");
    if (Number(rows[0].n) !== 2 * total) throw new Error(`expected ${2 * total} records in the rollups, found ${rows[0].n}`);
    const failed = (await env.sql.query('SELECT count(*) AS n FROM records WHERE status = $1', [RecordStatus.FAILED])).rows[0].n;
    const counted = (await env.sql.query('SELECT sum(failures) AS n FROM error_group_counts')).rows[0].n;
    if (Number(counted) !== Number(failed)) throw new Error(`expected ${failed} failures in the error-group counts, found ${counted}`);

    const { rows: table } = await env.sql.query(
      `SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot, pg_size_pretty(pg_total_relation_size('record_rollups')) AS size
       FROM pg_stat_user_tables WHERE relname = 'record_rollups'`,
    );
    const headroom = foldRate / makeRate;
    const groupHeadroom = groupFoldRate / groupMakeRate;
    const maxBacklog = Math.max(0, ...samples);
    const maxGroupBacklog = Math.max(0, ...groupSamples);
    const meanBacklog = samples.reduce((sum, n) => sum + n, 0) / Math.max(1, samples.length);
    printTable(
      ['measure', 'value'],
      [
        ['records reported (each phase)', count(total)],
        ['failed records among them (both phases)', count(Number(failed))],
        ['fold off: ingest rate', `${count(Math.round(total / ingestSeconds))} records/s`],
        ['fold off: deltas made', `${count(made)} (${(made / total).toFixed(3)} per record)`],
        ['fold off: deltas made a second', count(Math.round(makeRate))],
        ['the fold of them', `${foldSeconds.toFixed(2)} s: ${count(Math.round(foldRate))} deltas/s (${headroom.toFixed(1)}× ingest's)`],
        ['fold on: ingest rate', `${count(Math.round(total / busySeconds))} records/s`],
        ['fold on: backlog (mean / max)', `${count(Math.round(meanBacklog))} / ${count(maxBacklog)} deltas`],
        [
          'rollup rows: updates in place (HOT) / size',
          `${((Number(table[0].hot) / Math.max(1, Number(table[0].updates))) * 100).toFixed(0)}% of ${count(Number(table[0].updates))} / ${table[0].size}`,
        ],
        ['fold off: error-group deltas made a second', count(Math.round(groupMakeRate))],
        [
          'the error-group fold of them',
          `${groupFoldSeconds.toFixed(2)} s: ${count(Math.round(groupFoldRate))} deltas/s (${groupHeadroom.toFixed(1)}× ingest's)`,
        ],
        ['fold on: error-group backlog (max)', `${count(maxGroupBacklog)} deltas`],
        [
          'fold on: time spent folding (both)',
          `${((busyMs / 1000 / busySeconds) * 100).toFixed(0)}% of the ingest's ${busySeconds.toFixed(1)} s (${folds} folds)`,
        ],
      ],
    );
    return [
      { measure: `fold: deltas made a second by ${WORKERS} workers`, value: count(Math.round(makeRate)) },
      { measure: 'fold: deltas folded a second', value: count(Math.round(foldRate)) },
      {
        measure: 'fold: speed ÷ peak ingest’s delta rate',
        value: `${headroom.toFixed(1)}×`,
        target: `≥ ${TARGET_HEADROOM}×`,
        met: headroom >= TARGET_HEADROOM,
      },
      { measure: 'fold: backlog under peak ingest (max)', value: `${count(maxBacklog)} deltas` },
      {
        measure: 'error-group fold: speed ÷ peak ingest’s delta rate',
        value: `${groupHeadroom.toFixed(1)}×`,
        target: `≥ ${TARGET_HEADROOM}×`,
        met: groupHeadroom >= TARGET_HEADROOM,
      },
      { measure: 'error-group fold: backlog under peak ingest (max)', value: `${count(maxGroupBacklog)} deltas` },
    ];
  } finally {
    await env.stop();
  }
}
