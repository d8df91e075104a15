// Ingest: reportRecords over real HTTP (batches of 1,000, 1 to 16 concurrent clients in a process of their own,
// a RUNNING run each) against a raw COPY of the same rows, as many streams, into the same table with the same indexes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { from as copyFrom } from 'pg-copy-streams';
import { DAY_MS } from '../../server/domain/analytics-range.js';
import { RecordOperation, RecordStatus } from '../../server/domain/enums.js';
import { type NormalizedReport, normalizeReport } from '../../server/domain/record-report.js';
import { DAYS_AHEAD } from '../../server/services/housekeeping/partitions.js';
import { startOfUtcDay } from '../../server/sql/partitions.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { type BenchEnvironment, count, heading, perSecond, printTable, type SummaryRow } from './support.js';

/** Parallelisms compared, each as many COPY streams as API clients (BENCH_INGEST_WORKERS=1,4 to shorten). */
const INGEST_WORKERS = (process.env.BENCH_INGEST_WORKERS ?? '1,4,8,16').split(',').map(Number);
const BATCH_SIZE = 1_000;
/** Batches each worker reports: 16 workers × 50 × 1,000 is 800,000 rows. */
const BATCHES_PER_CLIENT = Number(process.env.BENCH_INGEST_BATCHES ?? 50);
const TARGET_RATIO = 0.5;
/**
 * Past days of partitions made before measuring (BENCH_INGEST_DAYS_KEPT): an installation keeps a month of them
 * (RETENTION_DAYS 30), and a statement that cannot prune while planned plans every one of them.
 */
const DAYS_KEPT = Number(process.env.BENCH_INGEST_DAYS_KEPT ?? 30);

const ENTITIES = [
  ['Account', 'ACC'],
  ['Contact', 'CON'],
  ['Lead', 'LEA'],
  ['Product', 'PRD'],
  ['Order', 'ORD'],
  ['Invoice', 'INV'],
] as const;
const ERRORS = [
  ['INVALID_ACCOUNT_ID', 'Account 0012345 does not exist in the target'],
  ['ROW_LOCKED', 'Row 77812 is locked by another transaction'],
  ['RATE_LIMITED', 'Rate limit of 100 requests per 10 s exceeded'],
  ['VALIDATION_FAILED', "Field 'email' is not a valid address: 'bob@'"],
] as const;

/** What a worker reports for record `n` of client `c`: ~10% failed, a few skipped, mostly successes. */
export function workerRecord(c: number, n: number, now: number) {
  const [entityType, prefix] = ENTITIES[n % ENTITIES.length];
  const number = c * 1_000_000 + Math.floor(n / ENTITIES.length);
  const roll = (n * 7919 + c * 104_729) % 100;
  const status = roll < 10 ? RecordStatus.FAILED : roll < 13 ? RecordStatus.SKIPPED : RecordStatus.SUCCESS;
  const latencyMs = 20 + ((n * 31) % 900);
  const startedAt = new Date(now - 60_000 + (n % 60_000));
  const [errorCode, errorMessage] = ERRORS[n % ERRORS.length];
  return {
    entityType,
    sourceId: `${prefix}-${String(number).padStart(7, '0')}`,
    targetId: status === RecordStatus.FAILED ? null : `crm-${prefix.toLowerCase()}-${number}`,
    operation: n % 5 === 0 ? RecordOperation.CREATE : RecordOperation.UPDATE,
    status,
    errorCode: status === RecordStatus.FAILED ? errorCode : null,
    errorMessage: status === RecordStatus.FAILED ? errorMessage : null,
    startedAt,
    endedAt: new Date(startedAt.getTime() + latencyMs),
    latencyMs,
  };
}

type WorkerRecord = ReturnType<typeof workerRecord>;

function batchesOf(c: number, now: number): WorkerRecord[][] {
  return Array.from({ length: BATCHES_PER_CLIENT }, (_, b) =>
    Array.from({ length: BATCH_SIZE }, (_, i) => workerRecord(c, b * BATCH_SIZE + i, now)),
  );
}

const REPORT = `mutation($runId: ID!, $records: [RecordReportInput!]!) {
  reportRecords(runId: $runId, records: $records) { accepted rejected { index reason } }
}`;

