// A subscriber that stops reading is cut off with CLOSE.SLOW_READER (4460) once its buffer of unsent
// events is full, and can resume with `since` from the last event it received.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Role } from '../../server/domain/enums.js';
import { encodeEventCursor } from '../../server/events/position.js';
import { CLOSE } from '../../server/sdk/close-codes.js';
import { createPipeline, eventually, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

let server: TestServer;
let sql: pg.Client;

beforeAll(async () => {
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' });
  sql = new pg.Client({ connectionString: server.databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

describe('a subscriber that cannot keep up', () => {
  it('is closed with CLOSE.SLOW_READER and resumes with since', async () => {
    const pipeline = await createPipeline(server.admin);
    const ingest = await server.clientFor(Role.INGEST);
    const run = await startRun(ingest, pipeline.id);
    // One batch of 300 records: every event below re-sends all of them (about 60 KB a message).
    await reportRecords(
      ingest,
      run.id,
      Array.from({ length: 300 }, (_, i) => recordInput(`slow-${i}`, { details: { note: 'x'.repeat(100) } })),
    );

    // A raw graphql-transport-ws client that stops reading once subscribed.
    const socket = new WebSocket(server.graphqlUrl.replace('http', 'ws'), 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    const firstCursors: string[] = [];
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${server.admin.secret}` } })),
    );
    socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: `subscription { recordsUpdated(runId: "${run.id}") { cursor records { id sourceId details } } }` },
          }),
        );
      } else if (message.type === 'next') {
        firstCursors.push(message.payload.data.recordsUpdated.cursor);
      }
    });
    const before = server.instance.hub.openSubscriptions;
    await eventually(async () => (server.instance.hub.openSubscriptions > before ? true : undefined), 'the subscription');
    socket.pause();

    // 1,500 events naming that batch, written the way appendEvents does, in one transaction.
    const { rows } = await sql.query<{ ids: string[] }>('SELECT array_agg(id::text) AS ids FROM records WHERE run_id = $1', [run.id]);
    const inserted = await sql.query<{ last: string }>(
      `WITH flood AS (
         INSERT INTO events (kind, run_id, pipeline_id, tenant_id, payload)
         SELECT 'records', $1, $2, NULL, jsonb_build_object('recordIds', $3::text[]) FROM generate_series(1, 1500)
         RETURNING id
       ) SELECT max(id)::text AS last FROM flood`,
      [run.id, pipeline.id, rows[0].ids],
    );
    await sql.query(`SELECT pg_notify('syncwatch_events', '')`);
    // Keep the socket paused until the instance has sent (or queued) every event of the flood.
    const last = BigInt(inserted.rows[0].last);
    await eventually(async () => (server.instance.hub.position.id >= last ? true : undefined), 'the flood to be dispatched', 60_000);
    await new Promise((resolve) => setImmediate(resolve));

    socket.resume();
    expect(await closed).toBe(CLOSE.SLOW_READER.code);

    // Resuming from the last event received delivers exactly the rest.
    const { rows: table } = await sql.query<{ event_xid: string; event_id: string }>(
      `SELECT xid::text AS event_xid, id::text AS event_id FROM events WHERE kind = 'records' AND run_id = $1 ORDER BY xid, id`,
      [run.id],
    );
    const expected = table.map((row) => encodeEventCursor({ xid: BigInt(row.event_xid), id: BigInt(row.event_id) }));
    const since = firstCursors.at(-1);
    expect(firstCursors.length).toBeGreaterThan(0);
    expect(firstCursors.length).toBeLessThan(expected.length);
    const client = new LiveClient(server.graphqlUrl, server.admin.secret);
    try {
      const rest = client.subscribe<{ cursor: string }>(
        'subscription($since: String, $runId: ID) { recordsUpdated(runId: $runId, since: $since) { cursor } }',
        { runId: run.id, since },
      );
      await rest.until((values) => values.at(-1)?.cursor === expected.at(-1), 'the rest of the events', 120_000);
      expect([...firstCursors, ...rest.values.map((e) => e.cursor)]).toEqual(expected.slice(expected.indexOf(firstCursors[0])));
    } finally {
      await client.dispose();
    }
  });
});
