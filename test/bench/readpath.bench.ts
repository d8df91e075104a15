// The read path's own cost (issue 13): one filtered 50-record page (status filter, newest first, five fields)
// over at least 1M records, served by syncwatch and by PostGraphile 5 side by side at 20 connections in
// alternating runs; the same page next to `{ __typename }` (the floor of the HTTP stack) in the same run; and
// the page's GraphQL p50 and p95 one request at a time next to its SQL alone; and that SQL alone at 20 connections
// (pg, no HTTP), which with the floor bounds what any server of the page can serve on these cores.
// BENCH_READPATH_PROFILE=<file.cpuprofile> also profiles syncwatch's process while it serves the page under load.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import pg from 'pg';
import { fillHistory } from './fill.js';
import { combine, type LoadFigures, type LoadResult, load } from './http-load.js';
import { processCpuMs, startPostGraphile } from './postgraphile.js';
import { captureRecordSelects } from './query.bench.js';
import { type BenchEnvironment, count, heading, measure, ms, printTable, type SummaryRow, startBenchEnvironment } from './support.js';

const RUNS = Number(process.env.BENCH_READPATH_RUNS ?? 2_000);
const RECORDS_PER_RUN = 500;
const CONNECTIONS = 20;
const ROUNDS = Number(process.env.BENCH_READPATH_ROUNDS ?? 3);
const RUN_MS = Number(process.env.BENCH_READPATH_RUN_MS ?? 5_000);
const WARMUP_MS = 2_000;
const SEQUENTIAL_MS = 4_000;
const SQL_SAMPLES = 500;
const PROFILE = process.env.BENCH_READPATH_PROFILE;
const TARGETS = { ratio: 1.0, overSqlMs: 1.5, overSqlP95Ms: 20, floorShare: 0.45 };

const PAGE_SIZE = 50;
const SYNCWATCH_PAGE = `{ records(filter: { statuses: [FAILED] }, first: ${PAGE_SIZE}) {
  edges { cursor node { id entityType sourceId status startedAt } } pageInfo { hasNextPage endCursor } } }`;
const POSTGRAPHILE_PAGE = `{ allRecords(condition: { status: FAILED }, orderBy: [STARTED_AT_DESC], first: ${PAGE_SIZE}) {
  edges { cursor node { rowId entityType sourceId status startedAt } } pageInfo { hasNextPage endCursor } } }`;
const FLOOR = '{ __typename }';

interface PageAnswer<K extends string> {
  data?: Record<K, { edges: { node: { id?: string; rowId?: string | number } }[] }>;
  errors?: unknown[];
}

const body = (query: string) => JSON.stringify({ query });
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

async function ids<K extends string>(url: string, headers: Record<string, string>, query: string, root: K): Promise<string[]> {
  const response = await fetch(url, { method: 'POST', headers, body: body(query) });
  const answer = (await response.json()) as PageAnswer<K>;
  if (!answer.data || answer.errors) throw new Error(`${url}: ${JSON.stringify(answer.errors ?? answer)}`);
  return answer.data[root].edges.map((edge) => String(edge.node.id ?? edge.node.rowId));
}

