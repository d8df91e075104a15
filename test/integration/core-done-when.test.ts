// Issue 2's "done when" script: a worker reports 10,000 records in batches with mixed statuses, finishes the run,
// and a script finds the run and its failures through the filters with exact counts.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { allRecords, allRuns, createPipeline, finishRun, type RecordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const TOTAL = 10_000;
const BATCH = 1_000;

let server: TestServer;
let ingest: GraphQLClient;
let viewer: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  ingest = await server.clientFor(Role.INGEST);
  viewer = await server.clientFor(Role.VIEWER);
});
afterAll(() => server?.stop());

/**
 * Record i of the run: one in ten fails (half of them retryable: FAILED until the automatic retry, 30 s away, is
 * due), one in ten is skipped, one in five updates, the rest create.
 */
function record(i: number): RecordInput {
  const sourceId = `ACCT-${String(i).padStart(5, '0')}`;
  if (i % 10 === 0) {
    return {
      entityType: 'Account',
      sourceId,
      operation: 'CREATE',
      status: 'FAILED',
      retryable: i % 20 !== 0,
      errorCode: 'INVALID_ACCOUNT',
      errorMessage: `Account ${sourceId} has no owner`,
    };
  }
  if (i % 10 === 1) return { entityType: 'Account', sourceId, operation: 'UPDATE', status: 'SKIPPED' };
  if (i % 5 === 2) return { entityType: 'Account', sourceId, operation: 'UPDATE', status: 'SUCCESS', latencyMs: i % 300 };
  return { entityType: 'Account', sourceId, operation: 'CREATE', status: 'SUCCESS', latencyMs: i % 300 };
}

it('creates a pipeline, reports 10,000 records in batches, finishes, and finds the run and its failures with exact counts', async () => {
  const pipeline = await createPipeline(server.admin, { name: 'Billing → CRM accounts' });
  // A clean run of the same pipeline, which the status filter must leave out.
  const clean = await startRun(ingest, pipeline.id);
  await reportRecords(ingest, clean.id, [{ entityType: 'Account', sourceId: 'ACCT-00010', operation: 'CREATE', status: 'SUCCESS' }]);
  expect((await finishRun(ingest, clean.id)).status).toBe('SUCCEEDED');

  const run = await startRun(ingest, pipeline.id, { mode: 'SCHEDULED', operationType: 'Push accounts', expectedTotal: TOTAL });
  for (let start = 0; start < TOTAL; start += BATCH) {
    const report = await reportRecords(
      ingest,
      run.id,
      Array.from({ length: BATCH }, (_, k) => record(start + k)),
    );
    expect(report.accepted).toBe(BATCH);
    expect(report.rejected).toEqual([]);
    expect(report.run.counts.total).toBe(start + BATCH);
  }
  const finished = await finishRun(ingest, run.id);
  expect(finished.status).toBe('COMPLETED_WITH_ERRORS');
  // Last digit 0: failed; 1: skipped; 2 and 7: updated; the six others: created.
  const failed = TOTAL / 10;
  expect(finished.counts).toEqual({
    total: TOTAL,
    failed,
    skipped: 1_000,
    pending: 0,
    succeeded: 8_000,
    updated: 2_000,
    created: 6_000,
    deleted: 0,
  });

  const found = await allRuns(viewer, { statuses: ['COMPLETED_WITH_ERRORS'] });
  expect(found.map((r) => r.id)).toEqual([run.id]);
  expect(found[0].counts.failed).toBe(failed);
  const { runs } = await viewer.ok<{ runs: { totalCount: number } }>(
    '{ runs(filter: { statuses: [COMPLETED_WITH_ERRORS] }) { totalCount } }',
  );
  expect(runs.totalCount).toBe(1);

  // Failures of ACCT-012xx, searched in lower case: 100 source ids, of which every tenth failed.
  const failures = await allRecords(viewer, { statuses: ['FAILED'], sourceId: 'acct-012' });
  expect(failures).toHaveLength(10);
  expect(failures.every((r) => r.status === 'FAILED' && r.errorCode === 'INVALID_ACCOUNT' && r.sourceId.startsWith('ACCT-012'))).toBe(true);
  const { records } = await viewer.ok<{ records: { totalCount: number } }>(
    'query($run: ID!) { records(filter: { runIds: [$run], statuses: [FAILED] }) { totalCount } }',
    { run: run.id },
  );
  expect(records.totalCount).toBe(failed);
  // The clean run's ACCT-00010 succeeded; only this run's failure of that id is found.
  const one = await allRecords(viewer, { statuses: ['FAILED'], sourceId: 'ACCT-00010' });
  expect(one.map((r) => r.run.id)).toEqual([run.id]);
});
