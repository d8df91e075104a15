// The run state machine (docs/architecture.md) through the real API: derivation, cancel, claim, and refused transitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { databaseState } from '../support/db-state.js';
import {
  createPipeline,
  finishRun,
  getRun,
  type PipelineView,
  RUN_FIELDS,
  type RunView,
  recordInput,
  reportRecords,
  startRun,
  triggerSync,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ingest: GraphQLClient;
let operator: GraphQLClient;
let pipeline: PipelineView;

beforeAll(async () => {
  // No background jobs: refused actions are checked to change nothing in the whole database.
  server = await startTestServer({}, { jobs: false });
  ingest = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
  pipeline = await createPipeline(server.admin);
});
afterAll(() => server?.stop());

const HEARTBEAT = 'mutation($runId: ID!) { heartbeat(runId: $runId) { cancelRequested leaseExpiresAt } }';
const CANCEL = `mutation($runId: ID!, $reason: String) { cancelRun(runId: $runId, reason: $reason) { ${RUN_FIELDS} } }`;
const FINISH = `mutation($runId: ID!, $input: FinishRunInput) { finishRun(runId: $runId, input: $input) { ${RUN_FIELDS} } }`;
const REPORT = `mutation($runId: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $runId, records: $records) { accepted } }`;
const CLAIM = `mutation($pipelineId: ID!, $workerId: String!) { claimRun(pipelineId: $pipelineId, workerId: $workerId) { ${RUN_FIELDS} } }`;

async function cancel(runId: string, reason?: string): Promise<RunView> {
  const { cancelRun } = await operator.ok<{ cancelRun: RunView }>(CANCEL, { runId, reason });
  return cancelRun;
}

/** Asserts the request fails with CONFLICT and leaves every table exactly as it was. */
async function expectConflictChangingNothing(client: GraphQLClient, query: string, variables: Record<string, unknown>): Promise<void> {
  const before = await databaseState(server.databaseUrl);
  expect(await client.errorCode(query, variables)).toBe('CONFLICT');
  expect(await databaseState(server.databaseUrl)).toEqual(before);
}

describe('startRun and finishRun', () => {
  it('keep what the worker says, with defaults for the rest', async () => {
    const { me } = await ingest.ok<{ me: { name: string } }>('{ me { name } }');
    const { startRun: run } = await ingest.ok<{ startRun: RunView & { expectedTotal: number; configSnapshot: unknown } }>(
      `mutation($input: StartRunInput!) { startRun(input: $input) { ${RUN_FIELDS} expectedTotal configSnapshot } }`,
      {
        input: {
          pipelineId: pipeline.id,
          mode: 'SCHEDULED',
          operationType: 'Pull updates',
          correlationId: 'nightly-2026-11-20',
          expectedTotal: 1200,
          configSnapshot: { window: '24h' },
          startedAt: '2026-11-20T02:00:00.000Z',
        },
      },
    );
    expect(run).toMatchObject({
      status: 'RUNNING',
      mode: 'SCHEDULED',
      operationType: 'Pull updates',
      correlationId: 'nightly-2026-11-20',
      triggeredBy: me.name,
      expectedTotal: 1200,
      configSnapshot: { window: '24h' },
      startedAt: '2026-11-20T02:00:00.000Z',
      endedAt: null,
    });
    const { finishRun: finished } = await ingest.ok<{ finishRun: RunView & { durationMs: number } }>(
      `mutation($id: ID!) { finishRun(runId: $id, input: { endedAt: "2026-11-20T02:30:15.250Z" }) { ${RUN_FIELDS} durationMs } }`,
      { id: run.id },
    );
    expect(finished).toMatchObject({ status: 'SUCCEEDED', endedAt: '2026-11-20T02:30:15.250Z', durationMs: 1_815_250 });
  });
});

describe('finishRun without a status derives it', () => {
  it('is SUCCEEDED when no record failed (skipped records are not failures)', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('a-1'), recordInput('a-2', { status: 'SKIPPED' })]);
    const finished = await finishRun(ingest, run.id);
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.endedAt).not.toBeNull();
    expect(finished.leaseExpiresAt).toBeNull();
  });

  it('is SUCCEEDED for a run with no records at all', async () => {
    const run = await startRun(ingest, pipeline.id);
    expect((await finishRun(ingest, run.id)).status).toBe('SUCCEEDED');
  });

  it.each(['FAILED', 'EXTRACTION_FAILED', 'PARTIALLY_FAILED'])('is COMPLETED_WITH_ERRORS when a record is %s', async (status) => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [
      recordInput('b-1'),
      recordInput('b-2', { status, errorCode: 'E_LOCKED', errorMessage: 'row locked', retryable: false }),
    ]);
    const finished = await finishRun(ingest, run.id);
    expect(finished.status).toBe('COMPLETED_WITH_ERRORS');
    expect(finished.counts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
  });

  it('follows the records’ current state: a failure re-reported as a success no longer counts', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('c-1', { status: 'FAILED', errorCode: 'E', retryable: false })]);
    const report = await reportRecords(ingest, run.id, [recordInput('c-1')]);
    expect(report.run.counts).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    expect((await finishRun(ingest, run.id)).status).toBe('SUCCEEDED');
  });

  it('is CANCELLED for a CANCELLING run', async () => {
    const run = await startRun(ingest, pipeline.id);
    await cancel(run.id);
    const finished = await finishRun(ingest, run.id);
    expect(finished.status).toBe('CANCELLED');
    expect(finished.endedAt).not.toBeNull();
  });

  it('takes an explicit FAILED or ROLLED_BACK with the error', async () => {
    const failed = await startRun(ingest, pipeline.id);
    const a = await finishRun(ingest, failed.id, { status: 'FAILED', error: 'target CRM unreachable' });
    expect(a).toMatchObject({ status: 'FAILED', error: 'target CRM unreachable' });
    const rolledBack = await startRun(ingest, pipeline.id);
    expect((await finishRun(ingest, rolledBack.id, { status: 'ROLLED_BACK' })).status).toBe('ROLLED_BACK');
  });

  it('takes FAILED for a CANCELLING run (the session broke while stopping)', async () => {
    const run = await startRun(ingest, pipeline.id);
    await cancel(run.id);
    expect((await finishRun(ingest, run.id, { status: 'FAILED', error: 'crashed' })).status).toBe('FAILED');
  });
});

