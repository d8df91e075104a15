// Filtered record pages over 1M+ records through GraphQL over HTTP: the first page and a deep page
// (keyset, walked with `after`), each next to the same SQL run alone.
import type { DataSource } from 'typeorm';
import type { GraphQLClient } from '../support/graphql-client.js';
import { type LoggedStatement, watchStatements } from '../support/statement-log.js';
import { fillFingerprint, fillHistory, RARE_ERROR_CODE } from './fill.js';
import { type BenchEnvironment, count, heading, type Latencies, measure, ms, printTable, type SummaryRow } from './support.js';

const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 2_000);
const RECORDS_PER_RUN = 500;
export const PAGE_SIZE = 50;
const DEEP_PAGE = 200;
const SAMPLES = 200;
export const TARGET_P95_MS = 20;
const SHOW_PLANS = process.env.BENCH_PLANS !== '0';

const RECORDS_PAGE = `query($filter: RecordFilter, $first: Int, $after: String) {
  records(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id entityType sourceId targetId operation status errorCode errorMessage startedAt endedAt latencyMs } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface RecordsPage {
  records: {
    edges: { cursor: string; node: { id: string; status: string; sourceId: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

interface QueryCase {
  name: string;
  filter: Record<string, unknown>;
  /** Walk this many pages and measure the next one too. */
  deep: boolean;
}

function cases(now: Date): QueryCase[] {
  const weekAgo = new Date(now.getTime() - 7 * 24 * 3600 * 1000);
  return [
    {
      name: 'FAILED + startedAt last 7 days',
      filter: { statuses: ['FAILED'], startedAt: { from: weekAgo.toISOString(), to: now.toISOString() } },
      deep: true,
    },
    { name: 'FAILED + sourceId "ACC-" (broad)', filter: { statuses: ['FAILED'], sourceId: 'ACC-' }, deep: true },
    { name: 'FAILED + sourceId "acc-0012" (narrow)', filter: { statuses: ['FAILED'], sourceId: 'acc-0012' }, deep: false },
    {
      name: 'all failure statuses + last 7 days',
      filter: { statuses: ['FAILED', 'RETRY_SCHEDULED', 'DEAD_LETTERED'], startedAt: { from: weekAgo.toISOString() } },
      deep: false,
    },
    // The status index leaves SUCCESS out: this one walks records_started.
    { name: 'SUCCESS + last 7 days', filter: { statuses: ['SUCCESS'], startedAt: { from: weekAgo.toISOString() } }, deep: false },
    { name: 'errorFingerprint of a rare group', filter: { errorFingerprint: fillFingerprint(RARE_ERROR_CODE) }, deep: false },
  ];
}

/** Remembers the last SELECT on records that the server ran, to run the same SQL alone. */
export function captureRecordSelects(db: DataSource): { last(): LoggedStatement; restore(): void } {
  let last: LoggedStatement | null = null;
  const restore = watchStatements(db, (statement) => {
    if (/^SELECT .* FROM "records"/s.test(statement.query)) last = statement;
  });
  return {
    last() {
      if (!last) throw new Error('no SELECT on records was captured');
      return last;
    },
    restore,
  };
}

async function page(client: GraphQLClient, filter: Record<string, unknown>, after: string | null): Promise<RecordsPage['records']> {
  const data = await client.ok<RecordsPage>(RECORDS_PAGE, { filter, first: PAGE_SIZE, after });
  return data.records;
}

interface SqlAlone {
  latencies: Latencies;
  executionMs: number;
  plan: string[];
}

/** The captured SQL alone: EXPLAIN (ANALYZE, BUFFERS) once, then timed round trips on a plain pg connection. */
async function sqlAlone(env: BenchEnvironment, captured: LoggedStatement): Promise<SqlAlone> {
  const client = await env.sql.connect();
  try {
    const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${captured.query}`, captured.parameters);
    const plan = rows.map((r) => r['QUERY PLAN']);
    const executionMs = Number(plan.find((line) => line.startsWith('Execution Time'))?.match(/([\d.]+) ms/)?.[1] ?? Number.NaN);
    const latencies = await measure(() => client.query(captured.query, captured.parameters), SAMPLES);
    return { latencies, executionMs, plan };
  } finally {
    client.release();
  }
}

