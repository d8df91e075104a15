// Delivery of notifications to real HTTP receivers on loopback: Standard Webhooks signatures (verified with the
// standardwebhooks package, as receivers do), retries with the same webhook-id, the 5 s cut of a hanging receiver,
// redeliver, secret rotation with two signatures, a Slack message, a channel failing for 5 days disabled, and
// private targets refused unless WEBHOOK_ALLOW_PRIVATE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../support/db-state.js';
import { eventually } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type ReceivedRequest, type Receiver, startReceiver, verifyWebhook } from '../support/webhook-receiver.js';

interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

const DELIVERY = 'id event status attempts lastStatusCode lastError nextAttemptAt deliveredAt';
const CREATE_CHANNEL = 'mutation($input: ChannelInput!) { createNotificationChannel(input: $input) { signingSecret channel { id } } }';
const TEST = `mutation($id: ID!) { testNotificationChannel(id: $id) { ${DELIVERY} } }`;
const DELIVERIES = `query($c: ID) { deliveries(channelId: $c, first: 100) { edges { node { ${DELIVERY} } } } }`;

let server: TestServer;
let admin: GraphQLClient;
const receivers: Receiver[] = [];
/** Retries 300 ms apart here, so a whole schedule runs in a test. */
const RETRIES = '300,300,300,300,300,300,300';

