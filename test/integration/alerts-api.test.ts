// Alerts over the API: rules checked per condition (bad input names the field and changes nothing), roles (VIEWER
// reads, OPERATOR manages rules, ADMIN channels and keys), tenant scope, audit entries, the apiKeys list and the
// masked channel URL. No background jobs here: refusals are compared with the whole database before and after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { databaseState, withDatabase } from '../support/db-state.js';
import { createPipeline } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const RULE =
  'id name condition severity pipelineIds tenantId threshold windowSeconds healthStates repeatIntervalSeconds mutedUntil enabled createdAt createdBy channels { id name }';
const CREATE_RULE = `mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { ${RULE} } }`;
const UPDATE_RULE = `mutation($id: ID!, $input: AlertRuleInput!) { updateAlertRule(id: $id, input: $input) { ${RULE} } }`;
const DELETE_RULE = 'mutation($id: ID!) { deleteAlertRule(id: $id) }';
const MUTE_RULE = `mutation($id: ID!, $until: DateTime) { muteAlertRule(id: $id, until: $until) { ${RULE} } }`;
const RULES = `{ alertRules { ${RULE} } }`;
const CHANNEL = 'id name kind target tenantId enabled disabledReason createdAt';
const CREATE_CHANNEL = `mutation($input: ChannelInput!) { createNotificationChannel(input: $input) { signingSecret channel { ${CHANNEL} } } }`;
const CHANNELS = `{ notificationChannels { ${CHANNEL} } }`;
const ROTATE = `mutation($id: ID!) { rotateChannelSecret(id: $id) { signingSecret channel { id } } }`;
const TEST = 'mutation($id: ID!) { testNotificationChannel(id: $id) { id event status attempts channel { id } alert { id } } }';
const DELETE_CHANNEL = 'mutation($id: ID!) { deleteNotificationChannel(id: $id) }';
const DELIVERIES = `query($channelId: ID, $statuses: [DeliveryStatus!], $first: Int, $after: String) {
  deliveries(channelId: $channelId, statuses: $statuses, first: $first, after: $after) {
    edges { cursor node { id event status attempts channel { id } } } pageInfo { hasNextPage endCursor }
  }
}`;
const ALERTS = '{ alerts { edges { node { id } } pageInfo { hasNextPage } } }';

interface RuleView {
  id: string;
  name: string;
  condition: string;
  tenantId: string | null;
  threshold: number | null;
  windowSeconds: number | null;
  healthStates: string[] | null;
  repeatIntervalSeconds: number;
  mutedUntil: string | null;
  enabled: boolean;
  createdBy: string | null;
  pipelineIds: string[] | null;
  channels: { id: string; name: string }[];
}

let server: TestServer;
let admin: GraphQLClient;
let operator: GraphQLClient;
let viewer: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  admin = server.admin;
  operator = await server.clientFor(Role.OPERATOR);
  viewer = await server.clientFor(Role.VIEWER);
});
afterAll(() => server?.stop());

const createRule = async (client: GraphQLClient, input: Record<string, unknown>) =>
  (await client.ok<{ createAlertRule: RuleView }>(CREATE_RULE, { input })).createAlertRule;
const createChannel = async (client: GraphQLClient, input: Record<string, unknown>) =>
  (
    await client.ok<{
      createNotificationChannel: { signingSecret: string | null; channel: { id: string; target: string; tenantId: string | null } };
    }>(CREATE_CHANNEL, { input })
  ).createNotificationChannel;

/** The error of a request that must fail with BAD_USER_INPUT, and the database unchanged by it. */
async function refused(client: GraphQLClient, query: string, variables: Record<string, unknown>): Promise<string> {
  const before = await databaseState(server.databaseUrl);
  const result = await client.request(query, variables);
  expect(result.errors?.[0]?.extensions?.code, JSON.stringify(result)).toBe('BAD_USER_INPUT');
  expect(await databaseState(server.databaseUrl)).toEqual(before);
  return result.errors?.[0]?.message ?? '';
}

