// SIGTERM while long work is under way, on a server process of its own: an export still counting its rows and a
// purge between batches. The instance stops by itself (exit 0: its own orderly stop, not the forced exit past its
// 10 s deadline), and nothing is left half-done without a trace: the export ends FAILED, the purge keeps the
// batches it committed (each with its CLEANUP record), rolls back the one it was in, and the audit says so.
// Each piece of work is made long by holding, from the test's own connection, a lock it needs.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { lockWaiters } from '../support/lock-waiters.js';
import { type ServerProcess, startServerProcess, stopAllServerProcesses, until } from '../support/process.js';
import { ADMIN_SECRET } from '../support/server.js';

const DAY = 86_400_000;
let databaseUrl: string;
let sql: pg.Client;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('shutdown');
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await stopAllServerProcesses();
  await sql?.end();
});

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess({
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    ADMIN_API_KEY: ADMIN_SECRET,
    LOG_LEVEL: 'info',
    RETENTION_DAYS: '3650', // only the test's purges purge
  });
  if (!server.url) throw new Error(`the server did not start: ${server.stderr()}`);
  return server;
}

const admin = (server: ServerProcess) => new GraphQLClient(`${server.url}/graphql`, ADMIN_SECRET);

/** SIGTERM, then the exit and how long it took. */
async function terminate(server: ServerProcess, what: string) {
  const at = Date.now();
  server.child.kill('SIGTERM');
  const exit = await server.exited;
  console.info(`[ops] SIGTERM during ${what}: stopped in ${Date.now() - at} ms`);
  return exit;
}