async function startRuns(worker: GraphQLClient, pipelineId: string, label: string, workers: number): Promise<string[]> {
  const runs: string[] = [];
  for (let c = 0; c < workers; c++) {
    const { startRun } = await worker.ok<{ startRun: { id: string } }>(
      'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
      { input: { pipelineId, mode: 'REAL_TIME', correlationId: `${label}-${c}` } },
    );
    runs.push(startRun.id);
  }
  return runs;
}

/** COPY text format: tabs, newlines and backslashes escaped, \N for null. */
function copyCell(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value).replace(/[\\\t\n\r]/g, (ch) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[ch] as string);
}

const COPY_COLUMNS =
  'run_id, pipeline_id, tenant_id, mode, entity_type, source_id, target_id, operation, status, error_code, error_message, error_fingerprint, retryable, started_at, ended_at, latency_ms, run_created_at';

/** `run` with its creation time as PostgreSQL prints it (the partition key, to the microsecond). */
function copyText(run: { id: string; createdAt: string }, pipelineId: string, records: WorkerRecord[]): string {
  return records
    .map((record) => {
      const r = normalizeReport(record) as NormalizedReport;
      return [
        run.id,
        pipelineId,
        null,
        'REAL_TIME',
        r.entityType,
        r.sourceId,
        r.targetId,
        r.operation,
        r.status,
        r.errorCode,
        r.errorMessage,
        r.errorFingerprint,
        r.retryable,
        r.startedAt,
        r.endedAt,
        r.latencyMs,
        run.createdAt,
      ]
        .map(copyCell)
        .join('\t');
    })
    .join('\n')
    .concat('\n');
}

/**
 * CPU seconds used so far by every process of the bench's PostgreSQL (its backends and helpers, Linux /proc; null
 * elsewhere). The machine is shared, so wall times move with its load; CPU per row moves much less.
 */
async function postgresCpuSeconds(env: BenchEnvironment): Promise<number | null> {
  try {
    const { rows } = await env.sql.query('SELECT pg_backend_pid() AS pid');
    const postmaster = Number(statFields(Number(rows[0].pid))[1]);
    let ticks = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const fields = statFields(Number(name));
        if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
        // The postmaster's own, and that of its children that have exited (an idle pooled connection closed).
        if (Number(name) === postmaster) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks / 100;
  } catch {
    return null;
  }
}

/**
 * /proc/<pid>/stat after the command name: fields[1] is the parent pid, [11] and [12] user and system ticks, [13] and
 * [14] those of its exited children.
 */
const statFields = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');

/** CPU seconds of this process (the bench, and the server running in it) since `since`. */
function ownCpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Empties the records table (and what hangs off it) so each measurement starts from the same state. */
async function resetRecords(env: BenchEnvironment): Promise<void> {
  await env.sql.query('TRUNCATE records, record_rollup_deltas, record_rollups CASCADE');
  await env.sql.query('CHECKPOINT');
}

/** Raw COPY: the table and its indexes only, without the rollup trigger that reportRecords pays for. */
async function copyRows(env: BenchEnvironment, chunks: string[][]): Promise<number> {
  await env.sql.query('ALTER TABLE records DISABLE TRIGGER records_rollup_insert');
  try {
    return await timedCopy(env, chunks);
  } finally {
    await env.sql.query('ALTER TABLE records ENABLE TRIGGER records_rollup_insert');
  }
}

async function timedCopy(env: BenchEnvironment, chunks: string[][]): Promise<number> {
  const start = performance.now();
  await Promise.all(
    chunks.map(async (texts) => {
      const client = await env.sql.connect();
      try {
        await pipeline(Readable.from(texts), client.query(copyFrom(`COPY records (${COPY_COLUMNS}) FROM STDIN`)));
      } finally {
        client.release();
      }
    }),
  );
  return (performance.now() - start) / 1000;
}

const CLIENTS_SCRIPT = fileURLToPath(new URL('./ingest-clients.ts', import.meta.url));

/**
 * Posts each client's bodies from a separate process, as pipeline workers do: the server's event loop then
 * serves requests only, as in production, instead of also building and sending them. Returns the seconds taken.
 */
