// Load behaviour: many subscribers on one instance all get a burst; a busy run's progress is
// coalesced while its batches and final state all arrive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, eventually, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient, type Received } from '../support/ws-client.js';

const RUNS = `subscription($filter: RunFilter) {
  runUpdated(filter: $filter) { cursor previousStatus run { id status counts { total succeeded } } }
}`;
const RECORDS = 'subscription($runId: ID) { recordsUpdated(runId: $runId) { cursor records { id } } }';

interface RunEventView {
  cursor: string;
  previousStatus: string | null;
  run: { id: string; status: string; counts: { total: number; succeeded: number } };
}

let server: TestServer;
const clients: LiveClient[] = [];

beforeAll(async () => {
  server = await startTestServer(); // default coalescing: one progress event per run per 250 ms
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.stop();
});

const subscribed = (count: number) =>
  eventually(async () => (server.instance.hub.openSubscriptions >= count ? true : undefined), `${count} subscribers`, 60_000);

describe('500 concurrent subscribers on one instance', () => {
  it('all receive every event of a burst, in the same order', async () => {
    const pipeline = await createPipeline(server.admin);
    const viewer = await server.clientFor(Role.VIEWER);
    const ingest = await server.clientFor(Role.INGEST);
    const before = server.instance.hub.openSubscriptions;
    const streams: Received<RunEventView>[] = [];
    for (let i = 0; i < 500; i++) {
      const client = new LiveClient(server.graphqlUrl, viewer.secret);
      clients.push(client);
      streams.push(client.subscribe<RunEventView>(RUNS, { filter: { pipelineIds: [pipeline.id] } }));
    }
    await subscribed(before + 500);

    // A burst: 20 runs started and finished at once (status changes are never coalesced).
    const runs = await Promise.all(Array.from({ length: 20 }, () => startRun(ingest, pipeline.id)));
    await Promise.all(runs.map((run) => finishRun(ingest, run.id)));

    await Promise.all(streams.map((stream) => stream.until((values) => values.length >= 40, '40 events', 60_000)));
    const reference = streams[0].values.map((e) => e.cursor);
    expect(new Set(streams[0].values.filter((e) => e.run.status === 'SUCCEEDED').map((e) => e.run.id))).toEqual(
      new Set(runs.map((run) => run.id)),
    );
    for (const stream of streams) expect(stream.values.map((e) => e.cursor)).toEqual(reference);
    await Promise.all(clients.splice(0).map((client) => client.dispose()));
  });
});

describe('coalescing', () => {
  it('turns a run reporting ~100 batches a second into a few progress events a second; every batch and the final state arrive', async () => {
    const pipeline = await createPipeline(server.admin);
    const ingest = await server.clientFor(Role.INGEST);
    const run = await startRun(ingest, pipeline.id);
    const client = new LiveClient(server.graphqlUrl, server.admin.secret);
    clients.push(client);
    const before = server.instance.hub.openSubscriptions;
    const events = client.subscribe<RunEventView>(RUNS, { filter: { pipelineIds: [pipeline.id] } });
    const batches = client.subscribe<{ cursor: string }>(RECORDS, { runId: run.id });
    await subscribed(before + 2);

    const started = Date.now();
    let reported = 0;
    while (Date.now() - started < 3_000) {
      await reportRecords(ingest, run.id, [recordInput(`busy-${reported}`)]);
      reported++;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const elapsedMs = Date.now() - started;
    await finishRun(ingest, run.id);

    const received = await events.until((values) => values.some((e) => e.run.status === 'SUCCEEDED'), 'the final state');
    const final = received.at(-1);
    expect(final?.run.status).toBe('SUCCEEDED');
    expect(final?.previousStatus).toBe('RUNNING');
    expect(final?.run.counts.total).toBe(reported);
    const progress = received.filter((e) => e.previousStatus === null);
    // At most one per 250 ms interval (plus the edges); far fewer than the batches when they come faster than
    // that (on a loaded machine a report can take longer than the interval, and then each may get its own).
    const intervals = Math.ceil(elapsedMs / 250) + 2;
    expect(progress.length).toBeLessThanOrEqual(Math.min(intervals, reported));
    if (reported >= 2 * intervals) expect(progress.length).toBeLessThan(reported / 2);
    // Record batches are not coalesced: one event per batch.
    await batches.until((values) => values.length >= reported, 'every batch');
    expect(batches.values).toHaveLength(reported);
  });

  it('gives every instance and every resume the same stream, with a trailing event for the last counts', async () => {
    const other = await startTestServer({}, { databaseUrl: server.databaseUrl, jobs: false });
    try {
      const pipeline = await createPipeline(server.admin);
      const ingest = await server.clientFor(Role.INGEST);
      const query = `subscription($filter: RunFilter, $since: String) {
        runUpdated(filter: $filter, since: $since) { cursor previousStatus run { id status counts { total succeeded } } } }`;
      const filter = { pipelineIds: [pipeline.id] };
      const onA = new LiveClient(server.graphqlUrl, server.admin.secret);
      const onB = new LiveClient(other.graphqlUrl, server.admin.secret);
      clients.push(onA, onB);
      const [beforeA, beforeB] = [server.instance.hub.openSubscriptions, other.instance.hub.openSubscriptions];
      const a = onA.subscribe<RunEventView>(query, { filter });
      const b = onB.subscribe<RunEventView>(query, { filter });
      await subscribed(beforeA + 1);
      await eventually(async () => (other.instance.hub.openSubscriptions > beforeB ? true : undefined), 'the subscriber on B');

      const run = await startRun(ingest, pipeline.id);
      const started = Date.now();
      for (let i = 0; i < 30; i++) await reportRecords(ingest, run.id, [recordInput(`same-${i}`)]);
      const intervals = Math.ceil((Date.now() - started) / 250) + 2;
      // No report follows the last one: its counts still arrive, in a trailing progress event.
      await a.until((values) => values.some((e) => e.run.counts.total === 30), 'the last counts');
      await finishRun(ingest, run.id);
      const done = (values: RunEventView[]) => values.some((e) => e.run.status === 'SUCCEEDED');
      await a.until(done, 'the final state on A');
      await b.until(done, 'the final state on B');
      expect(b.values).toEqual(a.values);
      // Coalesced: at most one progress event per 250 ms of reporting (plus the edges and the trailing one).
      expect(a.values.filter((e) => e.previousStatus === null).length).toBeLessThanOrEqual(Math.min(intervals + 1, 30));
      expect(a.values.at(-2)?.run).toMatchObject({ status: 'RUNNING', counts: { total: 30 } });

      const resumed = new LiveClient(other.graphqlUrl, server.admin.secret);
      clients.push(resumed);
      const again = resumed.subscribe<RunEventView>(query, { filter, since: a.values[0].cursor });
      await again.until(done, 'the replayed final state');
      expect(again.values).toEqual(a.values.slice(1));
    } finally {
      await other.stop();
    }
  });
});
