// Health analytics against records reported at known times and latencies through the API: exact counts and
// rates, percentiles within 5 % of PostgreSQL's percentile_cont, week-over-week, series buckets and their edges,
// facets, run entity types; before and after the leader folds the deltas, and after records are purged.
import pg from 'pg';
import type { QueryRunner } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RollupCubesForFilters1700000002520 } from '../../server/db/migrations/1700000002520-RollupCubesForFilters.js';
import { TenantPerformanceCube1700000002920 } from '../../server/db/migrations/1700000002920-TenantPerformanceCube.js';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, finishRun, type RecordInput, recordInput, reportRecords, startRun, unique } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let sql: pg.Client;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.now();
const at = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  // No background jobs: each test decides when the deltas are folded.
  server = await startTestServer({}, { jobs: false });
  sql = new pg.Client({ connectionString: server.databaseUrl });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

const fold = () => server.instance.services.rollups.fold();

/** Reports records into a new run of the pipeline, 1,000 at a time. */
async function report(client: GraphQLClient, pipelineId: string, records: RecordInput[], mode = 'MANUAL', operationType?: string) {
  const run = await startRun(client, pipelineId, { mode, operationType });
  for (let i = 0; i < records.length; i += 1_000) await reportRecords(client, run.id, records.slice(i, i + 1_000));
  return run;
}

/** A deterministic spread of latencies, 1 ms to a few seconds. */
function latency(n: number): number {
  const x = Math.sin(n * 12.9898) * 43758.5453;
  const u = x - Math.floor(x);
  return Math.round(1 + u ** 3 * 4_000);
}

const SUMMARY = `query($range: DateRange, $filter: RecordFilter) { syncSummary(range: $range, filter: $filter) {
  from to
  totalSynced { value previous changePercent } totalErrors { value previous changePercent }
  errorRate { value previous changePercent } medianLatencyMs { value previous changePercent }
  byStatus { status count } } }`;

interface MetricView {
  value: number;
  previous: number | null;
  changePercent: number | null;
}
interface SummaryView {
  from: string;
  to: string;
  totalSynced: MetricView;
  totalErrors: MetricView;
  errorRate: MetricView;
  medianLatencyMs: MetricView;
  byStatus: { status: string; count: number }[];
}

async function summary(client: GraphQLClient, variables: Record<string, unknown>): Promise<SummaryView> {
  return (await client.ok<{ syncSummary: SummaryView }>(SUMMARY, variables)).syncSummary;
}

async function exactPercentile(where: string, params: unknown[], fraction: number): Promise<number> {
  const { rows } = await sql.query(
    `SELECT percentile_cont(${fraction}) WITHIN GROUP (ORDER BY latency_ms) AS p FROM records WHERE origin_record_id IS NULL AND latency_ms IS NOT NULL AND ${where}`,
    params,
  );
  return Number(rows[0].p);
}

const within5 = (actual: number, exact: number) => expect(Math.abs(actual - exact)).toBeLessThanOrEqual(exact * 0.05 + 1e-9);

/** A histogram without its trailing empty buckets: the fold and hist_add may keep different lengths of zeros. */
const trimmed = (hist: number[] | null) => {
  if (!hist) return hist;
  let end = hist.length;
  while (end > 0 && hist[end - 1] === 0) end--;
  return hist.slice(0, end);
};

/** A gauge's value in the instance's /metrics. */
async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

