// The worker SDK when the server ends a run behind the worker's back (a short lease): the handler hears of it through
// its signal, and the run's promise resolves with how the server ended it. A stopped worker leaves a deaf handler's run to the lease.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import {
  type AbortReason,
  createWorker,
  type RecordReportInput,
  RunAbortedError,
  type RunContext,
  type Worker,
  type WorkerOptions,
} from '../../server/sdk/index.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const LEASE_SECONDS = 2;
/** Longer than the lease: the server ends the run before the worker's next heartbeat. */
const LATE_HEARTBEAT_MS = 5_000;

let server: TestServer;
let ingestKey: string;
let operator: GraphQLClient;
const workers: Worker[] = [];
const pipelineOf = new Map<Worker, string>();

beforeAll(async () => {
  server = await startTestServer({ LEASE_SECONDS: String(LEASE_SECONDS) });
  ingestKey = (await server.clientFor(Role.INGEST)).secret as string;
  operator = await server.clientFor(Role.OPERATOR);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await server?.stop();
});

async function worker(name: string, options: Partial<WorkerOptions> = {}): Promise<Worker> {
  const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    { input: { name, sourceSystem: 'Billing', targetSystem: 'CRM' } },
  );
  const created = createWorker({
    url: server.graphqlUrl,
    apiKey: ingestKey,
    pipelineId: createPipeline.id,
    workerId: 'lease-worker',
    subscribe: false,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    ...options,
  });
  workers.push(created);
  pipelineOf.set(created, createPipeline.id);
  return created;
}

async function runState(id: string): Promise<{ status: string; error: string | null }> {
  const { run } = await server.admin.ok<{ run: { status: string; error: string | null } }>(
    'query($id: ID!) { run(id: $id) { status error } }',
    { id },
  );
  return run;
}

const untilStatus = (id: string, status: string) =>
  vi.waitFor(async () => expect((await runState(id)).status).toBe(status), { timeout: 20_000, interval: 100 });

const account = (i: number): RecordReportInput => ({ entityType: 'Account', sourceId: `acc-${i}`, operation: 'UPDATE', status: 'SUCCESS' });

function waitForAbort(context: RunContext): Promise<void> {
  return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** A promise and the function that resolves it. */
function latch(): [Promise<void>, () => void] {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return [promise, open];
}

describe('a run the server ends while its handler still works', () => {
  it('fires the signal (lost) at the next heartbeat, and startRun resolves with the run FAILED by the lease', async () => {
    const sdk = await worker('lease lost by heartbeat', { heartbeatIntervalMs: LATE_HEARTBEAT_MS });
    const [running, started] = latch();
    let reason: AbortReason | null = null;
    let signalReason: unknown = null;
    const outcome = sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      await context.report(account(1));
      await context.flush();
      started();
      await waitForAbort(context);
      reason = context.abortReason;
      signalReason = context.signal.reason;
    });
    await running;
    const [runId] = sdk.activeRunIds();
    await untilStatus(runId, 'FAILED');

    const finished = await outcome;
    expect(finished).toMatchObject({ id: runId, status: 'FAILED', error: 'worker lost: lease expired' });
    expect(finished.counts.total).toBe(1);
    expect(reason).toBe('lost');
    expect(signalReason).toBeInstanceOf(RunAbortedError);
    expect((signalReason as RunAbortedError).reason).toBe('lost');
  });

  it('fires the signal (lost) when a report is refused, and startRun resolves with the run FAILED by the lease', async () => {
    const sdk = await worker('lease lost by report', { heartbeatIntervalMs: LATE_HEARTBEAT_MS });
    const [running, started] = latch();
    const [ended, runEnded] = latch();
    let reason: AbortReason | null = null;
    let reportError: unknown = null;
    const outcome = sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      started();
      await ended;
      await context.report(account(1));
      reportError = await context.flush().catch((error: unknown) => error);
      reason = context.abortReason;
      throw reportError;
    });
    await running;
    const [runId] = sdk.activeRunIds();
    await untilStatus(runId, 'FAILED');
    runEnded();

    const finished = await outcome;
    expect(finished).toMatchObject({ id: runId, status: 'FAILED', error: 'worker lost: lease expired' });
    expect(reportError).toMatchObject({ code: 'CONFLICT' });
    expect(reason).toBe('lost');
  });

  it('resolves with CANCELLED when the run was cancelled and its lease ended it before the worker heard', async () => {
    const sdk = await worker('lease cancelled', { heartbeatIntervalMs: LATE_HEARTBEAT_MS });
    const [running, started] = latch();
    const outcome = sdk.startRun({ mode: 'MANUAL' }, async (context) => {
      await context.report(account(1));
      await context.flush();
      started();
      await waitForAbort(context);
    });
    await running;
    const [runId] = sdk.activeRunIds();
    await operator.ok('mutation($id: ID!) { cancelRun(runId: $id) { status } }', { id: runId });
    await untilStatus(runId, 'CANCELLED');

    const finished = await outcome;
    expect(finished).toMatchObject({ id: runId, status: 'CANCELLED' });
  });

  it('ends a claimed run the same way: finished as the server ended it, not a failed finish', async () => {
    const logged: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log = (msg: string, fields?: Record<string, unknown>) => logged.push({ msg, fields });
    const [running, started] = latch();
    let reason: AbortReason | null = null;
    const sdk = await worker('lease lost by a claimed run', {
      heartbeatIntervalMs: LATE_HEARTBEAT_MS,
      pollIntervalMs: 100,
      logger: { debug() {}, info: log, warn: log, error: log },
      handlers: {
        MANUAL: async (context) => {
          started();
          await waitForAbort(context);
          reason = context.abortReason;
        },
      },
    });
    await sdk.start();
    const { triggerSync } = await operator.ok<{ triggerSync: { id: string } }>(
      'mutation($p: ID!) { triggerSync(pipelineId: $p, mode: MANUAL) { id } }',
      { p: pipelineOf.get(sdk) },
    );
    await running;
    await untilStatus(triggerSync.id, 'FAILED');
    await vi.waitFor(() => expect(sdk.activeRunIds()).toEqual([]), { timeout: 20_000, interval: 50 });
    expect(reason).toBe('lost');
    expect(logged).toContainEqual({ msg: 'run finished', fields: expect.objectContaining({ runId: triggerSync.id, status: 'FAILED' }) });
    expect(logged.map((l) => l.msg)).not.toContain('finishRun failed');
  });
});

describe('a stopped worker', () => {
  it('stops heartbeating a handler that ignores its signal, so the lease ends the run; its startRun rejects at the stop', async () => {
    const sdk = await worker('lease after stop', { heartbeatIntervalMs: 200, stopTimeoutMs: 100 });
    const [running, started] = latch();
    const [gate, release] = latch();
    const outcome = sdk.startRun({ mode: 'SCHEDULED' }, async (context) => {
      started();
      await gate; // deaf to the signal
      await context.report(account(1)).catch(() => {});
    });
    outcome.catch(() => {});
    await running;
    const [runId] = sdk.activeRunIds();
    await sdk.stop();
    await expect(outcome).rejects.toMatchObject({ name: 'AbortError', reason: 'stopping' });
    await untilStatus(runId, 'FAILED');
    expect((await runState(runId)).error).toBe('worker lost: lease expired');
    release();
  });
});
