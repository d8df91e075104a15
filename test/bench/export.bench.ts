import { readFileSync } from 'node:fs';
import { get, type IncomingMessage } from 'node:http';
import { loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify';
import { to as copyTo } from 'pg-copy-streams';
import { GraphQLClient } from '../support/graphql-client.js';
import { fillHistory } from './fill.js';
import { startServerProcess, stopServerProcess } from './server-process.js';
import {
  ADMIN_SECRET,
  type BenchEnvironment,
  count,
  heading,
  perSecond,
  printTable,
  type SummaryRow,
  startBenchEnvironment,
} from './support.js';

const MIN_RECORDS = 1_000_000;
export const TARGET_ROWS_PER_SECOND = 250_000;
export const TARGET_MEMORY_MB = 150;
const MB = 1024 * 1024;

/** Resident memory of a process in bytes (Linux). */
function rss(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** CPU seconds (user + system) a process has used so far (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Job {
  id: string;
  status: string;
  rowCount: number | null;
  downloadUrl: string | null;
}

interface Measured {
  name: string;
  rows: number;
  bytes: number;
  firstByteMs: number;
  seconds: number;
  rssBefore?: number;
  rssPeak?: number;
  /** CPU seconds the measured process spent: the server's for downloads, PostgreSQL's backend for COPY alone. */
  cpu?: number;
}

/** Bytes and newlines of a stream, kept nowhere. The fill writes no newline inside a cell: lines are rows. */
function counter(): Writable & { bytes: number; lines: number; firstAt: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (sink.firstAt === 0) sink.firstAt = performance.now();
      sink.bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) sink.lines++;
      callback();
    },
  }) as Writable & { bytes: number; lines: number; firstAt: number };
  sink.bytes = 0;
  sink.lines = 0;
  sink.firstAt = 0;
  return sink;
}

