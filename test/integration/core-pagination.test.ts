// Keyset pagination: every sort field in both directions, ties broken by id, and pages walked one by one give the
// whole list in order with no duplicates and no gaps, whatever the page size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRecords, allRuns, type Page, type RecordInput, reportRecords, startRun, walkPages } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { BASE_TIME, type SeededHistory, seedHistory } from '../support/history-seed.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface RunKeys {
  id: string;
  startedAt: string | null;
  endedAt: string | null;
}
interface RecordKeys {
  id: string;
  startedAt: string;
  endedAt: string | null;
  latencyMs: number | null;
  status: string;
}

let server: TestServer;
let admin: GraphQLClient;
let history: SeededHistory;
let runs: RunKeys[];
let records: RecordKeys[];
const BULK = 1_100;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.admin;
  history = await seedHistory(admin);
  // A bigger run so the largest page size needs several pages; start times repeat in blocks of 100.
  const bulk = await startRun(admin, history.pipelines[2].id, { startedAt: new Date(BASE_TIME - 3_600_000).toISOString() });
  const batch: RecordInput[] = Array.from({ length: BULK }, (_, i) => ({
    entityType: 'Product',
    sourceId: `sku-${i}`,
    operation: 'UPDATE',
    status: i % 9 === 0 ? 'FAILED' : 'SUCCESS',
    retryable: false,
    startedAt: new Date(BASE_TIME - 3_600_000 + Math.floor(i / 100) * 1000).toISOString(),
    endedAt: i % 13 === 0 ? null : new Date(BASE_TIME - 3_600_000 + Math.floor(i / 50) * 1000 + 500).toISOString(),
    latencyMs: i % 11 === 0 ? null : i % 40,
  }));
  await reportRecords(admin, bulk.id, batch);
  runs = await allRuns(admin, null, null, 500, 'id startedAt endedAt');
  records = await allRecords(admin, null, null, 500, 'id startedAt endedAt latencyMs status');
});
afterAll(() => server?.stop());

const INFINITY = Number.POSITIVE_INFINITY;
const dateKey = (value: string | null) => (value === null ? INFINITY : Date.parse(value));
const compareUuid = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareSerial = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** The order the contract promises: by the key (missing ends and starts as newest, missing latency as smallest), then id. */
function expectedOrder<T extends { id: string }>(
  nodes: T[],
  key: (node: T) => number,
  compareId: (a: string, b: string) => number,
  direction: 'ASC' | 'DESC',
): string[] {
  const sign = direction === 'ASC' ? 1 : -1;
  return [...nodes].sort((a, b) => sign * (key(a) - key(b) || compareId(a.id, b.id))).map((n) => n.id);
}

const RUN_KEYS = {
  STARTED_AT: (r: RunKeys) => dateKey(r.startedAt),
  ENDED_AT: (r: RunKeys) => dateKey(r.endedAt),
};
const RECORD_KEYS = {
  STARTED_AT: (r: RecordKeys) => dateKey(r.startedAt),
  ENDED_AT: (r: RecordKeys) => dateKey(r.endedAt),
  LATENCY: (r: RecordKeys) => r.latencyMs ?? -1,
};

/** Walks a list with pages of `first`; checks each page's shape and returns the ids in order. */
async function walk(list: 'runs' | 'records', filter: unknown, orderBy: unknown, first: number): Promise<{ ids: string[]; total: number }> {
  let total = -1;
  const sizes: number[] = [];
  const { nodes } = await walkPages<{ id: string }>(async (after) => {
    const data = await admin.ok<Record<string, Page<{ id: string }> & { totalCount: number }>>(
      `query($filter: ${list === 'runs' ? 'RunFilter' : 'RecordFilter'}, $orderBy: ${list === 'runs' ? 'RunOrder' : 'RecordOrder'}, $first: Int, $after: String) {
        ${list}(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
          totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }
        }
      }`,
      { filter, orderBy, first, after },
    );
    const page = data[list];
    if (total === -1) total = page.totalCount;
    expect(page.totalCount).toBe(total);
    sizes.push(page.edges.length);
    if (page.edges.length > 0) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
    return page;
  });
  // Every page but the last is full; none is larger than asked.
  expect(sizes.slice(0, -1).every((n) => n === first)).toBe(true);
  expect(sizes.at(-1)).toBeLessThanOrEqual(first);
  const ids = nodes.map((n) => n.id);
  expect(new Set(ids).size, 'no duplicates').toBe(ids.length);
  expect(ids.length, 'no gaps').toBe(total);
  return { ids, total };
}

describe('runs', () => {
  it('the seeded history has ties and missing values in both sort keys', () => {
    const started = runs.map((r) => r.startedAt);
    expect(new Set(started).size).toBeLessThan(started.length);
    expect(started).toContain(null);
    expect(runs.map((r) => r.endedAt)).toContain(null);
  });

  it('default order is STARTED_AT DESC, not yet started first', async () => {
    const { ids } = await walk('runs', null, null, 1);
    expect(ids).toEqual(expectedOrder(runs, RUN_KEYS.STARTED_AT, compareUuid, 'DESC'));
    expect(runs.find((r) => r.id === ids[0])?.startedAt).toBeNull();
  });

  for (const field of ['STARTED_AT', 'ENDED_AT'] as const) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`${field} ${direction}, walked with pages of 2, 7 and 500`, async () => {
        const expected = expectedOrder(runs, RUN_KEYS[field], compareUuid, direction);
        for (const first of [2, 7, 500]) {
          const { ids } = await walk('runs', null, { field, direction }, first);
          expect(ids, `first: ${first}`).toEqual(expected);
        }
      });
    }
  }

  it('a filtered list pages the same way', async () => {
    const filter = { tenantIds: ['acme-corp', 'globex'] };
    const all = (await allRuns(admin, filter, null, 500, 'id startedAt endedAt')) as RunKeys[];
    const expected = expectedOrder(all, RUN_KEYS.ENDED_AT, compareUuid, 'ASC');
    expect(expected.length).toBeGreaterThan(3);
    const { ids } = await walk('runs', filter, { field: 'ENDED_AT', direction: 'ASC' }, 3);
    expect(ids).toEqual(expected);
  });
});

