// Alert evaluation by the leader against real reported data: each condition fires and resolves, a storm of failing
// runs is one FIRING notification and one RESOLVED, acknowledging stops nothing but reminders, a muted rule records
// and tells nobody, and alertChanged streams the changes in tenant scope. Deliveries go to a real loopback receiver
// and are verified as Standard Webhooks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { withDatabase } from '../support/db-state.js';
import {
  createPipeline,
  eventually,
  finishRun,
  type RecordInput,
  recordInput,
  reportedRun,
  startRun,
  successes,
  unique,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type Receiver, startReceiver, verifyWebhook } from '../support/webhook-receiver.js';
import { LiveClient } from '../support/ws-client.js';

interface AlertView {
  id: string;
  state: string;
  severity: string;
  summary: string;
  value: number | null;
  fingerprint: string | null;
  firedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  rule: { id: string; name: string };
  pipeline: { id: string } | null;
  run: { id: string; status: string } | null;
}

const ALERT =
  'id state severity summary value fingerprint firedAt acknowledgedAt acknowledgedBy resolvedAt rule { id name } pipeline { id } run { id status }';
const ALERTS = `query($states: [AlertState!], $first: Int) { alerts(states: $states, first: $first) { edges { node { ${ALERT} } } } }`;

let server: TestServer;
let admin: GraphQLClient;
let ingest: GraphQLClient;
let operator: GraphQLClient;
let receiver: Receiver;
let channelId: string;
let secret: string;
const live: LiveClient[] = [];

beforeAll(async () => {
  server = await startTestServer({
    ALERT_EVALUATION_MS: '200',
    ALERT_DELIVERY_MS: '100',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    PROGRESS_INTERVAL_MS: '0',
  });
  admin = server.admin;
  ingest = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
  receiver = await startReceiver();
  const { createNotificationChannel } = await admin.ok<{ createNotificationChannel: { signingSecret: string; channel: { id: string } } }>(
    'mutation($input: ChannelInput!) { createNotificationChannel(input: $input) { signingSecret channel { id } } }',
    { input: { name: 'receiver', kind: 'WEBHOOK', url: receiver.url } },
  );
  channelId = createNotificationChannel.channel.id;
  secret = createNotificationChannel.signingSecret;
});
afterAll(async () => {
  await Promise.all(live.map((client) => client.dispose()));
  await server?.stop();
  await receiver?.close();
});

async function rule(input: Record<string, unknown>, client = operator): Promise<string> {
  const { createAlertRule } = await client.ok<{ createAlertRule: { id: string } }>(
    'mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }',
    { input: { name: unique('rule'), channelIds: [channelId], ...input } },
  );
  return createAlertRule.id;
}

async function alertsOf(ruleId: string, client: GraphQLClient = admin): Promise<AlertView[]> {
  const { alerts } = await client.ok<{ alerts: { edges: { node: AlertView }[] } }>(ALERTS, { first: 500 });
  return alerts.edges.map((e) => e.node).filter((a) => a.rule.id === ruleId);
}

/** Waits until the rule's alerts satisfy `check`; returns them. */
const alertsUntil = (ruleId: string, check: (alerts: AlertView[]) => boolean, what: string) =>
  eventually(
    async () => {
      const alerts = await alertsOf(ruleId);
      return check(alerts) ? alerts : undefined;
    },
    what,
    30_000,
    100,
  );

/** The verified envelopes the receiver got about this rule's alerts. */
function envelopesOf(ruleId: string) {
  return receiver.received
    .map((request) => ({
      request,
      body: verifyWebhook(secret, request) as {
        type: string;
        data: { rule: { id: string } | null; alert: { id: string; state: string } | null };
      },
    }))
    .filter((e) => e.body.data.rule?.id === ruleId);
}

const run = (pipelineId: string, records: RecordInput[], finish: Record<string, unknown> = {}) =>
  reportedRun(ingest, pipelineId, records, finish);