describe('rules', () => {
  it('creates each condition with its parameters and defaults, lists, updates, mutes and deletes, audited', async () => {
    const pipeline = await createPipeline(admin);
    const channel = await createChannel(admin, { name: 'ops', kind: 'WEBHOOK', url: 'https://hooks.example.com/syncwatch' });
    const failed = await createRule(operator, {
      name: 'run failed',
      condition: 'RUN_FAILED',
      pipelineIds: [pipeline.id],
      channelIds: [channel.channel.id],
    });
    expect(failed).toMatchObject({
      condition: 'RUN_FAILED',
      severity: 'WARNING',
      threshold: 1,
      windowSeconds: null,
      enabled: true,
      repeatIntervalSeconds: 0,
      mutedUntil: null,
    });
    expect(failed.pipelineIds).toEqual([pipeline.id]);
    expect(failed.channels).toEqual([{ id: channel.channel.id, name: 'ops' }]);
    expect(failed.createdBy).toMatch(/^operator-/);
    const rate = await createRule(operator, {
      name: 'rate',
      condition: 'ERROR_RATE',
      threshold: 0.25,
      windowSeconds: 600,
      severity: 'CRITICAL',
      repeatIntervalSeconds: 3600,
    });
    expect(rate).toMatchObject({ threshold: 0.25, windowSeconds: 600, pipelineIds: null, repeatIntervalSeconds: 3600 });
    await createRule(operator, { name: 'health', condition: 'PIPELINE_HEALTH', healthStates: ['FAILING', 'STALE'] });
    await createRule(operator, { name: 'new errors', condition: 'ERROR_GROUP_NEW' });
    await createRule(operator, { name: 'regressions', condition: 'ERROR_GROUP_REGRESSED', windowSeconds: 120 });
    await createRule(operator, { name: 'dead letters', condition: 'DEAD_LETTERS', threshold: 10 });
    await createRule(operator, { name: 'slow', condition: 'RUN_DURATION', threshold: 900 });

    const { alertRules } = await viewer.ok<{ alertRules: RuleView[] }>(RULES);
    expect(alertRules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['run failed', 'rate', 'health', 'new errors', 'regressions', 'dead letters', 'slow']),
    );

    const updated = (
      await operator.ok<{ updateAlertRule: RuleView }>(UPDATE_RULE, {
        id: failed.id,
        input: { name: 'three failures', condition: 'RUN_FAILED', threshold: 3 },
      })
    ).updateAlertRule;
    expect(updated).toMatchObject({ name: 'three failures', threshold: 3, pipelineIds: null, channels: [] });

    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect((await operator.ok<{ muteAlertRule: RuleView }>(MUTE_RULE, { id: failed.id, until })).muteAlertRule.mutedUntil).toBe(until);
    expect((await operator.ok<{ muteAlertRule: RuleView }>(MUTE_RULE, { id: failed.id, until: null })).muteAlertRule.mutedUntil).toBeNull();
    expect((await operator.ok<{ deleteAlertRule: boolean }>(DELETE_RULE, { id: rate.id })).deleteAlertRule).toBe(true);
    expect(await operator.errorCode(DELETE_RULE, { id: rate.id })).toBe('NOT_FOUND');

    const actions = await withDatabase(server.databaseUrl, async (client) =>
      (
        await client.query<{ action: string }>(`SELECT action FROM audit_entries WHERE target IN ($1, $2) ORDER BY id`, [
          `alertRule:${failed.id}`,
          `alertRule:${rate.id}`,
        ])
      ).rows.map((r) => r.action),
    );
    expect(actions).toEqual([
      'createAlertRule',
      'createAlertRule',
      'updateAlertRule',
      'muteAlertRule',
      'unmuteAlertRule',
      'deleteAlertRule',
    ]);
  });

  it('refuses senseless parameters with BAD_USER_INPUT naming the field, changing nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ condition: 'ERROR_RATE', windowSeconds: 600 }, 'input.threshold'],
      [{ condition: 'ERROR_RATE', threshold: 0, windowSeconds: 600 }, 'input.threshold'],
      [{ condition: 'ERROR_RATE', threshold: 1.5, windowSeconds: 600 }, 'input.threshold'],
      [{ condition: 'ERROR_RATE', threshold: 0.5 }, 'input.windowSeconds'],
      [{ condition: 'ERROR_RATE', threshold: 0.5, windowSeconds: 59 }, 'input.windowSeconds'],
      [{ condition: 'RUN_FAILED', threshold: 0 }, 'input.threshold'],
      [{ condition: 'RUN_FAILED', threshold: 1.5 }, 'input.threshold'],
      [{ condition: 'RUN_FAILED', windowSeconds: 600 }, 'input.windowSeconds'],
      [{ condition: 'PIPELINE_HEALTH' }, 'input.healthStates'],
      [{ condition: 'PIPELINE_HEALTH', healthStates: ['HEALTHY'] }, 'input.healthStates'],
      [{ condition: 'PIPELINE_HEALTH', healthStates: ['STALE'], threshold: 2 }, 'input.threshold'],
      [{ condition: 'DEAD_LETTERS' }, 'input.threshold'],
      [{ condition: 'RUN_DURATION', threshold: -5 }, 'input.threshold'],
      [{ condition: 'ERROR_GROUP_NEW', threshold: 1 }, 'input.threshold'],
      [{ condition: 'RUN_FAILED', repeatIntervalSeconds: 10 }, 'input.repeatIntervalSeconds'],
      [{ condition: 'RUN_FAILED', pipelineIds: ['not-an-id'] }, 'input.pipelineIds'],
      [{ condition: 'RUN_FAILED', pipelineIds: ['00000000-0000-4000-8000-000000000000'] }, 'input.pipelineIds'],
      [{ condition: 'RUN_FAILED', channelIds: ['00000000-0000-4000-8000-000000000000'] }, 'input.channelIds'],
      [{ condition: 'RUN_FAILED', name: '  ' }, 'input.name'],
    ];
    for (const [input, field] of cases) {
      const message = await refused(operator, CREATE_RULE, { input: { name: 'bad', ...input } });
      expect(message, JSON.stringify(input)).toContain(field);
    }
    const rule = await createRule(operator, { name: 'ok', condition: 'RUN_FAILED' });
    expect(await refused(operator, MUTE_RULE, { id: rule.id, until: new Date(Date.now() - 1000).toISOString() })).toContain('until');
    expect(await refused(operator, UPDATE_RULE, { id: rule.id, input: { name: 'ok', condition: 'ERROR_RATE' } })).toContain(
      'input.threshold',
    );
  });
});

