// A live event's related rows (a run's pipeline, a record batch's run) are read once with the event and handed to
// every subscription: a console's history asks for each run's pipeline, and one query per event and subscriber made
// a fleet's rate (a hundred run events a second) arrive seconds late.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';
import { LiveClient, type Received } from '../support/ws-client.js';

let server: TestServer;
const clients: LiveClient[] = [];

beforeAll(async () => {
  // No background jobs: only what the events cause is counted.
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' }, { jobs: false });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await server?.stop();
});

interface RunView {
  run: { id: string; status: string; pipeline: { id: string; name: string } };
}
interface BatchView {
  records: { sourceId: string; run: { id: string; pipeline: { name: string } } }[];
}

/** `count` subscribers with distinct documents (aliases), so none shares another's execution. */
function subscribe(count: number, filter: { pipelineIds: string[] }) {
  const runs: Received<RunView>[] = [];
  const batches: Received<BatchView>[] = [];
  for (let i = 0; i < count; i++) {
    const client = new LiveClient(server.graphqlUrl, server.admin.secret);
    clients.push(client);
    runs.push(
      client.subscribe<RunView>(
        `subscription($filter: RunFilter) { runs${i}: runUpdated(filter: $filter) { run { id status pipeline { id name } } } }`,
        {
          filter,
        },
      ),
    );
    batches.push(
      client.subscribe<BatchView>(
        `subscription($filter: RecordFilter) { batches${i}: recordsUpdated(filter: $filter) { records { sourceId run { id pipeline { name } } } } }`,
        { filter },
      ),
    );
  }
  return { runs, batches };
}

async function reportRuns(pipelineId: string, count: number): Promise<void> {
  const ingest = await server.clientFor(Role.INGEST);
  for (let i = 0; i < count; i++) {
    const run = await startRun(ingest, pipelineId);
    await reportRecords(ingest, run.id, [recordInput(`related-${i}`)]);
    await finishRun(ingest, run.id);
  }
}

async function statementsFor(subscribers: number): Promise<number> {
  const pipeline = await createPipeline(server.admin, { name: `Related ${subscribers}` });
  const before = server.instance.hub.openSubscriptions;
  const { runs, batches } = subscribe(subscribers, { pipelineIds: [pipeline.id] });
  while (server.instance.hub.openSubscriptions < before + 2 * subscribers) await new Promise((resolve) => setTimeout(resolve, 20));
  const RUNS = 10;
  const statements = await statementsDuring(server.instance.db, async () => {
    await reportRuns(pipeline.id, RUNS);
    for (const stream of runs)
      await stream.until((values) => values.filter((v) => v.run.status === 'SUCCEEDED').length === RUNS, 'every run');
    for (const stream of batches) await stream.until((values) => values.length === RUNS, 'every batch');
  });
  for (const stream of runs) {
    expect(new Set(stream.values.map((v) => v.run.pipeline.name))).toEqual(new Set([`Related ${subscribers}`]));
  }
  for (const stream of batches) {
    expect(stream.values.every((v) => v.records.every((r) => r.run.pipeline.name === `Related ${subscribers}`))).toBe(true);
  }
  return statements.length;
}

it("answers a run's pipeline and a batch's run from what the event read: no statement per event and subscriber", async () => {
  const one = await statementsFor(1);
  const eight = await statementsFor(8);
  // Thirty run events and ten batches to each of seven more subscriptions: before, two hundred statements more.
  expect(eight - one).toBeLessThan(20);
});
