// GRAPHQL_CONCURRENCY requests run at once; the rest wait their turn in order of arrival (graphql/turns.ts), visible
// in /metrics, and one that cannot have a turn within DB_CONNECT_TIMEOUT_MS gets 503 TIMEOUT, as for a connection.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let blocker: pg.Client;

beforeAll(async () => {
  server = await startTestServer({ GRAPHQL_CONCURRENCY: '2', DB_CONNECT_TIMEOUT_MS: '1500', DB_STATEMENT_TIMEOUT_MS: '20000' });
  blocker = new pg.Client({ connectionString: server.databaseUrl });
  await blocker.connect();
  await server.admin.ok('{ auditLog(first: 1) { edges { cursor } } }');
});
afterAll(async () => {
  await blocker?.end();
  await server?.stop();
});

// The audit log: /metrics reads runs and records, and must answer while the turns are held.
const HOLD = '{ auditLog(first: 1) { edges { cursor } } }';

/** Runs `work` while two requests hold both turns, waiting on a lock of the audit log; they are answered after. */
async function whileBothTurnsHeld(work: () => Promise<void>): Promise<void> {
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE');
  const holders = [server.admin.request(HOLD), server.admin.request(HOLD)];
  try {
    // Both are in the database once two backends wait on the lock.
    for (let waiting = 0; waiting < 2; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const { rows } = await blocker.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%audit_entries%'",
      );
      waiting = rows[0].n;
    }
    await work();
  } finally {
    await blocker.query('ROLLBACK');
  }
  for (const held of await Promise.all(holders)) expect(held.errors).toBeUndefined();
}

it('answers a request that waited past DB_CONNECT_TIMEOUT_MS for its turn 503 TIMEOUT', async () => {
  await whileBothTurnsHeld(async () => {
    const started = Date.now();
    const refused = await server.admin.request('{ __typename }');
    expect(refused.status).toBe(503);
    expect(refused.errors?.[0]).toMatchObject({ extensions: { code: 'TIMEOUT' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });
  // Every turn was given back.
  await Promise.all(Array.from({ length: 5 }, () => server.admin.ok(HOLD)));
});

it('runs a waiting request once a turn comes free, and counts it as waiting meanwhile', async () => {
  let answered: Promise<unknown> | undefined;
  await whileBothTurnsHeld(async () => {
    answered = server.admin.ok('{ __typename }');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^syncwatch_graphql_waiting 1$/m);
  });
  expect(await answered).toEqual({ __typename: 'Query' });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(/^syncwatch_graphql_waiting 0$/m);
});