describe('the fold', () => {
  it('shows what it has not folded yet in /metrics, and adds deltas of the same hour and columns together', async () => {
    await fold();
    expect(await gauge('syncwatch_rollup_deltas_unfolded')).toBe(0);
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(server.admin, pipeline.id, { mode: 'MANUAL' });
    // Three reports of the same shape: three deltas of one key, one rollup row each.
    const startedAt = at(NOW - 2 * DAY);
    for (const n of [1, 2, 3]) await reportRecords(server.admin, run.id, [recordInput(`merge-${n}`, { startedAt, latencyMs: n * 10 })]);
    expect(await gauge('syncwatch_rollup_deltas_unfolded')).toBe(3);
    await fold();
    expect(await gauge('syncwatch_rollup_deltas_unfolded')).toBe(0);
    const { rows } = await sql.query(
      "SELECT tier, records, latency_hist FROM record_rollups WHERE cube = 'pipeline' AND pipeline_id = $1 ORDER BY tier",
      [pipeline.id],
    );
    expect(rows.map((row) => [row.tier, Number(row.records)])).toEqual([
      ['day', 3],
      ['hour', 3],
    ]);
    // Latencies 10, 20 and 30 ms: one count in each of three buckets.
    expect(rows[0].latency_hist.filter((n: number) => n > 0)).toEqual([1, 1, 1]);
  });

  it("the leader's job waits four times as long as its last fold took before it folds again", async () => {
    const rollups = server.instance.services.rollups;
    const pipeline = await createPipeline(server.admin);
    // Deltas written straight into the table, of 20 keys: 20,000 make a fold of a tenth of a second or more.
    const addDeltas = (n: number) =>
      sql.query(
        `INSERT INTO record_rollup_deltas (hour, pipeline_id, entity_type, operation, mode, status, records, latency_hist)
         SELECT date_bin('1 hour', now(), timestamptz 'epoch'), $1, 'Pace' || (g % 20), 'CREATE', 'MANUAL',
                'SUCCESS', 1, ARRAY[1] FROM generate_series(1, $2::int) g`,
        [pipeline.id, n],
      );
    await addDeltas(20_000);
    const started = Date.now();
    expect(await rollups.foldWhenDue()).toBe(20_000);
    const took = Date.now() - started;
    await addDeltas(1);
    expect(Date.now() - started).toBeLessThan(2 * took);
    expect(await rollups.foldWhenDue()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 4 * took + 10));
    expect(await rollups.foldWhenDue()).toBe(1);
  });

  it.each([
    [
      '2520',
      new RollupCubesForFilters1700000002520(),
      ['entity_status', 'mode_status', 'operation_status', 'dimensions', 'pipeline_shape'],
    ],
    ['2920', new TenantPerformanceCube1700000002920(), ['tenant_shape']],
  ])('the upgrade %s makes the cubes it adds from the full cube exactly as the fold makes them', async (_, migration, names) => {
    const pipeline = await createPipeline(server.admin, { tenantId: unique('cubes') });
    await report(server.admin, pipeline.id, [
      recordInput('c1', { latencyMs: 5 }),
      recordInput('c2', { entityType: 'Lead', status: 'FAILED', retryable: false, latencyMs: 700 }),
      recordInput('c3', { entityType: 'Lead', operation: 'UPDATE', startedAt: at(NOW - 3 * DAY), latencyMs: 90 }),
    ]);
    await fold();
    const cubes = async () =>
      (
        await sql.query(
          `SELECT tier, cube, bucket_start, pipeline_id, tenant_id, entity_type, operation, mode, status, records, latency_hist
           FROM record_rollups WHERE cube = ANY($1)
           ORDER BY tier, cube, bucket_start, pipeline_id, tenant_id, entity_type, operation, mode, status`,
          [names],
        )
      ).rows.map((row) => ({ ...row, latency_hist: trimmed(row.latency_hist) }));
    const folded = await cubes();
    expect(folded.filter((row) => row.tenant_id === pipeline.tenantId).length).toBeGreaterThan(0);
    // What the migration uses of a query runner, on the test's own connection: rows, as TypeORM answers.
    const query = async (text: string, values?: unknown[]) => (await sql.query(text, values)).rows;
    const runner = { query, manager: { query } } as unknown as QueryRunner;
    await migration.down(runner);
    expect(await cubes()).toEqual([]);
    await migration.up(runner);
    expect(await cubes()).toEqual(folded);
  });
});

