// Tenant-bound keys see and touch only their tenant's pipelines, runs and records; another tenant's objects do not exist for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { databaseState } from '../support/db-state.js';
import {
  allRecords,
  allRuns,
  createPipeline,
  finishRun,
  type PipelineView,
  type RecordView,
  type RunView,
  recordInput,
  reportRecords,
  startRun,
  triggerSync,
  unique,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const acme = {} as Record<Role, GraphQLClient>;
let acmePipeline: PipelineView;
let globexPipeline: PipelineView;
let sharedPipeline: PipelineView;
let acmeRun: RunView;
let globexRun: RunView;
let globexFinished: RunView;
let globexRecord: RecordView;
let globexKeyId: string;

beforeAll(async () => {
  // No background jobs: refused actions are checked to change nothing in the whole database.
  server = await startTestServer({}, { jobs: false });
  for (const role of Object.values(Role)) acme[role] = await server.clientFor(role, 'acme');
  acmePipeline = await createPipeline(server.admin, { name: 'Acme billing → CRM', tenantId: 'acme' });
  globexPipeline = await createPipeline(server.admin, { name: 'Globex ERP → shop', tenantId: 'globex' });
  sharedPipeline = await createPipeline(server.admin, { name: 'Untenanted feed' });

  acmeRun = await startRun(server.admin, acmePipeline.id, { correlationId: 'acme-corr' });
  await reportRecords(server.admin, acmeRun.id, [recordInput('ACME-1'), recordInput('ACME-2', { status: 'FAILED', retryable: false })]);
  globexRun = await startRun(server.admin, globexPipeline.id, { correlationId: 'globex-corr' });
  const report = await reportRecords(server.admin, globexRun.id, [recordInput('GLOBEX-1'), recordInput('GLOBEX-2', { status: 'FAILED' })]);
  expect(report.accepted).toBe(2);
  globexFinished = await startRun(server.admin, globexPipeline.id);
  await finishRun(server.admin, globexFinished.id);
  const shared = await startRun(server.admin, sharedPipeline.id);
  await reportRecords(server.admin, shared.id, [recordInput('SHARED-1')]);
  await triggerSync(server.admin, globexPipeline.id);
  globexRecord = (await allRecords(server.admin, { runIds: [globexRun.id] }))[0];
  const { createApiKey } = await server.admin.ok<{ createApiKey: { key: { id: string } } }>(
    'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key { id } } }',
    { input: { name: unique('globex-key'), role: 'VIEWER', tenantId: 'globex' } },
  );
  globexKeyId = createApiKey.key.id;
});
afterAll(() => server?.stop());

describe('a tenant-bound key reading lists', () => {
  it.each(Object.values(Role))('as %s sees only its tenant’s pipelines, runs and records', async (role) => {
    const client = acme[role];
    const { pipelines } = await client.ok<{ pipelines: PipelineView[] }>('{ pipelines { id name tenantId } }');
    expect(pipelines.map((p) => p.id)).toEqual([acmePipeline.id]);

    const runs = await allRuns(client);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.tenantId === 'acme' && r.pipeline.id === acmePipeline.id)).toBe(true);
    const records = await allRecords(client);
    expect(records.map((r) => r.sourceId).sort()).toEqual(['ACME-1', 'ACME-2']);

    const counts = await client.ok<{ runs: { totalCount: number }; records: { totalCount: number } }>(
      '{ runs { totalCount } records { totalCount } }',
    );
    expect(counts.runs.totalCount).toBe(runs.length);
    expect(counts.records.totalCount).toBe(2);
  });

  it('cannot widen its view with filters', async () => {
    const client = acme[Role.ADMIN];
    expect(await allRuns(client, { tenantIds: ['globex'] })).toEqual([]);
    expect(await allRuns(client, { pipelineIds: [globexPipeline.id, sharedPipeline.id] })).toEqual([]);
    expect(await allRuns(client, { search: globexRun.id })).toEqual([]);
    expect(await allRuns(client, { search: 'globex' })).toEqual([]);
    expect(await allRecords(client, { tenantIds: ['globex'] })).toEqual([]);
    expect(await allRecords(client, { runIds: [globexRun.id] })).toEqual([]);
    expect(await allRecords(client, { sourceId: 'GLOBEX' })).toEqual([]);
    expect(await allRecords(client, { pipelineIds: [sharedPipeline.id] })).toEqual([]);
  });

  it('sees only its tenant’s audit entries', async () => {
    await acme[Role.OPERATOR].ok('mutation($id: ID!) { triggerSync(pipelineId: $id) { id } }', { id: acmePipeline.id });
    const { auditLog } = await acme[Role.VIEWER].ok<{ auditLog: { edges: { node: { action: string; target: string } }[] } }>(
      '{ auditLog(first: 500) { edges { node { action target } } } }',
    );
    expect(auditLog.edges.length).toBeGreaterThan(0);
    const all = await server.admin.ok<{ auditLog: { edges: { node: { action: string; target: string } }[] } }>(
      '{ auditLog(first: 500) { edges { node { action target } } } }',
    );
    expect(all.auditLog.edges.length).toBeGreaterThan(auditLog.edges.length);
    // Nothing about the globex pipeline reaches acme.
    expect(auditLog.edges.some((e) => e.node.target === `pipeline:${globexPipeline.id}`)).toBe(false);
    expect(all.auditLog.edges.some((e) => e.node.target === `pipeline:${globexPipeline.id}`)).toBe(true);
  });
});

