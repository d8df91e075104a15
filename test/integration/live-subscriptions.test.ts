// Subscriptions on one instance: what each stream delivers, filters, tenant scope, roles and close codes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import {
  createPipeline,
  eventually,
  finishRun,
  type PipelineView,
  RUN_FIELDS,
  type RunView,
  recordInput,
  reportRecords,
  startRun,
  triggerSync,
} from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

interface RunEventView {
  cursor: string;
  previousStatus: string | null;
  run: RunView;
}

const RUN_UPDATED = `subscription($filter: RunFilter, $since: String) {
  runUpdated(filter: $filter, since: $since) { cursor previousStatus run { ${RUN_FIELDS} } }
}`;
const RECORDS_UPDATED = `subscription($runId: ID, $filter: RecordFilter, $since: String) {
  recordsUpdated(runId: $runId, filter: $filter, since: $since) { cursor runId records { id sourceId status } }
}`;
const WORKER_COMMANDS = 'subscription($pipelineId: ID!) { workerCommands(pipelineId: $pipelineId) { type runId } }';

let server: TestServer;
let pipeline: PipelineView;
const clients: LiveClient[] = [];

function connect(secret: string | null, params?: Record<string, unknown>): LiveClient {
  const client = new LiveClient(server.graphqlUrl, secret, params);
  clients.push(client);
  return client;
}

/** Subscriptions start asynchronously: wait until the server has them before writing. */
const subscribed = (count: number) =>
  eventually(async () => (server.instance.hub.openSubscriptions >= count ? true : undefined), `${count} subscribers`);

beforeAll(async () => {
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' });
  pipeline = await createPipeline(server.admin);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.stop();
});