describe('illegal transitions are CONFLICT and change nothing', () => {
  // One finished run of each end status; none of them takes any more work or a cancel.
  const finished = {} as Record<string, RunView>;
  beforeAll(async () => {
    const end = async (records: Parameters<typeof reportRecords>[2], input?: Record<string, unknown>, cancelFirst = false) => {
      const run = await startRun(ingest, pipeline.id);
      await reportRecords(ingest, run.id, records);
      if (cancelFirst) await cancel(run.id);
      return finishRun(ingest, run.id, input);
    };
    finished.SUCCEEDED = await end([recordInput('done-1')]);
    finished.COMPLETED_WITH_ERRORS = await end([recordInput('done-1', { status: 'FAILED', retryable: false })]);
    finished.FAILED = await end([recordInput('done-1')], { status: 'FAILED', error: 'broke' });
    finished.ROLLED_BACK = await end([recordInput('done-1')], { status: 'ROLLED_BACK' });
    finished.CANCELLED = await end([recordInput('done-1')], undefined, true);
    for (const [status, run] of Object.entries(finished)) expect(run.status).toBe(status);
  });
  const ENDS = ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'ROLLED_BACK', 'CANCELLED'];

  it.each(ENDS)('reporting records into a %s run', async (status) => {
    const runId = finished[status].id;
    await expectConflictChangingNothing(ingest, REPORT, { runId, records: [recordInput('late-1')] });
    await expectConflictChangingNothing(ingest, REPORT, { runId, records: [recordInput('done-1', { status: 'SKIPPED' })] });
  });

  it.each(ENDS)('finishing a %s run again', async (status) => {
    const runId = finished[status].id;
    await expectConflictChangingNothing(ingest, FINISH, { runId });
    await expectConflictChangingNothing(ingest, FINISH, { runId, input: { status: 'FAILED', error: 'again' } });
  });

  it.each(ENDS)('cancelling a %s run', async (status) => {
    await expectConflictChangingNothing(operator, CANCEL, { runId: finished[status].id, reason: 'too late' });
  });

  it.each(ENDS)('a heartbeat on a %s run', async (status) => {
    await expectConflictChangingNothing(ingest, HEARTBEAT, { runId: finished[status].id });
  });

  it('cancelling a CANCELLING run', async () => {
    const run = await startRun(ingest, pipeline.id);
    await cancel(run.id);
    await expectConflictChangingNothing(operator, CANCEL, { runId: run.id });
  });

  it('cancelling a CANCELLED run', async () => {
    const queued = await triggerSync(operator, pipeline.id);
    await cancel(queued.id);
    await expectConflictChangingNothing(operator, CANCEL, { runId: queued.id });
  });

  it('finishing a CANCELLING run as SUCCEEDED', async () => {
    const run = await startRun(ingest, pipeline.id);
    await cancel(run.id);
    await expectConflictChangingNothing(ingest, FINISH, { runId: run.id, input: { status: 'SUCCEEDED' } });
  });

  it('finishing a run as a status that is not an end (RUNNING, QUEUED, CANCELLING)', async () => {
    const run = await startRun(ingest, pipeline.id);
    for (const status of ['RUNNING', 'QUEUED', 'CANCELLING']) {
      await expectConflictChangingNothing(ingest, FINISH, { runId: run.id, input: { status } });
    }
    expect((await getRun(ingest, run.id))?.status).toBe('RUNNING');
  });

  it('working on a QUEUED run that no worker claimed', async () => {
    const queued = await triggerSync(operator, pipeline.id);
    await expectConflictChangingNothing(ingest, REPORT, { runId: queued.id, records: [recordInput('q-1')] });
    await expectConflictChangingNothing(ingest, HEARTBEAT, { runId: queued.id });
    await expectConflictChangingNothing(ingest, FINISH, { runId: queued.id });
    expect((await getRun(ingest, queued.id))?.status).toBe('QUEUED');
  });
});