describe('a tenant-bound key reading by id', () => {
  it.each(Object.values(Role))('as %s gets null for another tenant’s run, record and pipeline', async (role) => {
    const result = await acme[role].ok<Record<string, unknown>>(
      `query($run: ID!, $record: ID!, $pipeline: ID!, $shared: ID!) {
        run(id: $run) { id } record(id: $record) { id } pipeline(id: $pipeline) { id } shared: pipeline(id: $shared) { id }
      }`,
      { run: globexRun.id, record: globexRecord.id, pipeline: globexPipeline.id, shared: sharedPipeline.id },
    );
    expect(result).toEqual({ run: null, record: null, pipeline: null, shared: null });
    const own = await acme[role].ok<{ run: { id: string; records: { edges: unknown[] } } }>(
      'query($id: ID!) { run(id: $id) { id records { edges { cursor } } } }',
      { id: acmeRun.id },
    );
    expect(own.run.records.edges).toHaveLength(2);
  });
});

describe('a tenant-bound key changing another tenant’s data', () => {
  /** NOT_FOUND, exactly as for an id that does not exist, and not one row changed. */
  async function expectNotFound(client: GraphQLClient, query: string, variables: Record<string, unknown>) {
    const before = await databaseState(server.databaseUrl);
    expect(await client.errorCode(query, variables)).toBe('NOT_FOUND');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  }

  it('cannot start, report into, heartbeat, finish or claim its runs (INGEST)', async () => {
    const ingest = acme[Role.INGEST];
    await expectNotFound(ingest, 'mutation($id: ID!) { startRun(input: { pipelineId: $id, mode: MANUAL }) { id } }', {
      id: globexPipeline.id,
    });
    await expectNotFound(ingest, 'mutation($id: ID!, $r: [RecordReportInput!]!) { reportRecords(runId: $id, records: $r) { accepted } }', {
      id: globexRun.id,
      r: [recordInput('GLOBEX-1', { status: 'FAILED' })],
    });
    await expectNotFound(ingest, 'mutation($id: ID!) { heartbeat(runId: $id) { cancelRequested } }', { id: globexRun.id });
    await expectNotFound(ingest, 'mutation($id: ID!) { finishRun(runId: $id) { id } }', { id: globexRun.id });
    // Even for a finished run, the answer does not reveal that it exists.
    await expectNotFound(ingest, 'mutation($id: ID!) { finishRun(runId: $id) { id } }', { id: globexFinished.id });
    await expectNotFound(ingest, 'mutation($id: ID!) { claimRun(pipelineId: $id, workerId: "thief") { id } }', { id: globexPipeline.id });
  });

  it('cannot trigger or cancel (OPERATOR)', async () => {
    const operator = acme[Role.OPERATOR];
    await expectNotFound(operator, 'mutation($id: ID!) { triggerSync(pipelineId: $id) { id } }', { id: globexPipeline.id });
    await expectNotFound(operator, 'mutation($id: ID!) { cancelRun(runId: $id) { id } }', { id: globexRun.id });
    await expectNotFound(operator, 'mutation($id: ID!) { triggerSync(pipelineId: $id) { id } }', { id: sharedPipeline.id });
  });

  it('cannot update its pipelines or revoke its keys (ADMIN)', async () => {
    const admin = acme[Role.ADMIN];
    await expectNotFound(admin, 'mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id } }', {
      id: globexPipeline.id,
      input: { name: 'taken over', sourceSystem: 'x', targetSystem: 'y' },
    });
    await expectNotFound(admin, 'mutation($id: ID!) { revokeApiKey(id: $id) }', { id: globexKeyId });
  });

  it('cannot revoke a key that is not bound to its tenant, such as the main admin key', async () => {
    const { me } = await server.admin.ok<{ me: { id: string } }>('{ me { id } }');
    await expectNotFound(acme[Role.ADMIN], 'mutation($id: ID!) { revokeApiKey(id: $id) }', { id: me.id });
    expect((await server.admin.ok<{ me: { id: string } }>('{ me { id } }')).me.id).toBe(me.id);
  });

  it('cannot move its own pipeline to another tenant (FORBIDDEN)', async () => {
    const before = await databaseState(server.databaseUrl);
    expect(
      await acme[Role.ADMIN].errorCode('mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id } }', {
        id: acmePipeline.id,
        input: { name: 'moved', sourceSystem: 'a', targetSystem: 'b', tenantId: 'globex' },
      }),
    ).toBe('FORBIDDEN');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('even an unbound admin cannot move a pipeline with history to another tenant (CONFLICT)', async () => {
    const before = await databaseState(server.databaseUrl);
    expect(
      await server.admin.errorCode('mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id } }', {
        id: acmePipeline.id,
        input: { name: 'moved', sourceSystem: 'a', targetSystem: 'b', tenantId: 'globex' },
      }),
    ).toBe('CONFLICT');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('cannot create pipelines or keys for another tenant (FORBIDDEN)', async () => {
    const admin = acme[Role.ADMIN];
    const before = await databaseState(server.databaseUrl);
    expect(
      await admin.errorCode('mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }', {
        input: { name: 'sneaky', sourceSystem: 'a', targetSystem: 'b', tenantId: 'globex' },
      }),
    ).toBe('FORBIDDEN');
    expect(
      await admin.errorCode('mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }', {
        input: { name: 'sneaky', role: 'ADMIN', tenantId: 'globex' },
      }),
    ).toBe('FORBIDDEN');
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('creates what it creates inside its own tenant', async () => {
    const admin = acme[Role.ADMIN];
    const pipeline = await createPipeline(admin);
    expect(pipeline.tenantId).toBe('acme');
    const { createApiKey } = await admin.ok<{ createApiKey: { key: { tenantId: string | null } } }>(
      'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key { tenantId } } }',
      { input: { name: unique('acme-made'), role: 'ADMIN' } },
    );
    expect(createApiKey.key.tenantId).toBe('acme');
    const run = await startRun(acme[Role.INGEST], pipeline.id);
    expect(run.tenantId).toBe('acme');
    const report = await reportRecords(acme[Role.INGEST], run.id, [recordInput('own-1')]);
    expect(report.accepted).toBe(1);
    const records = await allRecords(acme[Role.VIEWER], { runIds: [run.id] });
    expect(records.map((r) => r.run.tenantId)).toEqual(['acme']);
  });
});