describe('RUN_FAILED', () => {
  it('fires on a failed run with a signed alert.fired envelope, resolves on the next good run with alert.resolved', async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'RUN_FAILED', pipelineIds: [pipeline.id], severity: 'CRITICAL' });
    const failed = await run(pipeline.id, [], { status: 'FAILED', error: 'target CRM unreachable' });
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'a RUN_FAILED alert');
    expect(alert).toMatchObject({
      state: 'FIRING',
      severity: 'CRITICAL',
      value: 1,
      pipeline: { id: pipeline.id },
      run: { id: failed.id, status: 'FAILED' },
    });
    expect(alert.summary).toContain('failed');

    await eventually(async () => (envelopesOf(ruleId).length >= 1 ? true : undefined), 'the fired delivery');
    const [fired] = envelopesOf(ruleId);
    expect(fired.body).toMatchObject({
      version: 1,
      type: 'alert.fired',
      data: {
        alert: { id: alert.id, state: 'FIRING', severity: 'CRITICAL' },
        rule: { id: ruleId, condition: 'RUN_FAILED' },
        pipeline: { id: pipeline.id, name: pipeline.name },
        run: { id: failed.id, status: 'FAILED', error: 'target CRM unreachable' },
      },
    });
    expect((fired.body.data as unknown as { url: string }).url).toMatch(new RegExp(`/alerts\\?alert=${alert.id}$`));
    type DeliveryView = { id: string; status: string; attempts: number; lastStatusCode: number; alert: { id: string } };
    const delivery = await eventually(async () => {
      const { deliveries } = await admin.ok<{ deliveries: { edges: { node: DeliveryView }[] } }>(
        'query($c: ID) { deliveries(channelId: $c, first: 500) { edges { node { id status attempts lastStatusCode alert { id } } } } }',
        { c: channelId },
      );
      const found = deliveries.edges.map((e) => e.node).find((d) => d.id === fired.request.headers['webhook-id']);
      return found?.status === 'DELIVERED' ? found : undefined;
    }, 'the delivery recorded');
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 200, alert: { id: alert.id } });

    await run(pipeline.id, successes(3));
    const [resolved] = await alertsUntil(ruleId, (a) => a[0]?.state === 'RESOLVED', 'the alert resolved');
    expect(resolved.resolvedAt).not.toBeNull();
    await eventually(async () => (envelopesOf(ruleId).length >= 2 ? true : undefined), 'the resolved delivery');
    expect(envelopesOf(ruleId).map((e) => e.body.type)).toEqual(['alert.fired', 'alert.resolved']);
  });

  it('a storm of 1,000 failing runs is one alert: one FIRING notification, and one RESOLVED when it clears', {
    timeout: 300_000,
  }, async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'RUN_FAILED', pipelineIds: [pipeline.id] });
    const workers = await Promise.all(Array.from({ length: 8 }, () => server.clientFor(Role.INGEST)));
    let next = 0;
    await Promise.all(
      workers.map(async (worker) => {
        while (next < 1000) {
          next++;
          const started = await startRun(worker, pipeline.id);
          await finishRun(worker, started.id, { status: 'FAILED', error: 'storm' });
        }
      }),
    );
    await alertsUntil(ruleId, (a) => a.length === 1, 'the storm alert');
    await run(pipeline.id, successes(1));
    await alertsUntil(ruleId, (a) => a[0]?.state === 'RESOLVED', 'the storm resolved');
    await eventually(async () => (envelopesOf(ruleId).length >= 2 ? true : undefined), 'two deliveries');
    await new Promise((r) => setTimeout(r, 1000)); // a few more cycles: nothing else may come
    expect(await alertsOf(ruleId)).toHaveLength(1);
    expect(envelopesOf(ruleId).map((e) => e.body.type)).toEqual(['alert.fired', 'alert.resolved']);
  });

  it('waits for `threshold` consecutive failures', async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'RUN_FAILED', threshold: 3, pipelineIds: [pipeline.id] });
    await run(pipeline.id, [], { status: 'FAILED' });
    await run(pipeline.id, [], { status: 'FAILED' });
    await new Promise((r) => setTimeout(r, 800));
    expect(await alertsOf(ruleId)).toEqual([]);
    await run(pipeline.id, [], { status: 'FAILED' });
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'three in a row');
    expect(alert.value).toBe(3);
  });
});

