// purgeHistory and retention: old finished runs go with their records; a CLEANUP run records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let worker: GraphQLClient;
const day = 86_400_000;

beforeAll(async () => {
  server = await startTestServer();
  worker = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

async function pipeline(tenantId: string | null = null): Promise<string> {
  const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
    'mutation($i: PipelineInput!) { createPipeline(input: $i) { id } }',
    { i: { name: `retention ${Math.random()}`, sourceSystem: 'a', targetSystem: 'b', tenantId } },
  );
  return createPipeline.id;
}

async function finishedRun(pipelineId: string, endedDaysAgo: number, records: number): Promise<string> {
  const ended = new Date(Date.now() - endedDaysAgo * day);
  const { startRun } = await worker.ok<{ startRun: { id: string } }>('mutation($i: StartRunInput!) { startRun(input: $i) { id } }', {
    i: { pipelineId, mode: 'SCHEDULED', startedAt: new Date(ended.getTime() - 60_000).toISOString() },
  });
  const list = Array.from({ length: records }, (_, i) => ({
    entityType: 'Lead',
    sourceId: `L-${i}`,
    operation: 'CREATE',
    status: 'SUCCESS',
  }));
  await worker.ok('mutation($id: ID!, $r: [RecordReportInput!]!) { reportRecords(runId: $id, records: $r) { accepted } }', {
    id: startRun.id,
    r: list,
  });
  await worker.ok('mutation($id: ID!, $i: FinishRunInput) { finishRun(runId: $id, input: $i) { status } }', {
    id: startRun.id,
    i: { endedAt: ended.toISOString() },
  });
  return startRun.id;
}

describe('purgeHistory', () => {
  it('deletes finished runs older than the cut-off with their records, keeps the rest, and records a CLEANUP run', async () => {
    const pipelineId = await pipeline();
    const old = await finishedRun(pipelineId, 40, 25);
    const recent = await finishedRun(pipelineId, 2, 5);
    const { purgeHistory } = await server.admin.ok<{ purgeHistory: { runsDeleted: number; recordsDeleted: number } }>(
      'mutation { purgeHistory(olderThanDays: 30) { runsDeleted recordsDeleted } }',
    );
    expect(purgeHistory).toEqual({ runsDeleted: 1, recordsDeleted: 25 });
    const { oldRun, recentRun, records, runs } = await server.admin.ok<{
      oldRun: unknown;
      recentRun: { id: string };
      records: { totalCount: number };
      runs: { edges: { node: { status: string; counts: { deleted: number } } }[] };
    }>(
      `query($old: ID!, $recent: ID!, $p: [ID!]) {
        oldRun: run(id: $old) { id } recentRun: run(id: $recent) { id }
        records(filter: { pipelineIds: $p }) { totalCount }
        runs(filter: { pipelineIds: $p, modes: [CLEANUP] }) { edges { node { status counts { deleted } } } } }`,
      { old, recent, p: [pipelineId] },
    );
    expect(oldRun).toBeNull();
    expect(recentRun.id).toBe(recent);
    expect(records.totalCount).toBe(5);
    expect(runs.edges.map((e) => e.node)).toEqual([{ status: 'SUCCEEDED', counts: { deleted: 25 } }]);
  });

  it('is for admins, needs a positive age, and a tenant-bound admin purges only its tenant', async () => {
    const operator = await server.clientFor(Role.OPERATOR);
    expect(await operator.errorCode('mutation { purgeHistory(olderThanDays: 30) { runsDeleted } }')).toBe('FORBIDDEN');
    expect(await server.admin.errorCode('mutation { purgeHistory(olderThanDays: 0) { runsDeleted } }')).toBe('BAD_USER_INPUT');
    const mine = await finishedRun(await pipeline('t-1'), 50, 3);
    const theirs = await finishedRun(await pipeline('t-2'), 50, 3);
    const tenantAdmin = await server.clientFor(Role.ADMIN, 't-1');
    const { purgeHistory } = await tenantAdmin.ok<{ purgeHistory: { runsDeleted: number } }>(
      'mutation { purgeHistory(olderThanDays: 30) { runsDeleted } }',
    );
    expect(purgeHistory.runsDeleted).toBe(1);
    const { a, b } = await server.admin.ok<{ a: unknown; b: { id: string } }>(
      'query($a: ID!, $b: ID!) { a: run(id: $a) { id } b: run(id: $b) { id } }',
      {
        a: mine,
        b: theirs,
      },
    );
    expect(a).toBeNull();
    expect(b.id).toBe(theirs);
  });
});
