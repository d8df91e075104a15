// Keys and roles: each mutation under each role, authentication failures, and the audit trail of ADMIN and OPERATOR work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { databaseState, withDatabase } from '../support/db-state.js';
import {
  allRecords,
  createPipeline,
  finishRun,
  type PipelineView,
  recordInput,
  reportRecords,
  startRun,
  triggerSync,
  unique,
} from '../support/fixtures.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let pipeline: PipelineView;
const clients = {} as Record<Role, GraphQLClient>;
const keyNames = {} as Record<Role, string>;

beforeAll(async () => {
  // No background jobs: refused actions are checked to change nothing in the whole database.
  server = await startTestServer({}, { jobs: false });
  pipeline = await createPipeline(server.admin);
  for (const role of Object.values(Role)) {
    clients[role] = role === Role.ADMIN ? server.admin : await server.clientFor(role);
    keyNames[role] = (await clients[role].ok<{ me: { name: string } }>('{ me { name } }')).me.name;
  }
});
afterAll(() => server?.stop());

type Permission = 'admin' | 'operate' | 'ingest';

interface MutationCase {
  name: string;
  needs: Permission;
  query: string;
  /** Makes what the call acts on (with the admin key) and returns its variables and audit target. */
  prepare(): Promise<{ variables: Record<string, unknown>; target?: string }>;
}

const ALLOWED: Record<Permission, Role[]> = {
  admin: [Role.ADMIN],
  operate: [Role.OPERATOR, Role.ADMIN],
  ingest: [Role.INGEST, Role.ADMIN],
};

const runningRun = async () => (await startRun(server.admin, pipeline.id)).id;
/** A run the admin key started, with its lease token: the worker calls below act on it as its holder. */
const heldRun = async () => {
  const { startRun: run } = await server.admin.ok<{ startRun: { id: string; leaseToken: string } }>(
    'mutation($id: ID!) { startRun(input: { pipelineId: $id, mode: MANUAL }) { id leaseToken } }',
    { id: pipeline.id },
  );
  return { id: run.id, token: run.leaseToken };
};

/** A finished run with one failure that is not retried automatically. */
async function finishedRunWithFailure(): Promise<string> {
  const id = await runningRun();
  await reportRecords(server.admin, id, [recordInput(unique('failed'), { status: 'FAILED', retryable: false, errorCode: 'E_INVALID' })]);
  await finishRun(server.admin, id);
  return id;
}

async function failedRecord(): Promise<string> {
  const runId = await finishedRunWithFailure();
  const [record] = await allRecords(server.admin, { runIds: [runId] }, null, 1, 'id');
  return record.id;
}

/** A record whose only attempt failed on a pipeline that allows one attempt: dead-lettered at once. */
async function deadLetter(): Promise<string> {
  const strict = await createPipeline(server.admin, { retryPolicy: { maxAttempts: 1 } });
  const run = await startRun(server.admin, strict.id);
  await reportRecords(server.admin, run.id, [recordInput(unique('dead'), { status: 'FAILED', errorCode: 'E_LOCKED' })]);
  await finishRun(server.admin, run.id);
  const [record] = await allRecords(server.admin, { runIds: [run.id] }, null, 1, 'id status');
  expect(record.status).toBe('DEAD_LETTERED');
  return record.id;
}

