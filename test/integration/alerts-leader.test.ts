// Two instances on one database, the leader's connections killed while it evaluates and sends: the other takes
// over, and every alert is opened once and told once (the same webhook-id if a send was cut after the receiver
// got it: at-least-once delivery, deduplicated by the receiver).
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withDatabase } from '../support/db-state.js';
import { createPipeline, eventually, finishRun, startRun } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type Receiver, startReceiver, verifyWebhook } from '../support/webhook-receiver.js';

const ENV = { ALERT_EVALUATION_MS: '100', ALERT_DELIVERY_MS: '100', WEBHOOK_ALLOW_PRIVATE: 'true' };
let first: TestServer;
let second: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  first = await startTestServer(ENV);
  second = await startTestServer(ENV, { databaseUrl: first.databaseUrl });
  receiver = await startReceiver();
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await receiver?.close();
});

/** The name an instance gives its pool's connections (instance.ts), by which its backends are found. */
const applicationNameOf = (server: TestServer) =>
  ((server.instance.db.driver as unknown as { master: pg.Pool }).master.options as { application_name: string }).application_name;

it('a leader killed mid-evaluation neither loses nor doubles an alert or its notification', { timeout: 120_000 }, async () => {
  expect(first.instance.isLeader()).toBe(true);
  const { createNotificationChannel } = await first.admin.ok<{
    createNotificationChannel: { signingSecret: string; channel: { id: string } };
  }>('mutation($input: ChannelInput!) { createNotificationChannel(input: $input) { signingSecret channel { id } } }', {
    input: { name: 'leader', kind: 'WEBHOOK', url: receiver.url },
  });
  const pipelines = await Promise.all(Array.from({ length: 20 }, () => createPipeline(first.admin)));
  await first.admin.ok('mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }', {
    input: {
      name: 'leader test',
      condition: 'RUN_FAILED',
      pipelineIds: pipelines.map((p) => p.id),
      channelIds: [createNotificationChannel.channel.id],
    },
  });
  // Failures land while the leader evaluates; its connections die part-way (the lock's with them).
  let killed = 0;
  await Promise.all([
    ...pipelines.map(async (pipeline) => {
      const run = await startRun(second.admin, pipeline.id);
      await finishRun(second.admin, run.id, { status: 'FAILED', error: 'down' });
    }),
    (async () => {
      await new Promise((r) => setTimeout(r, 150));
      killed = await withDatabase(first.databaseUrl, async (client) =>
        Number(
          (
            await client.query('SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [
              applicationNameOf(first),
            ])
          ).rows[0].n,
        ),
      );
    })(),
  ]);
  expect(killed).toBeGreaterThan(0);

  const alerts = await eventually(
    async () => {
      const rows = await withDatabase(first.databaseUrl, async (client) => (await client.query('SELECT id, target_key FROM alerts')).rows);
      return rows.length >= 20 ? rows : undefined;
    },
    'an alert per pipeline',
    60_000,
  );
  await eventually(
    async () => (new Set(receiver.received.map((r) => r.headers['webhook-id'])).size >= 20 ? true : undefined),
    'twenty deliveries',
    60_000,
  );
  await new Promise((r) => setTimeout(r, 2000)); // more cycles, possibly on either instance: nothing new may come
  const after = await withDatabase(
    first.databaseUrl,
    async (client) => (await client.query('SELECT count(*)::int AS n FROM alerts')).rows[0].n,
  );
  expect(after).toBe(20);
  expect(new Set(alerts.map((a) => a.target_key)).size).toBe(20);
  const told = receiver.received.map((request) => ({
    id: request.headers['webhook-id'],
    alert: (verifyWebhook(createNotificationChannel.signingSecret, request) as { data: { alert: { id: string } } }).data.alert.id,
  }));
  const webhookIds = new Set(told.map((t) => t.id));
  expect(webhookIds.size).toBe(20);
  expect(new Set(told.map((t) => t.alert)).size).toBe(20);
  // Whoever leads now, one instance does.
  expect([first.instance.isLeader(), second.instance.isLeader()].filter(Boolean).length).toBeLessThanOrEqual(1);
});
