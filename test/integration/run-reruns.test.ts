// A failed session is re-run (issue 23 item 7, seed 000): a pipeline whose retryPolicy.maxRunReruns is set queues a
// run that ended FAILED again, whole, as a QUEUED RETRY run linked to it (retryOf) and numbered (rerun), up to that
// many times a session; a cancelled run, or a pipeline without the setting, is not re-run. A lost worker's run too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, finishRun, RUN_FIELDS, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ingest: GraphQLClient;
let operator: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({ LEASE_SECONDS: '1' });
  ingest = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
});
afterAll(() => server?.stop());

interface RerunView {
  id: string;
  mode: string;
  status: string;
  operationType: string | null;
  correlationId: string | null;
  triggeredBy: string | null;
  rerun: number | null;
  configSnapshot: unknown;
  retryOf: { id: string } | null;
  counts: { total: number };
}

const RERUN_FIELDS = 'id mode status operationType correlationId triggeredBy rerun configSnapshot retryOf { id } counts { total }';

/** The runs of a pipeline, first started first (a queued one, not started yet, last). */
async function runsOf(pipelineId: string): Promise<RerunView[]> {
  const { runs } = await operator.ok<{ runs: { edges: { node: RerunView }[] } }>(
    `query($filter: RunFilter) { runs(filter: $filter, first: 50, orderBy: { field: STARTED_AT, direction: ASC }) { edges { node { ${RERUN_FIELDS} } } } }`,
    { filter: { pipelineIds: [pipelineId] } },
  );
  return runs.edges.map((edge) => edge.node);
}

/** Claims the pipeline's queued run as a worker does, and ends it with `status`. */
async function claimAndFinish(pipelineId: string, status: string) {
  const { claimRun } = await ingest.ok<{ claimRun: { id: string } | null }>(
    `mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w1") { ${RUN_FIELDS} } }`,
    { p: pipelineId },
  );
  expect(claimRun).not.toBeNull();
  return finishRun(ingest, (claimRun as { id: string }).id, { status, error: 'CRM connection failed' });
}