describe('the other conditions', () => {
  it('ERROR_RATE fires when failures cross the threshold over the window and resolves when they fall back', async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'ERROR_RATE', threshold: 0.3, windowSeconds: 600, pipelineIds: [pipeline.id] });
    const failures = Array.from({ length: 5 }, (_, i) =>
      recordInput(`f-${i}`, { status: 'FAILED', errorCode: 'E_RATE', retryable: false }),
    );
    await run(pipeline.id, [...successes(5), ...failures]);
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'an ERROR_RATE alert');
    expect(alert.value).toBeCloseTo(0.5);
    await run(pipeline.id, successes(100, 'ok'));
    await alertsUntil(ruleId, (a) => a[0]?.state === 'RESOLVED', 'the rate back under the threshold');
  });

  it('PIPELINE_HEALTH fires when a pipeline goes STALE and resolves on a success', async () => {
    const pipeline = await createPipeline(admin, { expectedIntervalSeconds: 1 });
    const ruleId = await rule({ condition: 'PIPELINE_HEALTH', healthStates: ['STALE'], pipelineIds: [pipeline.id] });
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'STALE');
    expect(alert.summary).toContain('STALE');
    await run(pipeline.id, successes(1));
    await alertsUntil(ruleId, (a) => a.some((x) => x.state === 'RESOLVED'), 'no longer STALE');
  });

  it('ERROR_GROUP_NEW fires on a new fingerprint and resolves when the group is resolved; ERROR_GROUP_REGRESSED fires after that', async () => {
    const pipeline = await createPipeline(admin);
    const code = unique('E_NEW');
    const fingerprint = errorFingerprint(code, 'Account 17 rejected') as string;
    const newRule = await rule({ condition: 'ERROR_GROUP_NEW', pipelineIds: [pipeline.id] });
    const regressedRule = await rule({ condition: 'ERROR_GROUP_REGRESSED', pipelineIds: [pipeline.id] });
    await new Promise((r) => setTimeout(r, 500)); // the evaluator has read up to here
    const failing = (id: string) =>
      recordInput(id, { status: 'FAILED', errorCode: code, errorMessage: `Account ${id.length} rejected`, retryable: false });
    await run(pipeline.id, [failing('a'), failing('b')]);
    const [alert] = await alertsUntil(newRule, (a) => a.length === 1, 'a new error group alert');
    expect(alert).toMatchObject({ state: 'FIRING', fingerprint, pipeline: { id: pipeline.id } });
    // The same fingerprint again is not new.
    await run(pipeline.id, [failing('c')]);
    await operator.ok('mutation($f: String!) { resolveErrorGroup(fingerprint: $f, note: "fixed the mapping") { state } }', {
      f: fingerprint,
    });
    await alertsUntil(newRule, (a) => a[0]?.state === 'RESOLVED', 'resolved with its group');
    expect(await alertsOf(regressedRule)).toEqual([]);

    await run(pipeline.id, [failing('d')]);
    const [regressed] = await alertsUntil(regressedRule, (a) => a.length === 1, 'a regression alert');
    expect(regressed).toMatchObject({ state: 'FIRING', fingerprint });
    expect(await alertsOf(newRule)).toHaveLength(1);
    await operator.ok('mutation($f: String!) { resolveErrorGroup(fingerprint: $f) { state } }', { f: fingerprint });
    await alertsUntil(regressedRule, (a) => a[0]?.state === 'RESOLVED', 'resolved again');
  });

  it('DEAD_LETTERS fires when dead letters pile up to the threshold and resolves when they are discarded', async () => {
    const pipeline = await createPipeline(admin, { retryPolicy: { maxAttempts: 1 } });
    const ruleId = await rule({ condition: 'DEAD_LETTERS', threshold: 2, pipelineIds: [pipeline.id] });
    const dead = (id: string) => recordInput(id, { status: 'FAILED', errorCode: 'E_DEAD', retryable: true });
    await run(pipeline.id, [dead('d-1')]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await alertsOf(ruleId)).toEqual([]);
    await run(pipeline.id, [dead('d-2'), dead('d-3')]);
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'dead letters piling up');
    expect(alert.value).toBe(3);
    await operator.ok('mutation($f: RecordFilter) { discardDeadLetters(filter: $f) { discarded } }', { f: { pipelineIds: [pipeline.id] } });
    await alertsUntil(ruleId, (a) => a[0]?.state === 'RESOLVED', 'discarded');
  });

  it('RUN_DURATION fires while a run runs long, and resolves once the latest run ran within the limit', async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'RUN_DURATION', threshold: 1, pipelineIds: [pipeline.id] });
    const long = await startRun(ingest, pipeline.id);
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'a long run');
    expect(alert.run?.id).toBe(long.id);
    await finishRun(ingest, long.id);
    await new Promise((r) => setTimeout(r, 600));
    expect((await alertsOf(ruleId))[0].state).toBe('FIRING'); // the latest run ran long
    await run(pipeline.id, successes(1));
    await alertsUntil(ruleId, (a) => a[0]?.state === 'RESOLVED', 'a quick run');
  });
});