describe('roles', () => {
  it('VIEWER reads but cannot create a rule; only ADMIN creates channels; non-admins see a masked URL', async () => {
    const before = await databaseState(server.databaseUrl);
    expect(await viewer.errorCode(CREATE_RULE, { input: { name: 'x', condition: 'RUN_FAILED' } })).toBe('FORBIDDEN');
    expect(await operator.errorCode(CREATE_CHANNEL, { input: { name: 'x', kind: 'WEBHOOK', url: 'https://example.com/h' } })).toBe(
      'FORBIDDEN',
    );
    expect(await viewer.errorCode('{ apiKeys { id } }')).toBe('FORBIDDEN');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
    await viewer.ok(ALERTS);
    await viewer.ok(DELIVERIES, {});

    const created = await createChannel(admin, { name: 'secret url', kind: 'SLACK', url: 'https://hooks.slack.com/services/T0/B0/XYZ' });
    expect(created.signingSecret).toBeNull();
    expect(created.channel.target).toBe('https://hooks.slack.com/services/T0/B0/XYZ');
    const seen = (await viewer.ok<{ notificationChannels: { id: string; target: string }[] }>(CHANNELS)).notificationChannels;
    expect(seen.find((c) => c.id === created.channel.id)?.target).toBe('https://hooks.slack.com/…');
  });

  it('apiKeys lists the keys not revoked, without secrets; a tenant admin sees its tenant’s', async () => {
    const tenantAdmin = await server.clientFor(Role.ADMIN, 'apikeys-tenant');
    await server.clientFor(Role.VIEWER, 'apikeys-tenant');
    const { apiKeys } = await admin.ok<{ apiKeys: { id: string; name: string; role: string; tenantId: string | null }[] }>(
      '{ apiKeys { id name role tenantId } }',
    );
    expect(apiKeys.length).toBeGreaterThanOrEqual(4);
    const own = (await tenantAdmin.ok<{ apiKeys: { tenantId: string | null; role: string }[] }>('{ apiKeys { id role tenantId } }'))
      .apiKeys;
    expect(own.map((k) => k.tenantId)).toEqual(['apikeys-tenant', 'apikeys-tenant']);
    const victim = apiKeys.find((k) => k.role === 'VIEWER' && k.tenantId === 'apikeys-tenant');
    await admin.ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: victim?.id });
    const after = (await admin.ok<{ apiKeys: { id: string }[] }>('{ apiKeys { id } }')).apiKeys;
    expect(after.map((k) => k.id)).not.toContain(victim?.id);
  });
});

