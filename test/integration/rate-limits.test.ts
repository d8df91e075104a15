// Rate limits per key and per address, failed authentications included, held in PostgreSQL so that
// two instances on one database share them: 429 with Retry-After over the limit.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { CLOSE } from '../../server/sdk/close-codes.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

const LIMITS = { RATE_LIMIT_PER_KEY: '5', RATE_LIMIT_FAILED_AUTH: '3', RATE_LIMIT_PER_ADDRESS: '1000' };
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer(LIMITS);
  b = await startTestServer(LIMITS, { databaseUrl: a.databaseUrl });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

async function post(url: string, secret: string | null) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (secret) headers.authorization = `Bearer ${secret}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query: '{ me { role } }' }) });
  const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.errors?.[0]?.extensions.code };
}

/** This instance's count of refusals by the limit named, from GET /metrics. */
async function refusals(server: TestServer, limit: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`syncwatch_rate_limited_total{limit="${limit}"} `));
  if (!line) throw new Error(`no syncwatch_rate_limited_total for ${limit} in /metrics`);
  return Number(line.split(' ')[1]);
}

describe('rate limits', () => {
  it('count a key over both instances, and answer 429 with Retry-After', async () => {
    const viewer = await a.clientFor(Role.VIEWER);
    const other = await a.clientFor(Role.VIEWER);
    const secret = viewer.secret as string;
    for (const url of [a.graphqlUrl, b.graphqlUrl, a.graphqlUrl, b.graphqlUrl, a.graphqlUrl]) {
      expect((await post(url, secret)).status).toBe(200);
    }
    const before = await refusals(b, 'key');
    const refused = await post(b.graphqlUrl, secret);
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    // Counted by the instance that refused, under the limit that refused.
    expect(await refusals(b, 'key')).toBe(before + 1);
    expect(await refusals(b, 'failed_auth')).toBe(0);
    // Another key is not held back by this one.
    expect((await post(b.graphqlUrl, other.secret)).status).toBe(200);
  });

  it('count a burst of concurrent requests exactly, over both instances', async () => {
    // Requests of one key that arrive together are admitted together (one statement a batch): still one by one.
    const secret = (await a.clientFor(Role.VIEWER)).secret as string;
    // Known to both instances first (one request each), so the burst goes through the one-statement path.
    expect((await post(a.graphqlUrl, secret)).status).toBe(200);
    expect((await post(b.graphqlUrl, secret)).status).toBe(200);
    // The address's counter held by another transaction: each instance's first statement waits, the rest of the
    // burst queues behind it, and goes as one batch once the counter is free.
    const holder = new pg.Client({ connectionString: a.databaseUrl });
    await holder.connect();
    let burst: Awaited<ReturnType<typeof post>>[];
    try {
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM rate_limits WHERE key LIKE 'addr:%' FOR UPDATE");
      const sent = Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? a.graphqlUrl : b.graphqlUrl, secret)));
      await new Promise((resolve) => setTimeout(resolve, 500));
      await holder.query('COMMIT');
      burst = await sent;
    } finally {
      await holder.end();
    }
    const statuses = burst.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
    for (const refused of burst.filter((answer) => answer.status === 429)) {
      expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    }
  });

  it('count failed authentications per address, then refuse the failing guesses, never a valid key', async () => {
    // A good key b has seen already (so b knows it without a query, and counts it in the address's statement),
    // and one no instance has seen yet (looked up after the address is admitted).
    const known = (await a.clientFor(Role.VIEWER)).secret as string;
    const unseen = (await a.clientFor(Role.VIEWER)).secret as string;
    expect((await post(b.graphqlUrl, known)).status).toBe(200);
    const forged = new GraphQLClient(a.graphqlUrl, 'not-a-key-at-all');
    for (let i = 0; i < 3; i++) expect(await forged.errorCode('{ me { role } }')).toBe('UNAUTHENTICATED');
    const before = await refusals(b, 'failed_auth');
    const refused = await post(b.graphqlUrl, 'still-not-a-key');
    expect(refused).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(await refusals(b, 'failed_auth')).toBe(before + 1);
    // The address is over its failed authentications; its valid keys still get in, on either instance.
    expect(await post(b.graphqlUrl, known)).toMatchObject({ status: 200, code: undefined });
    expect(await post(a.graphqlUrl, unseen)).toMatchObject({ status: 200, code: undefined });
    expect(await refusals(b, 'failed_auth')).toBe(before + 1);
    // Over the WebSocket as well: a bad key is refused as a guess, a valid one subscribes.
    const guess = new LiveClient(a.graphqlUrl, 'yet-another-guess');
    try {
      expect(await guess.closed).toEqual({ code: CLOSE.TOO_MANY_FAILED_AUTH.code, reason: CLOSE.TOO_MANY_FAILED_AUTH.reason });
    } finally {
      await guess.dispose();
    }
    const valid = new LiveClient(b.graphqlUrl, unseen);
    try {
      await new Promise<void>((resolve) => valid.client.on('connected', () => resolve()));
    } finally {
      await valid.dispose();
    }
    // And the failing guesses still count and are refused over HTTP.
    expect(await post(a.graphqlUrl, 'one-more-guess')).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it('count bad keys sent over the WebSocket as failed authentications of the address', async () => {
    // Each bad socket adds one failure to its address's counter, the one the HTTP door reads.
    const countOf = async () => {
      const db = new pg.Client({ connectionString: a.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<{ points: number }>("SELECT points FROM rate_limits WHERE key LIKE 'auth:%'");
        return rows.reduce((sum, row) => sum + row.points, 0);
      } finally {
        await db.end();
      }
    };
    const before = await countOf();
    const guess = new LiveClient(b.graphqlUrl, 'a-socket-guess');
    try {
      await guess.closed;
    } finally {
      await guess.dispose();
    }
    expect(await countOf()).toBe(before + 1);
  });
});