const MUTATIONS: MutationCase[] = [
  {
    name: 'createPipeline',
    needs: 'admin',
    query: 'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    prepare: async () => ({ variables: { input: { name: unique('p'), sourceSystem: 'ERP', targetSystem: 'Shop' } } }),
  },
  {
    name: 'updatePipeline',
    needs: 'admin',
    query: 'mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id } }',
    prepare: async () => {
      const { id } = await createPipeline(server.admin);
      return { variables: { id, input: { name: unique('renamed'), sourceSystem: 'ERP', targetSystem: 'Shop' } }, target: `pipeline:${id}` };
    },
  },
  {
    name: 'createApiKey',
    needs: 'admin',
    query: 'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret key { id } } }',
    prepare: async () => ({ variables: { input: { name: unique('key'), role: 'VIEWER' } } }),
  },
  {
    name: 'revokeApiKey',
    needs: 'admin',
    query: 'mutation($id: ID!) { revokeApiKey(id: $id) }',
    prepare: async () => {
      const { createApiKey } = await server.admin.ok<{ createApiKey: { key: { id: string } } }>(
        'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key { id } } }',
        { input: { name: unique('doomed'), role: 'VIEWER' } },
      );
      return { variables: { id: createApiKey.key.id }, target: `apiKey:${createApiKey.key.id}` };
    },
  },
  {
    name: 'triggerSync',
    needs: 'operate',
    query: 'mutation($id: ID!) { triggerSync(pipelineId: $id, operationType: "Pull updates") { id } }',
    prepare: async () => ({ variables: { id: pipeline.id } }),
  },
  {
    name: 'cancelRun',
    needs: 'operate',
    query: 'mutation($id: ID!) { cancelRun(runId: $id, reason: "role test") { id status } }',
    prepare: async () => {
      const id = await runningRun();
      return { variables: { id }, target: `run:${id}` };
    },
  },
  {
    name: 'retryRecords',
    needs: 'operate',
    query: 'mutation($ids: [ID!]) { retryRecords(ids: $ids) { matched scheduled } }',
    prepare: async () => ({ variables: { ids: [await failedRecord()] } }),
  },
  {
    name: 'retryRun',
    needs: 'operate',
    query: 'mutation($id: ID!) { retryRun(runId: $id) { matched scheduled } }',
    prepare: async () => {
      const id = await finishedRunWithFailure();
      return { variables: { id }, target: `run:${id}` };
    },
  },
  {
    name: 'replayDeadLetters',
    needs: 'operate',
    query: 'mutation($ids: [ID!]) { replayDeadLetters(ids: $ids) { matched scheduled } }',
    prepare: async () => ({ variables: { ids: [await deadLetter()] } }),
  },
  {
    name: 'discardDeadLetters',
    needs: 'operate',
    query: 'mutation($ids: [ID!]) { discardDeadLetters(ids: $ids) { discarded } }',
    prepare: async () => ({ variables: { ids: [await deadLetter()] } }),
  },
  {
    name: 'resolveErrorGroup',
    needs: 'operate',
    query: 'mutation($fp: String!) { resolveErrorGroup(fingerprint: $fp, note: "role test") { state } }',
    prepare: async () => {
      await finishedRunWithFailure();
      const fp = errorFingerprint('E_INVALID', null) as string;
      return { variables: { fp }, target: `error-group:${fp}` };
    },
  },
  {
    name: 'reopenErrorGroup',
    needs: 'operate',
    query: 'mutation($fp: String!) { reopenErrorGroup(fingerprint: $fp) { state } }',
    prepare: async () => {
      await finishedRunWithFailure();
      const fp = errorFingerprint('E_INVALID', null) as string;
      await server.admin.ok('mutation($fp: String!) { resolveErrorGroup(fingerprint: $fp) { state } }', { fp });
      return { variables: { fp }, target: `error-group:${fp}` };
    },
  },
  {
    name: 'purgeHistory',
    needs: 'admin',
    query: 'mutation { purgeHistory(olderThanDays: 3650) { runsDeleted recordsDeleted } }',
    prepare: async () => ({ variables: {} }),
  },
  {
    name: 'startRun',
    needs: 'ingest',
    query: 'mutation($id: ID!) { startRun(input: { pipelineId: $id, mode: REAL_TIME }) { id } }',
    prepare: async () => ({ variables: { id: pipeline.id } }),
  },
  {
    name: 'reportRecords',
    needs: 'ingest',
    query:
      'mutation($id: ID!, $token: String, $records: [RecordReportInput!]!) { reportRecords(runId: $id, leaseToken: $token, records: $records) { accepted } }',
    prepare: async () => ({ variables: { ...(await heldRun()), records: [recordInput(unique('src'))] } }),
  },
  {
    name: 'heartbeat',
    needs: 'ingest',
    query: 'mutation($id: ID!, $token: String) { heartbeat(runId: $id, leaseToken: $token) { cancelRequested } }',
    prepare: async () => ({ variables: await heldRun() }),
  },
  {
    name: 'finishRun',
    needs: 'ingest',
    query: 'mutation($id: ID!, $token: String) { finishRun(runId: $id, leaseToken: $token) { status } }',
    prepare: async () => ({ variables: await heldRun() }),
  },
  {
    name: 'claimRun',
    needs: 'ingest',
    query: 'mutation($id: ID!) { claimRun(pipelineId: $id, workerId: "role-test") { id status } }',
    prepare: async () => {
      const own = await createPipeline(server.admin);
      await triggerSync(server.admin, own.id);
      return { variables: { id: own.id } };
    },
  },
];

interface AuditNode {
  actor: string;
  action: string;
  target: string | null;
  details: unknown;
}

const newestAudit = async () =>
  (
    await server.admin.ok<{ auditLog: { edges: { node: AuditNode }[] } }>(
      '{ auditLog(first: 1) { edges { node { actor action target details } } } }',
    )
  ).auditLog.edges[0]?.node;