describe('channels', () => {
  it('creates a webhook with a whsec_ secret shown once, rotates it, sends a test, lists deliveries, deletes; audited', async () => {
    const created = await createChannel(admin, { name: 'hook', kind: 'WEBHOOK', url: 'https://hooks.example.com/a' });
    expect(created.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const id = created.channel.id;
    const rotated = (await admin.ok<{ rotateChannelSecret: { signingSecret: string } }>(ROTATE, { id })).rotateChannelSecret;
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(created.signingSecret);
    const test = (
      await admin.ok<{ testNotificationChannel: { id: string; event: string; status: string; attempts: number; alert: null } }>(TEST, {
        id,
      })
    ).testNotificationChannel;
    expect(test).toMatchObject({ event: 'alert.test', status: 'PENDING', attempts: 0, alert: null });
    const page = (await viewer.ok<{ deliveries: { edges: { node: { id: string } }[] } }>(DELIVERIES, { channelId: id })).deliveries;
    expect(page.edges.map((e) => e.node.id)).toEqual([test.id]);
    expect((await admin.ok<{ deleteNotificationChannel: boolean }>(DELETE_CHANNEL, { id })).deleteNotificationChannel).toBe(true);
    const actions = await withDatabase(server.databaseUrl, async (client) =>
      (
        await client.query<{ action: string }>(`SELECT action FROM audit_entries WHERE target = $1 ORDER BY id`, [`channel:${id}`])
      ).rows.map((r) => r.action),
    );
    expect(actions).toEqual(['createNotificationChannel', 'rotateChannelSecret', 'testNotificationChannel', 'deleteNotificationChannel']);
  });

  it('refuses bad URLs and private addresses written out, naming input.url, changing nothing', async () => {
    for (const url of [
      'not a url',
      'ftp://example.com/x',
      'https://user:pw@example.com/x',
      'http://127.0.0.1:9000/x',
      'http://10.1.2.3/x',
      'http://169.254.169.254/latest',
      'http://[::1]/x',
      'http://localhost/x',
    ]) {
      expect(await refused(admin, CREATE_CHANNEL, { input: { name: 'bad', kind: 'WEBHOOK', url } }), url).toContain('input.url');
    }
    expect(await refused(admin, CREATE_CHANNEL, { input: { name: 'bad', kind: 'SLACK', url: 'http://hooks.slack.com/x' } })).toContain(
      'input.url',
    );
    const slack = await createChannel(admin, { name: 'slack', kind: 'SLACK', url: 'https://hooks.slack.com/services/A/B/C' });
    expect(await refused(admin, ROTATE, { id: slack.channel.id })).toContain('WEBHOOK');
  });
});

describe('tenants', () => {
  it('tenant keys see and change only their tenant’s rules, alerts and channels', async () => {
    const acmeAdmin = await server.clientFor(Role.ADMIN, 'acme');
    const acmeOperator = await server.clientFor(Role.OPERATOR, 'acme');
    const globexOperator = await server.clientFor(Role.OPERATOR, 'globex');
    const acmePipeline = await createPipeline(admin, { tenantId: 'acme' });
    const globexPipeline = await createPipeline(admin, { tenantId: 'globex' });
    const acmeChannel = await createChannel(acmeAdmin, { name: 'acme hook', kind: 'WEBHOOK', url: 'https://acme.example.com/h' });
    expect(acmeChannel.channel.tenantId).toBe('acme');
    const globalChannel = await createChannel(admin, { name: 'global hook', kind: 'WEBHOOK', url: 'https://ops.example.com/h' });

    const acmeRule = await createRule(acmeOperator, {
      name: 'acme fails',
      condition: 'RUN_FAILED',
      pipelineIds: [acmePipeline.id],
      channelIds: [acmeChannel.channel.id],
    });
    expect(acmeRule.tenantId).toBe('acme');
    // Another tenant's pipeline, another tenant's or a global channel, acting for another tenant: refused.
    await refused(acmeOperator, CREATE_RULE, { input: { name: 'x', condition: 'RUN_FAILED', pipelineIds: [globexPipeline.id] } });
    await refused(acmeOperator, CREATE_RULE, { input: { name: 'x', condition: 'RUN_FAILED', channelIds: [globalChannel.channel.id] } });
    expect(await acmeOperator.errorCode(CREATE_RULE, { input: { name: 'x', condition: 'RUN_FAILED', tenantId: 'globex' } })).toBe(
      'FORBIDDEN',
    );

    const globexRules = (await globexOperator.ok<{ alertRules: RuleView[] }>(RULES)).alertRules;
    expect(globexRules.map((r) => r.id)).not.toContain(acmeRule.id);
    const acmeRules = (await acmeOperator.ok<{ alertRules: RuleView[] }>(RULES)).alertRules;
    expect(acmeRules.every((r) => r.tenantId === 'acme')).toBe(true);
    const acmeChannels = (await acmeOperator.ok<{ notificationChannels: { id: string }[] }>(CHANNELS)).notificationChannels;
    expect(acmeChannels.map((c) => c.id)).toEqual([acmeChannel.channel.id]);

    const before = await databaseState(server.databaseUrl);
    expect(await globexOperator.errorCode(DELETE_RULE, { id: acmeRule.id })).toBe('NOT_FOUND');
    expect(await globexOperator.errorCode(MUTE_RULE, { id: acmeRule.id, until: null })).toBe('NOT_FOUND');
    expect(await acmeAdmin.errorCode(DELETE_CHANNEL, { id: globalChannel.channel.id })).toBe('NOT_FOUND');
    expect(await acmeAdmin.errorCode(TEST, { id: globalChannel.channel.id })).toBe('NOT_FOUND');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });
});

describe('retention', () => {
  it('deletes deliveries no longer pending and alerts resolved longer ago than the retention', async () => {
    const created = await createChannel(admin, { name: 'old', kind: 'WEBHOOK', url: 'https://old.example.com/h' });
    const rule = await createRule(operator, { name: 'old rule', condition: 'RUN_FAILED' });
    const ids = await withDatabase(server.databaseUrl, async (client) => {
      const alert = (
        await client.query(
          `INSERT INTO alerts (rule_id, target_key, severity, summary, state, resolved_at) VALUES ($1, 'x', 'WARNING', 'old', 'RESOLVED', now() - interval '40 days') RETURNING id`,
          [rule.id],
        )
      ).rows[0].id;
      const pending = (
        await client.query(
          `INSERT INTO deliveries (channel_id, event, payload, created_at) VALUES ($1, 'alert.test', '{}', now() - interval '40 days') RETURNING id`,
          [created.channel.id],
        )
      ).rows[0].id;
      const done = (
        await client.query(
          `INSERT INTO deliveries (channel_id, event, payload, status, created_at) VALUES ($1, 'alert.test', '{}', 'DELIVERED', now() - interval '40 days') RETURNING id`,
          [created.channel.id],
        )
      ).rows[0].id;
      return { alert, pending, done };
    });
    expect(await server.instance.services.alertEvaluator.purgeOlderThan(30)).toBe(2);
    const left = await withDatabase(server.databaseUrl, async (client) => ({
      alerts: (await client.query('SELECT id FROM alerts WHERE id = $1', [ids.alert])).rowCount,
      deliveries: (await client.query('SELECT id FROM deliveries WHERE id = ANY($1::uuid[])', [[ids.pending, ids.done]])).rows.map(
        (r) => r.id,
      ),
    }));
    expect(left).toEqual({ alerts: 0, deliveries: [ids.pending] });
  });
});

describe('changing a rule’s condition', () => {
  it('resolves its open alerts (nothing to watch any more); other changes leave them open', async () => {
    const rule = await createRule(operator, { name: 'changing', condition: 'RUN_FAILED' });
    const alertId = await withDatabase(
      server.databaseUrl,
      async (client) =>
        (
          await client.query(
            `INSERT INTO alerts (rule_id, target_key, severity, summary) VALUES ($1, 'p', 'WARNING', 'open') RETURNING id`,
            [rule.id],
          )
        ).rows[0].id,
    );
    const stateOf = () =>
      withDatabase(
        server.databaseUrl,
        async (client) => (await client.query('SELECT state FROM alerts WHERE id = $1', [alertId])).rows[0].state,
      );
    await operator.ok(UPDATE_RULE, { id: rule.id, input: { name: 'renamed', condition: 'RUN_FAILED', threshold: 2 } });
    expect(await stateOf()).toBe('FIRING');
    await operator.ok(UPDATE_RULE, { id: rule.id, input: { name: 'renamed', condition: 'DEAD_LETTERS', threshold: 5 } });
    expect(await stateOf()).toBe('RESOLVED');
  });
});