interface CaseResult {
  name: string;
  depth: number;
  matches: string;
  api: Latencies;
  sql: SqlAlone;
}

async function runCase(env: BenchEnvironment, viewer: GraphQLClient, capture: ReturnType<typeof captureRecordSelects>, c: QueryCase) {
  const results: CaseResult[] = [];
  const first = await page(viewer, c.filter, null);
  if (first.edges.length === 0) throw new Error(`${c.name}: no records match; the fill is wrong`);
  const api = await measure(() => page(viewer, c.filter, null), SAMPLES);
  const sql = await sqlAlone(env, capture.last());
  const firstMatches = first.pageInfo.hasNextPage ? `≥ ${PAGE_SIZE}` : String(first.edges.length);
  results.push({ name: c.name, depth: 1, matches: firstMatches, api, sql });
  if (!c.deep) return results;

  // Walk page by page with the cursor the server hands out, then measure the page after.
  let after = first.pageInfo.endCursor;
  let depth = 1;
  while (depth < DEEP_PAGE) {
    const next = await page(viewer, c.filter, after);
    if (!next.pageInfo.hasNextPage) throw new Error(`${c.name}: only ${depth + 1} pages; the fill is too small for page ${DEEP_PAGE + 1}`);
    after = next.pageInfo.endCursor;
    depth++;
  }
  const deepApi = await measure(() => page(viewer, c.filter, after), SAMPLES);
  const deepSql = await sqlAlone(env, capture.last());
  results.push({ name: c.name, depth: DEEP_PAGE + 1, matches: '', api: deepApi, sql: deepSql });
  return results;
}

export async function runQueryBench(env: BenchEnvironment): Promise<SummaryRow[]> {
  const total = RUNS * RECORDS_PER_RUN;
  heading(`Queries: filtered record pages of ${PAGE_SIZE} over ${count(total)} records`);
  const fillStart = performance.now();
  await fillHistory(env.sql, RUNS, RECORDS_PER_RUN);
  const { rows } = await env.sql.query<{ n: string; size: string }>(
    "SELECT count(*) AS n, pg_size_pretty((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('records'))) AS size FROM records",
  );
  console.log(
    `filled ${count(Number(rows[0].n))} records (${rows[0].size} with indexes) in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
  );

  const viewer = await env.clientFor('VIEWER');
  const capture = captureRecordSelects(env.instance.db);
  const results: CaseResult[] = [];
  try {
    for (const c of cases(new Date())) results.push(...(await runCase(env, viewer, capture, c)));
  } finally {
    capture.restore();
  }

  if (SHOW_PLANS) {
    for (const r of results) {
      console.log(`\n-- plan: ${r.name}, page ${r.depth}`);
      for (const line of r.sql.plan) console.log(`   ${line}`);
    }
    console.log('');
  }
  printTable(
    ['query', 'page', 'GraphQL p50', 'GraphQL p95', 'SQL alone p50', 'SQL alone p95', 'EXPLAIN ANALYZE'],
    results.map((r) => [
      r.name,
      r.depth === 1 ? `1 (${r.matches})` : String(r.depth),
      ms(r.api.p50),
      ms(r.api.p95),
      ms(r.sql.latencies.p50),
      ms(r.sql.latencies.p95),
      ms(r.sql.executionMs),
    ]),
  );
  return results.map((r) => ({
    measure: `query p95: ${r.name}, page ${r.depth}`,
    value: `${ms(r.api.p95)} (p50 ${ms(r.api.p50)}; SQL alone p95 ${ms(r.sql.latencies.p95)})`,
    target: `≤ ${TARGET_P95_MS} ms`,
    met: r.api.p95 <= TARGET_P95_MS,
  }));
}
