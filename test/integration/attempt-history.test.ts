// A record's attempt history, read from wherever the record is opened (issue 23: "Attempts: 2" listed only #2 when
// the record was opened in the retry run that made attempt 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, finishRun, type RecordInput, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let operator: GraphQLClient;
let worker: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  operator = await server.clientFor(Role.OPERATOR);
  worker = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

interface Attempted {
  id: string;
  attempts: number;
  history: { attempt: number; runId: string; errorCode: string | null }[];
}

const failure = (code: string): RecordInput => recordInput('ACC-1', { status: 'FAILED', errorCode: code, retryable: true });

async function recordsOf(runId: string): Promise<Attempted[]> {
  const { run } = await operator.ok<{ run: { records: { edges: { node: Attempted }[] } } }>(
    'query($id: ID!) { run(id: $id) { records(first: 10) { edges { node { id attempts history { attempt runId errorCode } } } } } }',
    { id: runId },
  );
  return run.records.edges.map((edge) => edge.node);
}

/** An operator's retry of the record, taken and failed again by a worker with `code`; returns the retry run. */
async function retryAndFail(pipelineId: string, recordId: string, code: string): Promise<string> {
  await operator.ok('mutation($ids: [ID!]) { retryRecords(ids: $ids) { scheduled } }', { ids: [recordId] });
  const { claimRun } = await worker.ok<{ claimRun: { id: string } }>(
    'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w") { id } }',
    {
      p: pipelineId,
    },
  );
  await reportRecords(worker, claimRun.id, [failure(code)]);
  await finishRun(worker, claimRun.id);
  return claimRun.id;
}

describe('attempt history', () => {
  it('lists every attempt up to the one opened, whether opened as the original or as a retry run’s attempt', async () => {
    // Retries an hour apart: only the operator's retries below make attempts.
    const pipeline = await createPipeline(server.admin, {
      retryPolicy: { maxAttempts: 5, initialDelaySeconds: 3600, backoffFactor: 1, maxDelaySeconds: 3600 },
    });
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [failure('E1')]);
    await finishRun(worker, run.id);
    const [original] = await recordsOf(run.id);

    const second = await retryAndFail(pipeline.id, original.id, 'E2');
    const third = await retryAndFail(pipeline.id, original.id, 'E3');
    const expected = [
      { attempt: 1, runId: run.id, errorCode: 'E1' },
      { attempt: 2, runId: second, errorCode: 'E2' },
      { attempt: 3, runId: third, errorCode: 'E3' },
    ];

    expect(await recordsOf(run.id)).toEqual([{ id: original.id, attempts: 3, history: expected }]);
    const [attempt2] = await recordsOf(second);
    expect(attempt2).toMatchObject({ attempts: 2, history: expected.slice(0, 2) });
    const [attempt3] = await recordsOf(third);
    expect(attempt3).toMatchObject({ attempts: 3, history: expected });
  });
});
