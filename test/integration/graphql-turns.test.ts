// GRAPHQL_CONCURRENCY requests run at once (1 here); the rest wait their turn in order of arrival (graphql/turns.ts), visible
// in /metrics, and one that cannot have a turn within DB_CONNECT_TIMEOUT_MS gets 503 TIMEOUT, as for a connection. A
// client that leaves stops waiting then; on shutdown those still waiting are refused, and those running finish.
import { connect } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockWaiters } from '../support/lock-waiters.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let blocker: pg.Client;

beforeAll(async () => {
  server = await startTestServer({ GRAPHQL_CONCURRENCY: '1', DB_CONNECT_TIMEOUT_MS: '1500', DB_STATEMENT_TIMEOUT_MS: '20000' });
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

/**
 * Runs `work` while a request holds the one turn, waiting on a lock of the audit log; it is answered after.
 * (On `on`, another server, with `lock`, a client of its database.)
 */
async function whileTheTurnIsHeld(work: () => Promise<void>, on = server, lock = blocker): Promise<void> {
  const blocker = lock;
  await blocker.query('BEGIN');
  await blocker.query('LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE');
  const holder = on.admin.request(HOLD);
  let answered: unknown;
  void holder.then((answer) => {
    answered = answer;
  });
  try {
    // It holds the turn once its statement waits on the lock (an answer before that says why it did not).
    const deadline = Date.now() + 20_000;
    for (let waiting = 0; waiting < 1; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (answered) throw new Error(`the request meant to hold the turn was answered: ${JSON.stringify(answered)}`);
      if (Date.now() > deadline) {
        await blocker.query('SELECT pg_stat_clear_snapshot()');
        const { rows } = await blocker.query(
          'SELECT state, wait_event_type, wait_event, query FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        );
        throw new Error(`the request meant to hold the turn never waited on the lock; the database runs ${JSON.stringify(rows)}`);
      }
      waiting = await lockWaiters(blocker, '%audit_entries%');
    }
    await work();
  } finally {
    await blocker.query('ROLLBACK');
  }
  expect((await holder).errors).toBeUndefined();
}

it('answers a request that waited past DB_CONNECT_TIMEOUT_MS for its turn 503 TIMEOUT', async () => {
  await whileTheTurnIsHeld(async () => {
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
  await whileTheTurnIsHeld(async () => {
    answered = server.admin.ok('{ __typename }');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^syncwatch_graphql_waiting 1$/m);
  });
  expect(await answered).toEqual({ __typename: 'Query' });
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  expect(metrics).toMatch(/^syncwatch_graphql_waiting 0$/m);
});

it('gives the turn back once the request has run, though its client never reads the answer', async () => {
  // Thirty copies of the schema's description: megabytes.
  const type = 'type { kind name ofType { kind name ofType { kind name } } }';
  const SCHEMA = `types { kind name description fields { name description isDeprecated deprecationReason args { name description defaultValue ${type} } ${type} } inputFields { name description defaultValue ${type} } enumValues { name description isDeprecated } interfaces { name } possibleTypes { name } }`;
  const big = `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: __schema { ${SCHEMA} }`).join(' ')} }`;
  const body = JSON.stringify({ query: big });
  const size = JSON.stringify((await server.admin.ok(big)) as object).length;
  expect(size).toBeGreaterThan(3_000_000);
  const { port } = new URL(server.url);
  const stalled = connect(Number(port), '127.0.0.1');
  stalled.pause(); // never reads
  await new Promise((resolve) => stalled.once('connect', resolve));
  // Three in a row on the one connection: about 10 MB to send, more than the sockets' buffers hold.
  const request =
    `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${ADMIN_SECRET}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  stalled.write(request.repeat(3));
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // With the one turn still held, this would wait DB_CONNECT_TIMEOUT_MS and get 503.
    expect(await server.admin.ok('{ __typename }')).toEqual({ __typename: 'Query' });
  } finally {
    stalled.destroy();
  }
});

/** The waiting gauge of a server, as /metrics says it. */
async function waitingOn(on: TestServer): Promise<number> {
  const metrics = await (await fetch(`${on.url}/metrics`)).text();
  return Number(/^syncwatch_graphql_waiting (\d+)$/m.exec(metrics)?.[1]);
}

/** Polls until the gauge reads `n` or ten seconds pass (half a patient server's wait); returns the last reading. */
async function waitingBecomes(on: TestServer, n: number): Promise<number> {
  let seen = await waitingOn(on);
  for (const deadline = Date.now() + 10_000; seen !== n && Date.now() < deadline; seen = await waitingOn(on)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return seen;
}

/** A server whose requests may wait 20 s for a turn (longer than these tests look), and a client of its database. */
async function startPatientServer(): Promise<{ patient: TestServer; lock: pg.Client }> {
  const patient = await startTestServer({ GRAPHQL_CONCURRENCY: '1', DB_CONNECT_TIMEOUT_MS: '20000', DB_STATEMENT_TIMEOUT_MS: '20000' });
  const lock = new pg.Client({ connectionString: patient.databaseUrl });
  await lock.connect();
  return { patient, lock };
}

it('stops counting a request as waiting as soon as its client leaves', async () => {
  const { patient: server, lock } = await startPatientServer();
  try {
    await whileTheTurnIsHeld(
      async () => {
        const leaving = new AbortController();
        const request = fetch(server.graphqlUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_SECRET}` },
          body: JSON.stringify({ query: '{ __typename }' }),
          signal: leaving.signal,
        }).catch(() => 'left');
        expect(await waitingBecomes(server, 1)).toBe(1);
        leaving.abort();
        expect(await request).toBe('left');
        // While the turn is still held (it would be for 20 s): the one who left is no longer counted.
        expect(await waitingBecomes(server, 0)).toBe(0);
      },
      server,
      lock,
    );
    expect(await server.admin.ok('{ __typename }')).toEqual({ __typename: 'Query' });
  } finally {
    await lock.end();
    await server.stop();
  }
});

it('on shutdown, refuses the requests still waiting (503, retryable) while the one running finishes', async () => {
  // Waiting could last 20 s here: a refusal that comes sooner is the shutdown's.
  const { patient: stopping, lock } = await startPatientServer();
  let stopped: Promise<void> | undefined;
  try {
    await whileTheTurnIsHeld(
      async () => {
        const waiting = stopping.admin.request('{ __typename }');
        expect(await waitingBecomes(stopping, 1)).toBe(1);
        stopped = stopping.stop();
        let timer: NodeJS.Timeout | undefined;
        const refused = await Promise.race([
          waiting,
          new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting'), 5_000))),
        ]);
        clearTimeout(timer);
        expect(refused).toMatchObject({ status: 503, errors: [{ extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] });
      },
      stopping,
      lock,
    );
  } finally {
    // The lock is given up by now (whileTheTurnIsHeld), so the running request finishes and the stop completes.
    await (stopped ?? stopping.stop());
    await lock.end();
  }
});