describe('cancelRun', () => {
  it('ends a QUEUED run CANCELLED at once, with the reason', async () => {
    const own = await createPipeline(server.admin);
    const queued = await triggerSync(operator, own.id, 'Pull updates');
    expect(queued).toMatchObject({ status: 'QUEUED', startedAt: null, operationType: 'Pull updates' });
    const cancelled = await cancel(queued.id, 'not needed today');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', error: 'not needed today' });
    expect(cancelled.endedAt).not.toBeNull();
    // A cancelled run is not handed to a worker.
    const { claimRun } = await ingest.ok<{ claimRun: RunView | null }>(CLAIM, { pipelineId: own.id, workerId: 'w' });
    expect(claimRun).toBeNull();
  });

  it('moves a RUNNING run to CANCELLING; its heartbeat then answers cancelRequested', async () => {
    const run = await startRun(ingest, pipeline.id);
    const before = await ingest.ok<{ heartbeat: { cancelRequested: boolean } }>(HEARTBEAT, { runId: run.id });
    expect(before.heartbeat.cancelRequested).toBe(false);

    const cancelling = await cancel(run.id);
    expect(cancelling.status).toBe('CANCELLING');
    expect(cancelling.endedAt).toBeNull();
    const after = await ingest.ok<{ heartbeat: { cancelRequested: boolean; leaseExpiresAt: string } }>(HEARTBEAT, { runId: run.id });
    expect(after.heartbeat.cancelRequested).toBe(true);

    // The worker may still report what it did before it stops.
    const report = await reportRecords(ingest, run.id, [recordInput('cx-1'), recordInput('cx-2', { status: 'CANCELLED' })]);
    expect(report.run.counts).toMatchObject({ total: 2, succeeded: 1, skipped: 1 });
    expect((await finishRun(ingest, run.id)).status).toBe('CANCELLED');
  });
});

