// The worker SDK against a real server over HTTP: runs end to end, failures, graceful stop, claims by mode, cancels, start checks.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import {
  createWorker,
  type RecordReportInput,
  type RunContext,
  SyncwatchError,
  type Worker,
  type WorkerLogger,
  type WorkerOptions,
} from '../../server/sdk/index.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ingestKey: string;
let operator: GraphQLClient;
const workers: Worker[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string } }>(
    'mutation { createApiKey(input: { name: "sdk worker", role: INGEST }) { secret } }',
  );
  ingestKey = createApiKey.secret;
  operator = await server.clientFor(Role.OPERATOR);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await server?.stop();
});

async function createPipeline(name: string): Promise<string> {
  const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    { input: { name, sourceSystem: 'Billing', targetSystem: 'CRM' } },
  );
  return createPipeline.id;
}

function worker(pipelineId: string, options: Partial<WorkerOptions> = {}): Worker {
  const created = createWorker({
    url: server.graphqlUrl,
    apiKey: ingestKey,
    pipelineId,
    workerId: 'test-worker',
    pollIntervalMs: 200,
    ...options,
  });
  workers.push(created);
  return created;
}

interface RunState {
  status: string;
  mode: string;
  error: string | null;
  counts: { total: number; succeeded: number; failed: number; created: number; updated: number };
}

async function runState(id: string): Promise<RunState> {
  const { run } = await server.admin.ok<{ run: RunState }>(
    'query($id: ID!) { run(id: $id) { status mode error counts { total succeeded failed created updated } } }',
    { id },
  );
  return run;
}

const account = (i: number, status: RecordReportInput['status'] = 'SUCCESS'): RecordReportInput => ({
  entityType: 'Account',
  sourceId: `acc-${i}`,
  operation: i % 3 === 0 ? 'CREATE' : 'UPDATE',
  status,
  ...(status === 'FAILED' ? { errorCode: 'ROW_LOCKED', errorMessage: `unable to lock row acc-${i}` } : {}),
});

const silent: WorkerLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves once the handler has seen its signal fire, with the context it got. */
function waitForAbort(context: RunContext): Promise<void> {
  return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
}