describe('records', () => {
  it('has more records than one page of 500 holds', () => {
    expect(records.length).toBe(history.recordCount + BULK);
    expect(records.length).toBeGreaterThan(1_000);
  });

  it('default order is STARTED_AT DESC', async () => {
    const { ids } = await walk('records', null, null, 500);
    expect(ids).toEqual(expectedOrder(records, RECORD_KEYS.STARTED_AT, compareSerial, 'DESC'));
  });

  for (const field of ['STARTED_AT', 'ENDED_AT', 'LATENCY'] as const) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`${field} ${direction}: the whole list in pages of 500 and 97 (or 211), a filtered one in pages of 13 and 1`, async () => {
        const expected = expectedOrder(records, RECORD_KEYS[field], compareSerial, direction);
        for (const first of direction === 'ASC' ? [500, 97] : [211]) {
          const { ids } = await walk('records', null, { field, direction }, first);
          expect(ids, `first: ${first}`).toEqual(expected);
        }
        const filter = { statuses: ['FAILED', 'PENDING'] };
        const filtered = expectedOrder(
          records.filter((r) => filter.statuses.includes(r.status)),
          RECORD_KEYS[field],
          compareSerial,
          direction,
        );
        expect(filtered.length).toBeGreaterThan(100);
        expect((await walk('records', filter, { field, direction }, 13)).ids).toEqual(filtered);
        const oneRun = { runIds: [history.runIds[3]] };
        const ofRun = (await allRecords(admin, oneRun, null, 500, 'id startedAt endedAt latencyMs status')) as RecordKeys[];
        expect((await walk('records', oneRun, { field, direction }, 1)).ids).toEqual(
          expectedOrder(ofRun, RECORD_KEYS[field], compareSerial, direction),
        );
      });
    }
  }

  it('SyncRun.records pages through the run’s records the same way', async () => {
    const runId = history.runIds[4];
    const { nodes } = await walkPages<{ id: string }>(async (after) => {
      const { run } = await admin.ok<{ run: { records: Page<{ id: string }> } }>(
        'query($id: ID!, $after: String) { run(id: $id) { records(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }',
        { id: runId, after },
      );
      return run.records;
    });
    const ofRun = (await allRecords(admin, { runIds: [runId] }, null, 500, 'id startedAt endedAt latencyMs status')) as RecordKeys[];
    expect(nodes.map((n) => n.id)).toEqual(expectedOrder(ofRun, RECORD_KEYS.STARTED_AT, compareSerial, 'DESC'));
  });

  it('an empty result is one empty page', async () => {
    const { records: page } = await admin.ok<{ records: Page<unknown> & { totalCount: number } }>(
      '{ records(filter: { sourceId: "no-such-source" }) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }',
    );
    expect(page).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('a page walked while new records arrive neither repeats nor skips what was there', async () => {
    const run = await startRun(admin, history.pipelines[0].id);
    const first = (n: number) => new Date(BASE_TIME + 10 * 86_400_000 + n * 1000).toISOString();
    await reportRecords(
      admin,
      run.id,
      Array.from({ length: 30 }, (_, i) => ({
        entityType: 'Lead',
        sourceId: `lead-${i}`,
        operation: 'CREATE',
        status: 'SUCCESS',
        startedAt: first(i),
      })),
    );
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const { records: current }: { records: Page<{ id: string }> } = await admin.ok(
        'query($id: ID!, $after: String) { records(filter: { runIds: [$id] }, orderBy: { field: STARTED_AT, direction: ASC }, first: 8, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { id: run.id, after },
      );
      seen.push(...current.edges.map((e) => e.node.id));
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
      // Later records keep arriving at the end while the reader pages.
      await reportRecords(admin, run.id, [
        { entityType: 'Lead', sourceId: `late-${page}`, operation: 'CREATE', status: 'SUCCESS', startedAt: first(100 + page) },
      ]);
    }
    expect(new Set(seen).size).toBe(seen.length);
    const all = await allRecords(admin, { runIds: [run.id] }, { field: 'STARTED_AT', direction: 'ASC' }, 500, 'id');
    expect(seen).toEqual(all.map((r) => r.id));
  });
});

describe('auditLog', () => {
  it('pages newest first with no duplicates or gaps', async () => {
    const { auditLog } = await admin.ok<{ auditLog: Page<{ id: string }> }>(
      '{ auditLog(first: 500) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
    );
    const all = auditLog.edges.map((e) => e.node.id);
    expect(all.length).toBeGreaterThan(10);
    expect([...all].sort((a, b) => compareSerial(b, a))).toEqual(all);
    const { nodes } = await walkPages<{ id: string }>(async (after) => {
      const data = await admin.ok<{ auditLog: Page<{ id: string }> }>(
        'query($after: String) { auditLog(first: 3, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      return data.auditLog;
    });
    expect(nodes.map((n) => n.id)).toEqual(all);
  });
});
