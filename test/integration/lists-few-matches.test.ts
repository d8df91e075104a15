// A source-id search reads its few matches first (keysetPageOfFew: found by the trigram index in no order, then
// sorted), instead of walking each day's order index until that day's first match. Its pages, in every order and
// through cursors, are the pages the walk gives; more matches than the cap leave the page to the walk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role, SortDirection } from '../../server/domain/enums.js';
import { isSerialId } from '../../server/domain/ids.js';
import { SyncRecord } from '../../server/entities/SyncRecord.js';
import { preparedRecordConditions } from '../../server/services/lists/filters.js';
import { keysetPageOfFew } from '../../server/services/lists/keyset.js';
import { allRecords, createPipeline, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

let server: TestServer;
let ingest: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  ingest = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

const ORDERS = [
  null,
  ...['STARTED_AT', 'ENDED_AT', 'LATENCY'].flatMap((field) => ['ASC', 'DESC'].map((direction) => ({ field, direction }))),
];

/** Every page of a records list, as a client reads them: cursors, node ids, paging state and the count on each. */
async function pagesOf(client: GraphQLClient, filter: Record<string, unknown>, orderBy: unknown) {
  interface Connection {
    edges: { cursor: string; node: { id: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  }
  const pages: Connection[] = [];
  let after: string | null = null;
  for (;;) {
    const { records }: { records: Connection } = await client.ok<{ records: Connection }>(
      `query($filter: RecordFilter, $orderBy: RecordOrder, $after: String) {
        records(filter: $filter, orderBy: $orderBy, first: 4, after: $after) {
          edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount totalCountIsExact
        }
      }`,
      { filter, orderBy, after },
    );
    pages.push(records);
    if (!records.pageInfo.hasNextPage) return pages;
    after = records.pageInfo.endCursor;
  }
}

/** Runs of `pipelineId` whose records' source ids are FEW-… (every third) or OTHER-…, with ties and missing ends and latencies. */
async function runsOf(pipelineId: string, client: GraphQLClient): Promise<string[]> {
  const base = Date.now() - 3_600_000;
  const runs: string[] = [];
  for (let r = 0; r < 2; r++) {
    const run = await startRun(client, pipelineId);
    runs.push(run.id);
    await reportRecords(
      client,
      run.id,
      Array.from({ length: 40 }, (_, i) =>
        recordInput(`${i % 3 === 0 ? 'FEW' : 'OTHER'}-${r}-${String(i).padStart(3, '0')}`, {
          // Ties on every key (the id decides), and records with no end or latency.
          startedAt: new Date(base + (i % 7) * 60_000).toISOString(),
          endedAt: i % 5 === 0 ? null : new Date(base + (i % 7) * 60_000 + 1_000).toISOString(),
          latencyMs: i % 4 === 0 ? null : (i % 6) * 10,
        }),
      ),
    );
    await finishRun(client, run.id);
  }
  return runs;
}

describe('a source-id search of few matches', () => {
  it('pages as the walk of the order’s index does, in every order, through cursors, ties and missing values included', async () => {
    const pipeline = await createPipeline(server.admin);
    const runs = await runsOf(pipeline.id, ingest);
    for (const sourceId of ['few-', 'FEW-1-0', 'nothing-like-it']) {
      for (const orderBy of ORDERS) {
        // The same records through runIds (which the few-matches read leaves to the walk) and through the pipeline:
        // the same cursors, paging and counts.
        const walked = await pagesOf(server.admin, { runIds: runs, sourceId }, orderBy);
        let few: unknown[] = [];
        const statements = await statementsDuring(server.instance.db, async () => {
          few = await pagesOf(server.admin, { pipelineIds: [pipeline.id], sourceId }, orderBy);
        });
        expect(few, `${sourceId} ${JSON.stringify(orderBy)}`).toEqual(walked);
        expect(statements.some((statement) => statement.query.includes('candidates AS MATERIALIZED'))).toBe(true);
        // No walk besides, the first page's count included: only PostgreSQL's estimate, the read of the matches, and
        // the count of what follows a cursor.
        const walks = statements.filter(
          ({ query }) => /FROM "records"/.test(query) && !/candidates AS MATERIALIZED|^EXPLAIN|count\(\*\)/.test(query),
        );
        expect(walks).toEqual([]);
      }
    }
    expect((await allRecords(server.admin, { pipelineIds: [pipeline.id], sourceId: 'few-' })).length).toBe(28);
  });

  it('shows a tenant’s key its tenant’s matches only', async () => {
    const acme = await createPipeline(server.admin, { tenantId: 'few-acme' });
    const globex = await createPipeline(server.admin, { tenantId: 'few-globex' });
    const acmeRuns = await runsOf(acme.id, ingest);
    await runsOf(globex.id, ingest);
    const acmeViewer = await server.clientFor(Role.VIEWER, 'few-acme');
    const few = await pagesOf(acmeViewer, { sourceId: 'few-' }, null);
    expect(few).toEqual(await pagesOf(server.admin, { runIds: acmeRuns, sourceId: 'few-' }, null));
    expect(few[0]).toMatchObject({ totalCount: 28, totalCountIsExact: true });
  });

  it('leaves the page to the walk when more than the cap match', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('CAP-1'), recordInput('CAP-2'), recordInput('CAP-3')]);
    const actor = { keyId: 'test', name: 'test', role: Role.ADMIN, tenantId: null };
    const list = (sourceId: string) => ({
      db: server.instance.db,
      entity: SyncRecord,
      alias: 'rec',
      where: preparedRecordConditions('rec', actor, { pipelineIds: [pipeline.id], sourceId }, { keyless: false }),
    });
    const sort = { field: 'STARTED_AT', expression: 'rec.started_at', type: 'timestamptz' } as const;
    const few = { cap: 2, rowKey: ['id', 'run_created_at'] };
    expect(await keysetPageOfFew(list('cap-'), sort, SortDirection.DESC, 10, null, isSerialId, undefined, few)).toBeNull();
    const two = await keysetPageOfFew(list('cap-1'), sort, SortDirection.DESC, 10, null, isSerialId, undefined, few);
    expect(two?.edges.map((edge) => edge.node.sourceId)).toEqual(['CAP-1']);
    const none = await keysetPageOfFew(list('no-such'), sort, SortDirection.DESC, 10, null, isSerialId, undefined, few);
    expect(none).toMatchObject({ edges: [], hasNextPage: false, endCursor: null });
    // Rows read back by id alone, as while records may still lack the partition key (an upgrade's copy): the same page.
    const byId = await keysetPageOfFew(list('cap-1'), sort, SortDirection.DESC, 10, null, isSerialId, undefined, {
      cap: 2,
      rowKey: ['id'],
    });
    expect(byId?.edges.map((edge) => edge.cursor)).toEqual(two?.edges.map((edge) => edge.cursor));
  });
  it('reads a first page newest first from the days that hold it: the page of every match, a long run’s latest included', async () => {
    const day = 86_400_000;
    const today = Math.floor(Date.now() / day) * day;
    await server.instance.services.partitions.createDays(new Date(today - 6 * day), 6);
    const pipeline = await createPipeline(server.admin);
    const sql = server.instance.db;
    const runs: string[] = [];
    /** A run created `daysAgo` days ago (an hour into its day), its records started `startedMs` after that. */
    const runOf = async (daysAgo: number, records: { sourceId: string; startedMs: number }[]) => {
      const created = new Date(Math.min(today - daysAgo * day + 3_600_000, Date.now() - 60_000));
      const [{ id }] = await sql.query(
        `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at) VALUES ($1, 'SCHEDULED', 'RUNNING', $2, $2) RETURNING id`,
        [pipeline.id, created],
      );
      await sql.query(
        `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, ended_at, latency_ms, run_created_at)
         SELECT $1, $2, 'SCHEDULED', 'Lead', r.source_id, 'CREATE', 'SUCCESS', $3::timestamptz + r.ms * interval '1 ms', NULL, NULL, $3
         FROM unnest($4::text[], $5::float8[]) AS r(source_id, ms)`,
        [id, pipeline.id, created, records.map((r) => r.sourceId), records.map((r) => r.startedMs)],
      );
      runs.push(id);
    };
    for (let daysAgo = 5; daysAgo >= 0; daysAgo--) {
      await runOf(
        daysAgo,
        Array.from({ length: 60 }, (_, i) => ({
          sourceId: `${i % 2 ? 'NEWEST' : 'FILLER'}-${daysAgo}-${String(i).padStart(3, '0')}`,
          startedMs: i * 1_000,
        })),
      );
    }
    // PostgreSQL's estimate of the matches per day decides how many of the newest days are read first.
    await sql.query('ANALYZE records');

    /** The pages of the search, as the walk gives them, and the days its first page read first. */
    const search = async (total: number) => {
      const walked = await pagesOf(server.admin, { runIds: runs, sourceId: 'newest-' }, null);
      let newest: Awaited<ReturnType<typeof pagesOf>> = [];
      const statements = await statementsDuring(sql, async () => {
        newest = await pagesOf(server.admin, { pipelineIds: [pipeline.id], sourceId: 'newest-' }, null);
      });
      expect(newest).toEqual(walked);
      expect(newest[0]).toMatchObject({ totalCount: total, totalCountIsExact: true });
      expect(newest.flatMap((page) => page.edges).length).toBe(total);
      // Records started since a day's start, in the days holding them.
      const narrowed = statements.find(({ query }) => query.includes('candidates AS MATERIALIZED') && query.includes('rec.started_at >='));
      expect(narrowed, 'a read of the newest days').toBeDefined();
      const plan = (await sql.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${narrowed?.query}`, narrowed?.parameters))
        .map((row: Record<string, string>) => row['QUERY PLAN'])
        .join('\n');
      // The days the search ran in: scans that test the source id (not the page's rows read back by their keys) and
      // ran (the days before the bound are skipped as the statement runs).
      const scans = plan.split(/\n(?=\s*->)/).filter((node: string) => node.includes('source_id') && !node.includes('never executed'));
      return {
        first: newest[0].edges.map((edge) => edge.node.id),
        days: new Set(scans.flatMap((node: string) => [...node.matchAll(/on (records_p\d{8})\b/g)].map((m) => m[1]))),
        // Every day in the plan, the page's rows read back by their keys included.
        planned: new Set([...plan.matchAll(/on (records_p\d{8})\b/g)].map((m) => m[1])),
      };
    };
    const fiveDaysAgo = `records_p${new Date(today - 5 * day).toISOString().slice(0, 10).replaceAll('-', '')}`;
    const before = await search(180);
    expect(before.days).not.toContain(fiveDaysAgo);
    expect(before.planned).not.toContain(fiveDaysAgo);

    // A run of five days ago whose record started last of all: the newest days' read finds it in its old day.
    await runOf(5, [{ sourceId: 'NEWEST-LONG-RUN', startedMs: Date.now() - (today - 5 * day + 3_600_000) }]);
    const after = await search(181);
    expect(after.days).toContain(fiveDaysAgo);
    const [latest] = await sql.query(`SELECT id::text FROM records WHERE source_id = 'NEWEST-LONG-RUN'`);
    expect(after.first[0]).toBe(latest.id);

    // The last five days' matches backfilled (started before their runs, days ago): PostgreSQL still expects the newest
    // days to fill the page, but they hold one match (the long run's), so the page is read from every match.
    await sql.query(`UPDATE records SET started_at = started_at - interval '10 days' WHERE source_id ~ '^NEWEST-[0-4]-'`);
    await sql.query(`DELETE FROM records WHERE source_id = 'NEWEST-LONG-RUN'`);
    await runOf(5, [{ sourceId: 'NEWEST-LONG-RUN', startedMs: Date.now() - (today - 5 * day + 3_600_000) }]);
    // (search() checks every page against the walk's: a short read of the newest days taken for the page fails it.)
    const short = await search(181);
    const [moved] = await sql.query(`SELECT id::text FROM records WHERE source_id = 'NEWEST-LONG-RUN'`);
    expect(short.first[0]).toBe(moved.id);
  });
});
