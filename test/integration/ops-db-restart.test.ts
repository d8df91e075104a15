// PostgreSQL restarted in the middle of ingest by four workers: coded errors during the outage, /readyz flips and
// recovers by itself (LISTEN included), and every acknowledged record is there once. graphql-ws subscribers, one of
// them cut off while the database is down and resuming with `since`, receive every event committed, once, in order.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'pg';
import { afterAll, expect, it } from 'vitest';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../../server/db/embedded.js';
import { encodeEventCursor } from '../../server/events/position.js';
import { createPipeline, getRun, recordInput } from '../support/fixtures.js';
import { until } from '../support/process.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { ResumingSubscriber } from '../support/ws-client.js';

const dir = join(mkdtempSync(join(tmpdir(), 'syncwatch-restart-')), 'pg');
let pg: EmbeddedDatabase | null = null;
let server: TestServer | null = null;
const subscribers: ResumingSubscriber<{ cursor: string }>[] = [];

const RUNS = 'subscription($since: String) { runUpdated(since: $since) { cursor run { id status } } }';
const RECORDS = 'subscription($since: String) { recordsUpdated(since: $since) { cursor runId records { id } } }';

afterAll(async () => {
  await Promise.all(subscribers.map((subscriber) => subscriber.stop()));
  await server?.stop();
  await pg?.stop();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

it('survives a PostgreSQL restart mid-ingest with nothing acknowledged lost or doubled', async () => {
  const port = await freePort();
  const cluster = () => startEmbeddedPostgres(dir, { port, persistent: true, durable: false });
  pg = await cluster();
  await pg.createDatabase('restart');
  server = await startTestServer({}, { databaseUrl: pg.urlFor('restart') });
  const { admin, url } = server;
  const ready = async () => (await fetch(`${url}/readyz`)).status === 200;
  const pipeline = await createPipeline(admin);
  const { startRun } = await admin.ok<{ startRun: { id: string } }>('mutation($input: StartRunInput!) { startRun(input: $input) { id } }', {
    input: { pipelineId: pipeline.id, mode: 'MANUAL' },
  });

  // Subscribers from before the restart on: runs and record batches, and one more for record batches that the test
  // cuts off while the database is down.
  const subscribe = (query: string) => {
    const subscriber = new ResumingSubscriber<{ cursor: string }>(server?.graphqlUrl as string, ADMIN_SECRET, query);
    subscribers.push(subscriber);
    return subscriber;
  };
  const runs = subscribe(RUNS);
  const records = subscribe(RECORDS);
  const cutOff = subscribe(RECORDS);
  await until(() => (server?.instance.hub.openSubscriptions ?? 0) >= 3);

  const acknowledged = new Set<string>();
  const codes = new Set<string>();
  let stop = false;
  const worker = async (w: number) => {
    for (let batch = 0; !stop; batch++) {
      const records = Array.from({ length: 5 }, (_, i) => recordInput(`w${w}-b${batch}-${i}`));
      // As the SDK does: the same batch again until it is acknowledged.
      for (;;) {
        const result = await admin
          .request<{ reportRecords: { accepted: number } }>(
            'mutation($runId: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $runId, records: $records) { accepted } }',
            { runId: startRun.id, records },
          )
          // Not GraphQL's shape (a refused connection, an HTML error page): named with what it was.
          .catch((error) => ({
            errors: [{ message: String(error), extensions: { code: `NETWORK (${String(error)})` } }],
            data: undefined,
          }));
        if (result.data?.reportRecords) {
          for (const record of records) acknowledged.add(record.sourceId);
          break;
        }
        codes.add(String(result.errors?.[0]?.extensions?.code));
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await until(() => acknowledged.size >= 100);

  await pg.stop();
  const downAt = Date.now();
  await until(async () => !(await ready()));
  await new Promise((r) => setTimeout(r, 1_000)); // requests meet the outage
  const resumesBefore = cutOff.resumes;
  await cutOff.drop(); // it resumes with since while the database is still away, and until it is back
  pg = await cluster();
  const upAt = Date.now();
  await until(ready);
  console.info(
    `[ops] PostgreSQL restart: down for ${upAt - downAt} ms (readyz 503 meanwhile); ready again ${Date.now() - upAt} ms after PostgreSQL was up`,
  );
  const before = acknowledged.size;
  await until(() => acknowledged.size >= before + 100);
  stop = true;
  await Promise.all(workers);

  expect(codes.has('SERVICE_UNAVAILABLE')).toBe(true);
  expect([...codes].filter((code) => code !== 'SERVICE_UNAVAILABLE')).toEqual([]); // never an internal error
  const run = await getRun(admin, startRun.id);
  expect(run?.counts.total).toBe(acknowledged.size);
  console.info(`[ops] outage error codes: ${[...codes].join(', ')}; records acknowledged ${acknowledged.size}`);

  // Every event committed before, during and after the restart, from each subscriber's first on: once, in order.
  const sql = new postgres.Client({ connectionString: pg.urlFor('restart') });
  await sql.connect();
  try {
    const table = async (kind: string) =>
      (
        await sql.query<{ event_xid: string; event_id: string }>(
          'SELECT xid::text AS event_xid, id::text AS event_id FROM events WHERE kind = $1 ORDER BY xid, id',
          [kind],
        )
      ).rows.map((row) => encodeEventCursor({ xid: BigInt(row.event_xid), id: BigInt(row.event_id) }));
    const tableRuns = await table('run');
    const tableRecords = await table('records');
    const receivedAll = (subscriber: ResumingSubscriber<{ cursor: string }>, all: string[]) =>
      until(() => subscriber.values.at(-1)?.cursor === all.at(-1));
    await Promise.all([receivedAll(runs, tableRuns), receivedAll(records, tableRecords), receivedAll(cutOff, tableRecords)]);
    const from = (all: string[], subscriber: ResumingSubscriber<{ cursor: string }>) => all.slice(all.indexOf(subscriber.values[0].cursor));
    expect(runs.values.map((e) => e.cursor)).toEqual(from(tableRuns, runs));
    expect(records.values.map((e) => e.cursor)).toEqual(from(tableRecords, records));
    expect(cutOff.values.map((e) => e.cursor)).toEqual(from(tableRecords, cutOff));
    // Subscribed before the first batch was reported: they have every batch.
    expect(records.values[0].cursor).toBe(tableRecords[0]);
    expect(cutOff.values[0].cursor).toBe(tableRecords[0]);
    expect(cutOff.resumes).toBeGreaterThan(resumesBefore);
    console.info(
      `[ops] subscribers across the restart: ${runs.values.length} run and ${records.values.length} record-batch events, none missed or doubled; the one cut off during the outage resumed ${cutOff.resumes} times (${cutOff.ends.join(', ')})`,
    );
  } finally {
    await sql.end();
  }
}, 120_000);