export async function postFromClientProcess(url: string, key: string, bodies: string[][], perBatch = BATCH_SIZE): Promise<number> {
  return (await postFromClients(url, key, bodies, perBatch)).seconds;
}

/** postFromClientProcess, with the CPU seconds the client process used. */
async function postFromClients(
  url: string,
  key: string,
  bodies: string[][],
  perBatch: number,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-ingest-'));
  try {
    const file = join(dir, 'bodies.json');
    writeFileSync(file, JSON.stringify(bodies));
    const child = spawn(process.execPath, ['--import', 'tsx/esm', CLIENTS_SCRIPT, url, key, file, String(perBatch)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the ingest clients exited with ${code}`);
    return JSON.parse(output) as { seconds: number; cpuSeconds: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One parallelism's figures: COPY with as many streams as the API has clients, and the API. */
interface IngestRound {
  workers: number;
  rows: number;
  copySeconds: number;
  ingestSeconds: number;
  /** CPU seconds: PostgreSQL's and the sender's (this process) during COPY; the server's (this process), PostgreSQL's
   * and the clients' during the API. */
  cpu: { copyPostgres: number | null; copySender: number; apiServer: number; apiPostgres: number | null; apiClients: number };
}

/** Raw COPY with `workers` streams, then reportRecords from `workers` clients, the same rows each. */
async function ingestRound(env: BenchEnvironment, worker: GraphQLClient, pipelineId: string, workers: number): Promise<IngestRound> {
  const rows = workers * BATCHES_PER_CLIENT * BATCH_SIZE;
  const now = Date.now();
  const batches = Array.from({ length: workers }, (_, c) => batchesOf(c, now));

  const copyRuns = await startRuns(worker, pipelineId, `copy-${workers}`, workers);
  const { rows: created } = await env.sql.query<{ id: string; created_at: string }>(
    'SELECT id, created_at::text AS created_at FROM runs WHERE id = ANY($1::uuid[])',
    [copyRuns],
  );
  const createdAt = new Map(created.map((row) => [row.id, row.created_at]));
  const copyTexts = batches.map((client, c) =>
    client.map((batch) => copyText({ id: copyRuns[c], createdAt: createdAt.get(copyRuns[c]) as string }, pipelineId, batch)),
  );
  await resetRecords(env);
  const copyCpuBefore = await postgresCpuSeconds(env);
  const senderCpuBefore = process.cpuUsage();
  const copySeconds = await copyRows(env, copyTexts);
  const copySender = ownCpuSeconds(senderCpuBefore);
  const copyCpuAfter = await postgresCpuSeconds(env);
  await resetRecords(env);

  // The API: each client reports its batches one after another into its own RUNNING run.
  const ingestRuns = await startRuns(worker, pipelineId, `ingest-${workers}`, workers);
  const bodies = batches.map((client, c) =>
    client.map((records) => JSON.stringify({ query: REPORT, variables: { runId: ingestRuns[c], records } })),
  );
  // The leader folds rollup deltas every second in production; it competes for the database here too.
  const folding = setInterval(() => void env.instance.services.rollups.fold(), 1_000);
  const apiCpuBefore = await postgresCpuSeconds(env);
  const serverCpuBefore = process.cpuUsage();
  const clients = await postFromClients(env.graphqlUrl, worker.secret ?? '', bodies, BATCH_SIZE).finally(() => clearInterval(folding));
  const apiServer = ownCpuSeconds(serverCpuBefore);
  const apiCpuAfter = await postgresCpuSeconds(env);
  await env.instance.services.rollups.fold();
  const { rows: rolled } = await env.sql.query("SELECT sum(records) AS n FROM record_rollups WHERE tier = 'hour' AND cube = 'full'");
  const rolledUp = Number(rolled[0].n);
  if (rolledUp !== rows) throw new Error(`expected ${rows} records in the rollups, found ${rolledUp}`);
  const stored = Number((await env.sql.query('SELECT count(*) AS n FROM records')).rows[0].n);
  if (stored !== rows) throw new Error(`expected ${rows} stored records, found ${stored}`);
  for (const runId of ingestRuns) await worker.ok('mutation($runId: ID!) { finishRun(runId: $runId) { id } }', { runId });
  await resetRecords(env);
  const spent = (before: number | null, after: number | null) => (before === null || after === null ? null : after - before);
  return {
    workers,
    rows,
    copySeconds,
    ingestSeconds: clients.seconds,
    cpu: {
      copyPostgres: spent(copyCpuBefore, copyCpuAfter),
      copySender,
      apiServer,
      apiPostgres: spent(apiCpuBefore, apiCpuAfter),
      apiClients: clients.cpuSeconds,
    },
  };
}

export async function runIngestBench(env: BenchEnvironment): Promise<SummaryRow[]> {
  heading(`Ingest: reportRecords over HTTP (rollups maintained) vs raw COPY, at ${INGEST_WORKERS.join(', ')} workers`);
  const worker = await env.clientFor('INGEST');
  const { createPipeline } = await env.admin.ok<{ createPipeline: { id: string } }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    { input: { name: 'Bench ingest', sourceSystem: 'Billing', targetSystem: 'CRM' } },
  );
  const pipelineId = createPipeline.id;
  // The month of days a leader would have made (empty here: only their number matters to a statement's plan).
  const [{ now }] = (await env.sql.query<{ now: Date }>('SELECT now()')).rows;
  await env.instance.services.partitions.createDays(
    new Date(startOfUtcDay(now).getTime() - DAYS_KEPT * DAY_MS),
    DAYS_KEPT + 1 + DAYS_AHEAD,
  );
  const rounds: IngestRound[] = [];
  for (const workers of INGEST_WORKERS) rounds.push(await ingestRound(env, worker, pipelineId, workers));

  printTable(
    ['workers', 'rows', 'COPY s', 'COPY rate', 'reportRecords s', 'reportRecords rate', 'API ÷ COPY'],
    rounds.map((round) => [
      String(round.workers),
      count(round.rows),
      round.copySeconds.toFixed(2),
      perSecond(round.rows / round.copySeconds),
      round.ingestSeconds.toFixed(2),
      perSecond(round.rows / round.ingestSeconds),
      `${(round.copySeconds / round.ingestSeconds).toFixed(2)}×`,
    ]),
  );
  // Milliseconds of CPU per 1,000 rows; the two cores are shared with other work, so wall times move with its load.
  const perThousand = (seconds: number | null, rows: number) => (seconds === null ? 'n/a' : ((seconds * 1_000_000) / rows).toFixed(1));
  console.log('\nCPU ms per 1,000 rows (PostgreSQL: all its processes; server: the bench process, the leader fold included)');
  printTable(
    ['workers', 'COPY: PostgreSQL', 'COPY: sender', 'API: PostgreSQL', 'API: server', 'API: clients', 'COPY ÷ API'],
    rounds.map(({ workers, rows, cpu }) => {
      const copyTotal = cpu.copyPostgres === null ? null : cpu.copyPostgres + cpu.copySender;
      const apiTotal = cpu.apiPostgres === null ? null : cpu.apiPostgres + cpu.apiServer + cpu.apiClients;
      return [
        String(workers),
        perThousand(cpu.copyPostgres, rows),
        perThousand(cpu.copySender, rows),
        perThousand(cpu.apiPostgres, rows),
        perThousand(cpu.apiServer, rows),
        perThousand(cpu.apiClients, rows),
        copyTotal === null || apiTotal === null ? 'n/a' : `${(copyTotal / apiTotal).toFixed(2)}×`,
      ];
    }),
  );
  return rounds.flatMap((round) => {
    const ratio = round.copySeconds / round.ingestSeconds;
    return [
      { measure: `ingest: raw COPY (${round.workers} streams)`, value: perSecond(round.rows / round.copySeconds) },
      { measure: `ingest: reportRecords (${round.workers} clients)`, value: perSecond(round.rows / round.ingestSeconds) },
      {
        measure: `ingest: reportRecords ÷ COPY at ${round.workers}`,
        value: `${ratio.toFixed(2)}×`,
        target: `≥ ${TARGET_RATIO}×`,
        met: ratio >= TARGET_RATIO,
      },
    ];
  });
}