/** Profiles this process (syncwatch's server runs in it) while `work` runs; writes the profile and prints where the time went. */
async function profiled<T>(file: string, work: () => Promise<T>): Promise<T> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    printProfile(profile);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time by package (node_modules/<name>, syncwatch's own code, Node, GC) and the top functions. */
function printProfile(profile: { nodes: ProfileNode[] }): void {
  const packageOf = ({ functionName, url }: ProfileNode['callFrame']) => {
    if (!url) return functionName.startsWith('(') ? functionName : '(native)';
    const modules = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (modules) return modules[1];
    if (url.startsWith('node:')) return 'node';
    if (url.includes('/server/')) return 'syncwatch';
    if (url.includes('/test/')) return 'bench';
    return url;
  };
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0 || node.callFrame.functionName === '(idle)') continue;
    total += hits;
    const pkg = packageOf(node.callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + hits);
    const name = `${node.callFrame.functionName || '(anonymous)'} ${pkg}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + hits);
  }
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => [name, `${((100 * hits) / total).toFixed(1)} %`]);
  console.log('\nprofile of the server process under the page load (self time, idle excluded):');
  printTable(['where', 'share'], top(byPackage, 14));
  console.log('');
  printTable(['function', 'share'], top(byFunction, 25));
}

export async function runReadpathBench(): Promise<SummaryRow[]> {
  const total = RUNS * RECORDS_PER_RUN;
  heading(`Read path: a ${PAGE_SIZE}-record page over ${count(total)} records, syncwatch and PostGraphile side by side`);
  // BENCH_READPATH_DATA_DIR keeps the database for the next run.
  // The rate limits stay on (their cost is part of every request), high enough that the load never reaches them.
  const env = await startBenchEnvironment({
    dataDir: process.env.BENCH_READPATH_DATA_DIR,
    env: { RATE_LIMIT_PER_KEY: '100000000', RATE_LIMIT_PER_ADDRESS: '100000000' },
  });
  try {
    await fill(env);
    return await measureReadPath(env);
  } finally {
    await env.stop();
  }
}

async function fill(env: BenchEnvironment): Promise<void> {
  const { rows } = await env.sql.query<{ filled: boolean }>('SELECT EXISTS (SELECT 1 FROM records) AS filled');
  if (rows[0].filled) {
    console.log(`reusing the history in ${process.env.BENCH_READPATH_DATA_DIR} (filled by an earlier run)`);
    return;
  }
  const started = performance.now();
  await fillHistory(env.sql, RUNS, RECORDS_PER_RUN);
  // PostGraphile filters only on indexed columns; the status index is partial, so it is told it may.
  await env.sql.query(`COMMENT ON COLUMN records.status IS E'@behavior +filterBy'`);
  console.log(`filled ${count(RUNS * RECORDS_PER_RUN)} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function measureReadPath(env: BenchEnvironment): Promise<SummaryRow[]> {
  const viewer = await env.clientFor('VIEWER');
  const syncwatchHeaders = { ...JSON_HEADERS, authorization: `Bearer ${viewer.secret}` };
  const databaseUrl = (env.sql as unknown as { options: { connectionString: string } }).options.connectionString;
  const postgraphile = await startPostGraphile(databaseUrl);
  try {
    // The same page from both, or the comparison means nothing.
    const ours = await ids(env.graphqlUrl, syncwatchHeaders, SYNCWATCH_PAGE, 'records');
    const theirs = await ids(postgraphile.url, JSON_HEADERS, POSTGRAPHILE_PAGE, 'allRecords');
    if (ours.length !== PAGE_SIZE || ours.join() !== theirs.join()) {
      throw new Error(`the two pages differ: ${ours.slice(0, 3)}… vs ${theirs.slice(0, 3)}…`);
    }
    console.log(`PostGraphile ${postgraphile.version}: the same ${PAGE_SIZE} records in the same order`);

    const targets = {
      syncwatch: { url: env.graphqlUrl, headers: syncwatchHeaders, body: body(SYNCWATCH_PAGE) },
      postgraphile: { url: postgraphile.url, headers: JSON_HEADERS, body: body(POSTGRAPHILE_PAGE) },
      floor: { url: env.graphqlUrl, headers: syncwatchHeaders, body: body(FLOOR) },
    };
    type Name = keyof typeof targets;
    const order: Name[] = ['syncwatch', 'postgraphile', 'floor'];
    for (const name of order) await load(targets[name], CONNECTIONS, WARMUP_MS);
    const runs: Record<Name, LoadResult[]> = { syncwatch: [], postgraphile: [], floor: [] };
    // CPU time of the serving process, per request: steadier than requests/s when neighbours share the cores.
    const cpuMs: Record<Name, number> = { syncwatch: 0, postgraphile: 0, floor: 0 };
    const serverCpuMs = (name: Name) => (name === 'postgraphile' ? postgraphile.cpuMs() : processCpuMs(process.pid));
    const runOne = async (name: Name) => {
      const before = serverCpuMs(name);
      const result = await load(targets[name], CONNECTIONS, RUN_MS);
      cpuMs[name] += serverCpuMs(name) - before;
      runs[name].push(result);
    };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating, so a neighbour's load on the shared cores falls on both.
      for (const name of round % 2 === 0 ? order : [...order].reverse()) {
        if (name === 'syncwatch' && PROFILE && round === 0) await profiled(PROFILE, () => runOne(name));
        else await runOne(name);
      }
    }
    const figure = (name: Name) => ({ ...combine(runs[name]), cpuMsPerRequest: cpuMs[name] / combine(runs[name]).requests });
    const figures = { syncwatch: figure('syncwatch'), postgraphile: figure('postgraphile'), floor: figure('floor') };

    // One request at a time: what the GraphQL layer adds to the page's SQL.
    const capture = captureRecordSelects(env.instance.db);
    let sequential: LoadFigures;
    try {
      sequential = combine([await load(targets.syncwatch, 1, SEQUENTIAL_MS)]);
    } finally {
      capture.restore();
    }
    const captured = capture.last();
    const client = await env.sql.connect();
    let sqlAlone: Awaited<ReturnType<typeof measure>>;
    try {
      sqlAlone = await measure(() => client.query(captured.query, captured.parameters), SQL_SAMPLES);
    } finally {
      client.release();
    }
    // The fixed cost of any request (HTTP, key, rate limits, Apollo), one at a time, for what the page adds to it.
    const floorAlone = combine([await load(targets.floor, 1, SEQUENTIAL_MS)]);
    const sqlPerSecond = await sqlThroughput(databaseUrl, captured.query, captured.parameters);
    return report(figures, sequential, sqlAlone, floorAlone, sqlPerSecond);
  } finally {
    await postgraphile.stop();
  }
}

