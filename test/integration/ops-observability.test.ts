// Logs, metrics, readiness and graceful shutdown of one instance.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createLogger } from '../../server/logger.js';
import { createPipeline, eventually, type PipelineView, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { lockWaiters } from '../support/lock-waiters.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

const lines: string[] = [];
const logs = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
let server: TestServer;
let pipeline: PipelineView;
const clients: LiveClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' }, { logger: createLogger('info', (line) => lines.push(line)) });
  pipeline = await createPipeline(server.admin);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.stop();
});

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

describe('logs', () => {
  it('writes one JSON line per GraphQL request with its id, operation, key, tenant, duration and outcome, and no secret', async () => {
    const ingest = await server.clientFor(Role.INGEST, 'acme');
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingest.secret}`, 'x-request-id': 'req-ops-1' },
      body: JSON.stringify({ query: 'query Who { me { id role } }' }),
    });
    expect(response.headers.get('x-request-id')).toBe('req-ops-1');
    const { data } = (await response.json()) as { data: { me: { id: string } } };
    const line = await eventually(async () => logs().find((l) => l.reqId === 'req-ops-1'), 'the request line');
    expect(line).toMatchObject({
      level: 'info',
      operation: 'query me',
      operationName: 'Who',
      keyId: data.me.id,
      tenant: 'acme',
      outcome: 'ok',
      res: { statusCode: 200 },
    });
    expect(line.durationMs).toEqual(expect.any(Number));
    expect(line.time).toEqual(expect.any(String));

    await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-key', 'x-request-id': 'req-ops-2' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const refused = await eventually(async () => logs().find((l) => l.reqId === 'req-ops-2'), 'the refused line');
    expect(refused.outcome).toBe('UNAUTHENTICATED');

    const all = lines.join('');
    expect(all).not.toContain(ADMIN_SECRET);
    expect(all).not.toContain(ingest.secret as string);
    expect(all).not.toContain('not-a-key');
  });

  it('says of a request whose client left before the answer that it was not completed, not that it was done', async () => {
    const blocker = new pg.Client({ connectionString: server.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE audit_entries IN ACCESS EXCLUSIVE MODE');
      const leaving = new AbortController();
      const request = fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_SECRET}`, 'x-request-id': 'req-ops-left' },
        body: JSON.stringify({ query: '{ auditLog(first: 1) { edges { cursor } } }' }),
        signal: leaving.signal,
      }).catch(() => 'left');
      await eventually(
        async () => ((await lockWaiters(blocker, '%audit_entries%')) > 0 ? true : undefined),
        'the request waiting on the lock',
      );
      leaving.abort();
      expect(await request).toBe('left');
      const line = await eventually(async () => logs().find((l) => l.reqId === 'req-ops-left'), 'its line');
      expect(line).toMatchObject({ level: 'info', res: { complete: false } });
      expect(line.msg).toMatch(/closed before its answer was complete/);
    } finally {
      await blocker.query('ROLLBACK').catch(() => {});
      await blocker.end();
    }
  });

  it('logs WebSocket closes through the same logger', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const live = new LiveClient(server.graphqlUrl, viewer.secret);
    live.subscribe('subscription { runUpdated { cursor } }');
    await eventually(async () => (server.instance.hub.openSubscriptions > 0 ? true : undefined), 'a subscription');
    await live.dispose();
    await eventually(async () => logs().find((l) => l.msg === 'websocket closed'), 'the close line');
  });
});

describe('metrics', () => {
  it('counts requests by operation and outcome, sockets, subscriptions, events, ingest, LISTEN and the pool', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const ingest = await server.clientFor(Role.INGEST);
    const live = new LiveClient(server.graphqlUrl, viewer.secret);
    clients.push(live);
    const events = live.subscribe<{ run: { id: string } }>('subscription { runUpdated { cursor run { id } } }');
    await eventually(async () => (server.instance.hub.openSubscriptions > 0 ? true : undefined), 'a subscription');
    expect(await metric('syncwatch_websockets_open')).toBeGreaterThanOrEqual(1);
    expect(await metric('syncwatch_subscriptions_open')).toBeGreaterThanOrEqual(1);

    const ingestedBefore = await metric('syncwatch_records_ingested_total');
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('m-1'), recordInput('m-2'), recordInput('m-3')]);
    await events.until((values) => values.some((e) => e.run.id === run.id), 'the run event');

    expect((await metric('syncwatch_records_ingested_total')) - ingestedBefore).toBe(3);
    expect(
      await metric('syncwatch_graphql_request_duration_seconds_count', '{operation="mutation reportRecords",outcome="ok"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(await metric('syncwatch_events_delivered_total')).toBeGreaterThanOrEqual(1);
    expect(await metric('syncwatch_event_delivery_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(await metric('syncwatch_listen_up')).toBe(1);
    expect(await metric('syncwatch_db_pool_in_use')).toBeGreaterThanOrEqual(0);
    expect(await metric('syncwatch_db_pool_waiting')).toBe(0);
    expect([0, 1]).toContain(await metric('syncwatch_leader'));
  });
});

describe('readiness and shutdown', () => {
  it('/readyz reports the database and LISTEN', async () => {
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready', database: 'up', listen: 'up' });
  });

  it('on stop, /readyz turns 503 first, then sockets close with 1001 and the stop completes', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const live = new LiveClient(server.graphqlUrl, viewer.secret);
    clients.push(live);
    live.subscribe('subscription { runUpdated { cursor } }');
    await eventually(async () => (server.instance.hub.openSubscriptions > 0 ? true : undefined), 'a subscription');
    const stopped = server.instance.stop({ readinessDelayMs: 1_000 });
    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'shutting down' });
    expect((await live.closed).code).toBe(1001);
    await stopped;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect(logs().some((l) => l.msg === 'stopped')).toBe(true);
  });
});
