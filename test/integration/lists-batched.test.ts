// SyncRun.records under a list of runs is read for all the runs of the page in one statement, and totalCount is
// exact up to a cap and says so: both proven against what the records list itself answers for each run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../server/domain/actor.js';
import { Role } from '../../server/domain/enums.js';
import { type BoundedCount, EXACT_COUNT_CAP } from '../../server/services/lists/bounded-count.js';
import type { RecordFilter } from '../../server/services/lists/filters.js';
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
  // No background jobs: the statements a request sends are counted, and the jobs' own (due retries, say) would count too.
  server = await startTestServer({}, { jobs: false });
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

/** Counts the list statements on records the server runs while `work` runs. */
async function statementsOnRecords(work: () => Promise<unknown>): Promise<number> {
  const statements = await statementsDuring(server.instance.db, work);
  // Only the list statements on records: they name the table quoted (sql/lists.ts).
  return statements.filter(({ query }) => /^\s*(WITH|SELECT)\b[\s\S]*\bFROM "records"/i.test(query)).length;
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
  client = admin,
): Promise<CountedPage> {
  const { records } = await client.ok<{ records: CountedPage }>(
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

  /**
   * Walks the records of the runs `runIds` together, `first` at a time: one request a step, each run after its own
   * cursor, run i from step `startsAt(i)` on. Checks each run's pages against the records list's walk alone, as the
   * same client.
   */
  async function walkTogether(
    client: GraphQLClient,
    runIds: string[],
    filter: Record<string, unknown>,
    steps: number,
    startsAt: (i: number) => number,
  ): Promise<CountedPage[][]> {
    const expected = await Promise.all(
      runIds.map((runId, i) => walkSome((after) => listedPage(runId, filter, 4, after, client), steps - startsAt(i))),
    );
    const walked: CountedPage[][] = runIds.map(() => []);
    const cursors: (string | null)[] = runIds.map(() => null);
    const done = runIds.map(() => false);
    for (let step = 0; step < steps; step++) {
      const asking = runIds.map((_, i) => i).filter((i) => step >= startsAt(i) && !done[i]);
      if (asking.length === 0) continue;
      const fields = asking.map(
        (i) =>
          `r${i}: run(id: "${runIds[i]}") { records(filter: $filter, first: 4, after: ${cursors[i] ? `"${cursors[i]}"` : 'null'}) { ${PAGE_FIELDS} } }`,
      );
      const data = await client.ok<Record<string, { records: CountedPage }>>(`query($filter: RecordFilter) { ${fields.join('\n')} }`, {
        filter,
      });
      for (const i of asking) {
        const page = data[`r${i}`].records;
        walked[i].push(page);
        cursors[i] = page.pageInfo.endCursor;
        done[i] = !page.pageInfo.hasNextPage;
      }
    }
    expect(walked).toEqual(expected);
    return walked;
  }

  it('walks runs page by page, each after its own cursor, in one request a step: the order the records list gives', async () => {
    const runIds = [...history.runIds.slice(0, 6), bigRunId];
    const walked = await walkTogether(admin, runIds, { statuses: ['FAILED', 'SUCCESS'] }, 5, () => 0);
    expect(walked[6]).toHaveLength(5);
  });

  // Filters whose values are parameters of the statement (enum values are in its text), after the tenant's.
  const valued: [string, Record<string, unknown>][] = [
    [
      'entity types, tenants, a time range and statuses',
      {
        entityTypes: ['Account', 'Product'],
        tenantIds: ['acme-corp', 'globex'],
        startedAt: { from: new Date(BASE_TIME - 3 * 3_600_000).toISOString(), to: new Date(BASE_TIME + 20 * 3_600_000).toISOString() },
        statuses: ['FAILED', 'SUCCESS', 'PENDING'],
      },
    ],
    ['a source ID and operations', { sourceId: 'acc', operations: ['UPDATE', 'CREATE'] }],
  ];

  it.each(valued)('walks many runs, first and continued pages in one request, with a filter with values (%s)', async (_name, filter) => {
    const runIds = [...history.runIds.slice(0, 9), bigRunId];
    const walked = await walkTogether(admin, runIds, filter, 5, (i) => i % 3);
    expect(walked.flat().flatMap((page) => page.edges).length).toBeGreaterThan(8);
  });

  it.each(valued)('walks them for a tenant-bound key within its tenant (%s)', async (_name, filter) => {
    const acme = await server.clientFor(Role.VIEWER, 'acme-corp');
    const runIds = [...history.runIds.slice(0, 15).filter((_, i) => i % 3 === 0), bigRunId];
    const walked = await walkTogether(acme, runIds, filter, 4, (i) => i % 2);
    expect(walked.flat().flatMap((page) => page.edges).length).toBeGreaterThan(4);
  });

  // Filters with values, for an unbound key and a tenant-bound one (whose tenant is the statement's first value).
  const keysAndFilters = [null, 'acme-corp'].flatMap((tenant) =>
    valued.map(([name, filter]) => [`${tenant ?? 'admin'}, ${name}`, tenant, filter] as const),
  );
  const clientOf = async (tenant: string | null) => (tenant ? server.clientFor(Role.VIEWER, tenant) : admin);
  /** The runs a key sees: the seeded ones and the big one. */
  const runsOf = (tenant: string | null) =>
    tenant ? [...history.runIds.slice(0, 15).filter((_, i) => i % 3 === 0), bigRunId] : [...history.runIds.slice(0, 9), bigRunId];

  it.each(keysAndFilters)(
    'reads first and continued pages of many runs in one statement, their counts in one more (%s)',
    async (_name, tenant, filter) => {
      const client = await clientOf(tenant);
      const actor = (await server.instance.services.apiKeys.authenticate(client.secret as string)) as Actor;
      const { startedAt } = filter as { startedAt?: { from: string; to: string } };
      const asked = { ...filter, startedAt: startedAt && { from: new Date(startedAt.from), to: new Date(startedAt.to) } } as RecordFilter;
      const runIds = runsOf(tenant);
      const pagesOf = (afters: (string | null)[]) =>
        server.instance.services.records.runPages(
          actor,
          runIds.map((runId, i) => ({ runId, filter: asked, first: 3, after: afters[i] })),
        );
      const firsts = await pagesOf(runIds.map(() => null));
      // Every other run continues after its first page, the others start: both kinds in one statement.
      const afters = firsts.map((page, i) => (i % 2 === 1 && !(page instanceof Error) ? page.endCursor : null));
      expect(afters.filter(Boolean).length).toBeGreaterThan(1);
      let pages: Awaited<ReturnType<typeof pagesOf>> = [];
      expect(
        await statementsOnRecords(async () => {
          pages = await pagesOf(afters);
        }),
      ).toBe(1);
      let counts: BoundedCount[] = [];
      expect(
        await statementsOnRecords(async () => {
          counts = await Promise.all(pages.map((page) => (page instanceof Error ? Promise.reject(page) : page.count())));
        }),
      ).toBe(1);
      const answered = pages.map((page, i) => {
        if (page instanceof Error) throw page;
        return {
          edges: page.edges.map(({ cursor, node }) => ({
            cursor,
            node: { id: node.id, status: node.status, startedAt: node.startedAt.toISOString() },
          })),
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
          totalCount: counts[i].value,
          totalCountIsExact: counts[i].exact,
        };
      });
      expect(answered).toEqual(await Promise.all(runIds.map((runId, i) => listedPage(runId, filter, 3, afters[i], client))));
      expect(answered.some((page, i) => afters[i] && page.edges.length > 0)).toBe(true);
    },
  );

  it.each(keysAndFilters)(
    "answers a run's first and continued pages asked together (aliases) as the records list does, a statement each (%s)",
    async (_name, tenant, filter) => {
      const client = await clientOf(tenant);
      // A cursor is a position in the order: every run of the page continues after the same one.
      const { records } = await client.ok<{ records: CountedPage }>(
        `query($filter: RecordFilter) { records(filter: $filter, first: 500) { ${NO_COUNTS} } }`,
        { filter },
      );
      expect(records.edges.length).toBeGreaterThan(10);
      const after = records.edges[Math.floor(records.edges.length / 3)].cursor;
      type BothPages = { runs: { edges: { node: { id: string; fresh: CountedPage; next: CountedPage } }[] } };
      const strip = ({ totalCount: _, totalCountIsExact: __, ...page }: CountedPage) => page;
      for (const [runs, fields, statements] of [
        [50, NO_COUNTS, 2],
        [4, PAGE_FIELDS, 3],
      ] as const) {
        let answer: BothPages | undefined;
        const ran = await statementsOnRecords(async () => {
          answer = await client.ok<BothPages>(
            `query($filter: RecordFilter, $after: String) {
              runs(first: ${runs}, orderBy: { field: STARTED_AT, direction: ASC }) { edges { node { id
                fresh: records(filter: $filter, first: 3) { ${fields} }
                next: records(filter: $filter, first: 3, after: $after) { ${fields} } } } }
            }`,
            { filter, after },
          );
        });
        expect(ran).toBe(statements);
        const edges = answer?.runs.edges ?? [];
        expect(edges.length).toBeGreaterThan(3);
        for (const { node } of edges) {
          const [fresh, next] = [await listedPage(node.id, filter, 3, null, client), await listedPage(node.id, filter, 3, after, client)];
          expect(node.fresh).toEqual(fields === NO_COUNTS ? strip(fresh) : fresh);
          expect(node.next).toEqual(fields === NO_COUNTS ? strip(next) : next);
        }
      }
    },
  );

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