/**
 * The page's SQL alone, as fast as CONNECTIONS pg connections run it from this process for RUN_MS: no HTTP, no
 * GraphQL, a prepared statement (parsed once per connection), rows parsed by pg as a Node server's would be. A
 * server of the page also pays the floor's HTTP work, so it serves well under this on the same cores.
 */
async function sqlThroughput(databaseUrl: string, query: string, parameters: unknown[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS });
  try {
    const runFor = async (ms: number) => {
      let done = 0;
      const until = performance.now() + ms;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (performance.now() < until) {
            await pool.query({ name: 'readpath-page', text: query, values: parameters });
            done++;
          }
        }),
      );
      return done;
    };
    await runFor(WARMUP_MS);
    const started = performance.now();
    const done = await runFor(RUN_MS);
    return (done * 1000) / (performance.now() - started);
  } finally {
    await pool.end();
  }
}

type ServedFigures = LoadFigures & { cpuMsPerRequest: number };

function report(
  figures: Record<'syncwatch' | 'postgraphile' | 'floor', ServedFigures>,
  sequential: LoadFigures,
  sql: Awaited<ReturnType<typeof measure>>,
  floorAlone: LoadFigures,
  sqlPerSecond: number,
): SummaryRow[] {
  const { syncwatch, postgraphile, floor } = figures;
  const rate = (value: number) => `${Math.round(value).toLocaleString('en-US')} req/s`;
  console.log(`\n${CONNECTIONS} connections, ${ROUNDS} alternating runs of ${RUN_MS / 1000} s each:`);
  const line = (server: string, query: string, f: ServedFigures) => [
    server,
    query,
    rate(f.perSecond),
    ms(f.p50),
    ms(f.p99),
    String(f.errors),
    ms(f.cpuMsPerRequest),
  ];
  printTable(
    ['server', 'query', 'requests/s', 'p50', 'p99', 'errors', 'server CPU per request'],
    [
      line('syncwatch', 'page', syncwatch),
      line('PostGraphile', 'page', postgraphile),
      line('syncwatch', '{ __typename }', floor),
      ['pg, no HTTP', "the page's SQL alone", rate(sqlPerSecond), '', '', '', ''],
    ],
  );
  const ratio = syncwatch.perSecond / postgraphile.perSecond;
  const share = syncwatch.perSecond / floor.perSecond;
  const overP50 = sequential.p50 - sql.p50;
  console.log(`\none request at a time (${count(sequential.requests)} pages, ${SQL_SAMPLES} SQL alone):`);
  printTable(
    ['', 'p50', 'p95'],
    [
      ['GraphQL page over HTTP', ms(sequential.p50), ms(sequential.p95)],
      ['its SQL alone', ms(sql.p50), ms(sql.p95)],
      ['GraphQL minus SQL', ms(overP50), ms(sequential.p95 - sql.p95)],
      ['{ __typename } over HTTP', ms(floorAlone.p50), ms(floorAlone.p95)],
    ],
  );
  const errors = syncwatch.errors + postgraphile.errors + floor.errors + sequential.errors;
  if (errors > 0) throw new Error(`${errors} requests failed under load`);
  return [
    {
      measure: `read page at ${CONNECTIONS} connections: syncwatch / PostGraphile`,
      value: `${ratio.toFixed(2)}× (${rate(syncwatch.perSecond)} vs ${rate(postgraphile.perSecond)}; p99 ${ms(syncwatch.p99)} vs ${ms(postgraphile.p99)}; server CPU ${ms(syncwatch.cpuMsPerRequest)} vs ${ms(postgraphile.cpuMsPerRequest)} a request)`,
      target: `≥ ${TARGETS.ratio.toFixed(1)}×, p99 no worse`,
      met: ratio >= TARGETS.ratio && syncwatch.p99 <= postgraphile.p99,
    },
    {
      measure: 'read page: GraphQL p50 minus SQL alone p50',
      value: `${ms(overP50)} (GraphQL ${ms(sequential.p50)}, SQL ${ms(sql.p50)}; GraphQL p95 ${ms(sequential.p95)})`,
      target: `≤ ${TARGETS.overSqlMs} ms, p95 ≤ ${TARGETS.overSqlP95Ms} ms`,
      met: overP50 <= TARGETS.overSqlMs && sequential.p95 <= TARGETS.overSqlP95Ms,
    },
    {
      measure: `read page requests/s next to { __typename } at ${CONNECTIONS} connections`,
      value: `${share.toFixed(2)}× (${rate(syncwatch.perSecond)} vs ${rate(floor.perSecond)}; PostGraphile ${(postgraphile.perSecond / floor.perSecond).toFixed(2)}×, the page's SQL alone through pg without HTTP ${(sqlPerSecond / floor.perSecond).toFixed(2)}×)`,
      target: `≥ ${TARGETS.floorShare}×`,
      met: share >= TARGETS.floorShare,
    },
  ];
}
