// The records and runs pages run one prepared statement per shape (services/lists/list-statements.ts): a list's values are
// parameters, never text, so its length makes no new statement; an enum's values are named in the text, as a set; and
// statements with values are planned for them every time (sent unnamed), never with one plan for all values.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { poolOf } from '../../server/db/pool.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { type SeededHistory, seedHistory } from '../support/history-seed.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

let server: TestServer;
let admin: GraphQLClient;
let history: SeededHistory;

beforeAll(async () => {
  // No background jobs: the statements a request sends are counted, and the jobs' own (lease expiry, say) would count too.
  server = await startTestServer({}, { jobs: false });
  admin = server.admin;
  history = await seedHistory(admin, 6, 5);
}, 60_000);
afterAll(() => server?.stop());

/** The statements (text and values) the server runs on records or runs while `work` runs. */
async function listStatements(work: () => Promise<unknown>): Promise<{ text: string; values: unknown[] }[]> {
  const statements = await statementsDuring(server.instance.db, work);
  return statements
    .filter(({ query }) => /^SELECT .* FROM "(records|runs)"/s.test(query))
    .map(({ query, parameters }) => ({ text: query, values: parameters }));
}

const RECORDS = 'query($filter: RecordFilter) { records(filter: $filter, first: 5) { edges { cursor node { id status } } } }';
const RUNS = 'query($filter: RunFilter) { runs(filter: $filter, first: 5) { edges { cursor node { id status } } } }';

it('gives a list of two values and one of three the same statement, their values as one parameter', async () => {
  const pipelines = history.pipelines.map((pipeline) => pipeline.id);
  const [two] = await listStatements(() => admin.ok(RECORDS, { filter: { pipelineIds: pipelines.slice(0, 2) } }));
  const [three] = await listStatements(() => admin.ok(RECORDS, { filter: { pipelineIds: pipelines } }));
  expect(three.text).toBe(two.text);
  expect(two.values).toEqual([pipelines.slice(0, 2)]);
  expect(three.values).toEqual([pipelines]);
  const [runsTwo] = await listStatements(() => admin.ok(RUNS, { filter: { pipelineIds: pipelines.slice(0, 2) } }));
  const [runsThree] = await listStatements(() => admin.ok(RUNS, { filter: { pipelineIds: pipelines } }));
  expect(runsThree.text).toBe(runsTwo.text);
});

it('names the statuses asked in the text, as a set: the same statuses in another order or twice share it', async () => {
  const [one] = await listStatements(() => admin.ok(RECORDS, { filter: { statuses: ['SKIPPED', 'FAILED'] } }));
  const [other] = await listStatements(() => admin.ok(RECORDS, { filter: { statuses: ['FAILED', 'SKIPPED', 'FAILED'] } }));
  expect(one.text).toMatch(/status IN \('FAILED', 'SKIPPED'\)/);
  expect(other.text).toBe(one.text);
  expect(one.values).toEqual([]);
});

it('prepares a statement without values once per connection, and sends one with values unnamed (planned for them)', async () => {
  const pipelines = history.pipelines.map((pipeline) => pipeline.id);
  const [withValues] = await listStatements(() => admin.ok(RECORDS, { filter: { pipelineIds: pipelines } }));
  const [withoutValues] = await listStatements(() => admin.ok(RECORDS, { filter: { statuses: ['FAILED'] } }));
  for (let i = 0; i < 8; i++) {
    await admin.ok(RECORDS, { filter: { pipelineIds: pipelines } });
    await admin.ok(RECORDS, { filter: { statuses: ['FAILED'] } });
  }
  // What each of the pool's connections has prepared (pg keeps it per connection, by name).
  const pool = poolOf(server.instance.db) as unknown as { _clients: { connection: { parsedStatements: object } }[] };
  const prepared = new Set(pool._clients.flatMap((client) => Object.values(client.connection.parsedStatements) as string[]));
  expect(withValues.values.length).toBeGreaterThan(0);
  expect(withoutValues.values).toEqual([]);
  expect(prepared.has(withoutValues.text)).toBe(true);
  expect(prepared.has(withValues.text)).toBe(false);
});

it('keeps its connection when a list read in one snapshot refuses its input, and reads on it after', async () => {
  const since = { startedAt: { from: '2000-01-01T00:00:00Z' } };
  const page = 'query($filter: RecordFilter, $after: String) { records(filter: $filter, first: 5, after: $after) { edges { cursor } } }';
  await admin.ok(page, { filter: since });
  const pool = poolOf(server.instance.db);
  const used = new Set<object>();
  const acquired = (client: object) => used.add(client);
  pool.on('acquire', acquired);
  // The filter's ids are checked between the days' read and the page's, inside the snapshot: refused, rolled back, kept.
  const badIds = { ...since, pipelineIds: ['not-a-uuid'] };
  try {
    for (let i = 0; i < 3; i++) expect(await admin.errorCode(page, { filter: badIds })).toBe('BAD_USER_INPUT');
  } finally {
    pool.off('acquire', acquired);
  }
  const clients = (pool as unknown as { _clients: object[] })._clients;
  expect(used.size).toBeGreaterThan(0);
  expect([...used].filter((client) => !clients.includes(client))).toEqual([]);
  expect((await admin.ok<{ records: { edges: unknown[] } }>(page, { filter: since })).records.edges.length).toBeGreaterThan(0);
});

it('reads no days bound for runs named: their own days bound the read', async () => {
  const runIds = history.runIds.slice(0, 2);
  const statements = await statementsDuring(server.instance.db, () =>
    admin.ok(RECORDS, { filter: { runIds, startedAt: { from: '2000-01-01T00:00:00Z' } } }),
  );
  expect(statements.some(({ query }) => /records_keys_started_since/.test(query))).toBe(false);
  expect(statements.some(({ query }) => /FROM "records"/.test(query))).toBe(true);
});
