// SyncRun.records under a list of runs is read for all the runs of the page in one statement, and totalCount is
// exact up to a cap and says so: both proven against what the records list itself answers for each run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { EXACT_COUNT_CAP } from '../../server/services/bounded-count.js';
import { createPipeline, type Page, type RecordInput, reportRecords, startRun, walkPages } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { BASE_TIME, type SeededHistory, seedHistory } from '../support/history-seed.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

interface RecordNode {
  id: string;
  status: string;
  startedAt: string;
}
interface CountedPage extends Page<RecordNode> {
  totalCount: number;
  totalCountIsExact: boolean;
}

let server: TestServer;
let admin: GraphQLClient;
let history: SeededHistory;
let bigRunId: string;
let bigPipelineId: string;
const BIG = EXACT_COUNT_CAP + 50;
const BIG_FAILED = 40;

const PAGE_FIELDS = 'edges { cursor node { id status startedAt } } pageInfo { hasNextPage endCursor } totalCount totalCountIsExact';

beforeAll(async () => {
  server = await startTestServer();
  admin = server.admin;
  history = await seedHistory(admin);
  // One run past the count cap, with a few failures: counted exactly when filtered, "more than the cap" when not.
  const pipeline = await createPipeline(admin, { tenantId: 'acme-corp' });
  const big = await startRun(admin, pipeline.id, { startedAt: new Date(BASE_TIME - 7_200_000).toISOString() });
  bigRunId = big.id;
  bigPipelineId = pipeline.id;
  const records: RecordInput[] = Array.from({ length: BIG }, (_, i) => ({
    entityType: 'Product',
    sourceId: `big-${i}`,
    operation: 'UPDATE',
    status: i % Math.floor(BIG / BIG_FAILED) === 0 && i / Math.floor(BIG / BIG_FAILED) < BIG_FAILED ? 'FAILED' : 'SUCCESS',
    retryable: false,
    // Start times repeat in blocks of 1,000: the id breaks the ties.
    startedAt: new Date(BASE_TIME - 7_200_000 + Math.floor(i / 1000) * 1000).toISOString(),
  }));
  for (let i = 0; i < records.length; i += 5_000) await reportRecords(admin, big.id, records.slice(i, i + 5_000));
}, 120_000);
afterAll(() => server?.stop());

/** Counts the statements on records the server runs while `work` runs. */
async function statementsOnRecords(work: () => Promise<unknown>): Promise<number> {
  const statements = await statementsDuring(server.instance.db, work);
  return statements.filter(({ query }) => /^\s*(WITH|SELECT)\b[\s\S]*\bFROM "?records"?/i.test(query)).length;
}

/** Up to `pages` pages, following endCursor. */
async function walkSome(fetchPage: (after: string | null) => Promise<CountedPage>, pages: number): Promise<CountedPage[]> {
  const walked: CountedPage[] = [];
  let after: string | null = null;
  while (walked.length < pages) {
    const page = await fetchPage(after);
    walked.push(page);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  return walked;
}

/** A run's records page as the records list answers it on its own. */
async function listedPage(
  runId: string,
  filter: Record<string, unknown> | null,
  first: number,
  after: string | null,
): Promise<CountedPage> {
  const { records } = await admin.ok<{ records: CountedPage }>(
    `query($filter: RecordFilter, $first: Int, $after: String) { records(filter: $filter, first: $first, after: $after) { ${PAGE_FIELDS} } }`,
    { filter: { ...filter, runIds: [runId] }, first, after },
  );
  return records;
}

// Counts are priced per connection (5,000 each of the 100,000 a request may cost): fewer runs when they are asked for.
const nested = (runs: number, fields = PAGE_FIELDS) => `query($filter: RecordFilter, $first: Int) {
  runs(first: ${runs}, orderBy: { field: STARTED_AT, direction: ASC }) { edges { node { id records(filter: $filter, first: $first) { ${fields} } } } }
}`;
const NO_COUNTS = 'edges { cursor node { id status startedAt } } pageInfo { hasNextPage endCursor }';

describe('SyncRun.records under runs', () => {
  const filters: [string, Record<string, unknown> | null][] = [
    ['no filter', null],
    ['statuses', { statuses: ['FAILED', 'SUCCESS', 'PENDING'] }],
    ['sourceId and entity types', { sourceId: 'acc', entityTypes: ['Account', 'Invoice'] }],
    // SyncRun.records reads its own run whatever runIds the filter names, as the records list with runIds: [run] does.
    ['runIds of the filter give way to the run', { runIds: ['00000000-0000-4000-8000-000000000000'] }],
  ];

  it.each(filters)('gives each run the page, cursors and count the records list gives it (%s)', async (_name, filter) => {
    type Runs = { runs: { edges: { node: { id: string; records: CountedPage } }[] } };
    const { runs } = await admin.ok<Runs>(nested(50, NO_COUNTS), { filter, first: 3 });
    expect(runs.edges.length).toBeGreaterThan(history.runIds.length);
    for (const { node } of runs.edges) {
      const { totalCount: _, totalCountIsExact: __, ...page } = await listedPage(node.id, filter, 3, null);
      expect(node.records).toEqual(page);
    }
    // The oldest runs first: the big one (past the count cap) among them.
    const counted = await admin.ok<Runs>(nested(8), { filter, first: 3 });
    expect(counted.runs.edges.map((edge) => edge.node.id)).toContain(bigRunId);
    for (const { node } of counted.runs.edges) expect(node.records).toEqual(await listedPage(node.id, filter, 3, null));
  });

  it('reads the records of every run on the page in one statement, and their counts in one more', async () => {
    const pages = await statementsOnRecords(() => admin.ok(nested(50, NO_COUNTS), { first: 3 }));
    const counted = await statementsOnRecords(() => admin.ok(nested(8), { first: 3 }));
    expect({ pages, counted }).toEqual({ pages: 1, counted: 2 });
  });

  it('walks runs page by page, each after its own cursor, in one request a step: the order the records list gives', async () => {
    const runIds = [...history.runIds.slice(0, 6), bigRunId];
    const filter = { statuses: ['FAILED', 'SUCCESS'] };
    const steps = 5;
    const expected = await Promise.all(runIds.map((runId) => walkSome((after) => listedPage(runId, filter, 4, after), steps)));
    const walked: CountedPage[][] = runIds.map(() => []);
    const cursors: (string | null)[] = runIds.map(() => null);
    for (let step = 0; step < steps; step++) {
      const asking = runIds.map((_, i) => i).filter((i) => step === 0 || cursors[i] !== null);
      if (asking.length === 0) break;
      const fields = asking.map(
        (i) =>
          `r${i}: run(id: "${runIds[i]}") { records(filter: $filter, first: 4, after: ${cursors[i] ? `"${cursors[i]}"` : 'null'}) { ${PAGE_FIELDS} } }`,
      );
      const data = await admin.ok<Record<string, { records: CountedPage }>>(`query($filter: RecordFilter) { ${fields.join('\n')} }`, {
        filter,
      });
      for (const i of asking) {
        const page = data[`r${i}`].records;
        walked[i].push(page);
        cursors[i] = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      }
    }
    expect(walked).toEqual(expected);
    expect(walked[6]).toHaveLength(steps);
  });

  it('refuses a bad cursor in its own run only', async () => {
    const [first, second] = history.runIds;
    const result = await admin.request<Record<string, { records: CountedPage }>>(
      `{ a: run(id: "${first}") { records(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } }
         b: run(id: "${second}") { records(first: 2) { ${PAGE_FIELDS} } } }`,
    );
    expect(result.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['a', 'records'], 'BAD_USER_INPUT']]);
    expect(result.data?.b.records).toEqual(await listedPage(second, null, 2, null));
  });

  it('keeps a tenant-bound key to its tenant', async () => {
    const acme = await server.clientFor(Role.VIEWER, 'acme-corp');
    const { runs } = await acme.ok<{ runs: { edges: { node: { id: string; records: CountedPage } }[] } }>(nested(8), { first: 2 });
    expect(runs.edges.length).toBeGreaterThan(1);
    for (const { node } of runs.edges) expect(node.records).toEqual(await listedPage(node.id, null, 2, null));
  });
});