describe('a worker built with the SDK', () => {
  it('runs a run end to end: records sent in batches, status derived, counts right', async () => {
    const pipelineId = await createPipeline('sdk end to end');
    const sdk = worker(pipelineId, { batchSize: 500 });
    const outcome = await sdk.startRun({ mode: 'REAL_TIME', operationType: 'Push updates' }, async (context) => {
      for (let i = 0; i < 1_234; i++) await context.report(account(i, i % 100 === 7 ? 'FAILED' : 'SUCCESS'));
    });

    expect(outcome.status).toBe('COMPLETED_WITH_ERRORS');
    expect(outcome.counts).toMatchObject({ total: 1_234, failed: 13, succeeded: 1_221 });
    const run = await runState(outcome.id);
    expect(run).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', mode: 'REAL_TIME' });
    expect(run.counts).toMatchObject({ total: 1_234, failed: 13, created: 408, updated: 813 });
    // One records event per reportRecords call: 500 + 500 + 234.
    const [{ batches }] = await server.instance.db.query(
      `SELECT count(*)::int AS batches FROM events WHERE kind = 'records' AND run_id = $1`,
      [outcome.id],
    );
    expect(batches).toBe(3);
  });

  it('flushes a small batch by time while the handler is still busy', async () => {
    const pipelineId = await createPipeline('sdk flush by time');
    const sdk = worker(pipelineId, { batchSize: 500, flushIntervalMs: 50 });
    let seenWhileRunning = -1;
    const outcome = await sdk.startRun({ mode: 'REAL_TIME' }, async (context) => {
      for (let i = 0; i < 3; i++) await context.report(account(i));
      await vi.waitFor(async () => expect((await runState(context.run.id)).counts.total).toBe(3), { timeout: 10_000, interval: 20 });
      seenWhileRunning = (await runState(context.run.id)).counts.total;
    });
    expect(seenWhileRunning).toBe(3);
    expect(outcome.status).toBe('SUCCEEDED');
  });

  it('finishes a run FAILED with the message when the handler throws, keeping what was reported', async () => {
    const pipelineId = await createPipeline('sdk handler error');
    const sdk = worker(pipelineId);
    const outcome = await sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      for (let i = 0; i < 10; i++) await context.report(account(i));
      throw new Error('CRM connection refused: 10.0.3.7:443');
    });
    expect(outcome.status).toBe('FAILED');
    const run = await runState(outcome.id);
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CRM connection refused: 10.0.3.7:443');
    expect(run.counts.total).toBe(10);
  });

  it('claims a run queued by an operator (found by polling) and runs it with the handler of its mode', async () => {
    const pipelineId = await createPipeline('sdk claims');
    const seen: { mode: string; operationType: string | null }[] = [];
    const sdk = worker(pipelineId, {
      subscribe: false,
      handlers: {
        MANUAL: async (context) => {
          seen.push({ mode: context.run.mode, operationType: context.run.operationType });
          for (let i = 0; i < 25; i++) await context.report(account(i));
        },
      },
    });
    await sdk.start();
    const { triggerSync } = await operator.ok<{ triggerSync: { id: string; status: string } }>(
      'mutation($p: ID!) { triggerSync(pipelineId: $p, mode: MANUAL, operationType: "Full sync") { id status } }',
      { p: pipelineId },
    );
    expect(triggerSync.status).toBe('QUEUED');
    await vi.waitFor(async () => expect((await runState(triggerSync.id)).status).toBe('SUCCEEDED'), { timeout: 15_000, interval: 50 });
    expect(seen).toEqual([{ mode: 'MANUAL', operationType: 'Full sync' }]);
    expect((await runState(triggerSync.id)).counts.total).toBe(25);
  });

  it('fires the AbortSignal when an operator cancels a running run (learnt from a heartbeat), which then ends CANCELLED', async () => {
    const pipelineId = await createPipeline('sdk cancel');
    // Without workerCommands: the heartbeat's cancelRequested is what tells the worker.
    const sdk = worker(pipelineId, { heartbeatIntervalMs: 100, subscribe: false });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    let reason: string | null = null;
    const outcome = sdk.startRun({ mode: 'MANUAL' }, async (context) => {
      await context.report(account(1));
      await context.flush();
      started();
      await waitForAbort(context);
      reason = context.abortReason;
    });
    await running;
    const [runId] = sdk.activeRunIds();
    const { cancelRun } = await operator.ok<{ cancelRun: { status: string } }>(
      'mutation($id: ID!) { cancelRun(runId: $id, reason: "wrong filter") { status } }',
      {
        id: runId,
      },
    );
    expect(cancelRun.status).toBe('CANCELLING');

    expect((await outcome).status).toBe('CANCELLED');
    expect(reason).toBe('cancelled');
    const run = await runState(runId);
    expect(run.status).toBe('CANCELLED');
    expect(run.counts.total).toBe(1);
  });

  it('is woken by workerCommands: claims a queued run and aborts on CANCEL_RUN without polling or heartbeats', async () => {
    const pipelineId = await createPipeline('sdk worker commands');
    const claimed: string[] = [];
    const aborted: (string | null)[] = [];
    const sdk = worker(pipelineId, {
      pollIntervalMs: 3_600_000,
      heartbeatIntervalMs: 3_600_000,
      handlers: {
        default: async (context) => {
          claimed.push(context.run.id);
          await waitForAbort(context);
          aborted.push(context.abortReason);
        },
      },
    });
    await sdk.start();
    const trigger = () =>
      operator
        .ok<{ triggerSync: { id: string } }>('mutation($p: ID!) { triggerSync(pipelineId: $p) { id } }', { p: pipelineId })
        .then((d) => d.triggerSync.id);
    const cancel = (id: string) => operator.ok('mutation($id: ID!) { cancelRun(runId: $id) { status } }', { id });

    // The first may be found by the claim made on connecting; after that only a command can wake the worker.
    const first = await trigger();
    await vi.waitFor(() => expect(claimed).toEqual([first]), { timeout: 15_000, interval: 20 });
    await cancel(first);
    await vi.waitFor(async () => expect((await runState(first)).status).toBe('CANCELLED'), { timeout: 15_000, interval: 50 });

    const second = await trigger();
    await vi.waitFor(() => expect(claimed).toEqual([first, second]), { timeout: 15_000, interval: 20 });
    await cancel(second);
    await vi.waitFor(async () => expect((await runState(second)).status).toBe('CANCELLED'), { timeout: 15_000, interval: 50 });
    expect(aborted).toEqual(['cancelled', 'cancelled']);
  });

  it('hands a RETRY run its records to re-attempt, page after page, and the originals follow the results', async () => {
    const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      {
        input: {
          name: 'sdk retry run',
          sourceSystem: 'Billing',
          targetSystem: 'CRM',
          retryPolicy: { nonRetryableErrorCodes: ['INVALID_ID'] },
        },
      },
    );
    const pipelineId = createPipeline.id;
    const seen: { sourceId: string; attempts: number }[] = [];
    const sdk = worker(pipelineId, {
      handlers: {
        RETRY: async (context) => {
          for await (const record of context.records()) {
            seen.push({ sourceId: record.sourceId, attempts: record.attempts });
            await context.report({
              entityType: record.entityType,
              sourceId: record.sourceId,
              operation: record.operation,
              status: 'SUCCESS',
              targetId: `crm-${record.sourceId}`,
            });
          }
        },
      },
    });
    // 620 failures that need a person (never retried automatically), then an operator retries the run.
    const original = await sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      for (let i = 0; i < 630; i++) {
        await context.report(
          i < 620
            ? {
                entityType: 'Account',
                sourceId: `acc-${i}`,
                operation: 'UPDATE',
                status: 'FAILED',
                errorCode: 'INVALID_ID',
                errorMessage: `Invalid CRM Account ID: ${i}`,
              }
            : account(i),
        );
      }
    });
    expect(original.counts).toMatchObject({ total: 630, failed: 620 });
    const { retryRun } = await operator.ok<{ retryRun: { scheduled: number; retryRun: { id: string } } }>(
      'mutation($id: ID!) { retryRun(runId: $id) { scheduled retryRun { id } } }',
      { id: original.id },
    );
    expect(retryRun.scheduled).toBe(620);

    await sdk.start();
    await vi.waitFor(async () => expect((await runState(retryRun.retryRun.id)).status).toBe('SUCCEEDED'), {
      timeout: 30_000,
      interval: 100,
    });
    expect(seen).toHaveLength(620);
    expect(new Set(seen.map((r) => r.sourceId)).size).toBe(620);
    expect(seen.every((r) => r.attempts === 2)).toBe(true);
    const after = await runState(original.id);
    expect(after.counts).toMatchObject({ total: 630, failed: 0, succeeded: 630 });
  });

  it('retries an entity that failed in two runs in both of them (one retry run cannot hold the same entity twice)', async () => {
    const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      {
        input: {
          name: 'sdk same entity twice',
          sourceSystem: 'Billing',
          targetSystem: 'CRM',
          retryPolicy: { nonRetryableErrorCodes: ['INVALID_ID'] },
        },
      },
    );
    const retried: string[] = [];
    const sdk = worker(createPipeline.id, {
      handlers: {
        RETRY: async (context) => {
          for await (const record of context.records()) {
            retried.push(record.sourceId);
            await context.report({
              entityType: record.entityType,
              sourceId: record.sourceId,
              operation: record.operation,
              status: 'SUCCESS',
            });
          }
        },
      },
    });
    const failOnce = () =>
      sdk.startRun({ mode: 'REAL_TIME' }, async (context) => {
        await context.report({
          entityType: 'Account',
          sourceId: 'acc-twice',
          operation: 'UPDATE',
          status: 'FAILED',
          errorCode: 'INVALID_ID',
          errorMessage: 'Invalid CRM Account ID: 7',
        });
      });
    const runs = [await failOnce(), await failOnce()];
    const { retryRecords } = await operator.ok<{ retryRecords: { scheduled: number } }>(
      'mutation($p: [ID!]) { retryRecords(filter: { pipelineIds: $p, sourceId: "acc-twice" }) { scheduled } }',
      { p: [createPipeline.id] },
    );
    expect(retryRecords.scheduled).toBe(2);

    await sdk.start();
    for (const run of runs) {
      await vi.waitFor(async () => expect((await runState(run.id)).counts).toMatchObject({ total: 1, failed: 0, succeeded: 1 }), {
        timeout: 30_000,
        interval: 100,
      });
    }
    expect(retried).toEqual(['acc-twice', 'acc-twice']);
  });

  it('stops gracefully: lets the active run finish, then claims nothing more', async () => {
    const pipelineId = await createPipeline('sdk graceful stop');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handled = 0;
    const sdk = worker(pipelineId, {
      handlers: {
        default: async (context) => {
          handled++;
          await context.report(account(1));
          await gate;
          await context.report(account(2));
        },
      },
    });
    await sdk.start();
    const trigger = () =>
      operator
        .ok<{ triggerSync: { id: string } }>('mutation($p: ID!) { triggerSync(pipelineId: $p) { id } }', { p: pipelineId })
        .then((d) => d.triggerSync.id);
    const first = await trigger();
    await vi.waitFor(() => expect(sdk.activeRunIds()).toEqual([first]), { timeout: 15_000, interval: 20 });

    const stopped = sdk.stop();
    const second = await trigger();
    release();
    await stopped;

    const run = await runState(first);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.counts.total).toBe(2);
    expect(handled).toBe(1);
    expect((await runState(second)).status).toBe('QUEUED');
  });

  it('aborts a handler that outlasts the stop timeout; one that throws then finishes its run FAILED', async () => {
    const pipelineId = await createPipeline('sdk stop timeout');
    const sdk = worker(pipelineId, { stopTimeoutMs: 100 });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const outcome = sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      await context.report(account(1));
      started();
      await waitForAbort(context);
      context.signal.throwIfAborted();
    });
    await running;
    await sdk.stop();
    const finished = await outcome;
    expect(finished.status).toBe('FAILED');
    expect((await runState(finished.id)).error).toMatch(/worker stopped/);
    await expect(sdk.startRun({ mode: 'SCHEDULED' }, async () => {})).rejects.toThrow(/stopping/);
  });

  it('keeps its own outcome for a handler that completes after the stop aborted it', async () => {
    const pipelineId = await createPipeline('sdk stop then complete');
    const sdk = worker(pipelineId, { stopTimeoutMs: 100 });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const outcome = sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      started();
      await waitForAbort(context);
      await context.report(account(1)); // the last piece of work, then done
    });
    await running;
    await sdk.stop();
    const finished = await outcome;
    expect(finished.status).toBe('SUCCEEDED');
    expect(await runState(finished.id)).toMatchObject({ status: 'SUCCEEDED', error: null, counts: { total: 1 } });
  });

  it('stops without waiting for ever for a handler that ignores its signal; its startRun rejects and its run is left to the lease', async () => {
    const pipelineId = await createPipeline('sdk stop ignored');
    const warnings: string[] = [];
    const sdk = worker(pipelineId, { stopTimeoutMs: 100, logger: { ...silent, warn: (msg) => warnings.push(msg) } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const outcome = sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      started();
      await gate; // deaf to the signal
      await context.report(account(1));
    });
    outcome.catch(() => {});
    await running;
    await sdk.stop();
    expect(warnings).toContain("run handler ignored the stop; the server's lease will end its run");
    await expect(outcome).rejects.toMatchObject({ name: 'AbortError', reason: 'stopping' });

    release(); // finishing late changes nothing: the worker has let the run go
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { runs } = await server.admin.ok<{ runs: { edges: { node: { status: string; counts: { total: number } } }[] } }>(
      'query($p: [ID!]) { runs(filter: { pipelineIds: $p }) { edges { node { status counts { total } } } } }',
      { p: [pipelineId] },
    );
    expect(runs.edges.map((e) => e.node)).toEqual([{ status: 'RUNNING', counts: { total: 0 } }]);
  });

  it('claims only runs of the modes it has handlers for; a worker without handlers claims none', async () => {
    const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
      'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
      {
        input: {
          name: 'sdk claims by mode',
          sourceSystem: 'Billing',
          targetSystem: 'CRM',
          retryPolicy: { nonRetryableErrorCodes: ['INVALID_ID'] },
        },
      },
    );
    const pipelineId = createPipeline.id;
    const handledBy: Record<string, string> = {};
    const handle = (name: string) => async (context: RunContext) => {
      handledBy[context.run.id] = name;
      for await (const record of context.records()) {
        await context.report({ entityType: record.entityType, sourceId: record.sourceId, operation: record.operation, status: 'SUCCESS' });
      }
    };
    const idle = worker(pipelineId, { workerId: 'idle-worker', pollIntervalMs: 50 });
    const retries = worker(pipelineId, { workerId: 'retry-worker', pollIntervalMs: 50, handlers: { RETRY: handle('retry') } });
    await idle.start();
    await retries.start();

    // A worker without handlers still runs what it starts itself.
    const original = await idle.startRun({ mode: 'SCHEDULED' }, async (context) => {
      await context.report({ ...account(1, 'FAILED'), errorCode: 'INVALID_ID' });
    });
    const { triggerSync: manual } = await operator.ok<{ triggerSync: { id: string } }>(
      'mutation($p: ID!) { triggerSync(pipelineId: $p, mode: MANUAL) { id } }',
      { p: pipelineId },
    );
    const { retryRun } = await operator.ok<{ retryRun: { retryRun: { id: string } } }>(
      'mutation($id: ID!) { retryRun(runId: $id) { retryRun { id } } }',
      { id: original.id },
    );
    const retry = retryRun.retryRun.id;
    // The RETRY run was queued after the MANUAL one, and both workers were looking all along: the MANUAL one still waits.
    await vi.waitFor(async () => expect((await runState(retry)).status).toBe('SUCCEEDED'), { timeout: 15_000, interval: 50 });
    expect((await runState(manual.id)).status).toBe('QUEUED');

    const manuals = worker(pipelineId, { workerId: 'manual-worker', pollIntervalMs: 50, handlers: { MANUAL: handle('manual') } });
    await manuals.start();
    await vi.waitFor(async () => expect((await runState(manual.id)).status).toBe('SUCCEEDED'), { timeout: 15_000, interval: 50 });
    expect(handledBy).toEqual({ [retry]: 'retry', [manual.id]: 'manual' });
    const claimedBy = await server.instance.db.query('SELECT id, worker_id FROM runs WHERE id = ANY($1) ORDER BY worker_id', [
      [retry, manual.id],
    ]);
    expect(claimedBy).toEqual([
      { id: manual.id, worker_id: 'manual-worker' },
      { id: retry, worker_id: 'retry-worker' },
    ]);
  });

  it('start() rejects a worker that cannot work, naming why, instead of polling for ever', async () => {
    const pipelineId = await createPipeline('sdk misconfigured');
    const viewerKey = (await server.clientFor(Role.VIEWER)).secret as string;
    const cases: [Partial<WorkerOptions>, string][] = [
      [{ apiKey: 'not-a-key' }, 'UNAUTHENTICATED'],
      [{ apiKey: viewerKey }, 'FORBIDDEN'],
      [{ pipelineId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND'],
      [{ pipelineId: 'pipeline-7' }, 'NOT_FOUND'],
      [{ url: 'http://127.0.0.1:1/graphql' }, 'NETWORK'],
    ];
    for (const [options, code] of cases) {
      const failing = worker(pipelineId, { ...options, logger: silent, handlers: { default: async () => {} } });
      const error = await failing.start().catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(SyncwatchError);
      expect((error as SyncwatchError).code).toBe(code);
    }

    const good = worker(pipelineId);
    await good.start();
    await good.stop();
    expect(() => good.start()).toThrow(/stopped/);
  });

  it('refuses options it cannot work with', () => {
    const valid: WorkerOptions = { url: server.graphqlUrl, apiKey: ingestKey, pipelineId: 'p', workerId: 'w' };
    expect(() => createWorker({ ...valid, url: 'localhost:4000/graphql' })).toThrow(/url/);
    expect(() => createWorker({ ...valid, url: 'ftp://localhost/graphql' })).toThrow(/url/);
    expect(() => createWorker({ ...valid, apiKey: '' })).toThrow(/apiKey/);
    expect(() => createWorker({ ...valid, stopTimeoutMs: -1 })).toThrow(/stopTimeoutMs/);
    expect(() => createWorker({ ...valid, handlers: { MANUALL: async () => {} } as WorkerOptions['handlers'] })).toThrow(/MANUALL/);
    expect(() => createWorker({ ...valid, stopTimeoutMs: 0 })).not.toThrow();
  });
});