describe('runUpdated', () => {
  it('delivers a run’s creation, progress and status changes in order with the run as it is now', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const ingest = await server.clientFor(Role.INGEST);
    const live = connect(viewer.secret);
    const before = server.instance.hub.openSubscriptions;
    const events = live.subscribe<RunEventView>(RUN_UPDATED, { filter: { pipelineIds: [pipeline.id] } });
    await subscribed(before + 1);

    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('a-1'), recordInput('a-2', { status: 'FAILED', errorCode: 'E1', retryable: false })]);
    await finishRun(ingest, run.id);

    const received = await events.until((values) => values.some((e) => e.run.status === 'COMPLETED_WITH_ERRORS'), 'the finish');
    expect(received.map((e) => e.run.id)).toEqual([run.id, run.id, run.id]);
    expect(received.map((e) => e.previousStatus)).toEqual([null, null, 'RUNNING']);
    expect(received.at(-1)?.run.counts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
    expect(received.at(-1)?.run.pipeline.id).toBe(pipeline.id);
    const cursors = received.map((e) => e.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it('applies the filter like the runs query does', async () => {
    const other = await createPipeline(server.admin);
    const ingest = await server.clientFor(Role.INGEST);
    const live = connect(server.admin.secret);
    const before = server.instance.hub.openSubscriptions;
    const finished = live.subscribe<RunEventView>(RUN_UPDATED, {
      filter: { pipelineIds: [pipeline.id, other.id], statuses: ['SUCCEEDED'], modes: ['SCHEDULED'] },
    });
    await subscribed(before + 1);

    const manual = await startRun(ingest, pipeline.id, { mode: 'MANUAL' });
    await finishRun(ingest, manual.id);
    const scheduled = await startRun(ingest, other.id, { mode: 'SCHEDULED' });
    await finishRun(ingest, scheduled.id);

    const received = await finished.until((values) => values.length >= 1, 'the scheduled run');
    // Nothing else can follow: the manual run finished first and the subscription keeps order.
    expect(received.map((e) => [e.run.id, e.run.status])).toEqual([[scheduled.id, 'SUCCEEDED']]);
  });

  it('refuses a malformed filter with BAD_USER_INPUT', async () => {
    const live = connect(server.admin.secret);
    const errors = await live.subscribe(RUN_UPDATED, { filter: { pipelineIds: ['nope'] } }).failure();
    expect(errors[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses an unknown or malformed since with EVENTS_EXPIRED', async () => {
    const live = connect(server.admin.secret);
    for (const since of ['garbage', Buffer.from('ev:1:999999999').toString('base64url')]) {
      const errors = await live.subscribe(RUN_UPDATED, { since }).failure();
      expect(errors[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(errors[0].extensions?.reason).toBe('EVENTS_EXPIRED');
      expect(errors[0].message).toMatch(/EVENTS_EXPIRED.*reload/);
    }
  });
});

describe('recordsUpdated', () => {
  it('sends one event per reported batch with the batch’s matching records', async () => {
    const ingest = await server.clientFor(Role.INGEST);
    const run = await startRun(ingest, pipeline.id);
    const live = connect(server.admin.secret);
    const before = server.instance.hub.openSubscriptions;
    const all = live.subscribe<{ runId: string; records: { sourceId: string }[] }>(RECORDS_UPDATED, { runId: run.id });
    const failed = live.subscribe<{ runId: string; records: { sourceId: string }[] }>(RECORDS_UPDATED, {
      runId: run.id,
      filter: { statuses: ['FAILED'] },
    });
    await subscribed(before + 2);

    await reportRecords(ingest, run.id, [
      recordInput('b-1'),
      recordInput('b-2'),
      recordInput('b-3', { status: 'FAILED', retryable: false }),
    ]);
    await reportRecords(ingest, run.id, [recordInput('b-4')]);
    await reportRecords(ingest, run.id, [recordInput('b-5', { status: 'FAILED', retryable: false })]);

    const batches = await all.until((values) => values.length >= 3, 'three batches');
    expect(batches.map((b) => b.records.map((r) => r.sourceId).sort())).toEqual([['b-1', 'b-2', 'b-3'], ['b-4'], ['b-5']]);
    const failures = await failed.until((values) => values.length >= 2, 'two batches with failures');
    expect(failures.map((b) => b.records.map((r) => r.sourceId))).toEqual([['b-3'], ['b-5']]);
  });
});

describe('workerCommands', () => {
  it('announces queued runs and cancel requests of the pipeline to INGEST keys', async () => {
    // A pipeline of its own: failures elsewhere would queue retry runs (RUN_QUEUED) of the shared one.
    const own = await createPipeline(server.admin);
    const ingest = await server.clientFor(Role.INGEST);
    const operator = await server.clientFor(Role.OPERATOR);
    const live = connect(ingest.secret);
    const before = server.instance.hub.openSubscriptions;
    const commands = live.subscribe<{ type: string; runId: string }>(WORKER_COMMANDS, { pipelineId: own.id });
    await subscribed(before + 1);

    const queued = await triggerSync(operator, own.id);
    const running = await startRun(ingest, own.id);
    await operator.ok('mutation($id: ID!) { cancelRun(runId: $id) { status } }', { id: running.id });

    const received = await commands.until((values) => values.length >= 2, 'two commands');
    expect(received).toEqual([
      { type: 'RUN_QUEUED', runId: queued.id },
      { type: 'CANCEL_RUN', runId: running.id },
    ]);
  });

  it('is open to every role that reads, and NOT_FOUND for an unknown or another tenant’s pipeline', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const ingest = await server.clientFor(Role.INGEST);
    const watchedPipeline = await createPipeline(server.admin);
    const before = server.instance.hub.openSubscriptions;
    const watched = connect(viewer.secret).subscribe<{ type: string; runId: string }>(WORKER_COMMANDS, {
      pipelineId: watchedPipeline.id,
    });
    await subscribed(before + 1);
    const queued = await triggerSync(server.admin, watchedPipeline.id);
    await watched.until((values) => values.some((c) => c.runId === queued.id), 'the viewer to see RUN_QUEUED');
    const missing = await connect(ingest.secret)
      .subscribe(WORKER_COMMANDS, { pipelineId: '00000000-0000-4000-8000-000000000000' })
      .failure();
    expect(missing[0].extensions?.code).toBe('NOT_FOUND');
    const otherTenant = await server.clientFor(Role.INGEST, 'someone-else');
    const hidden = await connect(otherTenant.secret).subscribe(WORKER_COMMANDS, { pipelineId: pipeline.id }).failure();
    expect(hidden[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('access', () => {
  it('closes a socket without a key, with a bad key or a malformed header with 4401', async () => {
    for (const params of [{}, { authorization: 'Bearer not-a-key' }, { authorization: 'Basic abc' }]) {
      const live = connect(null, params);
      live.subscribe(RUN_UPDATED);
      expect((await live.closed).code).toBe(4401);
    }
  });

  it('accepts the key as Authorization too', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const live = connect(null, { Authorization: `Bearer ${viewer.secret}` });
    const before = server.instance.hub.openSubscriptions;
    live.subscribe(RUN_UPDATED);
    await subscribed(before + 1);
  });

  it('gives a tenant-bound key only its tenant’s events', async () => {
    const mine = await createPipeline(server.admin, { tenantId: 'acme' });
    const theirs = await createPipeline(server.admin, { tenantId: 'globex' });
    const acme = await server.clientFor(Role.VIEWER, 'acme');
    const ingest = await server.clientFor(Role.INGEST);
    const live = connect(acme.secret);
    const before = server.instance.hub.openSubscriptions;
    const runs = live.subscribe<RunEventView>(RUN_UPDATED);
    const asksForOthers = live.subscribe<RunEventView>(RUN_UPDATED, { filter: { tenantIds: ['globex'] } });
    const records = live.subscribe<{ runId: string }>(RECORDS_UPDATED);
    await subscribed(before + 3);

    const other = await startRun(ingest, theirs.id);
    await reportRecords(ingest, other.id, [recordInput('g-1')]);
    await finishRun(ingest, other.id);
    const own = await startRun(ingest, mine.id);
    await reportRecords(ingest, own.id, [recordInput('m-1')]);
    await finishRun(ingest, own.id);

    const received = await runs.until((values) => values.some((e) => e.run.status === 'SUCCEEDED'), 'acme’s run to finish');
    expect(new Set(received.map((e) => e.run.id))).toEqual(new Set([own.id]));
    const batches = await records.until((values) => values.length >= 1, 'acme’s batch');
    expect(batches.map((b) => b.runId)).toEqual([own.id]);
    expect(asksForOthers.values).toEqual([]);
    const byId = await connect(acme.secret).subscribe(RECORDS_UPDATED, { runId: other.id }).failure();
    expect(byId[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('closes the sockets of a revoked key with 4401', async () => {
    const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string; key: { id: string } } }>(
      'mutation { createApiKey(input: { name: "soon-revoked", role: VIEWER }) { secret key { id } } }',
    );
    const live = connect(createApiKey.secret);
    const before = server.instance.hub.openSubscriptions;
    live.subscribe(RUN_UPDATED);
    await subscribed(before + 1);
    await server.admin.ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: createApiKey.key.id });
    const closed = await live.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/revoked/);
  });
});