describe('a failed session is re-run', () => {
  it('is off by default, and refused out of range with nothing changed', async () => {
    const pipeline = await createPipeline(server.admin);
    const { pipeline: read } = await operator.ok<{ pipeline: { retryPolicy: { maxRunReruns: number } } }>(
      'query($id: ID!) { pipeline(id: $id) { retryPolicy { maxRunReruns } } }',
      { id: pipeline.id },
    );
    expect(read.retryPolicy.maxRunReruns).toBe(0);
    const run = await startRun(ingest, pipeline.id);
    await finishRun(ingest, run.id, { status: 'FAILED' });
    expect((await runsOf(pipeline.id)).map((r) => r.mode)).toEqual(['MANUAL']);

    const { errors } = await server.admin.request(
      'mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id } }',
      { id: pipeline.id, input: { name: pipeline.name, sourceSystem: 'Billing', targetSystem: 'CRM', retryPolicy: { maxRunReruns: 11 } } },
    );
    expect(errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(errors?.[0].message).toContain('maxRunReruns');
    const { pipeline: after } = await operator.ok<{ pipeline: { retryPolicy: { maxRunReruns: number } } }>(
      'query($id: ID!) { pipeline(id: $id) { retryPolicy { maxRunReruns } } }',
      { id: pipeline.id },
    );
    expect(after.retryPolicy.maxRunReruns).toBe(0);
  });

  it('queues a FAILED run again as a RETRY run linked to it, up to the limit', async () => {
    const pipeline = await createPipeline(server.admin, { retryPolicy: { maxRunReruns: 2 }, config: { batch: 200 } });
    const run = await startRun(ingest, pipeline.id, { mode: 'SCHEDULED', operationType: 'Accounts', correlationId: 'nightly-7' });
    await reportRecords(ingest, run.id, [recordInput('a-1')]);
    await finishRun(ingest, run.id, { status: 'FAILED', error: 'database connection lost' });

    let runs = await runsOf(pipeline.id);
    expect(runs).toHaveLength(2);
    expect(runs[1]).toMatchObject({
      mode: 'RETRY',
      status: 'QUEUED',
      rerun: 1,
      retryOf: { id: run.id },
      operationType: 'Accounts',
      correlationId: 'nightly-7',
      triggeredBy: 'syncwatch (re-run of a failed run)',
      configSnapshot: { batch: 200 },
      counts: { total: 0 },
    });
    expect(runs[0].rerun).toBeNull();

    // The re-run fails too: one more, linked to the re-run it repeats; then the limit is reached.
    await claimAndFinish(pipeline.id, 'FAILED');
    runs = await runsOf(pipeline.id);
    expect(runs.map((r) => [r.mode, r.status, r.rerun, r.retryOf?.id ?? null])).toEqual([
      ['SCHEDULED', 'FAILED', null, null],
      ['RETRY', 'FAILED', 1, run.id],
      ['RETRY', 'QUEUED', 2, runs[1].id],
    ]);
    await claimAndFinish(pipeline.id, 'FAILED');
    expect(await runsOf(pipeline.id)).toHaveLength(3);
  });

  it('takes the records of the whole session again: its own, counted, their failures retried as in any run', async () => {
    const pipeline = await createPipeline(server.admin, { retryPolicy: { maxRunReruns: 1 } });
    const run = await startRun(ingest, pipeline.id, { mode: 'SCHEDULED' });
    await reportRecords(ingest, run.id, [recordInput('a-1'), recordInput('a-2')]);
    await finishRun(ingest, run.id, { status: 'FAILED', error: 'connection lost' });
    const { claimRun } = await ingest.ok<{ claimRun: { id: string; rerun: number } }>(
      'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w1") { id rerun } }',
      { p: pipeline.id },
    );
    expect(claimRun.rerun).toBe(1);
    const report = await reportRecords(ingest, claimRun.id, [
      recordInput('a-1'),
      recordInput('a-2'),
      recordInput('a-3', { status: 'FAILED', errorCode: 'E_LOCK', errorMessage: 'row locked' }),
    ]);
    expect(report.rejected).toEqual([]);
    expect(report.accepted).toBe(3);
    const finished = await finishRun(ingest, claimRun.id);
    expect(finished).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', counts: { total: 3, succeeded: 2, failed: 1 } });
    const { records } = await operator.ok<{
      records: { edges: { node: { sourceId: string; status: string; nextRetryAt: string | null } }[] };
    }>('query($f: RecordFilter) { records(filter: $f) { edges { node { sourceId status nextRetryAt } } } }', {
      f: { runIds: [claimRun.id], statuses: ['FAILED'] },
    });
    expect(records.edges.map((edge) => edge.node.sourceId)).toEqual(['a-3']);
    expect(records.edges[0].node.nextRetryAt).not.toBeNull();
    // The failed run kept its own records as they were.
    const { run: original } = await operator.ok<{ run: { counts: { total: number; succeeded: number } } }>(
      'query($id: ID!) { run(id: $id) { counts { total succeeded } } }',
      { id: run.id },
    );
    expect(original.counts).toEqual({ total: 2, succeeded: 2 });
    // Health counts the re-run's records as the pipeline's own work (a RETRY run of records would not be counted):
    // 1 failure in 2 + 3 records.
    const { pipeline: health } = await operator.ok<{ pipeline: { health: { errorRate24h: number } } }>(
      'query($id: ID!) { pipeline(id: $id) { health { errorRate24h } } }',
      { id: pipeline.id },
    );
    expect(health.health.errorRate24h).toBeCloseTo(1 / 5);
  });

  it('does not re-run a cancelled run, or one that ended otherwise', async () => {
    const pipeline = await createPipeline(server.admin, { retryPolicy: { maxRunReruns: 3 } });
    const cancelled = await startRun(ingest, pipeline.id);
    await finishRun(ingest, cancelled.id, { status: 'CANCELLED' });
    const queued = await startRun(ingest, pipeline.id);
    await operator.ok('mutation($id: ID!) { cancelRun(runId: $id) { id } }', { id: queued.id });
    await finishRun(ingest, queued.id, { status: 'CANCELLED' });
    const rolledBack = await startRun(ingest, pipeline.id);
    await finishRun(ingest, rolledBack.id, { status: 'ROLLED_BACK' });
    const withErrors = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, withErrors.id, [recordInput('b-1', { status: 'FAILED', errorCode: 'E_LOCK' })]);
    await finishRun(ingest, withErrors.id);
    expect((await runsOf(pipeline.id)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED', 'ROLLED_BACK', 'COMPLETED_WITH_ERRORS']);
  });

  it('re-runs a run whose worker was lost (its lease lapsed)', async () => {
    const pipeline = await createPipeline(server.admin, { retryPolicy: { maxRunReruns: 1 } });
    const run = await startRun(ingest, pipeline.id);
    // LEASE_SECONDS=1: the sweep ends it FAILED, and the re-run is queued with it.
    for (let i = 0; i < 200; i++) {
      const runs = await runsOf(pipeline.id);
      if (runs.length === 2) {
        expect(runs[0]).toMatchObject({ id: run.id, status: 'FAILED' });
        expect(runs[1]).toMatchObject({ mode: 'RETRY', status: 'QUEUED', rerun: 1, retryOf: { id: run.id } });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the lapsed run was not re-run');
  });
});
