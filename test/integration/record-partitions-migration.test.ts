// The upgrade of an installation that has records to partitioned records and attempts, with the service up
// (docs/scaling.md, "Upgrading an installation that has records"): a database on the old layout (records, attempts,
// retry-run records pointing at their originals, rollups) is opened by the new code; while the leader's copy runs,
// records are ingested, retried, updated and purged through the API; the swap happens while ingest goes on. After
// it: every record once and unchanged, attempts intact, syncSummary as before plus the new records, new records in
// partitions. Small batches (REPARTITION_BATCH_ROWS) so that the copy takes many of them.
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../server/db/data-source.js';
import { RecordPartitions1700000002900 } from '../../server/db/migrations/1700000002900-RecordPartitions.js';
import { createLogger } from '../../server/logger.js';
import { REPARTITIONED_TABLES } from '../../server/sql/repartition.js';
import { createTestDatabase } from '../support/database.js';
import { eventually } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY_MS = 86_400_000;
const OLD_RUNS = 8;
const RECORDS_PER_RUN = 300;
const BATCH_ROWS = 250;

let databaseUrl: string;
let server: TestServer;
let sql: pg.Client;
let worker: GraphQLClient;
let operator: GraphQLClient;
const logLines: string[] = [];
/** Pipelines of the old installation: retried and updated during the copy, purged during it, and one for new records. */
const pipelines = { old: '', purged: '', fresh: '' };

const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

beforeAll(async () => {
  databaseUrl = await createTestDatabase('repartition');
  // The installation before the partitions: migrated up to just before 2900, filled as the old code wrote.
  const before = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    migrations: migrations.slice(0, migrations.indexOf(RecordPartitions1700000002900)),
  });
  await before.initialize();
  await before.runMigrations({ transaction: 'all' });
  await before.destroy();
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  await fillOldInstallation();

  server = await startTestServer(
    { REPARTITION_BATCH_ROWS: String(BATCH_ROWS), LOG_LEVEL: 'info' },
    { databaseUrl, jobs: false, logger: createLogger('info', (line) => logLines.push(line)) },
  );
  worker = await server.clientFor('INGEST' as never);
  operator = await server.clientFor('OPERATOR' as never);
}, 120_000);
afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

/**
 * Old runs spread over the last days with their records (a tenth failed, retryable), a RETRY run holding another
 * attempt of some failures (records pointing at their originals, whose first attempts are archived), and a run
 * three weeks old to purge. The old rollup triggers make the rollup deltas as they did.
 */
