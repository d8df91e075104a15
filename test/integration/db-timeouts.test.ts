// A request held up in the database fails with TIMEOUT after the statement timeout, other requests
// waiting for a connection fail after the connect timeout, and the pool is never stuck: once the
// blocker is gone the next request is answered.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let blocker: pg.Client;

beforeAll(async () => {
  // No turns (graphql/turns.ts): more requests than the pool's connections reach the pool, whose wait is tested here.
  server = await startTestServer({ DB_STATEMENT_TIMEOUT_MS: '1000', DB_CONNECT_TIMEOUT_MS: '1000', GRAPHQL_CONCURRENCY: '0' });
  blocker = new pg.Client({ connectionString: server.databaseUrl });
  await blocker.connect();
});
afterAll(async () => {
  await blocker?.end();
  await server?.stop();
});

describe('database timeouts', () => {
  it('answer TIMEOUT while a table is locked, and the pool recovers', async () => {
    await server.admin.ok('{ runs(first: 1) { edges { cursor } } }');
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE runs IN ACCESS EXCLUSIVE MODE');
    try {
      // More requests than the pool has connections: some wait in the database, the rest for a connection.
      const results = await Promise.all(Array.from({ length: 14 }, () => server.admin.request('{ runs(first: 1) { edges { cursor } } }')));
      for (const result of results) {
        expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'TIMEOUT' } });
        expect(result.errors?.[0].message).not.toMatch(/statement|cancel|pool|connect/i);
      }
    } finally {
      await blocker.query('ROLLBACK');
    }
    const { runs } = await server.admin.ok<{ runs: { edges: unknown[] } }>('{ runs(first: 1) { edges { cursor } } }');
    expect(runs.edges).toEqual([]);
  });
});