describe('heartbeat', () => {
  it('renews the lease of a RUNNING run', async () => {
    const run = await startRun(ingest, pipeline.id);
    expect(run.leaseExpiresAt).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { heartbeat } = await ingest.ok<{ heartbeat: { cancelRequested: boolean; leaseExpiresAt: string } }>(HEARTBEAT, {
      runId: run.id,
    });
    expect(heartbeat.cancelRequested).toBe(false);
    expect(Date.parse(heartbeat.leaseExpiresAt)).toBeGreaterThan(Date.parse(run.leaseExpiresAt as string));
    expect((await getRun(ingest, run.id))?.leaseExpiresAt).toBe(heartbeat.leaseExpiresAt);
  });

  it('is not the only renewal: reportRecords renews the lease too', async () => {
    const run = await startRun(ingest, pipeline.id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const report = await reportRecords(ingest, run.id, [recordInput('renew-1')]);
    expect(Date.parse(report.run.leaseExpiresAt as string)).toBeGreaterThan(Date.parse(run.leaseExpiresAt as string));
  });
});

describe('claimRun', () => {
  it('takes only runs of the modes a worker asks for', async () => {
    const own = await createPipeline(server.admin);
    const trigger = async (mode: string) =>
      (
        await operator.ok<{ triggerSync: { id: string } }>(
          'mutation($p: ID!, $mode: SyncMode) { triggerSync(pipelineId: $p, mode: $mode) { id } }',
          {
            p: own.id,
            mode,
          },
        )
      ).triggerSync;
    const scheduled = await trigger('SCHEDULED');
    const manual = await trigger('MANUAL');
    const claim = (modes: string[]) =>
      ingest.ok<{ claimRun: RunView | null }>(
        `mutation($p: ID!, $modes: [SyncMode!]) { claimRun(pipelineId: $p, workerId: "picky", modes: $modes) { id mode } }`,
        { p: own.id, modes },
      );
    expect((await claim(['RETRY'])).claimRun).toBeNull();
    expect((await claim(['MANUAL'])).claimRun).toMatchObject({ id: manual.id, mode: 'MANUAL' });
    expect((await claim(['MANUAL', 'SCHEDULED'])).claimRun).toMatchObject({ id: scheduled.id });
  });

  it('gives one queued run to exactly one of ten concurrent workers', async () => {
    const own = await createPipeline(server.admin);
    const queued = await triggerSync(operator, own.id);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ingest.ok<{ claimRun: RunView | null }>(CLAIM, { pipelineId: own.id, workerId: `worker-${i}` })),
    );
    const winners = answers.map((a) => a.claimRun).filter((run): run is RunView => run !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: queued.id, status: 'RUNNING' });
    expect(winners[0].startedAt).not.toBeNull();
    expect(winners[0].leaseExpiresAt).not.toBeNull();
    expect((await getRun(ingest, queued.id))?.status).toBe('RUNNING');
  });

  it('gives three queued runs to three different workers of ten, oldest first', async () => {
    const own = await createPipeline(server.admin);
    const queued: RunView[] = [];
    for (let i = 0; i < 3; i++) queued.push(await triggerSync(operator, own.id));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => ingest.ok<{ claimRun: RunView | null }>(CLAIM, { pipelineId: own.id, workerId: `w-${i}` })),
    );
    const claimed = answers.map((a) => a.claimRun?.id).filter((id): id is string => !!id);
    expect(claimed).toHaveLength(3);
    expect(new Set(claimed)).toEqual(new Set(queued.map((r) => r.id)));

    // One at a time, the oldest queued run goes first.
    const next = [await triggerSync(operator, own.id), await triggerSync(operator, own.id)];
    const first = await ingest.ok<{ claimRun: RunView }>(CLAIM, { pipelineId: own.id, workerId: 'solo' });
    expect(first.claimRun.id).toBe(next[0].id);
  });

  it('answers null when nothing is queued, changing nothing', async () => {
    const own = await createPipeline(server.admin);
    await startRun(ingest, own.id); // RUNNING runs are not claimable
    const before = await databaseState(server.databaseUrl);
    const { claimRun } = await ingest.ok<{ claimRun: RunView | null }>(CLAIM, { pipelineId: own.id, workerId: 'idle' });
    expect(claimRun).toBeNull();
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('does not take a queued run of another pipeline', async () => {
    const mine = await createPipeline(server.admin);
    const other = await createPipeline(server.admin);
    const queued = await triggerSync(operator, other.id);
    const { claimRun } = await ingest.ok<{ claimRun: RunView | null }>(CLAIM, { pipelineId: mine.id, workerId: 'w' });
    expect(claimRun).toBeNull();
    expect((await getRun(ingest, queued.id))?.status).toBe('QUEUED');
  });
});
