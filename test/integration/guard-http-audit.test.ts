// The GraphQL-over-HTTP spec's own audit (graphql-http's auditServer) against a real instance, with a key, and the
// public operational endpoints that must never show database error text.
import { auditServer } from 'graphql-http';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('GraphQL over HTTP audit', () => {
  it('passes every MUST and every SHOULD of graphql-http’s auditServer (with a key)', async () => {
    const fetchFn = (input: string | URL | Request, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${ADMIN_SECRET}`);
      return fetch(input, { ...init, headers });
    };
    const results = await auditServer({ url: server.graphqlUrl, fetchFn });
    // "warn" is a failed SHOULD, "error" a failed MUST; "notice" (a MAY) is reported, not required.
    const notices = results.filter((result) => result.status === 'notice').map((result) => result.name);
    if (notices.length) console.info(`[audit] MAYs not followed: ${notices.join('; ')}`);
    const failed = results
      .filter((result) => result.status === 'warn' || result.status === 'error')
      .map((result) => `${result.status} ${result.name}: ${'reason' in result ? result.reason : ''}`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(30);
  });
});

describe('operational endpoints with the database away', () => {
  it('/readyz and /metrics answer without the database’s error text', async () => {
    const name = new URL(server.databaseUrl).pathname.slice(1);
    const admin = new URL(server.databaseUrl);
    admin.pathname = '/postgres';
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      const readyz = await fetch(`${server.url}/readyz`);
      expect(readyz.status).toBe(503);
      const text = await readyz.text();
      expect(JSON.parse(text)).toEqual({ status: 'unavailable', database: 'down' });
      expect(text).not.toContain(name);
      const metrics = await fetch(`${server.url}/metrics`);
      const body = await metrics.text();
      expect(body).not.toContain(name);
      expect(body).not.toMatch(/terminating connection|not currently accepting|ECONNREFUSED/);
    } finally {
      await client.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await client.end();
    }
  });
});
