// Live updates across instances, reconnects, restarts and a lost LISTEN connection: what a
// subscriber receives equals the event table, exactly, with nothing missing or doubled.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { encodeEventCursor } from '../../server/events/position.js';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, eventually, finishRun, type PipelineView, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

interface Delivered {
  cursor: string;
}

const RUNS = 'subscription($since: String) { runUpdated(since: $since) { cursor previousStatus run { id status } } }';
const RECORDS = 'subscription($since: String) { recordsUpdated(since: $since) { cursor runId records { id } } }';
// Coalescing off: these tests compare every event with the table.
const ENV = { PROGRESS_INTERVAL_MS: '0' };

let databaseUrl: string;
let a: TestServer;
let b: TestServer;
let sql: pg.Client;
let pipeline: PipelineView;
let writer: GraphQLClient;
const clients: LiveClient[] = [];

/** Cursors of the table's events of one kind, in stream order. */
async function tableCursors(kind: 'run' | 'records'): Promise<string[]> {
  // Aliases of their own: ORDER BY an output alias "xid" would sort the text ("1000" before "999").
  const { rows } = await sql.query<{ event_xid: string; event_id: string }>(
    'SELECT xid::text AS event_xid, id::text AS event_id FROM events WHERE kind = $1 ORDER BY xid, id',
    [kind],
  );
  return rows.map((row) => encodeEventCursor({ xid: BigInt(row.event_xid), id: BigInt(row.event_id) }));
}

/** The table's cursors from `first` on: what a subscriber that received `first` must have received. */
async function expectedFrom(kind: 'run' | 'records', first: string): Promise<string[]> {
  const all = await tableCursors(kind);
  const start = all.indexOf(first);
  expect(start).toBeGreaterThanOrEqual(0);
  return all.slice(start);
}

function connect(server: TestServer): LiveClient {
  const client = new LiveClient(server.graphqlUrl, server.admin.secret);
  clients.push(client);
  return client;
}

const subscribed = (server: TestServer, count: number) =>
  eventually(async () => (server.instance.hub.openSubscriptions >= count ? true : undefined), `${count} subscribers`);

/** A run's whole life: created, two batches, finished: 4 run events and 2 record events. */
async function runOnce(client: GraphQLClient, tag: string): Promise<void> {
  const run = await startRun(client, pipeline.id);
  await reportRecords(client, run.id, [recordInput(`${tag}-1`), recordInput(`${tag}-2`)]);
  await reportRecords(client, run.id, [recordInput(`${tag}-3`)]);
  await finishRun(client, run.id);
}

async function writeRuns(client: GraphQLClient, tag: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await runOnce(client, `${tag}-${i}`);
}

/** Waits until both streams hold the table's newest event of their kind. */
async function caughtUp(runs: () => Delivered[], records: () => Delivered[]): Promise<void> {
  const lastRun = (await tableCursors('run')).at(-1);
  const lastBatch = (await tableCursors('records')).at(-1);
  await eventually(
    async () => (runs().at(-1)?.cursor === lastRun && records().at(-1)?.cursor === lastBatch ? true : undefined),
    'the subscriber to catch up with the table',
    30_000,
    50,
  );
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  a = await startTestServer(ENV, { databaseUrl });
  b = await startTestServer(ENV, { databaseUrl });
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  pipeline = await createPipeline(b.admin);
  writer = await b.clientFor(Role.INGEST);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await sql?.end();
  await a?.stop();
  await b?.stop();
});

describe('two instances on one database', () => {
  it('a subscriber on A receives the changes made through B, in order', async () => {
    const live = connect(a);
    const before = a.instance.hub.openSubscriptions;
    const runs = live.subscribe<Delivered & { previousStatus: string | null }>(RUNS);
    const records = live.subscribe<Delivered>(RECORDS);
    await subscribed(a, before + 2);

    await writeRuns(writer, 'order', 3);
    await caughtUp(
      () => runs.values,
      () => records.values,
    );
    expect(runs.values.map((e) => e.cursor)).toEqual(await expectedFrom('run', runs.values[0].cursor));
    expect(records.values.map((e) => e.cursor)).toEqual(await expectedFrom('records', records.values[0].cursor));
    expect(runs.values.map((e) => e.previousStatus)).toEqual(Array(3).fill([null, null, null, 'RUNNING']).flat());
  });
});