async function exportThroughServer(url: string, pid: number, filter: Record<string, unknown> | null, name: string): Promise<Measured> {
  const operator = new GraphQLClient(`${url}/graphql`, ADMIN_SECRET);
  const { exportRecords } = await operator.ok<{ exportRecords: Job }>(
    'mutation($filter: RecordFilter) { exportRecords(filter: $filter) { id status rowCount downloadUrl } }',
    { filter },
  );
  let job = exportRecords;
  while (job.status !== 'READY') {
    if (job.status === 'FAILED') throw new Error('export failed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    job = (
      await operator.ok<{ exportJob: Job }>('query($id: ID!) { exportJob(id: $id) { id status rowCount downloadUrl } }', { id: job.id })
    ).exportJob;
  }
  const rssBefore = rss(pid);
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, rss(pid));
  }, 20);
  const sink = counter();
  const cpuBefore = cpuSeconds(pid);
  const started = performance.now();
  try {
    // node:http rather than fetch: the client shares this machine's two cores with the server and PostgreSQL, and
    // fetch's web streams cost it a core-second per million rows that a downloading browser spends elsewhere.
    const response = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}${job.downloadUrl}`, resolve).on('error', reject));
    if (response.statusCode !== 200) throw new Error(`download answered ${response.statusCode}`);
    await pipeline(response, sink);
  } finally {
    clearInterval(sampler);
  }
  rssPeak = Math.max(rssPeak, rss(pid));
  const rows = sink.lines - 1;
  if (rows !== job.rowCount) throw new Error(`downloaded ${rows} rows, the job counted ${job.rowCount}`);
  return {
    name,
    rows,
    bytes: sink.bytes,
    firstByteMs: sink.firstAt - started,
    seconds: (performance.now() - started) / 1000,
    rssBefore,
    rssPeak,
    cpu: cpuSeconds(pid) - cpuBefore,
  };
}

/** The statement the server ran, alone on a plain connection: the ceiling. */
async function copyAlone(env: BenchEnvironment, statement: string): Promise<Measured> {
  const client = await env.sql.connect();
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const sink = counter();
    const cpuBefore = cpuSeconds(backend);
    const started = performance.now();
    await pipeline(client.query(copyTo(statement)), sink);
    return {
      name: 'COPY alone (no server)',
      rows: sink.lines - 1,
      bytes: sink.bytes,
      firstByteMs: sink.firstAt - started,
      seconds: (performance.now() - started) / 1000,
      cpu: cpuSeconds(backend) - cpuBefore,
    };
  } finally {
    client.release();
  }
}

/** The road not taken: a server-side cursor, rows as JS objects, csv-stringify. */
async function cursorAndStringify(env: BenchEnvironment, select: string): Promise<Measured> {
  const client = await env.sql.connect();
  try {
    await client.query('BEGIN');
    await client.query(`DECLARE export_cursor NO SCROLL CURSOR FOR ${select}`);
    const sink = counter();
    const csv = stringify();
    const piped = pipeline(csv, sink);
    const started = performance.now();
    let columns: string[] | null = null;
    for (;;) {
      const { rows, fields } = await client.query({ text: 'FETCH 5000 FROM export_cursor', rowMode: 'array' });
      if (!columns) {
        columns = fields.map((f) => f.name);
        csv.write(columns); // the header row
      }
      if (rows.length === 0) break;
      for (const row of rows) if (!csv.write(row)) await new Promise((resolve) => csv.once('drain', resolve));
    }
    csv.end();
    await piped;
    await client.query('COMMIT');
    return {
      name: 'cursor + JS rows + csv-stringify',
      rows: sink.lines - 1,
      bytes: sink.bytes,
      firstByteMs: sink.firstAt - started,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    client.release();
  }
}

/** The export statement the server builds for a job, read back from the server's own code. */
async function statementFor(env: BenchEnvironment): Promise<{ copy: string; select: string }> {
  const { copyStatement } = await import('../../server/services/housekeeping/export-query.js');
  const { ExportKind } = await import('../../server/entities/ExportJob.js');
  const [{ max }] = (await env.sql.query('SELECT max(id)::text AS max FROM records')).rows;
  const copy = copyStatement({
    kind: ExportKind.RECORDS,
    filter: null,
    limit: null,
    tenantId: null,
    maxRecordId: max,
    createdBefore: new Date(),
  });
  const select = copy.slice('COPY ('.length, copy.lastIndexOf(') TO STDOUT'));
  return { copy, select };
}

export async function runExportBench(env: BenchEnvironment): Promise<SummaryRow[]> {
  let { rows } = await env.sql.query<{ n: string }>('SELECT count(*) AS n FROM records WHERE origin_record_id IS NULL');
  if (Number(rows[0].n) < MIN_RECORDS) {
    await fillHistory(env.sql, 2_000, 500);
    ({ rows } = await env.sql.query<{ n: string }>('SELECT count(*) AS n FROM records WHERE origin_record_id IS NULL'));
  }
  heading(`Exports: CSV of all ${count(Number(rows[0].n))} records through a server process and HTTP`);
  // The fill's rollup deltas are folded first: left to the server, the fold (its leader job) would run during the
  // download, and its memory would be counted as the download's.
  await env.instance.services.rollups.fold();

  // It runs the background jobs as any instance does: retention must not purge the filled history mid-bench.
  const server = await startServerProcess((env.instance.db.options as { url: string }).url, { RETENTION_DAYS: '3650' });
  const results: Measured[] = [];
  try {
    const pid = server.child.pid as number;
    // Once to warm the server and PostgreSQL's cache; then measured.
    await exportThroughServer(server.url, pid, { statuses: ['FAILED'] }, 'warm-up');
    results.push(await exportThroughServer(server.url, pid, null, 'syncwatch download (all records)'));
    results.push(await exportThroughServer(server.url, pid, { statuses: ['FAILED'] }, 'syncwatch download (FAILED only)'));
  } finally {
    await stopServerProcess(server);
  }
  const { copy, select } = await statementFor(env);
  results.push(await copyAlone(env, copy));
  results.push(await cursorAndStringify(env, select));

  console.log(
    `load average while measuring: ${loadavg()[0].toFixed(1)} on this machine's cores (2 here): wall-clock figures shrink under load`,
  );
  printTable(
    ['path', 'rows', 'MB', 'first byte', 'seconds', 'rows/s', 'CPU s (of)', 'server RSS before', 'server RSS peak'],
    results.map((r) => [
      r.name,
      count(r.rows),
      (r.bytes / MB).toFixed(1),
      `${r.firstByteMs.toFixed(0)} ms`,
      r.seconds.toFixed(2),
      perSecond(r.rows / r.seconds),
      r.cpu === undefined ? '' : `${r.cpu.toFixed(2)} (${r.name.startsWith('COPY') ? 'PostgreSQL' : 'server'})`,
      r.rssBefore ? `${(r.rssBefore / MB).toFixed(0)} MB` : '',
      r.rssPeak ? `${(r.rssPeak / MB).toFixed(0)} MB (+${(((r.rssPeak ?? 0) - (r.rssBefore ?? 0)) / MB).toFixed(0)} MB)` : '',
    ]),
  );
  const all = results[0];
  const rate = all.rows / all.seconds;
  const growth = ((all.rssPeak ?? 0) - (all.rssBefore ?? 0)) / MB;
  return [
    {
      measure: `export: ${count(all.rows)} records as CSV over HTTP`,
      value: `${perSecond(rate)} (first byte ${all.firstByteMs.toFixed(0)} ms)`,
      target: `≥ ${count(TARGET_ROWS_PER_SECOND)} rows/s`,
      met: rate >= TARGET_ROWS_PER_SECOND,
    },
    {
      measure: 'export: server memory while streaming',
      value: `+${growth.toFixed(0)} MB RSS (peak ${((all.rssPeak ?? 0) / MB).toFixed(0)} MB)`,
      target: `≤ ${TARGET_MEMORY_MB} MB growth`,
      met: growth <= TARGET_MEMORY_MB,
    },
  ];
}

// Alone: `npx tsx test/bench/export.bench.ts`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const env = await startBenchEnvironment();
  try {
    const summary = await runExportBench(env);
    printTable(
      ['measure', 'value', 'target', 'met'],
      summary.map((row) => [row.measure, row.value, row.target ?? '', row.met ? 'yes' : 'NO']),
    );
  } finally {
    await env.stop();
  }
  process.exit(0);
}
