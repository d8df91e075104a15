// The demo pipelines against a real server: created through GraphQL, history backfilled through the ingest path,
// realistic failures, live sync that honours operators' queued runs and cancels, and no second backfill on restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Demo, startDemo } from '../../server/demo/index.js';
import { Role } from '../../server/domain/enums.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const HISTORY_RECORDS = 20_000;

let server: TestServer;
let operator: GraphQLClient;
let dataDir: string;
const demos: Demo[] = [];

function demo(): Demo {
  const started = startDemo({
    url: server.graphqlUrl,
    adminKey: ADMIN_SECRET,
    dataDir,
    logger: silent,
    backfill: { days: 7, totalRecords: HISTORY_RECORDS },
    seed: 42,
  });
  demos.push(started);
  return started;
}

beforeAll(async () => {
  server = await startTestServer();
  operator = await server.clientFor(Role.OPERATOR);
  dataDir = mkdtempSync(join(tmpdir(), 'syncwatch-demo-'));
  await demo().ready;
  // The demo backfills a month of history (~200,000 records) before it is ready: minutes on a loaded 2-core box.
}, 300_000);
afterAll(async () => {
  await Promise.all(demos.map((d) => d.stop()));
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface PipelineView {
  id: string;
  name: string;
  direction: string;
  retryPolicy: { nonRetryableErrorCodes: string[] };
}

async function pipelines(): Promise<PipelineView[]> {
  const data = await server.admin.ok<{ pipelines: PipelineView[] }>(
    '{ pipelines { id name direction retryPolicy { nonRetryableErrorCodes } } }',
  );
  return data.pipelines;
}

async function recordCount(filter: Record<string, unknown>): Promise<number> {
  const data = await server.admin.ok<{ records: { totalCount: number } }>(
    'query($f: RecordFilter) { records(first: 1, filter: $f) { totalCount } }',
    {
      f: filter,
    },
  );
  return data.records.totalCount;
}

async function runCount(filter: Record<string, unknown>): Promise<number> {
  const data = await server.admin.ok<{ runs: { totalCount: number } }>(
    'query($f: RunFilter) { runs(first: 1, filter: $f) { totalCount } }',
    { f: filter },
  );
  return data.runs.totalCount;
}

async function runStatus(id: string): Promise<string> {
  return (await server.admin.ok<{ run: { status: string } }>('query($id: ID!) { run(id: $id) { status } }', { id })).run.status;
}

const weekAgo = () => new Date(Date.now() - 7 * 86_400_000).toISOString();
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

describe('the demo', () => {
  it('creates the three pipelines, with invalid ids never retried automatically', async () => {
    const all = await pipelines();
    expect(all.map((p) => p.name)).toEqual(['Billing → CRM accounts', 'CRM ↔ Marketing leads', 'ERP → Web store products']);
    for (const pipeline of all) expect(pipeline.retryPolicy.nonRetryableErrorCodes).toContain('INVALID_ID');
    expect(all.map((p) => p.direction)).toEqual(['PUSH', 'PULL', 'PUSH']);
  });

  it('backfills a week of history through the ingest path, in the modes and operation types of each pipeline', async () => {
    const [billing, marketing, erp] = await pipelines();
    const past = { from: weekAgo(), to: hourAgo() };
    // Broken sessions stop part-way, and retried records have moved to the time of their latest attempt.
    expect(await recordCount({ startedAt: past })).toBeGreaterThan(HISTORY_RECORDS * 0.9);
    // Spread over the whole week, not piled up at the start.
    const firstDay = { from: weekAgo(), to: new Date(Date.now() - 6 * 86_400_000).toISOString() };
    expect(await runCount({ startedAt: firstDay })).toBeGreaterThan(0);

    expect(await runCount({ pipelineIds: [billing.id], modes: ['REAL_TIME'], startedAt: past })).toBeGreaterThan(100);
    expect(await runCount({ pipelineIds: [billing.id], modes: ['MANUAL'], startedAt: past })).toBeGreaterThan(0);
    for (const operationType of ['Pull updates', 'Push updates']) {
      expect(
        await runCount({ pipelineIds: [marketing.id], modes: ['SCHEDULED'], operationTypes: [operationType], startedAt: past }),
      ).toBeGreaterThan(50);
    }
    expect(await runCount({ pipelineIds: [erp.id], modes: ['SCHEDULED'], startedAt: past })).toBeGreaterThan(50);
    // Most runs go clean; some finish with errors; once in a while a session breaks, is rolled back or cancelled.
    for (const status of ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'ROLLED_BACK', 'CANCELLED']) {
      expect(await runCount({ statuses: [status], startedAt: past }), status).toBeGreaterThan(0);
    }
  });

  it('fails like real systems do: locks and timeouts, invalid ids, extraction failures and partly failed sub-steps', async () => {
    const [, , erp] = await pipelines();
    for (const errorCode of ['ROW_LOCKED', 'TIMEOUT', 'INVALID_ID', 'EXTRACTION_FAILED']) {
      expect(await recordCount({ errorCode }), errorCode).toBeGreaterThan(0);
    }
    expect(await recordCount({ pipelineIds: [erp.id], statuses: ['PARTIAL_SUCCESS'] })).toBeGreaterThan(0);
    expect(await recordCount({ pipelineIds: [erp.id], statuses: ['PARTIALLY_FAILED'], errorCode: 'VALIDATION_FAILED' })).toBeGreaterThan(0);
    expect(
      await recordCount({ pipelineIds: [erp.id], statuses: ['PARTIALLY_FAILED', 'RETRY_SCHEDULED'], errorCode: 'SUBSTEP_FAILED' }),
    ).toBeGreaterThan(0);

    const { records } = await server.admin.ok<{
      records: { edges: { node: { retryable: boolean; errorMessage: string; details: unknown } }[] };
    }>('{ records(first: 5, filter: { errorCode: "INVALID_ID" }) { edges { node { retryable errorMessage details } } } }');
    for (const { node } of records.edges) {
      expect(node.retryable).toBe(false);
      expect(node.errorMessage).toMatch(/Invalid .*ID/);
    }
    const partial = await server.admin.ok<{ records: { edges: { node: { details: { steps: Record<string, string> } } }[] } }>(
      'query($p: [ID!]) { records(first: 1, filter: { pipelineIds: $p, statuses: [PARTIAL_SUCCESS] }) { edges { node { details } } } }',
      { p: [erp.id] },
    );
    expect(Object.keys(partial.records.edges[0].node.details.steps).sort()).toEqual([
      'images',
      'inventory',
      'metafields',
      'product',
      'variants',
    ]);
  });

  it('syncs live: real-time runs keep coming', async () => {
    const [billing] = await pipelines();
    const since = new Date().toISOString();
    await vi.waitFor(
      async () =>
        expect(
          await runCount({
            pipelineIds: [billing.id],
            modes: ['REAL_TIME'],
            startedAt: { from: since },
            statuses: ['SUCCEEDED', 'COMPLETED_WITH_ERRORS'],
          }),
        ).toBeGreaterThan(0),
      { timeout: 30_000, interval: 250 },
    );
  });

  it('claims a sync an operator triggers and stops it when the operator cancels it', async () => {
    const [billing] = await pipelines();
    const { triggerSync } = await operator.ok<{ triggerSync: { id: string } }>(
      'mutation($p: ID!) { triggerSync(pipelineId: $p, mode: MANUAL, operationType: "Full sync") { id } }',
      { p: billing.id },
    );
    await vi.waitFor(async () => expect(await runStatus(triggerSync.id)).toBe('RUNNING'), { timeout: 30_000, interval: 100 });
    await operator.ok('mutation($id: ID!) { cancelRun(runId: $id, reason: "demo test") { status } }', { id: triggerSync.id });
    await vi.waitFor(async () => expect(await runStatus(triggerSync.id)).toBe('CANCELLED'), { timeout: 30_000, interval: 100 });
  });

  it('shows a newcomer every feature: a tenant-bound pipeline, a clean-up run, a resolved error group, alert rules, re-runs and dead letters', async () => {
    const { pipelines: all } = await server.admin.ok<{ pipelines: { name: string; tenantId: string | null }[] }>(
      '{ pipelines { name tenantId } }',
    );
    expect(all.find((p) => p.name === 'ERP → Web store products')?.tenantId).toBe('webstore-eu');
    // The purge of a run older than the history is recorded as a CLEANUP run.
    expect(await runCount({ modes: ['CLEANUP'] })).toBeGreaterThan(0);
    // A resolved error group, which the next live failure of its kind regresses.
    const { errorGroups } = await server.admin.ok<{ errorGroups: { state: string; resolutionNote: string | null }[] }>(
      '{ errorGroups(states: [RESOLVED, REGRESSED]) { state resolutionNote } }',
    );
    expect(errorGroups.map((g) => g.resolutionNote)).toEqual(['CRM lock timeout raised to 60 s']);
    const { alertRules } = await server.admin.ok<{ alertRules: { condition: string }[] }>('{ alertRules { condition } }');
    expect(alertRules.map((r) => r.condition).sort()).toEqual(['DEAD_LETTERS', 'ERROR_GROUP_REGRESSED', 'RUN_FAILED']);
    // The week's broken marketing session was queued again whole.
    const [, marketing] = await pipelines();
    const { runs } = await server.admin.ok<{ runs: { edges: { node: { rerun: number | null } }[] } }>(
      'query($f: RunFilter) { runs(filter: $f, first: 50) { edges { node { rerun } } } }',
      { f: { pipelineIds: [marketing.id], modes: ['RETRY'] } },
    );
    expect(runs.edges.some((edge) => edge.node.rerun === 1)).toBe(true);
    // A worker that retried by itself until the attempts ran out left dead letters.
    expect(await recordCount({ statuses: ['DEAD_LETTERED'], sourceId: 'SKU-090017' })).toBe(1);
    expect(await recordCount({ statuses: ['DEAD_LETTERED'] })).toBeGreaterThanOrEqual(4);
  });

  it('does not backfill again when started on a database that has its pipelines', async () => {
    const before = await runCount({ startedAt: { to: hourAgo() } });
    const again = demo();
    await again.ready;
    await again.stop();
    expect(await runCount({ startedAt: { to: hourAgo() } })).toBe(before);
    expect((await pipelines()).length).toBe(3);
  });
});