beforeAll(async () => {
  server = await startTestServer({ ALERT_DELIVERY_MS: '100', WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_DELAYS_MS: RETRIES });
  admin = server.admin;
});
afterAll(async () => {
  await server?.stop();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

async function channel(client: GraphQLClient, url: string, kind = 'WEBHOOK') {
  const { createNotificationChannel } = await client.ok<{ createNotificationChannel: { signingSecret: string; channel: { id: string } } }>(
    CREATE_CHANNEL,
    { input: { name: `c-${Math.random()}`, kind, url } },
  );
  return { id: createNotificationChannel.channel.id, secret: createNotificationChannel.signingSecret };
}

async function sendTest(client: GraphQLClient, channelId: string): Promise<DeliveryView> {
  return (await client.ok<{ testNotificationChannel: DeliveryView }>(TEST, { id: channelId })).testNotificationChannel;
}

async function deliveryOf(client: GraphQLClient, channelId: string, id: string): Promise<DeliveryView | undefined> {
  const { deliveries } = await client.ok<{ deliveries: { edges: { node: DeliveryView }[] } }>(DELIVERIES, { c: channelId });
  return deliveries.edges.map((e) => e.node).find((d) => d.id === id);
}

const until = (
  client: GraphQLClient,
  channelId: string,
  id: string,
  check: (d: DeliveryView) => boolean,
  what: string,
  timeoutMs = 30_000,
) =>
  eventually(
    async () => {
      const found = await deliveryOf(client, channelId, id);
      return found && check(found) ? found : undefined;
    },
    what,
    timeoutMs,
    100,
  );

const idOf = (request: ReceivedRequest) => request.headers['webhook-id'];

describe('webhooks', () => {
  it('a test send is a signed alert.test envelope whose webhook-id is the delivery id', async () => {
    const target = await receiver();
    const { id, secret } = await channel(admin, target.url);
    const sent = await sendTest(admin, id);
    const [request] = await target.until(1);
    const body = verifyWebhook(secret, request) as { version: number; type: string; data: { url: string; alert: null } };
    expect(body).toMatchObject({ version: 1, type: 'alert.test', data: { alert: null } });
    expect(body.data.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alerts$/);
    expect(idOf(request)).toBe(sent.id);
    expect(request.headers['content-type']).toBe('application/json');
    expect(() => verifyWebhook('whsec_' + Buffer.alloc(32, 1).toString('base64'), request)).toThrow();
    const done = await until(admin, id, sent.id, (d) => d.status === 'DELIVERED', 'delivered');
    expect(done).toMatchObject({ attempts: 1, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(done.deliveredAt).not.toBeNull();
  });

  it('a receiver answering 500 three times, then 200, gets the delivery exactly once more, with the same webhook-id', async () => {
    const target = await receiver((n) => (n < 3 ? 500 : 200));
    const { id, secret } = await channel(admin, target.url);
    const sent = await sendTest(admin, id);
    const requests = await target.until(4);
    const done = await until(admin, id, sent.id, (d) => d.status === 'DELIVERED', 'delivered after three failures');
    await new Promise((r) => setTimeout(r, 1500)); // several sender cycles and retry delays: nothing more comes
    expect(target.received).toHaveLength(4);
    expect(new Set(requests.map(idOf))).toEqual(new Set([sent.id]));
    const bodies = requests.map((r) => JSON.stringify(verifyWebhook(secret, r)));
    expect(new Set(bodies).size).toBe(1); // the same envelope every time
    expect(done).toMatchObject({ attempts: 4, lastStatusCode: 200, lastError: null });
    const log = await withDatabase(
      server.databaseUrl,
      async (c) => (await c.query('SELECT attempt_log FROM deliveries WHERE id = $1', [sent.id])).rows[0].attempt_log,
    );
    expect(log.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 200]);
  });

  it('a receiver that hangs is cut at 5 s, recorded as a timeout, and retried', { timeout: 60_000 }, async () => {
    const target = await receiver((n) => (n === 0 ? 'hang' : 200));
    const { id } = await channel(admin, target.url);
    const sent = await sendTest(admin, id);
    await target.until(1);
    const failed = await until(admin, id, sent.id, (d) => d.attempts >= 1, 'the first attempt recorded', 20_000);
    expect(failed.lastError ?? '').toMatch(/timed out after 5 s/);
    const log = await withDatabase(
      server.databaseUrl,
      async (c) => (await c.query('SELECT attempt_log FROM deliveries WHERE id = $1', [sent.id])).rows[0].attempt_log,
    );
    expect(log[0].durationMs).toBeGreaterThanOrEqual(4_900);
    expect(log[0].durationMs).toBeLessThan(8_000);
    await until(admin, id, sent.id, (d) => d.status === 'DELIVERED', 'delivered on the retry');
  });

  it('fails for good after the last retry; redeliver sends it again with the same webhook-id', async () => {
    let answer = 503;
    const target = await receiver(() => answer);
    const { id } = await channel(admin, target.url);
    const sent = await sendTest(admin, id);
    const failed = await until(admin, id, sent.id, (d) => d.status === 'FAILED', 'FAILED after the schedule');
    expect(failed).toMatchObject({ attempts: 8, lastStatusCode: 503, lastError: 'answered 503', nextAttemptAt: null });
    expect(target.received).toHaveLength(8);
    answer = 200;
    const { redeliver } = await admin.ok<{ redeliver: DeliveryView }>(`mutation($id: ID!) { redeliver(deliveryId: $id) { ${DELIVERY} } }`, {
      id: sent.id,
    });
    expect(redeliver.status).toBe('PENDING');
    await until(admin, id, sent.id, (d) => d.status === 'DELIVERED', 'redelivered');
    expect(target.received).toHaveLength(9);
    expect(idOf(target.received[8])).toBe(sent.id);
  });

  it('after rotateChannelSecret both the old and the new secret verify (two signatures) for 24 hours', async () => {
    const target = await receiver();
    const { id, secret: old } = await channel(admin, target.url);
    const { rotateChannelSecret } = await admin.ok<{ rotateChannelSecret: { signingSecret: string } }>(
      'mutation($id: ID!) { rotateChannelSecret(id: $id) { signingSecret } }',
      { id },
    );
    await sendTest(admin, id);
    const [request] = await target.until(1);
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    verifyWebhook(old, request);
    verifyWebhook(rotateChannelSecret.signingSecret, request);
    // Once the overlap ends, only the new secret signs.
    await withDatabase(server.databaseUrl, (c) =>
      c.query(`UPDATE notification_channels SET previous_secret_until = now() - interval '1 second' WHERE id = $1`, [id]),
    );
    await sendTest(admin, id);
    const [, later] = await target.until(2);
    expect(String(later.headers['webhook-signature']).split(' ')).toHaveLength(1);
    verifyWebhook(rotateChannelSecret.signingSecret, later);
    expect(() => verifyWebhook(old, later)).toThrow();
  });

  it('a channel failing for 5 days in a row is disabled with its reason', async () => {
    const target = await receiver(() => 500);
    const { id } = await channel(admin, target.url);
    await withDatabase(server.databaseUrl, (c) =>
      c.query(`UPDATE notification_channels SET failing_since = now() - interval '5 days 1 minute' WHERE id = $1`, [id]),
    );
    await sendTest(admin, id);
    const disabled = await eventually(async () => {
      const { notificationChannels } = await admin.ok<{
        notificationChannels: { id: string; enabled: boolean; disabledReason: string | null }[];
      }>('{ notificationChannels { id enabled disabledReason } }');
      const found = notificationChannels.find((c) => c.id === id);
      return found && !found.enabled ? found : undefined;
    }, 'the channel disabled');
    expect(disabled.disabledReason).toMatch(/failed for 5 days.*answered 500/);
  });
});

describe('Slack', () => {
  it('posts a readable message with a link to the console', async () => {
    const target = await receiver();
    // Slack URLs are https; this receiver speaks http on loopback, so the URL is pointed at it in the database.
    const { id } = await channel(admin, 'https://hooks.slack.com/services/T/B/C', 'SLACK');
    await withDatabase(server.databaseUrl, (c) => c.query('UPDATE notification_channels SET url = $2 WHERE id = $1', [id, target.url]));
    await sendTest(admin, id);
    const [request] = await target.until(1);
    const body = JSON.parse(request.body) as { text: string };
    expect(body.text).toMatch(/test notification\. <http:\/\/127\.0\.0\.1:\d+\/alerts\|Open the console>/);
    expect(request.headers['webhook-signature']).toBeUndefined();
  });
});

describe('private targets', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ ALERT_DELIVERY_MS: '100', WEBHOOK_RETRY_DELAYS_MS: RETRIES });
  });
  afterAll(() => strict?.stop());

  it('refuses loopback, private and metadata addresses, and a name that resolves to loopback, unless allowed', async () => {
    const target = await receiver();
    for (const url of ['http://127.0.0.1:9/x', 'http://10.0.0.8/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x']) {
      expect(await strict.admin.errorCode(CREATE_CHANNEL, { input: { name: 'p', kind: 'WEBHOOK', url } }), url).toBe('BAD_USER_INPUT');
    }
    // A name is resolved at each send: "localhost" (loopback) set in the database, past the check at creation.
    const { id } = await channel(strict.admin, 'https://hooks.example.com/x');
    await withDatabase(strict.databaseUrl, (c) =>
      c.query('UPDATE notification_channels SET url = $2 WHERE id = $1', [id, `http://localhost:${target.port}/hook`]),
    );
    const sent = await sendTest(strict.admin, id);
    const refused = await until(strict.admin, id, sent.id, (d) => d.attempts >= 1, 'the refused attempt');
    expect(refused.lastError).toMatch(/refused: localhost resolves to 127\.0\.0\.1/);
    expect(refused.lastStatusCode).toBeNull();
    expect(target.received).toHaveLength(0);
  });
});