describe('acknowledge, mute, alertChanged', () => {
  it('acknowledging keeps the alert until it resolves; alertChanged streams fired, acknowledged, resolved in tenant scope', async () => {
    const acme = await createPipeline(admin, { tenantId: 'acme-live' });
    const acmeViewer = await server.clientFor(Role.VIEWER, 'acme-live');
    const otherViewer = await server.clientFor(Role.VIEWER, 'other-live');
    const acmeOperator = await server.clientFor(Role.OPERATOR, 'acme-live');
    const ours = new LiveClient(server.graphqlUrl, acmeViewer.secret);
    const theirs = new LiveClient(server.graphqlUrl, otherViewer.secret);
    live.push(ours, theirs);
    const SUB = 'subscription($since: String) { alertChanged(since: $since) { cursor alert { id state rule { id } } } }';
    const seen = ours.subscribe<{ cursor: string; alert: { id: string; state: string; rule: { id: string } } }>(SUB);
    const notSeen = theirs.subscribe<{ alert: { id: string } }>(SUB);
    await new Promise((r) => setTimeout(r, 300));

    const ruleId = await rule({ condition: 'RUN_FAILED', pipelineIds: [acme.id], channelIds: [] }, acmeOperator);
    await run(acme.id, [], { status: 'FAILED' });
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'the tenant alert');
    const { acknowledgeAlert } = await acmeOperator.ok<{ acknowledgeAlert: AlertView }>(
      `mutation($id: ID!) { acknowledgeAlert(id: $id, note: "on it") { ${ALERT} } }`,
      { id: alert.id },
    );
    expect(acknowledgeAlert).toMatchObject({ state: 'ACKNOWLEDGED', acknowledgedBy: expect.stringMatching(/^operator-acme-live/) });
    expect(await acmeOperator.errorCode('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id: alert.id })).toBe('CONFLICT');
    const otherOperator = await server.clientFor(Role.OPERATOR, 'other-live');
    expect(await otherOperator.errorCode('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id: alert.id })).toBe('NOT_FOUND');
    expect(await alertsOf(ruleId, otherViewer)).toEqual([]);
    expect(await alertsOf(ruleId, acmeViewer)).toHaveLength(1);

    await run(acme.id, successes(1));
    await alertsUntil(ruleId, (a) => a[0]?.state === 'RESOLVED', 'acknowledged, then resolved');
    const values = await seen.until((v) => v.filter((e) => e.alert.id === alert.id).length >= 3, 'three alert events');
    // Each event shows the alert as it is when sent; the last is RESOLVED.
    expect(values.filter((e) => e.alert.id === alert.id).at(-1)?.alert.state).toBe('RESOLVED');
    expect(notSeen.values.filter((e) => e.alert.id === alert.id)).toEqual([]);

    // Resuming after the first event replays the rest.
    const first = values.find((e) => e.alert.id === alert.id);
    const resumed = new LiveClient(server.graphqlUrl, acmeViewer.secret);
    live.push(resumed);
    const replay = resumed.subscribe<{ alert: { id: string } }>(SUB, { since: first?.cursor });
    await replay.until((v) => v.filter((e) => e.alert.id === alert.id).length >= 2, 'the replayed events');
  });

  it('reminds every repeatIntervalSeconds while FIRING, and stops once acknowledged', async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'RUN_FAILED', pipelineIds: [pipeline.id], repeatIntervalSeconds: 60 });
    await run(pipeline.id, [], { status: 'FAILED' });
    const [alert] = await alertsUntil(ruleId, (a) => a.length === 1, 'the alert');
    await eventually(async () => (envelopesOf(ruleId).length >= 1 ? true : undefined), 'the first notice');
    // A minute passes (moved in the database rather than waited for).
    const moveBack = () =>
      withDatabase(server.databaseUrl, (c) =>
        c.query("UPDATE alerts SET last_notified_at = now() - interval '61 seconds' WHERE id = $1", [alert.id]),
      );
    await moveBack();
    await eventually(async () => (envelopesOf(ruleId).length >= 2 ? true : undefined), 'the reminder');
    const reminder = envelopesOf(ruleId)[1].body as unknown as { type: string; data: { alert: { id: string; repeat: boolean } } };
    expect(reminder).toMatchObject({ type: 'alert.fired', data: { alert: { id: alert.id, repeat: true } } });
    await operator.ok('mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }', { id: alert.id });
    await moveBack();
    await new Promise((r) => setTimeout(r, 800));
    expect(envelopesOf(ruleId)).toHaveLength(2);
  });

  it('a muted rule records its alert and tells nobody', async () => {
    const pipeline = await createPipeline(admin);
    const ruleId = await rule({ condition: 'RUN_FAILED', pipelineIds: [pipeline.id] });
    await operator.ok('mutation($id: ID!, $until: DateTime) { muteAlertRule(id: $id, until: $until) { id } }', {
      id: ruleId,
      until: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await run(pipeline.id, [], { status: 'FAILED' });
    await alertsUntil(ruleId, (a) => a.length === 1, 'the muted alert');
    await new Promise((r) => setTimeout(r, 600));
    const count = await withDatabase(server.databaseUrl, async (client) =>
      Number(
        (await client.query('SELECT count(*) FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.rule_id = $1', [ruleId])).rows[0]
          .count,
      ),
    );
    expect(count).toBe(0);
  });
});
