// Runs bound to the worker that holds them: heartbeat, reportRecords and finishRun of another worker's run are
// refused; the key that started or claimed a run, or a worker with its lease token, may act on it.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, type PipelineView, recordInput } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let pipeline: PipelineView;
let workerA: GraphQLClient;
let workerB: GraphQLClient;
beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  pipeline = await createPipeline(server.admin);
  workerA = await server.clientFor(Role.INGEST);
  workerB = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

interface HeldRun {
  id: string;
  leaseToken: string | null;
}

const START = 'mutation($input: StartRunInput!) { startRun(input: $input) { id leaseToken } }';
const HEARTBEAT = 'mutation($runId: ID!, $t: String) { heartbeat(runId: $runId, leaseToken: $t) { cancelRequested } }';
const REPORT =
  'mutation($runId: ID!, $records: [RecordReportInput!]!, $t: String) { reportRecords(runId: $runId, records: $records, leaseToken: $t) { accepted } }';
const FINISH = 'mutation($runId: ID!, $t: String) { finishRun(runId: $runId, leaseToken: $t) { id status } }';

async function start(client: GraphQLClient): Promise<HeldRun> {
  return (await client.ok<{ startRun: HeldRun }>(START, { input: { pipelineId: pipeline.id, mode: 'MANUAL' } })).startRun;
}

/** The three worker calls, each answered with its error code (or 'ok'). */
async function workerCalls(client: GraphQLClient, runId: string, token?: string | null) {
  const code = async (query: string, variables: Record<string, unknown>) => {
    const result = await client.request(query, { runId, t: token ?? null, ...variables });
    return result.errors?.[0]?.extensions?.code ?? 'ok';
  };
  return {
    heartbeat: await code(HEARTBEAT, {}),
    report: await code(REPORT, { records: [recordInput(`r-${Math.random()}`)] }),
    finish: await code(FINISH, {}),
  };
}

const recordsOf = async (runId: string) =>
  (
    await server.admin.ok<{ run: { counts: { total: number }; status: string } }>(
      'query($id: ID!) { run(id: $id) { status counts { total } } }',
      { id: runId },
    )
  ).run;

describe('a run held by one worker', () => {
  it('hands its lease token to the worker that started it, and to no one else', async () => {
    const run = await start(workerA);
    expect(run.leaseToken).toEqual(expect.any(String));
    const { run: read } = await workerA.ok<{ run: { leaseToken: string | null } }>('query($id: ID!) { run(id: $id) { leaseToken } }', {
      id: run.id,
    });
    expect(read.leaseToken).toBeNull();
  });

  it('refuses another key without the token (FORBIDDEN) and changes nothing', async () => {
    const run = await start(workerA);
    expect(await workerCalls(workerB, run.id)).toEqual({ heartbeat: 'FORBIDDEN', report: 'FORBIDDEN', finish: 'FORBIDDEN' });
    expect(await recordsOf(run.id)).toEqual({ status: 'RUNNING', counts: { total: 0 } });
    const refused = await workerB.request(HEARTBEAT, { runId: run.id });
    expect(refused.errors?.[0].message).toMatch(/started or claimed by another key/);
  });

  it('refuses a token that is not the run’s (CONFLICT), even from the key that holds it', async () => {
    const run = await start(workerA);
    const other = await start(workerA);
    expect(await workerCalls(workerA, run.id, other.leaseToken)).toEqual({ heartbeat: 'CONFLICT', report: 'CONFLICT', finish: 'CONFLICT' });
    expect(await recordsOf(run.id)).toEqual({ status: 'RUNNING', counts: { total: 0 } });
  });

  it('lets the key that holds it act without the token, and any key with the token', async () => {
    const run = await start(workerA);
    expect(await workerCalls(workerA, run.id)).toEqual({ heartbeat: 'ok', report: 'ok', finish: 'ok' });
    const handed = await start(workerA);
    expect(await workerCalls(workerB, handed.id, handed.leaseToken)).toEqual({ heartbeat: 'ok', report: 'ok', finish: 'ok' });
  });

  it('binds a claimed run to the claiming worker: a second worker on the same key with its own lease is refused', async () => {
    const { triggerSync } = await server.admin.ok<{ triggerSync: { id: string } }>(
      'mutation($p: ID!) { triggerSync(pipelineId: $p) { id } }',
      {
        p: pipeline.id,
      },
    );
    const { claimRun } = await workerA.ok<{ claimRun: HeldRun }>(
      'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "a-1") { id leaseToken } }',
      { p: pipeline.id },
    );
    expect(claimRun.id).toBe(triggerSync.id);
    const mine = await start(workerA); // the same key's other worker, with its own lease
    expect(await workerCalls(workerA, claimRun.id, mine.leaseToken)).toEqual({
      heartbeat: 'CONFLICT',
      report: 'CONFLICT',
      finish: 'CONFLICT',
    });
    expect(await workerCalls(workerB, claimRun.id)).toEqual({ heartbeat: 'FORBIDDEN', report: 'FORBIDDEN', finish: 'FORBIDDEN' });
    expect(await workerCalls(workerA, claimRun.id, claimRun.leaseToken)).toEqual({ heartbeat: 'ok', report: 'ok', finish: 'ok' });
  });
});

describe('the demo worker (docker-compose)', () => {
  /** Runs server/demo/worker.ts with this key until it exits by itself; its exit code and stderr. */
  const demoWorker = (key: string) =>
    new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, ['--import', 'tsx/esm', 'server/demo/worker.ts'], {
        cwd: resolve(import.meta.dirname, '../..'),
        env: { ...process.env, SYNCWATCH_URL: server.graphqlUrl, SYNCWATCH_INGEST_KEY: key, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('exit', (code) => done({ code, stderr }));
    });

  it('refuses the admin key, or no key: it runs on an INGEST key only', async () => {
    const withAdmin = await demoWorker(ADMIN_SECRET);
    expect(withAdmin.code).toBe(2);
    expect(withAdmin.stderr).toMatch(/is an ADMIN key; give the worker an INGEST key/);
    const without = await demoWorker('');
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/SYNCWATCH_INGEST_KEY/);
  });
});
