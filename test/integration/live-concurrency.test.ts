// Many writers at once, some transactions held open, some rolled back: the live stream still
// equals the event table, exactly. Ids are handed out at insert but rows appear at commit, so a
// reader that moved past a younger id while an older one was in flight would skip it forever.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { encodeEventCursor } from '../../server/events/position.js';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, eventually, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

const RUNS = 'subscription { runUpdated { cursor run { id } } }';
const RECORDS = 'subscription { recordsUpdated { cursor records { id } } }';

let databaseUrl: string;
let a: TestServer;
let b: TestServer;
let sql: pg.Client;
let live: LiveClient;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tableCursors(kind: string): Promise<string[]> {
  // Aliases of their own: ORDER BY an output alias "xid" would sort the text ("1000" before "999").
  const { rows } = await sql.query<{ event_xid: string; event_id: string }>(
    'SELECT xid::text AS event_xid, id::text AS event_id FROM events WHERE kind = $1 ORDER BY xid, id',
    [kind],
  );
  return rows.map((row) => encodeEventCursor({ xid: BigInt(row.event_xid), id: BigInt(row.event_id) }));
}

/** A worker reporting batch after batch into a run of its own, then finishing it. */
async function busyWorker(client: GraphQLClient, pipelineId: string, tag: string): Promise<void> {
  const run = await startRun(client, pipelineId);
  for (let i = 0; i < 8; i++) await reportRecords(client, run.id, [recordInput(`${tag}-${i}-a`), recordInput(`${tag}-${i}-b`)]);
  await finishRun(client, run.id);
}

/**
 * A transaction that holds its event open for a while, written the way appendEvents does, then wakes the readers
 * after its commit as events/commit-signal.ts does.
 * early-xid: takes its xid first and inserts late (a younger id commits with an older xid).
 * early-id: inserts first and commits late. rollback: inserts, then gives up (a gap in the ids).
 */
async function heldTransaction(run: { id: string; pipelineId: string }, shape: 'early-xid' | 'early-id' | 'rollback'): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const insert = () =>
    client.query(
      `INSERT INTO events (kind, run_id, pipeline_id, tenant_id, payload)
       VALUES ('run', $1, $2, NULL, '{"change":"lease","status":"RUNNING","previousStatus":"RUNNING"}')`,
      [run.id, run.pipelineId],
    );
  try {
    await client.query('BEGIN');
    if (shape === 'early-xid') {
      await client.query('SELECT pg_current_xact_id()');
      await sleep(100 + Math.random() * 300);
      await insert();
      await sleep(Math.random() * 100);
    } else {
      await insert();
      await sleep(100 + Math.random() * 300);
    }
    await client.query(shape === 'rollback' ? 'ROLLBACK' : 'COMMIT');
    if (shape !== 'rollback') await client.query(`SELECT pg_notify('syncwatch_events', '')`);
  } finally {
    await client.end();
  }
}

/**
 * Moves the cluster's transaction ids to just below a power of ten, so that the writes of the test
 * cross it: positions must compare as numbers (999 < 1000), never as text. Aborted subtransactions
 * use up ids quickly. Returns false when the next boundary is too far to reach cheaply.
 */
async function nearDigitBoundary(): Promise<boolean> {
  const { rows } = await sql.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
  const burn = Number(10n ** BigInt(rows[0].xid.length) - BigInt(rows[0].xid)) - 30;
  if (burn > 300_000) return false;
  if (burn <= 0) return true;
  await sql.query('CREATE TEMP TABLE IF NOT EXISTS xid_burner (n int)');
  await sql.query(`DO $$ BEGIN
    FOR i IN 1..${burn} LOOP
      BEGIN INSERT INTO xid_burner VALUES (i); RAISE EXCEPTION 'burn'; EXCEPTION WHEN OTHERS THEN NULL; END;
    END LOOP;
  END $$`);
  return true;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  a = await startTestServer({ PROGRESS_INTERVAL_MS: '0' }, { databaseUrl });
  b = await startTestServer({ PROGRESS_INTERVAL_MS: '0' }, { databaseUrl });
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  live = new LiveClient(a.graphqlUrl, a.admin.secret);
});
afterAll(async () => {
  await live?.dispose();
  await sql?.end();
  await a?.stop();
  await b?.stop();
});

describe('concurrent writers', () => {
  it('skip nothing and double nothing, whatever order their transactions commit in', async () => {
    const pipeline = await createPipeline(a.admin);
    const ingestA = await a.clientFor(Role.INGEST);
    const ingestB = await b.clientFor(Role.INGEST);
    const runs = live.subscribe<{ cursor: string }>(RUNS);
    const records = live.subscribe<{ cursor: string }>(RECORDS);
    await eventually(async () => (a.instance.hub.openSubscriptions >= 2 ? true : undefined), 'the subscriptions');

    const target = await startRun(ingestA, pipeline.id);
    const crossing = await nearDigitBoundary();
    const shapes = ['early-xid', 'early-id', 'rollback'] as const;
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => busyWorker(i % 2 ? ingestA : ingestB, pipeline.id, `w${i}`)),
      ...Array.from({ length: 12 }, async (_, i) => {
        await sleep(i * 60);
        await heldTransaction({ id: target.id, pipelineId: pipeline.id }, shapes[i % 3]);
      }),
    ]);
    await finishRun(ingestA, target.id);

    const expectedRuns = await tableCursors('run');
    const expectedRecords = await tableCursors('records');
    await runs.until((values) => values.at(-1)?.cursor === expectedRuns.at(-1), 'every run event');
    await records.until((values) => values.at(-1)?.cursor === expectedRecords.at(-1), 'every batch');
    expect(runs.values.map((e) => e.cursor)).toEqual(expectedRuns);
    expect(records.values.map((e) => e.cursor)).toEqual(expectedRecords);

    // The trap was really set: some event has a larger id than one that sorts after it.
    const { rows } = await sql.query<{ inversions: number }>(
      `SELECT count(*)::int AS inversions FROM events e1 JOIN events e2 ON e1.id > e2.id AND e1.xid < e2.xid`,
    );
    expect(rows[0].inversions).toBeGreaterThan(0);
    if (crossing) {
      const lengths = await sql.query<{ n: number }>(`SELECT count(DISTINCT length(xid::text))::int AS n FROM events WHERE id > $1`, [0]);
      expect(lengths.rows[0].n).toBeGreaterThan(1);
    }
  });
});