describe('each mutation under each role', () => {
  const cases = MUTATIONS.flatMap((mutation) => Object.values(Role).map((role) => ({ mutation, role })));

  it.each(cases)('$mutation.name as $role', async ({ mutation, role }) => {
    const { variables, target } = await mutation.prepare();
    const allowed = ALLOWED[mutation.needs].includes(role);
    if (!allowed) {
      const before = await databaseState(server.databaseUrl);
      expect(await clients[role].errorCode(mutation.query, variables)).toBe('FORBIDDEN');
      expect(await databaseState(server.databaseUrl)).toEqual(before);
      return;
    }
    const result = await clients[role].request(mutation.query, variables);
    expect(result.errors).toBeUndefined();
    expect(result.data?.[mutation.name as keyof typeof result.data]).toBeTruthy();
    if (mutation.needs === 'admin' || mutation.needs === 'operate') {
      // Every ADMIN and OPERATOR mutation leaves who, what, target and parameters in the audit log.
      const entry = await newestAudit();
      expect(entry).toMatchObject({ actor: keyNames[role], action: mutation.name });
      if (target) expect(entry.target).toBe(target);
      expect(entry.details).toBeTruthy();
    }
  });
});

describe('reading', () => {
  const READS = [
    '{ me { id name role tenantId } }',
    '{ pipelines { id name } }',
    `{ runs(first: 5) { totalCount edges { node { id pipeline { name } records(first: 2) { edges { node { id history { status } } } } } } } }`,
    '{ records(first: 5) { totalCount edges { node { id run { id } } } } }',
    '{ auditLog(first: 5) { edges { node { id action } } pageInfo { hasNextPage } } }',
  ];

  it.each(Object.values(Role))('is open to %s', async (role) => {
    const run = await startRun(server.admin, pipeline.id);
    for (const query of READS) {
      const result = await clients[role].request(query);
      expect(result.errors, query).toBeUndefined();
    }
    const byId = await clients[role].ok<{ run: { id: string }; pipeline: { id: string } }>(
      'query($run: ID!, $pipeline: ID!) { run(id: $run) { id } pipeline(id: $pipeline) { id } }',
      { run: run.id, pipeline: pipeline.id },
    );
    expect(byId.run.id).toBe(run.id);
    expect(byId.pipeline.id).toBe(pipeline.id);
    const { me } = await clients[role].ok<{ me: { role: string } }>('{ me { role } }');
    expect(me.role).toBe(role);
  });
});

describe('authentication', () => {
  const anonymous = () => new GraphQLClient(server.graphqlUrl, null);

  it('refuses a request without a key', async () => {
    expect(await anonymous().errorCode('{ me { id } }')).toBe('UNAUTHENTICATED');
    expect(await anonymous().errorCode('{ runs { edges { cursor } } }')).toBe('UNAUTHENTICATED');
    const before = await databaseState(server.databaseUrl);
    expect(
      await anonymous().errorCode('mutation($id: ID!) { startRun(input: { pipelineId: $id, mode: MANUAL }) { id } }', { id: pipeline.id }),
    ).toBe('UNAUTHENTICATED');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('refuses an unknown key', async () => {
    const stranger = new GraphQLClient(server.graphqlUrl, 'sw_not-a-key-anyone-was-given');
    expect(await stranger.errorCode('{ me { id } }')).toBe('UNAUTHENTICATED');
    const before = await databaseState(server.databaseUrl);
    expect(await stranger.errorCode('mutation($id: ID!) { triggerSync(pipelineId: $id) { id } }', { id: pipeline.id })).toBe(
      'UNAUTHENTICATED',
    );
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('refuses an Authorization header that is not Bearer', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a key once it is revoked', async () => {
    const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string; key: { id: string } } }>(
      'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret key { id } } }',
      { input: { name: unique('short-lived'), role: 'OPERATOR' } },
    );
    const client = new GraphQLClient(server.graphqlUrl, createApiKey.secret);
    expect((await client.ok<{ me: { role: string } }>('{ me { role } }')).me.role).toBe('OPERATOR');
    await server.admin.ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: createApiKey.key.id });
    expect(await client.errorCode('{ me { role } }')).toBe('UNAUTHENTICATED');
    // Revoking again is not an error, and says nothing changed.
    const again = await server.admin.ok<{ revokeApiKey: boolean }>('mutation($id: ID!) { revokeApiKey(id: $id) }', {
      id: createApiKey.key.id,
    });
    expect(again.revokeApiKey).toBe(false);
  });

  it('stores keys hashed: the secret is in no table, the audit log included', async () => {
    const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string } }>(
      'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
      { input: { name: unique('hashed'), role: 'VIEWER' } },
    );
    const tablesHolding = await withDatabase(server.databaseUrl, async (db) => {
      const { rows: tables } = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'`);
      const holding: string[] = [];
      for (const { name } of tables) {
        const { rows } = await db.query(`SELECT 1 FROM "${name}" t WHERE strpos(t::text, $1) > 0 LIMIT 1`, [createApiKey.secret]);
        if (rows.length > 0) holding.push(name);
      }
      return holding;
    });
    expect(tablesHolding).toEqual([]);
    // Nor is the admin secret the server was started with.
    const { rows } = await withDatabase(server.databaseUrl, (db) =>
      db.query(`SELECT 1 FROM api_keys t WHERE strpos(t::text, $1) > 0`, [ADMIN_SECRET]),
    );
    expect(rows).toEqual([]);
  });
});