describe('totalCount', () => {
  it(`is exact up to ${EXACT_COUNT_CAP}; past it the rollups' count when they keep the filter's fields, else "more than"`, async () => {
    const data = await admin.ok<Record<string, { totalCount: number; totalCountIsExact: boolean }>>(
      `query($big: [ID!], $small: [ID!]) {
        all: records { totalCount totalCountIsExact }
        bigPipeline: records(filter: { pipelineIds: ["${bigPipelineId}"], statuses: [SUCCESS, FAILED] }) { totalCount totalCountIsExact }
        big: records(filter: { runIds: $big }) { totalCount totalCountIsExact }
        bigFailed: records(filter: { runIds: $big, statuses: [FAILED] }) { totalCount totalCountIsExact }
        small: records(filter: { runIds: $small }) { totalCount totalCountIsExact }
        seeded: records(filter: { pipelineIds: ["${history.pipelines[0].id}"] }) { totalCount totalCountIsExact }
        runs { totalCount totalCountIsExact }
      }`,
      { big: [bigRunId], small: [history.runIds[0]] },
    );
    const seededCount = await walkPages((after) =>
      admin
        .ok<{ records: Page<{ id: string }> }>(
          'query($after: String, $p: [ID!]) { records(filter: { pipelineIds: $p }, first: 500, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
          { after, p: [history.pipelines[0].id] },
        )
        .then((d) => d.records),
    );
    const runCount = await walkPages((after) =>
      admin
        .ok<{ runs: Page<{ id: string }> }>(
          'query($after: String) { runs(first: 500, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
          { after },
        )
        .then((d) => d.runs),
    );
    expect(data).toEqual({
      all: { totalCount: history.recordCount + BIG, totalCountIsExact: false },
      bigPipeline: { totalCount: BIG, totalCountIsExact: false },
      big: { totalCount: EXACT_COUNT_CAP + 1, totalCountIsExact: false },
      bigFailed: { totalCount: BIG_FAILED, totalCountIsExact: true },
      small: { totalCount: 9, totalCountIsExact: true },
      seeded: { totalCount: seededCount.nodes.length, totalCountIsExact: true },
      runs: { totalCount: runCount.nodes.length, totalCountIsExact: true },
    });
  });

  it('under runs, counts each run as the records list does', async () => {
    const { run } = await admin.ok<{ run: { records: { totalCount: number; totalCountIsExact: boolean } } }>(
      `query($id: ID!) { run(id: $id) { records(first: 1) { totalCount totalCountIsExact } } }`,
      { id: bigRunId },
    );
    expect(run.records).toEqual({ totalCount: EXACT_COUNT_CAP + 1, totalCountIsExact: false });
  });
});