async function fillOldInstallation(): Promise<void> {
  const pipeline = async (name: string) =>
    (await sql.query(`INSERT INTO pipelines (name, source_system, target_system) VALUES ($1, 'erp', 'crm') RETURNING id`, [name])).rows[0]
      .id as string;
  pipelines.old = await pipeline('old');
  pipelines.purged = await pipeline('purged');
  pipelines.fresh = await pipeline('fresh');
  for (let n = 0; n < OLD_RUNS; n++) {
    const at = ago(OLD_RUNS - n - 0.5);
    const [{ id: run }] = (
      await sql.query(
        `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at)
         VALUES ($1, 'SCHEDULED', 'COMPLETED_WITH_ERRORS', $2, $2, $2::timestamptz + interval '10 minutes') RETURNING id`,
        [pipelines.old, at],
      )
    ).rows;
    await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, error_code, error_message,
                            error_fingerprint, retryable, reported_status, started_at, ended_at, latency_ms, details)
       SELECT $1, $2, 'SCHEDULED', (ARRAY['Account', 'Contact', 'Order'])[1 + i % 3], format('src-%s-%s', $4::int, i), 'UPDATE',
              CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'SUCCESS' END::record_status,
              CASE WHEN i % 10 = 0 THEN 'ROW_LOCKED' END, CASE WHEN i % 10 = 0 THEN 'row locked' END,
              CASE WHEN i % 10 = 0 THEN md5('ROW_LOCKED') END, i % 10 = 0,
              CASE WHEN i % 10 = 0 THEN 'FAILED' ELSE 'SUCCESS' END::record_status,
              $3::timestamptz + i * interval '1 second', $3::timestamptz + i * interval '1 second' + interval '40 ms', 20 + i % 200,
              jsonb_build_object('i', i)
       FROM generate_series(1, $5::int) i`,
      [run, pipelines.old, at, n, RECORDS_PER_RUN],
    );
  }
  // Another attempt of the first run's failures, in a RETRY run: the originals archived their first attempt.
  const [{ id: firstRun }] = (await sql.query('SELECT id FROM runs WHERE pipeline_id = $1 ORDER BY created_at LIMIT 1', [pipelines.old]))
    .rows;
  const [{ id: retryRun }] = (
    await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, retry_of, created_at, started_at, ended_at)
       VALUES ($1, 'RETRY', 'SUCCEEDED', $2, $3, $3, $3) RETURNING id`,
      [pipelines.old, firstRun, ago(OLD_RUNS - 1)],
    )
  ).rows;
  await sql.query(
    `INSERT INTO record_attempts (record_id, attempt, run_id, status, error_code, error_message, started_at, ended_at, latency_ms)
     SELECT id, 1, run_id, status, error_code, error_message, started_at, ended_at, latency_ms FROM records
     WHERE run_id = $1 AND status = 'FAILED'`,
    [firstRun],
  );
  await sql.query(
    `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, reported_status, started_at,
                          ended_at, latency_ms, origin_record_id)
     SELECT $2, pipeline_id, 'RETRY', entity_type, source_id, operation, 'SUCCESS', 'SUCCESS', $3::timestamptz, $3::timestamptz, 30, id
     FROM records WHERE run_id = $1 AND status = 'FAILED'`,
    [firstRun, retryRun, ago(OLD_RUNS - 1)],
  );
  await sql.query(
    `UPDATE records SET status = 'SUCCESS', reported_status = 'SUCCESS', attempts = 2, attempt_run_id = $2, error_code = NULL,
                        error_message = NULL, retryable = false
     WHERE run_id = $1 AND status = 'FAILED'`,
    [firstRun, retryRun],
  );
  // A run three weeks old, purged while the copy runs.
  const [{ id: oldRun }] = (
    await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at)
       VALUES ($1, 'MANUAL', 'SUCCEEDED', $2, $2, $2) RETURNING id`,
      [pipelines.purged, ago(21)],
    )
  ).rows;
  await sql.query(
    `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, latency_ms)
     SELECT $1, $2, 'MANUAL', 'Account', format('purged-%s', i), 'CREATE', 'SUCCESS', $3, 15 FROM generate_series(1, 200) i`,
    [oldRun, pipelines.purged, ago(21)],
  );
}

/** Each table's rows as one fingerprint (the partition key left out: the old rows lack it), with its count. */
async function fingerprint(table: string, where = 'true'): Promise<{ n: number; ids: number; digest: string }> {
  const { rows } = await sql.query(
    `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids,
            md5(COALESCE(string_agg((to_jsonb(t) - 'run_created_at')::text, ',' ORDER BY id), '')) AS digest
     FROM ${table} t WHERE ${where}`,
  );
  return rows[0];
}

async function summary(pipelineId?: string): Promise<Record<string, number>> {
  const { syncSummary } = await server.admin.ok<{ syncSummary: { byStatus: { status: string; count: number }[] } }>(
    'query($f: RecordFilter, $r: DateRange) { syncSummary(filter: $f, range: $r) { byStatus { status count } } }',
    { f: pipelineId ? { pipelineIds: [pipelineId] } : null, r: { from: ago(30), to: ago(-1) } },
  );
  return Object.fromEntries(syncSummary.byStatus.filter((s) => s.count > 0).map((s) => [s.status, s.count]));
}

/** What the rollups must say of a pipeline: its records (originals only, as the rollups count them) by status. */
async function countedFromRecords(pipelineId: string): Promise<Record<string, number>> {
  const { rows } = await sql.query(
    `SELECT status, count(*)::int AS n FROM records WHERE pipeline_id = $1 AND origin_record_id IS NULL GROUP BY status`,
    [pipelineId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

async function report(runId: string, records: Record<string, unknown>[]): Promise<void> {
  const { reportRecords } = await worker.ok<{ reportRecords: { rejected: unknown[] } }>(
    'mutation($id: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $id, records: $records) { rejected { index reason } } }',
    { id: runId, records },
  );
  expect(reportRecords.rejected).toEqual([]);
}

async function startRun(pipelineId: string): Promise<string> {
  const { startRun } = await worker.ok<{ startRun: { id: string } }>(
    'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
    {
      input: { pipelineId, mode: 'MANUAL' },
    },
  );
  return startRun.id;
}

const record = (sourceId: string, status = 'SUCCESS') => ({
  entityType: 'Account',
  sourceId,
  operation: 'CREATE',
  status,
  latencyMs: 25,
  ...(status === 'FAILED' && { errorCode: 'ROW_LOCKED', errorMessage: 'row locked' }),
});

async function metric(name: string): Promise<string[]> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('records and attempts to partitions, with the service up', () => {
  it('starts with the partitioned tables beside the old ones, mirrored, and says how long the start-up took', async () => {
    const applied = logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'migrations applied');
    expect(applied).toMatchObject({
      migrations: expect.arrayContaining(['RecordPartitions1700000002900', 'RecordPartitionsCopy1700000002910']),
      ms: expect.any(Number),
    });
    const { rows } = await sql.query(
      `SELECT relname, relkind FROM pg_class WHERE relname IN ('records', 'records_partitioned', 'record_attempts', 'record_attempts_partitioned')
       ORDER BY relname`,
    );
    expect(rows).toEqual([
      { relname: 'record_attempts', relkind: 'r' },
      { relname: 'record_attempts_partitioned', relkind: 'p' },
      { relname: 'records', relkind: 'r' },
      { relname: 'records_partitioned', relkind: 'p' },
    ]);
    expect(await server.instance.services.repartition.progress()).toEqual([
      { table: 'records', rowsCopied: 0, rowsLeft: OLD_RUNS * RECORDS_PER_RUN + RECORDS_PER_RUN / 10 + 200, caughtUp: false },
      { table: 'record_attempts', rowsCopied: 0, rowsLeft: RECORDS_PER_RUN / 10, caughtUp: false },
    ]);
  });

  it('shows a run of before the upgrade whole on its page while its rows wait for the copy (they have no partition key yet)', async () => {
    const { rows } = await sql.query(
      `SELECT r.id, count(*)::int AS n FROM runs r JOIN records rec ON rec.run_id = r.id
       WHERE r.pipeline_id = $1 AND rec.origin_record_id IS NULL AND rec.run_created_at IS NULL GROUP BY r.id ORDER BY r.id LIMIT 1`,
      [pipelines.old],
    );
    expect(rows).toHaveLength(1);
    const { run } = await operator.ok<{ run: { records: { edges: unknown[] } } }>(
      'query($id: ID!) { run(id: $id) { records(first: 500) { edges { cursor } } } }',
      { id: rows[0].id },
    );
    expect(run.records.edges).toHaveLength(rows[0].n);
    const { records } = await operator.ok<{ records: { edges: unknown[] } }>(
      'query($f: RecordFilter) { records(filter: $f, first: 500) { edges { cursor } } }',
      { f: { runIds: [rows[0].id] } },
    );
    expect(records.edges).toHaveLength(rows[0].n);
  });

  it('copies in batches while records are ingested, retried, updated and purged; both layouts then hold the same rows', async () => {
    const summaryBefore = await summary(pipelines.old);
    expect(summaryBefore).toEqual(await countedFromRecords(pipelines.old));
    let writing = true;
    let rounds = 0;
    const failures: unknown[] = [];
    const workload = (async () => {
      while (writing) {
        const round = ++rounds;
        // New records, some reported again with another outcome (an update of a row written during the copy).
        const run = await startRun(round % 2 ? pipelines.fresh : pipelines.old);
        await report(
          run,
          Array.from({ length: 40 }, (_, i) => record(`new-${round}-${i}`, i % 8 === 0 ? 'FAILED' : 'SUCCESS')),
        );
        await report(run, [record(`new-${round}-0`, 'SUCCESS'), record(`new-${round}-1`, 'SKIPPED')]);
        await worker.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: run });
        if (round === 2) {
          // Old rows updated and attempts archived while the copy runs: another attempt of old failures, succeeding.
          await operator.ok('mutation($f: RecordFilter) { retryRecords(filter: $f) { scheduled } }', {
            f: { pipelineIds: [pipelines.old], statuses: ['FAILED'] },
          });
          const { claimRun } = await worker.ok<{ claimRun: { id: string } }>(
            'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w") { id } }',
            { p: pipelines.old },
          );
          const { run } = await worker.ok<{ run: { records: { edges: { node: { entityType: string; sourceId: string } }[] } } }>(
            'query($id: ID!) { run(id: $id) { records(first: 500) { edges { node { entityType sourceId } } } } }',
            { id: claimRun.id },
          );
          expect(run.records.edges.length).toBeGreaterThanOrEqual((OLD_RUNS - 1) * (RECORDS_PER_RUN / 10));
          await report(
            claimRun.id,
            run.records.edges.map((e) => ({ ...record(e.node.sourceId), entityType: e.node.entityType, operation: 'UPDATE' })),
          );
          await worker.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: claimRun.id });
        }
        if (round === 3) {
          // Old rows deleted while the copy runs: the copy must not bring them back.
          await server.admin.ok('mutation { purgeHistory(olderThanDays: 14) { recordsDeleted } }');
        }
      }
    })().catch((error) => failures.push(error));

    const repartition = server.instance.services.repartition;
    const records = { table: 'records', partitioned: 'records_partitioned' };
    let batches = 0;
    let caughtUp = false;
    for (let loop = 0; !caughtUp; loop++) {
      // The workload goes on between batches: its retries (round 2) and purge (round 3) fall inside the copy.
      await eventually(async () => (rounds >= loop / 3 || failures.length > 0 ? true : undefined), 'the workload going on');
      caughtUp = true;
      for (const table of REPARTITIONED_TABLES) {
        const batch = await repartition.copyBatch(table);
        batches++;
        caughtUp &&= batch.caughtUp;
      }
      if (batches === 4)
        expect(await metric('syncwatch_repartition_rows_copied{table="records"}')).toEqual([
          `syncwatch_repartition_rows_copied{table="records"} ${BATCH_ROWS * 2}`,
        ]);
    }
    await eventually(async () => (rounds > 4 || failures.length > 0 ? true : undefined), 'the workload past its purge');
    writing = false;
    await workload;
    expect(failures).toEqual([]);
    expect(batches).toBeGreaterThan((OLD_RUNS * RECORDS_PER_RUN) / BATCH_ROWS);

    // The old rows and everything written meanwhile, once each in both layouts.
    expect(await fingerprint(records.partitioned)).toEqual(await fingerprint(records.table));
    expect(await fingerprint('record_attempts_partitioned')).toEqual(await fingerprint('record_attempts'));
    expect((await fingerprint('records', `source_id LIKE 'purged-%'`)).n).toBe(0);
    expect((await fingerprint('records', 'origin_record_id IS NOT NULL')).n).toBeGreaterThan(RECORDS_PER_RUN / 10);
    // The key is the run's creation time, for rows written before 2900 and after.
    const { rows: wrongKeys } = await sql.query(
      `SELECT count(*)::int AS records, (SELECT count(*)::int FROM record_attempts_partitioned a JOIN records_partitioned r ON r.id = a.record_id
                                         WHERE a.run_created_at <> r.run_created_at) AS attempts
       FROM records_partitioned r JOIN runs u ON u.id = r.run_id WHERE r.run_created_at <> u.created_at`,
    );
    expect(wrongKeys).toEqual([{ records: 0, attempts: 0 }]);
    // Counted once in the rollups: the rollup triggers stayed on the old table.
    expect(await summary(pipelines.old)).toEqual(await countedFromRecords(pipelines.old));
    expect(await summary(pipelines.fresh)).toEqual(await countedFromRecords(pipelines.fresh));
  });

  it('swaps while ingest goes on: no request fails, every record once, the new ones in partitions', async () => {
    const oldRecords = await fingerprint('records');
    const oldAttempts = await fingerprint('record_attempts');
    const summaryBefore = await summary();
    const [{ max: lastOldId }] = (await sql.query('SELECT max(id)::int AS max FROM records')).rows;

    // Writers keep reporting during the swap; each batch is acknowledged or the test fails.
    const acknowledged: string[] = [];
    let swapped = false;
    let afterSwap = 0;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      const run = await startRun(pipelines.fresh);
      for (let batch = 0; !swapped || afterSwap < 6; batch++) {
        const ids = Array.from({ length: 20 }, (_, i) => `swap-${w}-${batch}-${i}`);
        await report(
          run,
          ids.map((id) => record(id)),
        );
        acknowledged.push(...ids);
        if (swapped) afterSwap++;
      }
      await worker.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: run });
    });
    await eventually(async () => (acknowledged.length >= 60 ? true : undefined), 'writers under way');
    try {
      await server.instance.services.repartition.run();
    } finally {
      swapped = true;
      await Promise.all(writers);
    }

    const { rows: kinds } = await sql.query(
      `SELECT relname, relkind FROM pg_class WHERE relname LIKE 'record%' AND relkind IN ('r', 'p') AND relname NOT LIKE '%\\_p2%'
       AND relname NOT LIKE '%\\_default' AND relname NOT LIKE 'record\\_rollup%' AND relname <> 'record_start_marks' ORDER BY relname`,
    );
    expect(kinds).toEqual([
      { relname: 'record_attempts', relkind: 'p' },
      { relname: 'records', relkind: 'p' },
    ]);
    expect(await server.instance.services.repartition.progress()).toEqual([]);
    expect(await metric('syncwatch_repartition_rows')).toEqual([]);

    // Every record once: the old ones unchanged, each acknowledged one there once.
    expect(await fingerprint('records', `source_id NOT LIKE 'swap-%'`)).toEqual(oldRecords);
    expect(await fingerprint('record_attempts')).toEqual(oldAttempts);
    const { rows: written } = await sql.query(
      `SELECT count(*)::int AS n, count(DISTINCT source_id)::int AS distinct, count(DISTINCT id)::int AS ids FROM records
       WHERE source_id LIKE 'swap-%'`,
    );
    expect(written).toEqual([{ n: acknowledged.length, distinct: acknowledged.length, ids: acknowledged.length }]);
    // The summary: as before, plus the records written around the swap (all SUCCESS).
    expect(await summary()).toEqual({ ...summaryBefore, SUCCESS: summaryBefore.SUCCESS + acknowledged.length });

    // New records land in the partitions, with ids after the old ones.
    const { rows: landed } = await sql.query(
      `SELECT DISTINCT tableoid::regclass::text AS partition FROM records WHERE source_id LIKE 'swap-%' AND id > $1`,
      [lastOldId],
    );
    expect(landed.length).toBeGreaterThan(0);
    for (const { partition } of landed) expect(partition).toMatch(/^records_(p\d{8}|default)$/);
    expect((await sql.query(`SELECT min(id)::int AS min FROM records WHERE source_id LIKE 'swap-%'`)).rows[0].min).toBeGreaterThan(
      lastOldId,
    );

    // The start marks stand for the copied records as for the new ones: every record is within the days its start
    // bounds a list to.
    const { rows: unbounded } = await sql.query(
      'SELECT count(*)::int AS n FROM records WHERE records_keys_started_since(started_at) > run_created_at',
    );
    expect(unbounded).toEqual([{ n: 0 }]);

    // The swap says how long it held its locks and how long the copy took.
    const swapLog = logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'records swapped to partitions');
    expect(swapLog).toMatchObject({ lockMs: expect.any(Number), copySeconds: expect.any(Number) });
    expect(swapLog.rows.records).toBeGreaterThanOrEqual(oldRecords.n);

    // Error groups: the counts (made from the old records by migration 2960, then kept by triggers that moved with the
    // swap) say what the records say, each failure once. A filter the counts do not keep reads the records.
    const groups = async (filter: Record<string, unknown>) =>
      (
        await server.admin.ok<{ errorGroups: { count: number; runCount: number }[] }>(
          'query($r: DateRange, $f: RecordFilter) { errorGroups(range: $r, filter: $f) { fingerprint count runCount firstSeen lastSeen } }',
          { r: { from: ago(OLD_RUNS + 1) }, f: filter },
        )
      ).errorGroups;
    const bothWays = async (pipelineId: string) => {
      const counted = await groups({ pipelineIds: [pipelineId] });
      expect(counted).toEqual(await groups({ pipelineIds: [pipelineId], entityTypes: ['Account', 'Contact', 'Order'] }));
      return counted.map((group) => group.count);
    };
    expect((await bothWays(pipelines.old))[0]).toBeGreaterThan(0);
    const [freshBefore] = await bothWays(pipelines.fresh);
    const run = await startRun(pipelines.fresh);
    await report(run, [{ ...record('after-swap-failed', 'FAILED'), startedAt: new Date(Date.now() - 2 * 3_600_000).toISOString() }]);
    expect(await bothWays(pipelines.fresh)).toEqual([freshBefore + 1]);
  });
});
