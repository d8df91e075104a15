// Pipeline health: each status reached by a real sequence of runs through the API, expectedIntervalSeconds on
// create and update, and health arriving with the runs that change it over runUpdated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { databaseState } from '../support/db-state.js';
import {
  createPipeline,
  eventually,
  finishRun,
  type RecordInput,
  recordInput,
  reportRecords,
  startRun,
  successes,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

interface Health {
  status: string;
  reason: string | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  errorRate24h: number | null;
  deadLetters: number;
}

const HEALTH = 'health { status reason lastRunAt lastSuccessAt errorRate24h deadLetters }';

let server: TestServer;
let admin: GraphQLClient;
let ingest: GraphQLClient;
const live: LiveClient[] = [];

beforeAll(async () => {
  // No background jobs: refused updates are checked to change nothing in the whole database.
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' }, { jobs: false });
  admin = server.admin;
  ingest = await server.clientFor(Role.INGEST);
});
afterAll(async () => {
  await Promise.all(live.map((client) => client.dispose()));
  await server?.stop();
});

async function healthOf(pipelineId: string, client = admin): Promise<Health> {
  const { pipeline } = await client.ok<{ pipeline: { health: Health } }>(`query($id: ID!) { pipeline(id: $id) { ${HEALTH} } }`, {
    id: pipelineId,
  });
  return pipeline.health;
}

/** A whole run: started, the records reported, finished (status derived unless given). */
async function runWith(
  pipelineId: string,
  records: RecordInput[],
  finish: Record<string, unknown> = {},
  start: Record<string, unknown> = {},
) {
  const run = await startRun(ingest, pipelineId, start);
  if (records.length > 0) await reportRecords(ingest, run.id, records);
  return finishRun(ingest, run.id, finish);
}

const failure = (sourceId: string, retryable: boolean) =>
  recordInput(sourceId, { status: 'FAILED', errorCode: 'E_LOCKED', errorMessage: `row ${sourceId} locked`, retryable });

describe('Pipeline.health through a real sequence of runs', () => {
  it('goes IDLE → HEALTHY → FAILING → HEALTHY, with its last run, last success and error rate', async () => {
    const pipeline = await createPipeline(admin);
    expect(await healthOf(pipeline.id)).toEqual({
      status: 'IDLE',
      reason: 'never ran',
      lastRunAt: null,
      lastSuccessAt: null,
      errorRate24h: null,
      deadLetters: 0,
    });

    const first = await runWith(pipeline.id, successes(10));
    expect(await healthOf(pipeline.id)).toEqual({
      status: 'HEALTHY',
      reason: 'last success less than a minute ago',
      lastRunAt: first.startedAt,
      lastSuccessAt: first.endedAt,
      errorRate24h: 0,
      deadLetters: 0,
    });

    const broken = await runWith(pipeline.id, successes(5, 'b'), { status: 'FAILED', error: 'worker lost' });
    expect(await healthOf(pipeline.id)).toEqual({
      status: 'FAILING',
      reason: 'last run failed less than a minute ago: worker lost',
      lastRunAt: broken.startedAt,
      lastSuccessAt: first.endedAt,
      errorRate24h: 0,
      deadLetters: 0,
    });

    // A cancelled run says nothing about the pipeline: still FAILING.
    const queued = await admin.ok<{ triggerSync: { id: string } }>('mutation($p: ID!) { triggerSync(pipelineId: $p) { id } }', {
      p: pipeline.id,
    });
    await admin.ok('mutation($id: ID!) { cancelRun(runId: $id) { id } }', { id: queued.triggerSync.id });
    expect((await healthOf(pipeline.id)).status).toBe('FAILING');

    const again = await runWith(pipeline.id, successes(5, 'c'));
    expect(await healthOf(pipeline.id)).toMatchObject({ status: 'HEALTHY', lastSuccessAt: again.endedAt });
  });

  it('is FAILING after a rolled back run', async () => {
    const pipeline = await createPipeline(admin);
    await runWith(pipeline.id, successes(3));
    await runWith(pipeline.id, successes(3, 'r'), { status: 'ROLLED_BACK' });
    expect(await healthOf(pipeline.id)).toMatchObject({ status: 'FAILING', reason: 'last run was rolled back less than a minute ago' });
  });

  it('is DEGRADED when at least 10 % of the last 24 hours’ records failed, and the rate is exact', async () => {
    const pipeline = await createPipeline(admin);
    await runWith(pipeline.id, [...successes(18), failure('f-1', false)]);
    // 1 of 19: below the threshold.
    expect(await healthOf(pipeline.id)).toMatchObject({ status: 'HEALTHY', errorRate24h: 1 / 19 });
    const run = await runWith(pipeline.id, [failure('f-2', false), failure('f-3', false), recordInput('ok')]);
    expect(run.status).toBe('COMPLETED_WITH_ERRORS');
    expect(await healthOf(pipeline.id)).toMatchObject({
      status: 'DEGRADED',
      reason: "13.6 % of the last 24 hours' records failed (3 of 22)",
      errorRate24h: 3 / 22,
      // A run that completed with errors still completed: it is the last success.
      lastSuccessAt: run.endedAt,
    });
  });

  it('is DEGRADED while a dead letter waits, and HEALTHY again once it is discarded', async () => {
    const pipeline = await createPipeline(admin, { retryPolicy: { maxAttempts: 1 } });
    await runWith(pipeline.id, [...successes(30), failure('dead-1', true)]);
    expect(await healthOf(pipeline.id)).toMatchObject({ status: 'DEGRADED', reason: '1 dead letter waits', deadLetters: 1 });

    const operator = await server.clientFor(Role.OPERATOR);
    const { discardDeadLetters } = await operator.ok<{ discardDeadLetters: { discarded: number } }>(
      'mutation($filter: RecordFilter) { discardDeadLetters(filter: $filter) { discarded } }',
      { filter: { pipelineIds: [pipeline.id] } },
    );
    expect(discardDeadLetters.discarded).toBe(1);
    expect(await healthOf(pipeline.id)).toMatchObject({ status: 'HEALTHY', deadLetters: 0, errorRate24h: 1 / 31 });
  });

  it('is STALE with no success within twice its expected interval, and HEALTHY after the next success', async () => {
    const pipeline = await createPipeline(admin, { expectedIntervalSeconds: 3600 });
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    await runWith(pipeline.id, successes(2), { endedAt: hoursAgo(2.5) }, { startedAt: hoursAgo(3) });
    expect(await healthOf(pipeline.id)).toMatchObject({ status: 'STALE', reason: 'no success for 2 hours (expected every hour)' });

    // A failing run since then does not make it fresh, and FAILING outranks STALE.
    await runWith(pipeline.id, [], { status: 'FAILED', error: 'target down', endedAt: hoursAgo(0.5) }, { startedAt: hoursAgo(1) });
    expect(await healthOf(pipeline.id)).toMatchObject({
      status: 'FAILING',
      reason: 'last run failed 30 minutes ago: target down; no success for 2 hours (expected every hour)',
    });

    await runWith(pipeline.id, successes(2, 'n'));
    expect((await healthOf(pipeline.id)).status).toBe('HEALTHY');
  });

  it('answers a list of pipelines with each one’s own health', async () => {
    const idle = await createPipeline(admin, { tenantId: 'health-list' });
    const failing = await createPipeline(admin, { tenantId: 'health-list' });
    const healthy = await createPipeline(admin, { tenantId: 'health-list' });
    await runWith(failing.id, [], { status: 'FAILED' });
    await runWith(healthy.id, successes(1));
    const viewer = await server.clientFor(Role.VIEWER, 'health-list');
    const { pipelines } = await viewer.ok<{ pipelines: { id: string; health: Health }[] }>(`{ pipelines { id ${HEALTH} } }`);
    expect(pipelines.map((p) => [p.id, p.health.status])).toEqual([
      [idle.id, 'IDLE'],
      [failing.id, 'FAILING'],
      [healthy.id, 'HEALTHY'],
    ]);
  });
});

describe('expectedIntervalSeconds', () => {
  const FIELDS = 'id expectedIntervalSeconds';
  const update = (id: string, input: Record<string, unknown>) =>
    admin.request<{ updatePipeline: { expectedIntervalSeconds: number | null } }>(
      `mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { ${FIELDS} } }`,
      { id, input: { name: 'Interval', sourceSystem: 'a', targetSystem: 'b', ...input } },
    );

  it('is null unless given; an update without it keeps it, null clears it', async () => {
    const plain = await createPipeline(admin);
    const { pipeline } = await admin.ok<{ pipeline: { expectedIntervalSeconds: number | null } }>(
      'query($id: ID!) { pipeline(id: $id) { expectedIntervalSeconds } }',
      { id: plain.id },
    );
    expect(pipeline.expectedIntervalSeconds).toBeNull();

    expect((await update(plain.id, { expectedIntervalSeconds: 900 })).data?.updatePipeline.expectedIntervalSeconds).toBe(900);
    expect((await update(plain.id, {})).data?.updatePipeline.expectedIntervalSeconds).toBe(900);
    expect((await update(plain.id, { expectedIntervalSeconds: null })).data?.updatePipeline.expectedIntervalSeconds).toBeNull();
  });

  it.each([0, -60, 31_622_401])('refuses %s as BAD_USER_INPUT and changes nothing', async (value) => {
    const pipeline = await createPipeline(admin, { expectedIntervalSeconds: 60 });
    const before = await databaseState(server.databaseUrl);
    const result = await update(pipeline.id, { expectedIntervalSeconds: value });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('input.expectedIntervalSeconds');
    const created = await admin.request('mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }', {
      input: { name: 'Bad', sourceSystem: 'a', targetSystem: 'b', expectedIntervalSeconds: value },
    });
    expect(created.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });
});

describe('health over runUpdated', () => {
  it('arrives with the run that changes it, as of the delivery', async () => {
    const pipeline = await createPipeline(admin);
    await runWith(pipeline.id, successes(2));
    const viewer = await server.clientFor(Role.VIEWER);
    const client = new LiveClient(server.graphqlUrl, viewer.secret);
    live.push(client);
    type Event = { run: { id: string; status: string; pipeline: { health: Health } } };
    const events = client.subscribe<Event>(
      `subscription($filter: RunFilter) { runUpdated(filter: $filter) { run { id status pipeline { ${HEALTH} } } } }`,
      { filter: { pipelineIds: [pipeline.id] } },
    );
    await eventually(async () => (server.instance.hub.openSubscriptions >= 1 ? true : undefined), 'the subscription');

    const failed = await runWith(pipeline.id, [], { status: 'FAILED', error: 'worker lost' });
    const [failedEvent] = (
      await events.until((v) => v.some((e) => e.run.id === failed.id && e.run.status === 'FAILED'), 'the failure')
    ).filter((e) => e.run.id === failed.id && e.run.status === 'FAILED');
    expect(failedEvent.run.pipeline.health).toMatchObject({ status: 'FAILING', reason: expect.stringContaining('worker lost') });

    const fixed = await runWith(pipeline.id, successes(1, 'fix'));
    const [fixedEvent] = (
      await events.until((v) => v.some((e) => e.run.id === fixed.id && e.run.status === 'SUCCEEDED'), 'the fix')
    ).filter((e) => e.run.id === fixed.id && e.run.status === 'SUCCEEDED');
    expect(fixedEvent.run.pipeline.health).toMatchObject({ status: 'HEALTHY', lastSuccessAt: fixed.endedAt });
  });
});
