// Leases: a run whose worker stops renewing ends on its own (LEASE_SECONDS=1 so the sweep comes quickly).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import {
  createPipeline,
  eventually,
  finishRun,
  getRun,
  type PipelineView,
  RUN_FIELDS,
  type RunView,
  recordInput,
  reportRecords,
  startRun,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ingest: GraphQLClient;
let operator: GraphQLClient;
let pipeline: PipelineView;

beforeAll(async () => {
  server = await startTestServer({ LEASE_SECONDS: '1' });
  ingest = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
  pipeline = await createPipeline(server.admin);
});
afterAll(() => server?.stop());

/** The run once it has left `status`. */
const leaves = (id: string, status: string) =>
  eventually(async () => {
    const run = await getRun(ingest, id);
    return run && run.status !== status ? run : undefined;
  }, `run ${id} to leave ${status}`);

// Concurrent: each test waits on the sweep, which serves them all at once.
describe.concurrent('a lapsed lease', () => {
  it('ends a RUNNING run FAILED with "worker lost"', async () => {
    const run = await startRun(ingest, pipeline.id);
    expect(run.status).toBe('RUNNING');
    expect(Date.parse(run.leaseExpiresAt as string) - Date.parse(run.startedAt as string)).toBeLessThanOrEqual(1_500);
    const ended = await leaves(run.id, 'RUNNING');
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toMatch(/worker lost/);
    expect(ended.endedAt).not.toBeNull();
    expect(ended.leaseExpiresAt).toBeNull();
    // The worker that comes back finds its run over.
    expect(await ingest.errorCode('mutation($id: ID!) { heartbeat(runId: $id) { cancelRequested } }', { id: run.id })).toBe('CONFLICT');
  });

  it('ends a CANCELLING run CANCELLED', async () => {
    const run = await startRun(ingest, pipeline.id);
    const { cancelRun } = await operator.ok<{ cancelRun: RunView }>(`mutation($id: ID!) { cancelRun(runId: $id) { ${RUN_FIELDS} } }`, {
      id: run.id,
    });
    expect(cancelRun.status).toBe('CANCELLING');
    const ended = await leaves(run.id, 'CANCELLING');
    expect(ended.status).toBe('CANCELLED');
    expect(ended.endedAt).not.toBeNull();
  });

  it('keeps the counts of what the worker reported before it was lost', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('l-1'), recordInput('l-2', { status: 'FAILED', retryable: false })]);
    const ended = await leaves(run.id, 'RUNNING');
    expect(ended.status).toBe('FAILED');
    expect(ended.counts).toMatchObject({ total: 2, succeeded: 1, failed: 1 });
  });

  it('does not touch a run that finished in time', async () => {
    const run = await startRun(ingest, pipeline.id);
    const finished = await finishRun(ingest, run.id);
    expect(finished.status).toBe('SUCCEEDED');
    // Outlive the lease and at least one sweep, then look again.
    const other = await startRun(ingest, pipeline.id);
    await leaves(other.id, 'RUNNING');
    expect(await getRun(ingest, run.id)).toEqual(finished);
  });
});
