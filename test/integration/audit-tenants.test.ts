// Operator actions carry the tenant of the records they touched: a tenant-bound admin sees in auditLog what a
// global key did to its tenant's data, and never another tenant's share of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun, unique } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let adminA: GraphQLClient;
let adminB: GraphQLClient;
beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  adminA = await server.clientFor(Role.ADMIN, 'tenant-a');
  adminB = await server.clientFor(Role.ADMIN, 'tenant-b');
});
afterAll(() => server?.stop());

interface Entry {
  action: string;
  target: string | null;
  details: Record<string, unknown>;
}

const auditOf = async (client: GraphQLClient): Promise<Entry[]> =>
  (
    await client.ok<{ auditLog: { edges: { node: Entry }[] } }>('{ auditLog(first: 100) { edges { node { action target details } } } }')
  ).auditLog.edges.map((edge) => edge.node);

/** A finished run of the tenant's pipeline with `count` failures (code E_AUDIT); dead-lettered at once when `dead`. */
async function failures(tenantId: string, count: number, dead = false): Promise<string> {
  const pipeline = await createPipeline(server.admin, { tenantId, ...(dead ? { retryPolicy: { maxAttempts: 1 } } : {}) });
  const run = await startRun(server.admin, pipeline.id);
  const records = Array.from({ length: count }, () => recordInput(unique('f'), { status: 'FAILED', errorCode: 'E_AUDIT' }));
  await reportRecords(server.admin, run.id, records);
  await finishRun(server.admin, run.id);
  return pipeline.id;
}

describe('audit entries of a global key’s operator actions', () => {
  it('retryRecords over two tenants: each tenant’s admin sees its share, the global admin the whole', async () => {
    const a = await failures('tenant-a', 2);
    const b = await failures('tenant-b', 3);
    const { retryRecords } = await server.admin.ok<{ retryRecords: { scheduled: number } }>(
      'mutation($f: RecordFilter) { retryRecords(filter: $f) { scheduled } }',
      { f: { pipelineIds: [a, b], statuses: ['FAILED'] } },
    );
    expect(retryRecords.scheduled).toBe(5);
    const seenByA = (await auditOf(adminA)).filter((entry) => entry.action === 'retryRecords');
    expect(seenByA).toHaveLength(1);
    expect(seenByA[0].details).toMatchObject({ records: 2 });
    expect(JSON.stringify(seenByA[0].details)).not.toContain(b); // nothing of the other tenant
    const seenByB = (await auditOf(adminB)).filter((entry) => entry.action === 'retryRecords');
    expect(seenByB[0].details).toMatchObject({ records: 3 });
    const whole = (await auditOf(server.admin)).find((entry) => entry.action === 'retryRecords' && entry.details.scheduled === 5);
    expect(whole?.details).toMatchObject({ matched: 5, tenants: 2 });
  });

  it('discardDeadLetters of one tenant’s records is that tenant’s entry, with its details', async () => {
    const pipelineId = await failures('tenant-a', 2, true);
    await server.admin.ok('mutation($f: RecordFilter) { discardDeadLetters(filter: $f) { discarded } }', {
      f: { pipelineIds: [pipelineId] },
    });
    const entry = (await auditOf(adminA)).find((e) => e.action === 'discardDeadLetters');
    expect(entry?.details).toMatchObject({ discarded: 2, filter: { pipelineIds: [pipelineId] } });
    expect((await auditOf(adminB)).some((e) => e.action === 'discardDeadLetters')).toBe(false);
  });

  it('resolveErrorGroup by a global key reaches the tenants whose failures the group holds', async () => {
    const fingerprint = errorFingerprint('E_AUDIT', null) as string;
    await server.admin.ok('mutation($fp: String!) { resolveErrorGroup(fingerprint: $fp, note: "fixed upstream") { state } }', {
      fp: fingerprint,
    });
    for (const client of [adminA, adminB]) {
      const entry = (await auditOf(client)).find((e) => e.action === 'resolveErrorGroup');
      expect(entry).toMatchObject({ target: `error-group:${fingerprint}`, details: { note: 'fixed upstream' } });
    }
  });

  it('cancelRun by a global key is the run’s tenant’s entry', async () => {
    const pipeline = await createPipeline(server.admin, { tenantId: 'tenant-b' });
    const run = await startRun(server.admin, pipeline.id);
    await server.admin.ok('mutation($id: ID!) { cancelRun(runId: $id) { status } }', { id: run.id });
    expect((await auditOf(adminB)).find((e) => e.action === 'cancelRun')?.target).toBe(`run:${run.id}`);
    expect((await auditOf(adminA)).some((e) => e.action === 'cancelRun')).toBe(false);
  });
});
