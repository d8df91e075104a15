// A live filter folds case as its database's lower() does, so a subscription picks what the query picks: ASCII letters
// only in the C locale (the embedded database's; filters-query-live.test.ts), every letter in a UTF-8 locale (the
// PostgreSQL Docker image's, most servers').
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, eventually, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

let server: TestServer;
let live: LiveClient;

beforeAll(async () => {
  server = await startTestServer({}, { databaseUrl: await createTestDatabase('utf8', { locale: 'C.UTF-8' }) });
  live = new LiveClient(server.graphqlUrl, server.admin.secret);
});
afterAll(async () => {
  await live?.dispose();
  await server?.stop();
});

it('in a UTF-8 database, a source id search matches every letter in any case, live as in the query', async () => {
  const pipeline = await createPipeline(server.admin);
  const batches = live.subscribe<{ records: { sourceId: string }[] }>(
    'subscription($f: RecordFilter) { recordsUpdated(filter: $f) { records { sourceId } } }',
    { f: { sourceId: 'über' } },
  );
  await eventually(async () => (server.instance.hub.openSubscriptions > 0 ? true : undefined), 'the subscription');
  const run = await startRun(server.admin, pipeline.id);
  await reportRecords(server.admin, run.id, [recordInput('ÜBER-1'), recordInput('über-2'), recordInput('UBER-3')]);

  const { records } = await server.admin.ok<{ records: { edges: { node: { sourceId: string } }[] } }>(
    'query($f: RecordFilter) { records(filter: $f) { edges { node { sourceId } } } }',
    { f: { sourceId: 'über' } },
  );
  const queried = records.edges.map((edge) => edge.node.sourceId).sort();
  expect(queried).toEqual(['ÜBER-1', 'über-2']);
  const delivered = await batches.until((values) => values.flatMap((v) => v.records).length >= 2, 'the live records');
  expect(delivered.flatMap((value) => value.records.map((record) => record.sourceId)).sort()).toEqual(queried);
});
