// One run's failed records as CSV (issue 23): who may ask for it, that the count the job tells is the file's, and
// that a finished download leaves nothing behind to fail later.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createLogger } from '../../server/logger.js';
import { parseCsv } from '../support/csv.js';
import { databaseState } from '../support/db-state.js';
import { createPipeline, eventually, type RecordInput, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

// A short statement timeout, so the pool's query_timeout (statement timeout + 5 s) comes round within the test.
const STATEMENT_TIMEOUT_MS = 500;
const QUERY_TIMEOUT_MS = STATEMENT_TIMEOUT_MS + 5_000;

interface Job {
  id: string;
  status: string;
  rowCount: number | null;
  downloadUrl: string | null;
}

const logLines: string[] = [];
let server: TestServer;
let viewer: GraphQLClient;
let worker: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer(
    { DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) },
    { jobs: false, logger: createLogger('warn', (line) => logLines.push(line)) },
  );
  viewer = await server.clientFor(Role.VIEWER);
  worker = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

const failure = (sourceId: string): RecordInput =>
  recordInput(sourceId, { status: 'FAILED', errorCode: 'ROW_LOCKED', errorMessage: `row ${sourceId} locked`, retryable: false });

/** A run still running, with failed and succeeded records. */
async function runWithFailures(failed: number, succeeded: number): Promise<string> {
  const pipeline = await createPipeline(server.admin);
  const run = await startRun(worker, pipeline.id);
  await reportRecords(worker, run.id, [
    ...Array.from({ length: failed }, (_, i) => failure(`F-${i}`)),
    ...Array.from({ length: succeeded }, (_, i) => recordInput(`S-${i}`)),
  ]);
  return run.id;
}

const failedOf = (runId: string) => ({ runIds: [runId], statuses: ['FAILED'] });

async function exportRecords(client: GraphQLClient, filter: Record<string, unknown> | null): Promise<Job> {
  const { exportRecords } = await client.ok<{ exportRecords: Job }>(
    'mutation($filter: RecordFilter) { exportRecords(filter: $filter) { id status rowCount downloadUrl } }',
    { filter },
  );
  return exportRecords;
}

async function exportJob(client: GraphQLClient, id: string): Promise<Job> {
  const { exportJob } = await client.ok<{ exportJob: Job }>('query($id: ID!) { exportJob(id: $id) { id status rowCount downloadUrl } }', {
    id,
  });
  return exportJob;
}

const ready = (client: GraphQLClient, id: string) =>
  eventually(async () => {
    const job = await exportJob(client, id);
    return job.status === 'READY' ? job : undefined;
  }, `export ${id} to be READY`);

async function download(job: Job) {
  const response = await fetch(`${server.url}${job.downloadUrl}`);
  expect(response.status).toBe(200);
  const [header, ...rows] = parseCsv(await response.text());
  return { header, rows, rowCountHeader: response.headers.get('x-row-count') };
}

describe('a VIEWER', () => {
  it('exports the records of one run it may read, the same file an operator gets', async () => {
    const runId = await runWithFailures(3, 2);
    const job = await ready(viewer, (await exportRecords(viewer, failedOf(runId))).id);
    expect(job.rowCount).toBe(3);
    const { header, rows } = await download(job);
    expect(header[5]).toBe('source id');
    expect(rows.map((row) => row[5]).sort()).toEqual(['F-0', 'F-1', 'F-2']);
    expect(rows.every((row) => row[0] === runId && row[8] === 'FAILED')).toBe(true);
  });

  it('may not start a bulk export: no run, several runs, or runs; FORBIDDEN, and nothing is written', async () => {
    const [a, b] = [await runWithFailures(1, 0), await runWithFailures(1, 0)];
    const before = await databaseState(server.databaseUrl);
    const query = 'mutation($filter: RecordFilter) { exportRecords(filter: $filter) { id } }';
    for (const filter of [null, { statuses: ['FAILED'] }, { runIds: [a, b] }, { runIds: [] }]) {
      expect(await viewer.errorCode(query, { filter }), JSON.stringify(filter)).toBe('FORBIDDEN');
    }
    // A worker's key exports nothing, one run's records included.
    expect(await worker.errorCode(query, { filter: { runIds: [a] } })).toBe('FORBIDDEN');
    expect(await viewer.errorCode('mutation($f: RunFilter) { exportRuns(filter: $f) { id } }', { f: { pipelineIds: [] } })).toBe(
      'FORBIDDEN',
    );
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('bound to a tenant, gets none of another tenant’s run', async () => {
    const runId = await runWithFailures(2, 0);
    const tenantViewer = await server.clientFor(Role.VIEWER, 'tenant-elsewhere');
    const job = await ready(tenantViewer, (await exportRecords(tenantViewer, failedOf(runId))).id);
    expect(job.rowCount).toBe(0);
    expect((await download(job)).rows).toEqual([]);
  });
});

describe('the count', () => {
  it('is the file’s: records that left the filter after the job was prepared are in neither', async () => {
    const runId = await runWithFailures(5, 1);
    const job = await ready(viewer, (await exportRecords(viewer, failedOf(runId))).id);
    expect(job.rowCount).toBe(5);
    // Two of them succeed on another attempt before the file is fetched: they are no longer failed records.
    await reportRecords(worker, runId, [recordInput('F-0'), recordInput('F-3')]);
    const { rows, rowCountHeader } = await download(job);
    expect(rows.map((row) => row[5]).sort()).toEqual(['F-1', 'F-2', 'F-4']);
    expect((await exportJob(viewer, job.id)).rowCount).toBe(rows.length);
    expect(rowCountHeader).toBe('3');
  });
});

describe('a download', () => {
  it('read slowly for longer than the pool’s query timeout, still completes (it was cut by "Query read timeout")', async () => {
    // About 12 MB: more than the server buffers ahead (1 MiB) and the sockets hold, so the COPY is still running
    // while the reader waits.
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    const ROWS = 3_000;
    for (let start = 0; start < ROWS; start += 500) {
      await reportRecords(
        worker,
        run.id,
        Array.from({ length: 500 }, (_, i) =>
          recordInput(`L-${start + i}`, { status: 'FAILED', retryable: false, errorMessage: `${start + i} ${'x'.repeat(4_000)}` }),
        ),
      );
    }
    const job = await ready(viewer, (await exportRecords(viewer, failedOf(run.id))).id);
    const response = await fetch(`${server.url}${job.downloadUrl}`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [(await reader.read()).value as Uint8Array];
    await new Promise((resolve) => setTimeout(resolve, QUERY_TIMEOUT_MS + 1_000));
    for (let part = await reader.read(); !part.done; part = await reader.read()) chunks.push(part.value);
    const rows = parseCsv(Buffer.concat(chunks).toString('utf8')).slice(1);
    expect(rows).toHaveLength(ROWS);
    expect(logLines.filter((line) => line.includes('export download'))).toEqual([]);
  }, 60_000);
});

describe('a finished download', () => {
  it('leaves no timer behind: no "export download failed" after the pool’s query timeout', async () => {
    const runId = await runWithFailures(4, 0);
    const job = await ready(viewer, (await exportRecords(viewer, failedOf(runId))).id);
    expect((await download(job)).rows).toHaveLength(4);
    const downloaded = logLines.length;
    await new Promise((resolve) => setTimeout(resolve, QUERY_TIMEOUT_MS + 1_500));
    expect(logLines.slice(downloaded).filter((line) => line.includes('export download'))).toEqual([]);
  }, 20_000);
});