/** A connection of the test's own, in a transaction holding a lock until released. */
async function holdLock(statement: string, params: unknown[] = []): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('BEGIN');
  await client.query(statement, params);
  return {
    async release() {
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** Until a statement of the server's matching `like` waits for a lock. */
const waitingOnLock = (like: string) => until(async () => (await lockWaiters(sql, like)) > 0);

it('an export still counting its rows: the instance stops by itself, the job ends FAILED saying why', async () => {
  const server = await start();
  const pipeline = await createPipeline(admin(server));
  const run = await startRun(admin(server), pipeline.id);
  await finishRun(admin(server), run.id);

  await until(async () => /^syncwatch_leader 1$/m.test(await (await fetch(`${server.url}/metrics`)).text()));

  // The count reads the runs table, which the test's own transaction holds: the export stays RUNNING. So does the
  // leader's lease-expiry job, past the jobs' shutdown deadline.
  const lock = await holdLock('LOCK TABLE runs IN ACCESS EXCLUSIVE MODE');
  let exitCode: number | null;
  let jobId: string;
  try {
    const { exportRuns } = await admin(server).ok<{ exportRuns: { id: string } }>('mutation { exportRuns { id status } }');
    jobId = exportRuns.id;
    await waitingOnLock('%export_rows%');
    await waitingOnLock('%lease_expires_at%');
    ({ code: exitCode } = await terminate(server, 'an export (and a background job waiting on the same lock)'));
  } finally {
    await lock.release();
  }
  expect(exitCode).toBe(0);
  const messages = server.logs().map((line) => line.msg);
  // The job past its deadline had its statement cancelled, so the pool could close and the process end by itself.
  expect(messages).toContain('statements still running at shutdown were cancelled');
  expect(messages).toContain('stopped');

  const { rows } = await sql.query('SELECT status, failure FROM export_jobs WHERE id = $1', [jobId]);
  expect(rows[0]).toEqual({ status: 'FAILED', failure: expect.stringContaining('shut down') });
  // And so it reads to its owner, through another instance.
  const next = await start();
  const { exportJob } = await admin(next).ok<{ exportJob: { status: string; downloadUrl: string | null } }>(
    'query($id: ID!) { exportJob(id: $id) { status downloadUrl } }',
    { id: jobId },
  );
  expect(exportJob).toEqual({ status: 'FAILED', downloadUrl: null });
  next.child.kill('SIGTERM');
  await next.exited;
}, 120_000);

it('a purge between batches: committed batches stay with their CLEANUP record, the cut one rolls back, rollups intact, audited', async () => {
  const server = await start();
  const client = admin(server);
  const pipeline = await createPipeline(client);
  const oldStart = Date.now() - 60 * DAY;
  // Two runs with records ended 60 days ago (the first batch), 450 empty ones 50 days ago, and one more with records
  // 40 days ago (the third batch): 453 runs to purge, 200 a batch.
  const oldRuns: string[] = [];
  for (const n of [3, 2]) {
    const run = await startRun(client, pipeline.id, { startedAt: new Date(oldStart).toISOString() });
    await reportRecords(
      client,
      run.id,
      Array.from({ length: n }, (_, i) => recordInput(`old-${run.id}-${i}`, { startedAt: new Date(oldStart + i * 60_000).toISOString() })),
    );
    await finishRun(client, run.id, { endedAt: new Date(oldStart + DAY / 2).toISOString() });
    oldRuns.push(run.id);
  }
  await sql.query(
    `INSERT INTO runs (pipeline_id, mode, status, started_at, ended_at)
     SELECT $1, 'MANUAL', 'SUCCEEDED', now() - interval '50 days', now() - interval '50 days' + g * interval '1 second'
     FROM generate_series(1, 450) g`,
    [pipeline.id],
  );
  const last = await startRun(client, pipeline.id, { startedAt: new Date(Date.now() - 40 * DAY).toISOString() });
  await reportRecords(client, last.id, [recordInput('last-1'), recordInput('last-2')]);
  await finishRun(client, last.id, { endedAt: new Date(Date.now() - 40 * DAY).toISOString() });

  const SUMMARY = `query($range: DateRange, $filter: RecordFilter) {
    syncSummary(range: $range, filter: $filter) { totalSynced { value } totalErrors { value } byStatus { status count } } }`;
  const summaryVariables = {
    range: { from: new Date(oldStart - DAY).toISOString(), to: new Date(oldStart + DAY).toISOString() },
    filter: { pipelineIds: [pipeline.id] },
  };
  const rollupsBefore = (await client.ok<{ syncSummary: unknown }>(SUMMARY, summaryVariables)).syncSummary;
  expect(rollupsBefore).toMatchObject({ totalSynced: { value: 5 } });

  // The third batch cascades into the last run's records, one of which the test holds.
  const lock = await holdLock('SELECT id FROM records WHERE run_id = $1 LIMIT 1 FOR UPDATE', [last.id]);
  let exitCode: number | null;
  let answer: Awaited<ReturnType<GraphQLClient['request']>>;
  try {
    const purging = client.request('mutation { purgeHistory(olderThanDays: 30) { runsDeleted recordsDeleted } }');
    await waitingOnLock('%WITH doomed%');
    ({ code: exitCode } = await terminate(server, 'a purge'));
    answer = await purging;
  } finally {
    await lock.release();
  }
  expect(exitCode).toBe(0);
  // The request in flight was answered: retry later, with what was done.
  expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', runsDeleted: 400, recordsDeleted: 5 });

  const count = async (where: string, params: unknown[] = []) =>
    (await sql.query(`SELECT count(*)::int AS n FROM runs WHERE pipeline_id = $1 AND ${where}`, [pipeline.id, ...params])).rows[0].n;
  // Two whole batches gone, the third whole: not one run of it removed.
  expect(await count(`mode <> 'CLEANUP'`)).toBe(53);
  expect(await count('id = ANY($2::uuid[])', [oldRuns])).toBe(0);
  const { rows: lastRecords } = await sql.query('SELECT count(*)::int AS n FROM records WHERE run_id = $1', [last.id]);
  expect(lastRecords[0].n).toBe(2);
  // The committed batches are on record: one CLEANUP run for the purge, counting what went.
  const { rows: cleanup } = await sql.query(`SELECT count_deleted, config_snapshot FROM runs WHERE pipeline_id = $1 AND mode = 'CLEANUP'`, [
    pipeline.id,
  ]);
  expect(cleanup).toEqual([{ count_deleted: 5, config_snapshot: { retentionDays: 30, runsDeleted: 400, recordsDeleted: 5 } }]);
  const { rows: audit } = await sql.query(`SELECT details FROM audit_entries WHERE action = 'purgeHistory' ORDER BY id`);
  expect(audit).toEqual([
    { details: { olderThanDays: 30, runsDeleted: 400, recordsDeleted: 5, interrupted: expect.stringContaining('shut down') } },
  ]);

  // Through another instance: the rollups still answer for the purged days, and the purge run again finishes.
  const next = await start();
  expect((await admin(next).ok<{ syncSummary: unknown }>(SUMMARY, summaryVariables)).syncSummary).toEqual(rollupsBefore);
  const { purgeHistory } = await admin(next).ok<{ purgeHistory: unknown }>(
    'mutation { purgeHistory(olderThanDays: 30) { runsDeleted recordsDeleted } }',
  );
  expect(purgeHistory).toEqual({ runsDeleted: 53, recordsDeleted: 2 });
  expect(await count(`mode <> 'CLEANUP'`)).toBe(0);
  next.child.kill('SIGTERM');
  await next.exited;
}, 180_000);