describe('syncSummary', () => {
  it('counts exactly, compares week over week by hand, and keeps its median within 5 % of percentile_cont', async () => {
    const pipeline = await createPipeline(server.admin);
    const filter = { pipelineIds: [pipeline.id] };
    // This week: 300 records (30 failed, 15 skipped); last week: 200 (50 failed). Times spread over each window,
    // the first a minute inside it, so the edges of the 7-day window fall inside hours (raw) and days (hourly).
    const current = Array.from({ length: 300 }, (_, i) =>
      recordInput(`cur-${i}`, {
        status: i % 10 === 0 ? 'FAILED' : i % 20 === 1 ? 'SKIPPED' : 'SUCCESS',
        errorCode: i % 10 === 0 ? 'ROW_LOCKED' : null,
        retryable: false,
        startedAt: at(NOW - 7 * DAY + 60_000 + i * ((7 * DAY - 120_000) / 300)),
        latencyMs: latency(i),
      }),
    );
    const previous = Array.from({ length: 200 }, (_, i) =>
      recordInput(`prev-${i}`, {
        status: i % 4 === 0 ? 'FAILED' : 'SUCCESS',
        retryable: false,
        startedAt: at(NOW - 14 * DAY + 60_000 + i * ((7 * DAY - 120_000) / 200)),
        latencyMs: latency(1_000 + i),
      }),
    );
    await report(server.admin, pipeline.id, [...current, ...previous]);

    for (const phase of ['deltas only', 'folded']) {
      if (phase === 'folded') await fold();
      const result = await summary(server.admin, { filter, range: { to: at(NOW) } });
      expect(result.totalSynced, phase).toEqual({ value: 300, previous: 200, changePercent: 50 });
      expect(result.totalErrors, phase).toEqual({ value: 30, previous: 50, changePercent: -40 });
      expect(result.errorRate.value).toBeCloseTo(0.1, 10);
      expect(result.errorRate.previous).toBeCloseTo(0.25, 10);
      expect(result.errorRate.changePercent).toBeCloseTo(-60, 8);
      const counts = Object.fromEntries(result.byStatus.map((s) => [s.status, s.count]));
      expect(counts).toMatchObject({ SUCCESS: 255, FAILED: 30, SKIPPED: 15, PENDING: 0 });
      expect(result.byStatus).toHaveLength(13);

      const window = [new Date(NOW - 7 * DAY), new Date(NOW), pipeline.id];
      const exactMedian = await exactPercentile('started_at >= $1 AND started_at < $2 AND pipeline_id = $3', window, 0.5);
      within5(result.medianLatencyMs.value, exactMedian);
      const exactPrevious = await exactPercentile(
        'started_at >= $1 AND started_at < $2 AND pipeline_id = $3',
        [new Date(NOW - 14 * DAY), new Date(NOW - 7 * DAY), pipeline.id],
        0.5,
      );
      within5(result.medianLatencyMs.previous as number, exactPrevious);
    }
  });

  it('stays exact where a window edge borrows its whole hour or day from the rollups and takes the rest off', async () => {
    const pipeline = await createPipeline(server.admin);
    const filter = { pipelineIds: [pipeline.id] };
    // 02:00 UTC three days ago: some windows below cover most of its day, and borrow the day too.
    const H = Math.floor((NOW - 3 * DAY) / DAY) * DAY + 2 * HOUR;
    const MIN = 60_000;
    // One record at each of these minutes from H; each case below puts an edge inside the hour H.
    const minutes = [-30, 5, 20, 40, 55, 90];
    await report(
      server.admin,
      pipeline.id,
      minutes.map((m, i) =>
        recordInput(`edge-${m}`, {
          status: i % 2 === 0 ? 'FAILED' : 'SUCCESS',
          retryable: false,
          startedAt: at(H + m * MIN),
          latencyMs: 100 * (i + 1),
        }),
      ),
    );
    const count = (from: number, to: number) => minutes.filter((m) => m >= from && m < to).length;
    // [from, to) in minutes from H: the previous window is as long, just before.
    const cases = [
      [10, 130], // the current window starts 10 minutes in: it borrows H, less the records of its first 10 minutes
      [-70, 50], // the cut leaves 50 minutes of H to the previous window: it borrows H, less the last 10 minutes
      [-15, 45], // the window ends 45 minutes in: H is borrowed, less minute 55, outside the window
      [10, 1330], // 22 hours: each window borrows its day, less its hours and minutes before the window
    ];
    for (const phase of ['deltas only', 'folded']) {
      if (phase === 'folded') await fold();
      for (const [from, to] of cases) {
        const length = to - from;
        const result = await summary(server.admin, { filter, range: { from: at(H + from * MIN), to: at(H + to * MIN) } });
        const label = `${phase}, [${from}, ${to})`;
        expect(result.totalSynced.value, label).toBe(count(from, to));
        expect(result.totalSynced.previous, label).toBe(count(from - length, from));
        const failed = minutes.filter((m, i) => i % 2 === 0 && m >= from && m < to).length;
        expect(result.totalErrors.value, label).toBe(failed);
      }
    }
  });

  it('a tenant-bound key counts only its tenant, in its summary and its performance table; a filter on entity type and status reads the full cube', async () => {
    const tenant = unique('initech');
    const own = await createPipeline(server.admin, { tenantId: tenant });
    const other = await createPipeline(server.admin, { tenantId: unique('umbrella') });
    await report(server.admin, own.id, [
      recordInput('o1', { latencyMs: 8 }),
      recordInput('o2', { entityType: 'Lead', status: 'FAILED', retryable: false, latencyMs: 12 }),
    ]);
    await report(server.admin, other.id, [recordInput('x1'), recordInput('x2'), recordInput('x3')]);
    await fold();
    const viewer = await server.clientFor(Role.VIEWER, tenant);
    const mine = await summary(viewer, {});
    expect(mine.totalSynced.value).toBe(2);
    expect(mine.totalErrors.value).toBe(1);
    expect(mine.medianLatencyMs.value).toBe(10);
    // Its performance table reads the cube by tenant: its own records only, each in its row.
    const { syncPerformance } = await viewer.ok<{ syncPerformance: { entityType: string; recordsSynced: number; p50Ms: number }[] }>(
      'query { syncPerformance { entityType recordsSynced p50Ms } }',
    );
    expect(syncPerformance.map((row) => [row.entityType, row.recordsSynced, row.p50Ms])).toEqual([
      ['Account', 1, 8],
      ['Lead', 1, 12],
    ]);
    const leadFailures = await summary(server.admin, {
      filter: { pipelineIds: [own.id, other.id], entityTypes: ['Lead'], statuses: ['FAILED'] },
    });
    expect(leadFailures.totalSynced.value).toBe(1);
    expect(leadFailures.medianLatencyMs.value).toBe(12);
  });

  it('defaults to the last 7 days; changePercent is null when the previous value is 0', async () => {
    const pipeline = await createPipeline(server.admin);
    await report(server.admin, pipeline.id, [recordInput('only', { latencyMs: 10 })]);
    const before = Date.now();
    const result = await summary(server.admin, { filter: { pipelineIds: [pipeline.id] } });
    expect(new Date(result.to).getTime() - new Date(result.from).getTime()).toBe(7 * DAY);
    expect(new Date(result.to).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(result.totalSynced).toEqual({ value: 1, previous: 0, changePercent: null });
    expect(result.errorRate).toEqual({ value: 0, previous: null, changePercent: null });
    expect(result.medianLatencyMs).toEqual({ value: 10, previous: null, changePercent: null });
  });

  it('answers a window of a century (one parameter a day used to pass the protocol limit: SERVICE_UNAVAILABLE)', async () => {
    const pipeline = await createPipeline(server.admin);
    await report(server.admin, pipeline.id, [recordInput('old-window', { latencyMs: 10 })]);
    const range = { from: '1900-01-01T00:00:00Z', to: at(NOW + HOUR) };
    const unfolded = await summary(server.admin, { range, filter: { pipelineIds: [pipeline.id] } });
    expect(unfolded.totalSynced.value).toBe(1);
    await fold();
    const folded = await summary(server.admin, { range, filter: { pipelineIds: [pipeline.id] } });
    expect(folded.totalSynced.value).toBe(1);
  });

  it('keeps counts exact through re-reports, late reports and retry runs', async () => {
    const pipeline = await createPipeline(server.admin, { retryPolicy: { maxAttempts: 3, initialDelaySeconds: 1 } });
    const filter = { pipelineIds: [pipeline.id] };
    const run = await report(server.admin, pipeline.id, [
      recordInput('a', { status: 'FAILED', errorCode: 'ROW_LOCKED', latencyMs: 100 }),
      recordInput('b', { status: 'FAILED', errorCode: 'ROW_LOCKED', latencyMs: 100 }),
      recordInput('c', { status: 'IN_PROGRESS' }),
    ]);
    // A re-report with another outcome is a new attempt of the same record, not another record.
    await reportRecords(server.admin, run.id, [
      recordInput('a', { status: 'SUCCESS', latencyMs: 50 }),
      recordInput('c', { status: 'SUCCESS', latencyMs: 20 }),
    ]);
    // A late report: a record that started 3 days ago.
    await reportRecords(server.admin, run.id, [recordInput('late', { startedAt: at(NOW - 3 * DAY), latencyMs: 30 })]);
    await finishRun(server.admin, run.id);
    await fold();
    let result = await summary(server.admin, { filter });
    expect(result.totalSynced.value).toBe(4);
    expect(result.totalErrors.value).toBe(1);

    // b goes through a retry run that succeeds: still 4 records, now no error.
    const { retryRecords } = await server.admin.ok<{ retryRecords: { retryRun: { id: string } } }>(
      'mutation($filter: RecordFilter) { retryRecords(filter: $filter) { retryRun { id } } }',
      { filter: { ...filter, statuses: ['FAILED'] } },
    );
    const { claimRun } = await server.admin.ok<{ claimRun: { id: string } }>(
      'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w1") { id } }',
      { p: pipeline.id },
    );
    expect(claimRun.id).toBe(retryRecords.retryRun.id);
    await reportRecords(server.admin, claimRun.id, [recordInput('b', { status: 'SUCCESS', latencyMs: 40 })]);
    await finishRun(server.admin, claimRun.id);
    for (const phase of ['deltas', 'folded']) {
      if (phase === 'folded') await fold();
      result = await summary(server.admin, { filter });
      expect(result.totalSynced.value, phase).toBe(4);
      expect(result.totalErrors.value, phase).toBe(0);
      expect(Object.fromEntries(result.byStatus.filter((s) => s.count > 0).map((s) => [s.status, s.count]))).toEqual({ SUCCESS: 4 });
    }
  });

  it('a purge of the raw history keeps the rollups: old windows still answer', async () => {
    const pipeline = await createPipeline(server.admin);
    const oldStart = NOW - 40 * DAY;
    const run = await report(server.admin, pipeline.id, [
      recordInput('old-1', { startedAt: at(oldStart), latencyMs: 5 }),
      recordInput('old-2', { startedAt: at(oldStart + HOUR), status: 'FAILED', retryable: false }),
    ]);
    await finishRun(server.admin, run.id);
    await fold();
    // Make the run itself old enough for the purge.
    await sql.query('UPDATE runs SET started_at = $2, ended_at = $2 WHERE id = $1', [run.id, new Date(oldStart + 2 * HOUR)]);
    const range = { from: at(oldStart - DAY), to: at(oldStart + DAY) };
    const before = await summary(server.admin, { range, filter: { pipelineIds: [pipeline.id] } });
    const { purgeHistory } = await server.admin.ok<{ purgeHistory: { recordsDeleted: number } }>(
      'mutation { purgeHistory(olderThanDays: 30) { recordsDeleted } }',
    );
    expect(purgeHistory.recordsDeleted).toBeGreaterThanOrEqual(2);
    const { rows } = await sql.query('SELECT count(*)::int AS n FROM records WHERE run_id = $1', [run.id]);
    expect(rows[0].n).toBe(0);
    const after = await summary(server.admin, { range, filter: { pipelineIds: [pipeline.id] } });
    expect(before.totalSynced.value).toBe(2);
    expect(after.totalSynced).toEqual(before.totalSynced);
    expect(after.totalErrors).toEqual(before.totalErrors);
  });
});

describe('syncPerformance', () => {
  it('gives records and p50/p90/p95/p99 per entity type, operation and mode within 5 % of percentile_cont', async () => {
    const pipeline = await createPipeline(server.admin);
    const records: RecordInput[] = [];
    for (let i = 0; i < 3_000; i++) {
      records.push(
        recordInput(`perf-${i}`, {
          entityType: i % 3 === 0 ? 'Contact' : 'Account',
          operation: i % 2 === 0 ? 'UPDATE' : 'CREATE',
          startedAt: at(NOW - (i % 120) * HOUR - 1_000),
          latencyMs: latency(5_000 + i) * (i % 3 === 0 ? 3 : 1),
        }),
      );
    }
    await report(server.admin, pipeline.id, records, 'SCHEDULED');
    await fold();
    const { syncPerformance } = await server.admin.ok<{
      syncPerformance: {
        entityType: string;
        operation: string;
        mode: string;
        recordsSynced: number;
        p50Ms: number;
        p90Ms: number;
        p95Ms: number;
        p99Ms: number;
      }[];
    }>('query($f: RecordFilter) { syncPerformance(filter: $f) { entityType operation mode recordsSynced p50Ms p90Ms p95Ms p99Ms } }', {
      f: { pipelineIds: [pipeline.id] },
    });
    expect(syncPerformance).toHaveLength(4);
    expect(syncPerformance.reduce((sum, row) => sum + row.recordsSynced, 0)).toBe(3_000);
    for (const row of syncPerformance) {
      expect(row.mode).toBe('SCHEDULED');
      const where = 'pipeline_id = $1 AND entity_type = $2 AND operation = $3';
      const params = [pipeline.id, row.entityType, row.operation];
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM records WHERE ${where}`, params);
      expect(row.recordsSynced).toBe(rows[0].n);
      within5(row.p50Ms, await exactPercentile(where, params, 0.5));
      within5(row.p90Ms, await exactPercentile(where, params, 0.9));
      within5(row.p95Ms, await exactPercentile(where, params, 0.95));
      within5(row.p99Ms, await exactPercentile(where, params, 0.99));
    }
  });
});

describe('syncTimeseries and allowedIntervals', () => {
  const INTERVALS = 'query($range: DateRange!) { allowedIntervals(range: $range) }';
  const SERIES = `query($range: DateRange!, $interval: TimeInterval!, $filter: RecordFilter) {
    syncTimeseries(range: $range, interval: $interval, filter: $filter) { start end total succeeded failed changePercent } }`;
  type Bucket = { start: string; end: string; total: number; succeeded: number; failed: number; changePercent: number | null };
  const series = async (variables: Record<string, unknown>) =>
    (await server.admin.ok<{ syncTimeseries: Bucket[] }>(SERIES, variables)).syncTimeseries;

  it('allows DAY always, HOUR up to 60 hours, MINUTE up to 6 hours; another combination is BAD_USER_INPUT naming the allowed ones', async () => {
    const base = Date.UTC(2026, 10, 2);
    const allowed = async (hours: number, extraMs = 0) =>
      (
        await server.admin.ok<{ allowedIntervals: string[] }>(INTERVALS, {
          range: { from: at(base), to: at(base + hours * HOUR + extraMs) },
        })
      ).allowedIntervals;
    expect(await allowed(6)).toEqual(['MINUTE', 'HOUR', 'DAY']);
    expect(await allowed(6, 1)).toEqual(['HOUR', 'DAY']);
    expect(await allowed(60)).toEqual(['HOUR', 'DAY']);
    expect(await allowed(60, 1)).toEqual(['DAY']);
    expect(await allowed(24 * 30)).toEqual(['DAY']);

    const refused = await server.admin.request(SERIES, { range: { from: at(base), to: at(base + 7 * DAY) }, interval: 'HOUR' });
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(/allowed: DAY/);
    const minute = await server.admin.request(SERIES, { range: { from: at(base), to: at(base + 7 * HOUR) }, interval: 'MINUTE' });
    expect(minute.errors?.[0].message).toMatch(/allowed: HOUR, DAY/);
    const backwards = await server.admin.request(SERIES, { range: { from: at(base + HOUR), to: at(base) }, interval: 'DAY' });
    expect(backwards.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('aligns buckets to UTC whatever the offset given, keeps empty buckets, puts an edge record in the later bucket', async () => {
    const pipeline = await createPipeline(server.admin);
    const filter = { pipelineIds: [pipeline.id] };
    const day = Date.UTC(2026, 10, 10); // a Tuesday, midnight UTC
    await report(server.admin, pipeline.id, [
      recordInput('t1', { startedAt: at(day + 10 * HOUR) }), // exactly on an hour edge
      recordInput('t2', { startedAt: at(day + 10 * HOUR - 1) }), // the last millisecond of the hour before
      recordInput('t3', { startedAt: at(day + 10 * HOUR + 30 * 60_000), status: 'FAILED', retryable: false }),
      recordInput('t4', { startedAt: at(day + 13 * HOUR + 5 * 60_000) }),
      recordInput('t5', { startedAt: at(day + DAY + 2 * HOUR) }),
    ]);
    for (const phase of ['deltas', 'folded']) {
      if (phase === 'folded') await fold();
      // 08:00 to 14:00 UTC given as 10:00 to 16:00 at +02:00.
      const hours = await series({
        range: { from: '2026-11-10T10:00:00+02:00', to: '2026-11-10T16:00:00+02:00' },
        interval: 'HOUR',
        filter,
      });
      expect(
        hours.map((b) => b.start),
        phase,
      ).toEqual([8, 9, 10, 11, 12, 13].map((h) => at(day + h * HOUR)));
      expect(
        hours.map((b) => b.total),
        phase,
      ).toEqual([0, 1, 2, 0, 0, 1]);
      expect(hours.map((b) => b.failed)).toEqual([0, 0, 1, 0, 0, 0]);
      expect(hours.map((b) => b.succeeded)).toEqual([0, 1, 1, 0, 0, 1]);
      expect(hours.map((b) => b.changePercent)).toEqual([null, null, 100, -100, null, null]);
      expect(hours[0].end).toBe(at(day + 9 * HOUR));

      // Days: a range starting at 22:00 UTC the day before gives a partial first bucket counting only its part.
      const days = await series({ range: { from: at(day - 2 * HOUR), to: at(day + 3 * DAY) }, interval: 'DAY', filter });
      expect(days.map((b) => b.start)).toEqual([-1, 0, 1, 2].map((d) => at(day + d * DAY)));
      expect(days.map((b) => b.total)).toEqual([0, 4, 1, 0]);
      expect(days[2].changePercent).toBe(-75);

      const minutes = await series({
        range: { from: at(day + 10 * HOUR - 2 * 60_000), to: at(day + 10 * HOUR + 31 * 60_000) },
        interval: 'MINUTE',
        filter,
      });
      expect(minutes).toHaveLength(33);
      expect(minutes[1].total).toBe(1);
      expect(minutes[2].total).toBe(1);
      expect(minutes[32].total).toBe(1);
      expect(minutes.reduce((sum, b) => sum + b.total, 0)).toBe(3);
    }
  });
});

describe('facets, run entity types', () => {
  it('lists the entity types, operation types, tenants and error codes that occur; a tenant key sees its own', async () => {
    const tenantA = unique('acme');
    const tenantB = unique('globex');
    const a = await createPipeline(server.admin, { tenantId: tenantA });
    const b = await createPipeline(server.admin, { tenantId: tenantB });
    await report(
      server.admin,
      a.id,
      [
        recordInput('x', { entityType: 'Invoice' }),
        recordInput('y', { entityType: 'Payment', status: 'FAILED', errorCode: 'E_AMOUNT', retryable: false }),
      ],
      'MANUAL',
      'Push new',
    );
    await report(
      server.admin,
      b.id,
      [recordInput('z', { entityType: 'Lead', status: 'FAILED', errorCode: 'E_DUP', retryable: false })],
      'MANUAL',
      'Pull updates',
    );
    const FACETS = 'query($ids: [ID!]) { facets(pipelineIds: $ids) { entityTypes operationTypes tenantIds errorCodes } }';
    const { facets } = await server.admin.ok<{ facets: Record<string, string[]> }>(FACETS, { ids: [a.id, b.id] });
    expect(facets).toEqual({
      entityTypes: ['Invoice', 'Lead', 'Payment'],
      operationTypes: ['Pull updates', 'Push new'],
      tenantIds: [tenantA, tenantB].sort(),
      errorCodes: ['E_AMOUNT', 'E_DUP'],
    });
    const viewerA = await server.clientFor(Role.VIEWER, tenantA);
    const own = await viewerA.ok<{ facets: Record<string, string[]> }>(FACETS, {});
    expect(own.facets).toEqual({
      entityTypes: ['Invoice', 'Payment'],
      operationTypes: ['Push new'],
      tenantIds: [tenantA],
      errorCodes: ['E_AMOUNT'],
    });
    expect(await server.admin.errorCode(FACETS, { ids: ['nope'] })).toBe('BAD_USER_INPUT');
  });

  it('SyncRun.entityTypes lists what a run moved; RunFilter.entityTypes finds runs by it', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await report(server.admin, pipeline.id, [
      recordInput('1', { entityType: 'Contact' }),
      recordInput('2', { entityType: 'Account' }),
    ]);
    await reportRecords(server.admin, run.id, [recordInput('3', { entityType: 'Contact' })]);
    const other = await report(server.admin, pipeline.id, [recordInput('1', { entityType: 'Lead' })]);
    const RUNS = 'query($f: RunFilter) { runs(filter: $f) { edges { node { id entityTypes } } } }';
    const find = async (entityTypes: string[]) =>
      (
        await server.admin.ok<{ runs: { edges: { node: { id: string; entityTypes: string[] } }[] } }>(RUNS, {
          f: { pipelineIds: [pipeline.id], entityTypes },
        })
      ).runs.edges.map((e) => e.node);
    expect(await find(['Account'])).toEqual([{ id: run.id, entityTypes: ['Account', 'Contact'] }]);
    expect((await find(['Lead', 'Contact'])).map((r) => r.id).sort()).toEqual([run.id, other.id].sort());
    expect(await find(['Order'])).toEqual([]);
    expect(await find([])).toEqual([]);
  });
});