describe('resume with since', () => {
  it('after a disconnect, with writes going on during the reconnect, delivers exactly the table', async () => {
    const first = connect(a);
    let before = a.instance.hub.openSubscriptions;
    const runs1 = first.subscribe<Delivered>(RUNS);
    const records1 = first.subscribe<Delivered>(RECORDS);
    await subscribed(a, before + 2);
    await writeRuns(writer, 'before', 2);
    await caughtUp(
      () => runs1.values,
      () => records1.values,
    );
    await first.dispose();

    await writeRuns(writer, 'away', 3);
    // Keep writing while the client reconnects and replays: the hand-over must neither skip nor repeat.
    let writing = true;
    const background = (async () => {
      for (let i = 0; writing; i++) await runOnce(writer, `during-${i}`);
    })();
    const second = connect(a);
    before = a.instance.hub.openSubscriptions;
    const runs2 = second.subscribe<Delivered>(RUNS, { since: runs1.values.at(-1)?.cursor });
    const records2 = second.subscribe<Delivered>(RECORDS, { since: records1.values.at(-1)?.cursor });
    await subscribed(a, before + 2);
    await runs2.until((values) => values.length > 40, 'the backlog and some live events');
    writing = false;
    await background;

    await caughtUp(
      () => [...runs1.values, ...runs2.values],
      () => [...records1.values, ...records2.values],
    );
    const allRuns = [...runs1.values, ...runs2.values].map((e) => e.cursor);
    const allRecords = [...records1.values, ...records2.values].map((e) => e.cursor);
    expect(allRuns).toEqual(await expectedFrom('run', allRuns[0]));
    expect(allRecords).toEqual(await expectedFrom('records', allRecords[0]));
  });

  it('shows each replayed event with the run as it was then, progress included', async () => {
    const query = `subscription($since: String) {
      runUpdated(since: $since) { cursor previousStatus run { id status endedAt counts { total } } } }`;
    type RunState = Delivered & {
      previousStatus: string | null;
      run: { id: string; status: string; endedAt: string | null; counts: { total: number } };
    };
    const first = connect(a);
    const before = a.instance.hub.openSubscriptions;
    const live = first.subscribe<RunState>(query);
    await subscribed(a, before + 1);
    const run = await startRun(writer, pipeline.id);
    await live.until((values) => values.some((e) => e.run.id === run.id), 'the created event');
    const created = live.values.find((e) => e.run.id === run.id) as RunState;
    await first.dispose();

    await reportRecords(writer, run.id, [recordInput('then-1'), recordInput('then-2')]);
    await reportRecords(writer, run.id, [recordInput('then-3')]);
    await finishRun(writer, run.id);
    const second = connect(a);
    const replayed = second.subscribe<RunState>(query, { since: created.cursor });
    const ofRun = () => replayed.values.filter((e) => e.run.id === run.id);
    await replayed.until(() => ofRun().length >= 3, 'the replayed events');
    expect(ofRun().map((e) => [e.previousStatus, e.run.status, e.run.counts.total, e.run.endedAt === null])).toEqual([
      [null, 'RUNNING', 2, true],
      [null, 'RUNNING', 3, true],
      ['RUNNING', 'SUCCEEDED', 3, false],
    ]);
  });

  it('across a restart of the instance', async () => {
    const c = await startTestServer(ENV, { databaseUrl });
    const first = connect(c);
    const runs1 = first.subscribe<Delivered>(RUNS);
    const records1 = first.subscribe<Delivered>(RECORDS);
    await subscribed(c, 2);
    await writeRuns(writer, 'pre-restart', 2);
    await caughtUp(
      () => runs1.values,
      () => records1.values,
    );
    await c.stop();
    expect((await first.closed).code).toBe(1001);

    await writeRuns(writer, 'while-down', 2);
    const restarted = await startTestServer(ENV, { databaseUrl });
    try {
      const second = connect(restarted);
      const runs2 = second.subscribe<Delivered>(RUNS, { since: runs1.values.at(-1)?.cursor });
      const records2 = second.subscribe<Delivered>(RECORDS, { since: records1.values.at(-1)?.cursor });
      await subscribed(restarted, 2);
      await writeRuns(writer, 'after-restart', 1);
      const allRuns = () => [...runs1.values, ...runs2.values];
      const allRecords = () => [...records1.values, ...records2.values];
      await caughtUp(allRuns, allRecords);
      expect(allRuns().map((e) => e.cursor)).toEqual(await expectedFrom('run', runs1.values[0].cursor));
      expect(allRecords().map((e) => e.cursor)).toEqual(await expectedFrom('records', records1.values[0].cursor));
    } finally {
      await restarted.stop();
    }
  });

  it('when the LISTEN connection is killed', async () => {
    const live = connect(a);
    const before = a.instance.hub.openSubscriptions;
    const runs = live.subscribe<Delivered>(RUNS);
    const records = live.subscribe<Delivered>(RECORDS);
    await subscribed(a, before + 2);
    await runOnce(writer, 'pre-kill');
    await caughtUp(
      () => runs.values,
      () => records.values,
    );

    const pid = a.instance.hub.listenerPid;
    expect(pid).not.toBeNull();
    await sql.query('SELECT pg_terminate_backend($1)', [pid]);
    await writeRuns(writer, 'listen-killed', 3);
    await caughtUp(
      () => runs.values,
      () => records.values,
    );
    await eventually(async () => (a.instance.hub.listenerPid && a.instance.hub.listenerPid !== pid ? true : undefined), 'LISTEN again');
    await writeRuns(writer, 'listen-back', 1);
    await caughtUp(
      () => runs.values,
      () => records.values,
    );
    expect(runs.values.map((e) => e.cursor)).toEqual(await expectedFrom('run', runs.values[0].cursor));
    expect(records.values.map((e) => e.cursor)).toEqual(await expectedFrom('records', records.values[0].cursor));
  });

  it('refuses a since older than the retention with EVENTS_EXPIRED, and the retention job deletes it', async () => {
    const live = connect(a);
    const before = a.instance.hub.openSubscriptions;
    const runs = live.subscribe<Delivered>(RUNS);
    await subscribed(a, before + 1);
    await runOnce(writer, 'old');
    const [old] = await runs.until((values) => values.length >= 1, 'an event');
    await sql.query(`UPDATE events SET at = now() - interval '25 hours' WHERE kind = 'run'`);

    const errors = await connect(a).subscribe(RUNS, { since: old.cursor }).failure();
    expect(errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EVENTS_EXPIRED' });
    // Moved a day back, out of every day's partition: the default partition caught them, and expiry deletes them there.
    expect((await a.instance.services.partitions.expireEvents(24)).straysDeleted).toBeGreaterThan(0);
    const { rows } = await sql.query(`SELECT count(*)::int AS n FROM events WHERE kind = 'run'`);
    expect(rows[0].n).toBe(0);
  });
});
