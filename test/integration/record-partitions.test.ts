// Records and record attempts partitioned by their run's creation day (docs/scaling.md): the layout of a fresh
// installation, the partition key every write fills, reads of one run that plan one partition, and retention that
// drops whole days of records while ingest goes on, keeping every rollup and recording its CLEANUP run.
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../server/db/data-source.js';
import { RecordPartitions1700000002900 } from '../../server/db/migrations/1700000002900-RecordPartitions.js';
import { Role } from '../../server/domain/enums.js';
import { FAILED_RECORD_STATUSES } from '../../server/domain/record-outcome.js';
import type { StoredEvent } from '../../server/events/event-store.js';
import { type LiveEvent, materialize } from '../../server/events/live-event.js';
import { DAYS_AHEAD, markRecordStarts } from '../../server/services/housekeeping/partitions.js';
import { FAILURES_OF_RECORDS_SQL } from '../../server/sql/alerts.js';
import { LOCK_ORIGINALS_SQL } from '../../server/sql/attempts.js';
import { RETRY_RUN_KEYS_SQL } from '../../server/sql/ingest.js';
import { keyBoundsOf } from '../../server/sql/record-partitions.js';
import { TAKE_DUE_RETRIES_SQL } from '../../server/sql/retries.js';
import { createTestDatabase } from '../support/database.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

const DAY_MS = 86_400_000;
const RETENTION_DAYS = 30;

let server: TestServer;
let worker: GraphQLClient;
let operator: GraphQLClient;
let sql: pg.Client;

const utcDay = (offsetDays: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + offsetDays * DAY_MS);
const dayName = (table: string, offsetDays: number) => `${table}_p${utcDay(offsetDays).toISOString().slice(0, 10).replaceAll('-', '')}`;
/** The partition of `table` holding run `runId`'s rows: its creation's day (not today's, should the test cross midnight). */
const dayOfRun = async (table: string, runId: string) =>
  `${table}_p${(await sql.query<{ day: string }>(`SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYYMMDD') AS day FROM runs WHERE id = $1`, [runId])).rows[0].day}`;

beforeAll(async () => {
  // No background jobs: the test runs the leader's jobs itself, when it means to.
  server = await startTestServer({}, { jobs: false });
  worker = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
  sql = new pg.Client({ connectionString: server.databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

const partitionNames = async (table: string) => (await server.instance.services.partitions.partitions(table)).map((p) => p.name);
const count = async (query: string, values: unknown[] = []) => (await sql.query(query, values)).rows[0].n as number;

/** The partitions a plan reads: every scan on one of `table`'s partitions that ran (pruned ones never execute). */
function partitionsRead(plan: string, table: string): string[] {
  return plan
    .split('\n')
    .filter((line) => !line.includes('never executed'))
    .flatMap((line) => [...line.matchAll(new RegExp(`on (${table}_(?:p\\d{8}|default))\\b`, 'g'))].map((m) => m[1]));
}

/** The partitions a plan names, executed or not: those PostgreSQL planned (it prunes the others, if any, while planning). */
function partitionsPlanned(plan: string, table: string): Set<string> {
  return new Set([...plan.matchAll(new RegExp(`on (${table}_(?:p\\d{8}|default))\\b`, 'g'))].map((m) => m[1]));
}

describe('the layout', () => {
  it('partitions records and attempts by day, with a default partition and the days ahead; the rollup and error-group triggers on records', async () => {
    const { rows } = await sql.query(
      `SELECT relname AS name, relkind AS kind FROM pg_class WHERE relname IN ('records', 'record_attempts') ORDER BY relname`,
    );
    expect(rows).toEqual([
      { name: 'record_attempts', kind: 'p' },
      { name: 'records', kind: 'p' },
    ]);
    for (const table of ['records', 'record_attempts']) {
      expect(await partitionNames(table)).toEqual([
        `${table}_default`,
        ...Array.from({ length: DAYS_AHEAD + 1 }, (_, n) => dayName(table, n)),
      ]);
    }
    const { rows: triggers } = await sql.query(
      `SELECT tgname AS name FROM pg_trigger WHERE tgrelid = 'records'::regclass AND NOT tgisinternal ORDER BY tgname`,
    );
    expect(triggers.map((t) => t.name)).toEqual([
      'records_error_groups_insert',
      'records_error_groups_update',
      'records_rollup_insert',
      'records_rollup_update',
      'records_start_marks_insert',
      'records_start_marks_update',
    ]);
    // Keys named as on the unpartitioned table: an upsert's ON CONFLICT ON CONSTRAINT reads the same on both.
    const { rows: keys } = await sql.query(
      `SELECT conname AS name FROM pg_constraint WHERE conrelid IN ('records'::regclass, 'record_attempts'::regclass)
         AND contype IN ('p', 'u') ORDER BY conname`,
    );
    // /metrics says how far ahead the days of each reach: past the end of today plus DAYS_AHEAD days.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const table of ['records', 'record_attempts']) {
      const ahead = Number(new RegExp(`syncwatch_partitions_ahead_seconds\\{table="${table}"\\} ([\\d.e+]+)`).exec(metrics)?.[1]);
      expect(ahead).toBeGreaterThan(DAYS_AHEAD * 86_400);
      expect(ahead).toBeLessThanOrEqual((DAYS_AHEAD + 1) * 86_400);
    }
    expect(keys.map((k) => k.name)).toEqual([
      'record_attempts_pkey',
      'record_attempts_record_id_attempt_key',
      'records_pkey',
      'records_run_entity_source',
    ]);
  });

  it('has every column, index and statistics object of the unpartitioned tables, and the key', async () => {
    const oldLayout = new DataSource({
      type: 'postgres',
      url: await createTestDatabase('unpartitioned'),
      migrations: migrations.filter((m) => m !== RecordPartitions1700000002900),
    });
    await oldLayout.initialize();
    try {
      await oldLayout.runMigrations({ transaction: 'all' });
      const shape = async (query: (text: string) => Promise<Record<string, unknown>[]>) => ({
        columns: await query(
          `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                  pg_get_expr(d.adbin, d.adrelid) AS default, a.attgenerated AS generated, a.attidentity AS identity
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
           WHERE c.relname IN ('records', 'record_attempts') AND a.attnum > 0 AND NOT a.attisdropped AND a.attname <> 'run_created_at'
           ORDER BY 1, 2`,
        ),
        // Secondary indexes (the keys carry the partition key on the partitioned tables, by necessity).
        indexes: (
          await query(
            `SELECT indexname AS name, indexdef AS definition FROM pg_indexes i
             WHERE tablename IN ('records', 'record_attempts')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) ORDER BY 1`,
          )
        ).map((row) => ({ name: String(row.name), definition: String(row.definition).replace(' ON ONLY ', ' ON ') })),
        statistics: await query(
          `SELECT stxname AS name, pg_get_statisticsobjdef(oid) AS definition FROM pg_statistic_ext
           WHERE stxrelid IN ('records'::regclass, 'record_attempts'::regclass) ORDER BY 1`,
        ),
      });
      const partitioned = await shape(async (text) => (await sql.query(text)).rows);
      const unpartitioned = await shape((text) => oldLayout.query(text));
      // Indexes added since (migration 2970) are made on partitioned records only: an old table is swapped out.
      const addedSince = ['records_pipeline_ended'];
      expect({ ...partitioned, indexes: partitioned.indexes.filter((index) => !addedSince.includes(index.name)) }).toEqual(unpartitioned);
      expect(partitioned.indexes.map((index) => index.name)).toEqual(expect.arrayContaining(addedSince));
      expect(partitioned.indexes.length).toBe(20);
    } finally {
      await oldLayout.destroy();
    }
    const { rows } = await sql.query(
      `SELECT c.relname AS table, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relname IN ('records', 'record_attempts') AND a.attname = 'run_created_at' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { table: 'record_attempts', type: 'timestamp with time zone', not_null: true },
      { table: 'records', type: 'timestamp with time zone', not_null: true },
    ]);
  });

  it('every write fills the key with its run’s creation time: reports, new attempts, retry runs', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [
      recordInput('K-1', { status: 'FAILED', errorCode: 'E1', retryable: true }),
      recordInput('K-2', { status: 'FAILED', errorCode: 'E1', retryable: false }),
    ]);
    // Another outcome after a final one: the first attempt is archived in the history.
    await reportRecords(worker, run.id, [recordInput('K-2', { status: 'FAILED', errorCode: 'E2' })]);
    await finishRun(worker, run.id);
    const { retryRecords } = await operator.ok<{ retryRecords: { scheduled: number; retryRun: { id: string } } }>(
      'mutation($f: RecordFilter) { retryRecords(filter: $f) { scheduled retryRun { id } } }',
      { f: { runIds: [run.id] } },
    );
    expect(retryRecords.scheduled).toBeGreaterThan(0);

    const { rows } = await sql.query(
      `SELECT r.run_id, r.run_created_at = u.created_at AS same, r.tableoid::regclass::text AS partition
       FROM records r JOIN runs u ON u.id = r.run_id WHERE r.pipeline_id = $1`,
      [pipeline.id],
    );
    expect(rows.map((r) => r.run_id).sort()).toEqual([run.id, run.id, retryRecords.retryRun.id, retryRecords.retryRun.id].sort());
    expect(rows.every((r) => r.same && r.partition === dayName('records', 0))).toBe(true);
    const { rows: attempts } = await sql.query(
      `SELECT a.run_created_at = r.run_created_at AS same, a.tableoid::regclass::text AS partition
       FROM record_attempts a JOIN records r ON r.id = a.record_id WHERE r.run_id = $1`,
      [run.id],
    );
    expect(attempts).toEqual([{ same: true, partition: dayName('record_attempts', 0) }]);
  });
});

describe('an installation with records', () => {
  it('keeps its tables until they are copied, the partitioned ones beside; reports into its active runs keep finding their records', async () => {
    const databaseUrl = await createTestDatabase('installed');
    const before = new DataSource({
      type: 'postgres',
      url: databaseUrl,
      migrations: migrations.filter((m) => m !== RecordPartitions1700000002900),
    });
    await before.initialize();
    await before.runMigrations({ transaction: 'all' });
    const [{ id: pipelineId }] = await before.query(
      `INSERT INTO pipelines (name, source_system, target_system) VALUES ('installed', 'a', 'b') RETURNING id`,
    );
    const runs: { id: string }[] = await before.query(
      `INSERT INTO runs (pipeline_id, mode, status, started_at, ended_at, count_total, count_succeeded)
       VALUES ($1, 'MANUAL', 'RUNNING', now(), NULL, 2, 2), ($1, 'MANUAL', 'SUCCEEDED', now(), now(), 2, 2) RETURNING id`,
      [pipelineId],
    );
    const [active, finished] = runs.map((run) => run.id);
    await before.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, reported_status)
       SELECT r.id, r.pipeline_id, r.mode, 'Lead', 'I-' || g, 'CREATE', 'SUCCESS', 'SUCCESS' FROM runs r, generate_series(1, 2) g`,
    );
    await before.destroy();

    const installed = await startTestServer({}, { databaseUrl, jobs: false });
    const direct = new pg.Client({ connectionString: databaseUrl });
    await direct.connect();
    try {
      const { rows: kinds } = await direct.query(
        `SELECT relname AS name, relkind AS kind FROM pg_class
         WHERE relname IN ('records', 'record_attempts', 'records_partitioned', 'record_attempts_partitioned') ORDER BY relname`,
      );
      expect(kinds).toEqual([
        { name: 'record_attempts', kind: 'r' },
        { name: 'record_attempts_partitioned', kind: 'p' },
        { name: 'records', kind: 'r' },
        { name: 'records_partitioned', kind: 'p' },
      ]);
      const { rows: keys } = await direct.query(
        `SELECT r.run_id, r.run_created_at = u.created_at AS filled FROM records r JOIN runs u ON u.id = r.run_id
         ORDER BY u.status = 'RUNNING' DESC, r.id`,
      );
      expect(keys).toEqual([
        { run_id: active, filled: true },
        { run_id: active, filled: true },
        { run_id: finished, filled: null },
        { run_id: finished, filled: null },
      ]);
      // The partitioned tables' ids will continue after the old ones (4 records, no attempt yet).
      const { rows: starts } = await direct.query(
        `SELECT seqstart::int AS start FROM pg_sequence
         WHERE seqrelid IN (pg_get_serial_sequence('records_partitioned', 'id')::regclass,
                            pg_get_serial_sequence('record_attempts_partitioned', 'id')::regclass)
         ORDER BY seqstart DESC`,
      );
      expect(starts).toEqual([{ start: 5 }, { start: 1 }]);
      // A report into the active run after the upgrade: the record there is found and updated, not counted again.
      const workerKey = await installed.clientFor(Role.INGEST);
      const report = await reportRecords(workerKey, active, [recordInput('I-1', { entityType: 'Lead', status: 'SUCCESS' })]);
      expect(report.run.counts.total).toBe(2);
      expect((await direct.query('SELECT count(*)::int AS n FROM records WHERE run_id = $1', [active])).rows[0].n).toBe(2);
    } finally {
      await direct.end();
      await installed.stop();
    }
  });
});

describe('pruning', () => {
  it('a run’s records page and a record’s attempts read only that run’s partition', async () => {
    // Days before today, as a leader running then would have made them, each holding records.
    await server.instance.services.partitions.createDays(utcDay(-3), 3);
    const pipeline = await createPipeline(server.admin);
    for (const offset of [-3, -2, -1]) {
      const { rows } = await sql.query(
        `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at)
         VALUES ($1, 'SCHEDULED', 'SUCCEEDED', $2, $2, $2) RETURNING id`,
        [pipeline.id, new Date(utcDay(offset).getTime() + 3_600_000)],
      );
      await sql.query(
        `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, run_created_at)
         SELECT r.id, r.pipeline_id, r.mode, 'Lead', 'P-' || g, 'CREATE', 'SUCCESS', r.created_at FROM runs r, generate_series(1, 5) g
         WHERE r.id = $1`,
        [rows[0].id],
      );
    }
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [recordInput('P-1', { status: 'FAILED', errorCode: 'E1' })]);
    await reportRecords(worker, run.id, [recordInput('P-1', { status: 'FAILED', errorCode: 'E2' })]);

    const statements = await statementsDuring(server.instance.db, () =>
      operator.ok('query($id: ID!) { run(id: $id) { records(first: 10) { edges { node { id history { attempt errorCode } } } } } }', {
        id: run.id,
      }),
    );
    const page = statements.find((s) => s.query.includes('k.partition') && s.query.includes('"records"'));
    const history = statements.find((s) => s.query.includes('"record_attempts"'));
    expect(page && history).toBeTruthy();
    const explain = async (statement: { query: string; parameters: unknown[] }) =>
      (await sql.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${statement.query}`, statement.parameters)).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    const pagePlan = await explain(page as { query: string; parameters: unknown[] });
    // The page: the run's day only. Rows without a key (an upgrade's uncopied rows on the old table) are not looked
    // for once the records are partitioned (RecordLayout); before, they were, in the default partition. The history
    // reads by the record's own key: its day only.
    expect(partitionsRead(pagePlan, 'records')).toEqual([dayName('records', 0), dayName('records', 0)]);
    const historyPlan = await explain(history as { query: string; parameters: unknown[] });
    expect(partitionsRead(historyPlan, 'record_attempts')).toEqual([dayName('record_attempts', 0)]);

    // A live event of the run's records is hydrated from the run's day (and the default), not from every day.
    const { rows: written } = await sql.query<{ id: string }>('SELECT id::text FROM records WHERE run_id = $1', [run.id]);
    const event: StoredEvent = {
      kind: 'records',
      runId: run.id,
      pipelineId: pipeline.id,
      tenantId: null,
      payload: { recordIds: written.map((row) => row.id) },
      position: { xid: 1n, id: 1n },
    };
    let live: LiveEvent[] = [];
    const hydration = await statementsDuring(server.instance.db, async () => {
      live = await materialize(server.instance.db, [event], { runs: false, records: true });
    });
    expect(live.flatMap((e) => (e.kind === 'records' ? e.records.map((record) => record.id) : []))).toEqual(written.map((row) => row.id));
    const read = hydration.find((s) => s.query.includes('FROM "records"'));
    const readPlan = await explain(read as { query: string; parameters: unknown[] });
    expect(new Set(partitionsRead(readPlan, 'records'))).toEqual(new Set([dayName('records', 0), 'records_default']));
    // Planned for those days only: the run read first gives its day as values.
    expect(partitionsPlanned(readPlan, 'records')).toEqual(new Set([dayName('records', 0), 'records_default']));
  });
});

describe('plans of one run', () => {
  it('a report’s upsert and a run’s records list plan only the run’s day, not every day kept', async () => {
    // A month of days, as an installation keeps them: a statement that prunes only as it runs plans each of them,
    // and the report's lookup of earlier records was planned as a read of the whole run for every entry.
    await server.instance.services.partitions.createDays(utcDay(-30), 30);
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    const reported = await statementsDuring(server.instance.db, () =>
      reportRecords(worker, run.id, [recordInput('Q-1'), recordInput('Q-2', { status: 'FAILED', errorCode: 'E1' })]),
    );
    const listed = await statementsDuring(server.instance.db, () =>
      operator.ok('query($runId: ID!) { records(filter: { runIds: [$runId] }, first: 10) { edges { node { id } } } }', { runId: run.id }),
    );
    const nested = await statementsDuring(server.instance.db, () =>
      operator.ok('query($id: ID!) { run(id: $id) { records(first: 10) { totalCount edges { node { id } } } } }', { id: run.id }),
    );
    // A page of runs reads only the fields asked for: their creation comes with their records.
    const runsPage = await statementsDuring(server.instance.db, () =>
      operator.ok(
        'query($p: ID!) { runs(filter: { pipelineIds: [$p] }) { edges { node { records(first: 10) { edges { node { id } } } } } } }',
        {
          p: pipeline.id,
        },
      ),
    );
    const plan = async (statement: { query: string; parameters: unknown[] } | undefined) => {
      expect(statement).toBeTruthy();
      const { query, parameters } = statement as { query: string; parameters: unknown[] };
      return (await sql.query(`EXPLAIN (COSTS OFF) ${query}`, parameters)).rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const today = new Set([await dayOfRun('records', run.id)]);
    expect(partitionsPlanned(await plan(reported.find((s) => s.query.includes('jsonb_to_recordset'))), 'records')).toEqual(today);
    expect(
      partitionsPlanned(await plan(listed.find((s) => s.query.includes('"records"') && s.query.includes('LIMIT'))), 'records'),
    ).toEqual(today);
    const pages = nested.filter((s) => s.query.includes('"records"') || s.query.includes('records rec'));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) expect(partitionsPlanned(await plan(page), 'records')).toEqual(today);
    const runsPages = runsPage.filter((s) => s.query.includes('"records"') || s.query.includes('records rec'));
    expect(runsPages.length).toBeGreaterThanOrEqual(1);
    for (const page of runsPages) expect(partitionsPlanned(await plan(page), 'records')).toEqual(today);
  });
});

describe('a report into a run the statistics have not seen', () => {
  it('looks each entry up by its key, never reading the whole run', async () => {
    // A day whose statistics know two big runs only: a new run is then expected to hold one row, and a probe planned
    // as a join read the whole run for the batch, or for each entry (8.8 s a batch at 30,000 records).
    const pipeline = await createPipeline(server.admin);
    for (let n = 0; n < 2; n++) {
      const run = await startRun(worker, pipeline.id);
      await sql.query(
        `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, retryable, run_created_at)
         SELECT r.id, r.pipeline_id, r.mode, 'Lead', 'S-' || g, 'CREATE', 'SUCCESS', false, r.created_at
         FROM runs r, generate_series(1, 3000) g WHERE r.id = $1`,
        [run.id],
      );
    }
    await sql.query('ANALYZE records');
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [recordInput('N-1')]);
    const reported = await statementsDuring(server.instance.db, () =>
      reportRecords(worker, run.id, [recordInput('N-1'), recordInput('N-2')]),
    );
    const upsert = reported.find((s) => s.query.includes('jsonb_to_recordset'));
    expect(upsert).toBeTruthy();
    const { query, parameters } = upsert as { query: string; parameters: unknown[] };
    const plan: string[] = (await sql.query(`EXPLAIN (COSTS OFF) ${query}`, parameters)).rows.map((row) => row['QUERY PLAN']);
    const probe = plan.slice(
      plan.findIndex((line) => line.includes('CTE previous')),
      plan.findIndex((line) => line.includes('CTE attempt')),
    );
    const conditions = probe.filter((line) => line.includes('Index Cond'));
    expect(probe.join('\n')).toContain(`on ${await dayOfRun('records', run.id)}`);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatch(/entity_type = i\.entity_type\).*\(source_id = i\.source_id\)/);

    // A retry run's statements look up a batch's records by key the same way (planned here for the new run), within
    // the run's day (and the default partition, for rows without a key).
    const [{ created_at: createdAt }] = (await sql.query('SELECT created_at FROM runs WHERE id = $1', [run.id])).rows;
    for (const statement of [RETRY_RUN_KEYS_SQL, LOCK_ORIGINALS_SQL]) {
      const values = [run.id, ['Lead', 'Lead'], ['N-1', 'N-2'], ...keyBoundsOf([createdAt])];
      const retryPlan = (await sql.query(`EXPLAIN (COSTS OFF) ${statement}`, values)).rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(retryPlan).toMatch(/Index Cond: \(\(run_id = .*\(entity_type = k\.entity_type\).*\(source_id = k\.source_id\)/);
      if (statement === RETRY_RUN_KEYS_SQL) {
        expect(partitionsPlanned(retryPlan, 'records')).toEqual(new Set([await dayOfRun('records', run.id), 'records_default']));
      }
    }
  });
});

describe('statistics', () => {
  it('every day of records, made by the migrations or later, has the dependency statistics of run and key', async () => {
    // Today and the days ahead made by migration 2900 (then given them by 2950), past days by the leader's code.
    await server.instance.services.partitions.createDays(utcDay(-3), 3);
    const { rows } = await sql.query(
      `SELECT c.relname AS partition, s.stxname AS statistics FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       LEFT JOIN pg_statistic_ext s ON s.stxrelid = c.oid AND s.stxname = c.relname || '_run_key'
       WHERE i.inhparent = 'records'::regclass ORDER BY 1`,
    );
    expect(rows.length).toBeGreaterThan(DAYS_AHEAD + 2);
    expect(rows.filter((row) => row.statistics === null)).toEqual([]);
    expect(rows.map((row) => row.partition)).toEqual(expect.arrayContaining([dayName('records', -3), dayName('records', 0)]));
  });
});

describe('reads by record id', () => {
  it('due retries and error-group failures read only the days of their records’ runs', async () => {
    // A failed record with its retry due, in a run of two days ago, among days of their own.
    await server.instance.services.partitions.createDays(utcDay(-3), 3);
    const pipeline = await createPipeline(server.admin);
    const { rows: runs } = await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at)
       VALUES ($1, 'SCHEDULED', 'FAILED', $2, $2, $2) RETURNING id`,
      [pipeline.id, new Date(utcDay(-2).getTime() + 3_600_000)],
    );
    const runId = runs[0].id as string;
    const { rows: due } = await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, retryable, error_code,
                            error_fingerprint, next_retry_at, run_created_at)
       SELECT r.id, r.pipeline_id, r.mode, 'Lead', 'DUE-1', 'CREATE', 'FAILED', true, 'E1', 'fp-due', now() - interval '1 minute', r.created_at
       FROM runs r WHERE r.id = $1 RETURNING id::text`,
      [runId],
    );
    // Planned as over millions of rows: a probe by key for each row taken, not a hash of every partition.
    const explain = async (query: string, values: unknown[]) => {
      await sql.query('BEGIN');
      try {
        await sql.query('SET LOCAL enable_hashjoin = off');
        await sql.query('SET LOCAL enable_mergejoin = off');
        return (await sql.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${query}`, values)).rows
          .map((row) => row['QUERY PLAN'])
          .join('\n');
      } finally {
        await sql.query('ROLLBACK');
      }
    };
    const runDay = new Set([dayName('records', -2), 'records_default']);
    // Which retries are due is asked of every day (one probe of each day's next_retry_at index); the rows taken are
    // then updated in their own day only (the statement's target, alias r).
    const duePlan = await explain(TAKE_DUE_RETRIES_SQL, [10]);
    const updated = duePlan
      .split('\n')
      .filter((line) => / r_\d+ \(/.test(line))
      .join('\n');
    expect(new Set(partitionsRead(updated, 'records'))).toEqual(runDay);
    const failuresPlan = await explain(FAILURES_OF_RECORDS_SQL, [due.map((row) => row.id), FAILED_RECORD_STATUSES, [runId]]);
    expect(new Set(partitionsRead(failuresPlan, 'records'))).toEqual(runDay);
  });
});

describe('records lists by start', () => {
  it('a list since a time, in another order than the start’s, reads only the days holding records started since', async () => {
    await server.instance.services.partitions.createDays(utcDay(-3), 3);
    const pipeline = await createPipeline(server.admin);
    // Records that start later than any other of this database: one in a run of two days ago, one in today's.
    const hour = 3_600_000;
    const later = async (offset: number, startsIn: number, sourceId: string) => {
      const { rows } = await sql.query(
        `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at) VALUES ($1, 'SCHEDULED', 'RUNNING', $2, $2) RETURNING id`,
        [pipeline.id, offset === 0 ? new Date() : new Date(utcDay(offset).getTime() + hour)],
      );
      await sql.query(
        `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, ended_at, latency_ms, run_created_at)
         SELECT r.id, r.pipeline_id, r.mode, 'Lead', $2, 'CREATE', 'FAILED', now() + $3 * interval '1 ms', now() + $3 * interval '1 ms', 5, r.created_at
         FROM runs r WHERE r.id = $1`,
        [rows[0].id, sourceId, startsIn],
      );
    };
    await later(-2, hour, 'LATER-OLD-RUN');
    await later(0, 2 * hour, 'LATER-TODAY');

    const pageSince = async (from: Date, field = 'LATENCY') => {
      let sources: string[] = [];
      const statements = await statementsDuring(server.instance.db, async () => {
        const { records } = await operator.ok<{ records: { edges: { node: { sourceId: string } }[] } }>(
          'query($f: RecordFilter, $o: RecordOrder) { records(filter: $f, orderBy: $o, first: 10) { edges { node { sourceId } } } }',
          { f: { startedAt: { from: from.toISOString() } }, o: { field, direction: 'DESC' } },
        );
        sources = records.edges.map((edge) => edge.node.sourceId).sort();
      });
      const page = statements.find((s) => s.query.includes('FROM "records"') && s.query.includes('LIMIT'));
      const plan = (await sql.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${page?.query}`, page?.parameters)).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
      return { sources, read: new Set(partitionsRead(plan, 'records')) };
    };
    const days = (from: number) => [
      ...Array.from({ length: DAYS_AHEAD + 1 - from }, (_, n) => dayName('records', from + n)),
      'records_default',
    ];

    // Since 30 minutes from now: both records; the days from the older one's on.
    const both = await pageSince(new Date(Date.now() + hour / 2));
    expect(both.sources).toEqual(['LATER-OLD-RUN', 'LATER-TODAY']);
    expect(both.read).toEqual(new Set(days(-2)));
    // Since 90 minutes from now: today's only; no day before today is read.
    const today = await pageSince(new Date(Date.now() + 1.5 * hour));
    expect(today.sources).toEqual(['LATER-TODAY']);
    expect(today.read).toEqual(new Set(days(0)));
    // In the start's order too: the days are planned from the bound, not walked from the newest until the start.
    expect(await pageSince(new Date(Date.now() + hour / 2), 'STARTED_AT')).toEqual(both);
    // The leader leaves one start mark a day, its latest: the same days are read, the same records found.
    await later(0, hour / 4, 'EARLIER-TODAY');
    expect(await server.instance.services.partitions.pruneStartMarks()).toBeGreaterThan(0);
    const { rows: doubled } = await sql.query('SELECT day FROM record_start_marks GROUP BY day HAVING count(*) > 1');
    expect(doubled).toEqual([]);
    expect(await pageSince(new Date(Date.now() + hour / 2))).toEqual(both);
    expect(await pageSince(new Date(Date.now() + 1.5 * hour))).toEqual(today);
    // A record in the default partition (its run's day was never made) may have any key: found, and no day skipped.
    const { rows: strayRun } = await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at) VALUES ($1, 'SCHEDULED', 'RUNNING', $2, $2) RETURNING id`,
      [pipeline.id, new Date(utcDay(-40).getTime() + hour)],
    );
    await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, ended_at, latency_ms, run_created_at)
       SELECT r.id, r.pipeline_id, r.mode, 'Lead', 'LATER-STRAY', 'CREATE', 'FAILED', now() + interval '150 minutes', now() + interval '150 minutes', 5, r.created_at
       FROM runs r WHERE r.id = $1`,
      [strayRun[0].id],
    );
    const stray = await pageSince(new Date(Date.now() + 2.25 * hour));
    expect(stray.sources).toEqual(['LATER-STRAY']);
    expect(stray.read).toContain('records_default');
    // Marks made afresh from what the days hold (as migration 2980 makes them, the default partition's by run) bound
    // every record as the triggers' did.
    const unbounded = () => count('SELECT count(*)::int AS n FROM records WHERE records_keys_started_since(started_at) > run_created_at');
    await sql.query('DELETE FROM record_start_marks');
    expect(await unbounded()).toBeGreaterThan(0);
    await markRecordStarts(server.instance.db, 'records');
    expect(await unbounded()).toBe(0);
    expect(await pageSince(new Date(Date.now() + 2.25 * hour))).toEqual(stray);
    // Since later than any record: none.
    const none = await pageSince(new Date(Date.now() + 3 * hour));
    expect(none.sources).toEqual([]);
    expect(none.read).toEqual(new Set(['records_default']));
    // A record of an old day reported again with a later start (an upsert's update): found since then, in its day.
    await sql.query(`UPDATE records SET started_at = now() + interval '4 hours' WHERE source_id = 'LATER-OLD-RUN'`);
    const moved = await pageSince(new Date(Date.now() + 3.5 * hour));
    expect(moved.sources).toEqual(['LATER-OLD-RUN']);
    expect(moved.read).toContain(dayName('records', -2));
    // The stray's day is one the retention tests below make and expire: it goes with its run.
    await sql.query('DELETE FROM records WHERE run_id = $1', [strayRun[0].id]);
    await sql.query('DELETE FROM runs WHERE id = $1', [strayRun[0].id]);
  });
});

describe('start marks', () => {
  it('are pruned to the latest of each day, however many piled up, one of its ties kept', async () => {
    // Marks of days long before any record here (they bound nothing the other tests read): 3,000 of one day, the
    // latest three times, and a few of the next day.
    await sql.query(`
      INSERT INTO record_start_marks (day, latest_start)
      SELECT timestamptz '2001-01-01Z', timestamptz '2001-01-01Z' + (g % 1000) * interval '1 minute' FROM generate_series(1, 3000) g
      UNION ALL
      SELECT timestamptz '2001-01-02Z', timestamptz '2001-01-02Z' + g * interval '1 hour' FROM generate_series(1, 5) g`);
    expect(await server.instance.services.partitions.pruneStartMarks()).toBeGreaterThanOrEqual(3000 - 1 + 5 - 1);
    const { rows } = await sql.query(
      `SELECT to_char(day AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, latest_start, count(*)::int AS n FROM record_start_marks
       WHERE day < '2002-01-01Z'
       GROUP BY 1, 2 ORDER BY 1`,
    );
    expect(rows).toEqual([
      { day: '2001-01-01', latest_start: new Date('2001-01-01T16:39:00Z'), n: 1 },
      { day: '2001-01-02', latest_start: new Date('2001-01-02T05:00:00Z'), n: 1 },
    ]);
    await sql.query(`DELETE FROM record_start_marks WHERE day < '2002-01-01Z'`);
  });
});

describe('retention by partition', () => {
  const sum = async (pipelineId: string) => {
    const { syncSummary } = await server.admin.ok<{ syncSummary: { totalSynced: { value: number }; totalErrors: { value: number } } }>(
      `query($r: DateRange, $f: RecordFilter) { syncSummary(range: $r, filter: $f) { totalSynced { value } totalErrors { value } } }`,
      { r: { from: utcDay(-60).toISOString(), to: utcDay(2).toISOString() }, f: { pipelineIds: [pipelineId] } },
    );
    return syncSummary;
  };
  const rollupsOf = async (pipelineId: string) =>
    (
      await sql.query('SELECT * FROM record_rollups WHERE pipeline_id = $1 ORDER BY tier, cube, bucket_start, entity_type, status', [
        pipelineId,
      ])
    ).rows;

  /**
   * Runs created `offset` days from today, written in SQL: the API creates a run now, and only a run created that long
   * ago lands in an old day's partition. Each has 3 records in its day's partition.
   */
  async function oldRuns(pipelineId: string, offset: number, runs: number, status: string, endedDaysAgo: number | null) {
    const created = new Date(utcDay(offset).getTime() + 3_600_000);
    const { rows } = await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at, ended_at, count_total, count_created, count_succeeded)
       SELECT $1, 'SCHEDULED', $2::run_status, $3, $3, $4, 3, 3, 3 FROM generate_series(1, $5) RETURNING id`,
      [pipelineId, status, created, endedDaysAgo === null ? null : new Date(Date.now() - endedDaysAgo * DAY_MS), runs],
    );
    const ids = rows.map((row) => row.id as string);
    await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, ended_at, latency_ms, run_created_at)
       SELECT r.id, r.pipeline_id, r.mode, 'Lead', 'OLD-' || g, 'CREATE', 'SUCCESS', r.created_at + interval '1 minute',
              r.created_at + interval '2 minutes', 40, r.created_at
       FROM runs r, generate_series(1, 3) g WHERE r.id = ANY($1::uuid[])`,
      [ids],
    );
    return ids;
  }

  it('leaves a day whose index is being built to a later round, without locking records meanwhile', async () => {
    const partitions = server.instance.services.partitions;
    await partitions.createDays(utcDay(-50), 1);
    const pipeline = await createPipeline(server.admin);
    await oldRuns(pipeline.id, -50, 1, 'SUCCEEDED', RETENTION_DAYS + 15);
    await server.instance.services.rollups.fold();
    const day = dayName('records', -50);
    // A build that waits for an older snapshot to end: shown in pg_stat_progress_create_index all the while.
    const snapshot = new pg.Client({ connectionString: server.databaseUrl });
    const builder = new pg.Client({ connectionString: server.databaseUrl });
    await Promise.all([snapshot.connect(), builder.connect()]);
    try {
      await snapshot.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await snapshot.query('SELECT count(*) FROM pipelines');
      const build = builder.query(`CREATE INDEX CONCURRENTLY ${day}_being_built ON ${day} (latency_ms)`);
      build.catch(() => {});
      for (let tries = 0; ; tries++) {
        const { rows } = await sql.query('SELECT count(*)::int AS n FROM pg_stat_progress_create_index WHERE relid = $1::regclass', [day]);
        if (rows[0].n > 0) break;
        if (tries > 200) throw new Error('the build never showed');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      let dropped: string[] = [];
      const statements = await statementsDuring(server.instance.db, async () => {
        dropped = await partitions.dropExpiredRecordDays(RETENTION_DAYS);
      });
      expect(dropped).not.toContain(day);
      // No drop was tried: its lock of records would have held every writer while it waited for the build.
      expect(statements.some(({ query }) => /^LOCK TABLE records\b|DETACH PARTITION/.test(query))).toBe(false);
      await snapshot.query('COMMIT');
      await build;
    } finally {
      await Promise.all([snapshot.end(), builder.end()]);
    }
    expect(await partitions.dropExpiredRecordDays(RETENTION_DAYS)).toContain(day);
    // Its run would be the next retention round's to purge: the tests after count theirs.
    await sql.query('DELETE FROM runs WHERE pipeline_id = $1', [pipeline.id]);
  });

  it('takes a dropped day’s failures out of the error groups at once, before its runs are purged', async () => {
    const partitions = server.instance.services.partitions;
    await partitions.createDays(utcDay(-45), 1);
    const pipeline = await createPipeline(server.admin);
    const [expired] = await oldRuns(pipeline.id, -45, 1, 'SUCCEEDED', RETENTION_DAYS + 14);
    await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, error_code, error_fingerprint,
                            started_at, run_created_at)
       SELECT id, pipeline_id, mode, 'Lead', 'OLD-FAILED', 'CREATE', 'FAILED', 'E_OLD', 'fedcba9876543210', created_at, created_at
       FROM runs WHERE id = $1`,
      [expired],
    );
    await server.instance.services.rollups.fold();
    await server.instance.services.errorGroupCounts.fold();
    const cells = () => count('SELECT count(*)::int AS n FROM error_group_counts WHERE run_id = $1', [expired]);
    expect(await cells()).toBe(1);

    expect(await partitions.dropExpiredRecordDays(RETENTION_DAYS)).toContain(dayName('records', -45));
    expect(await count('SELECT count(*)::int AS n FROM runs WHERE id = $1', [expired])).toBe(1);
    expect(await cells()).toBe(0);
    // The run goes with the row-wise purge after, as retention does it (and leaves the next test its own runs only).
    expect(await server.instance.services.retention.purgeExpired(RETENTION_DAYS)).toMatchObject({ runsDeleted: 1 });
  });

  it('drops a day whose runs all ended long ago, keeps the others and every rollup, records the CLEANUP run, while ingest goes on', async () => {
    const partitions = server.instance.services.partitions;
    await partitions.createDays(utcDay(-40), 3);
    const pipeline = await createPipeline(server.admin);
    const expired = await oldRuns(pipeline.id, -40, 2, 'SUCCEEDED', RETENTION_DAYS + 9);
    const [active] = await oldRuns(pipeline.id, -39, 1, 'RUNNING', null);
    const [endedLater] = await oldRuns(pipeline.id, -38, 1, 'SUCCEEDED', 10);
    // An archived attempt of an expired record, and a later retry's attempt pointing at it as its original.
    const { rows: doomed } = await sql.query(`SELECT id, run_id FROM records WHERE run_id = $1 ORDER BY id LIMIT 1`, [expired[0]]);
    await sql.query(
      `INSERT INTO record_attempts (record_id, attempt, run_id, status, run_created_at)
       SELECT id, 1, run_id, 'FAILED', run_created_at FROM records WHERE id = $1`,
      [doomed[0].id],
    );
    const recent = await startRun(worker, pipeline.id);
    await reportRecords(worker, recent.id, [recordInput('NEW-1'), recordInput('NEW-2', { status: 'FAILED', errorCode: 'E1' })]);
    await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, origin_record_id, run_created_at)
       SELECT id, pipeline_id, mode, 'Lead', 'RETRIED', 'CREATE', 'SUCCESS', $2, created_at FROM runs WHERE id = $1`,
      [recent.id, doomed[0].id],
    );

    const marksOf = (day: number) =>
      count('SELECT count(*)::int AS n FROM record_start_marks WHERE day >= $1 AND day < $2', [utcDay(day), utcDay(day + 1)]);
    expect(await marksOf(-40)).toBeGreaterThan(0);

    // The old records' rollup deltas are not folded yet: no day is dropped before they are.
    expect(await partitions.dropExpiredRecordDays(RETENTION_DAYS)).toEqual([]);
    await server.instance.services.rollups.fold();
    const summaryBefore = await sum(pipeline.id);
    expect(summaryBefore.totalSynced.value).toBe(4 * 3 + 2);
    const rollupsBefore = await rollupsOf(pipeline.id);

    // Another pipeline's worker reports into today's partition throughout.
    const live = await createPipeline(server.admin);
    const liveRun = await startRun(worker, live.id);
    let reporting = true;
    let acknowledged = 0;
    const ingest = (async () => {
      for (let batch = 0; reporting; batch++) {
        const report = await reportRecords(
          worker,
          liveRun.id,
          Array.from({ length: 20 }, (_, i) => recordInput(`LIVE-${batch}-${i}`)),
        );
        acknowledged += report.accepted;
      }
    })();
    let outcome: { runsDeleted: number; recordsDeleted: number };
    try {
      while (acknowledged < 100) await new Promise((resolve) => setTimeout(resolve, 20));
      outcome = await server.instance.services.retention.purgeExpired(RETENTION_DAYS);
      const after = acknowledged;
      while (acknowledged < after + 100) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      reporting = false;
      await ingest;
    }
    expect(await count('SELECT count(*)::int AS n FROM records WHERE run_id = $1', [liveRun.id])).toBe(acknowledged);

    // The expired day is gone whole, attempts first; the days with a run active or ended later stay.
    expect(outcome).toEqual({ runsDeleted: 2, recordsDeleted: 6 });
    expect(await partitionNames('records')).not.toContain(dayName('records', -40));
    expect(await partitionNames('record_attempts')).not.toContain(dayName('record_attempts', -40));
    expect(await partitionNames('records')).toEqual(expect.arrayContaining([dayName('records', -39), dayName('records', -38)]));
    // The day's start marks go with it; the next day's stay.
    expect(await marksOf(-40)).toBe(0);
    expect(await marksOf(-39)).toBeGreaterThan(0);
    expect(await count('SELECT count(*)::int AS n FROM runs WHERE id = ANY($1::uuid[])', [expired])).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM records WHERE run_id = ANY($1::uuid[])', [[active, endedLater]])).toBe(6);
    expect(await count('SELECT count(*)::int AS n FROM records WHERE run_id = $1', [recent.id])).toBe(3);

    // Nothing points at what went.
    expect(await count('SELECT count(*)::int AS n FROM records WHERE source_id = $1 AND origin_record_id IS NOT NULL', ['RETRIED'])).toBe(
      0,
    );
    expect(
      await count('SELECT count(*)::int AS n FROM record_attempts a WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = a.record_id)'),
    ).toBe(0);

    // Every rollup kept; the CLEANUP run counts what went, from the runs.
    expect(await rollupsOf(pipeline.id)).toEqual(rollupsBefore);
    expect(await sum(pipeline.id)).toEqual(summaryBefore);
    const { runs } = await server.admin.ok<{ runs: { edges: { node: { status: string; counts: { deleted: number } } }[] } }>(
      'query($p: [ID!]) { runs(filter: { pipelineIds: $p, modes: [CLEANUP] }) { edges { node { status counts { deleted } } } } }',
      { p: [pipeline.id] },
    );
    expect(runs.edges.map((e) => e.node)).toEqual([{ status: 'SUCCEEDED', counts: { deleted: 6 } }]);
  });

  it('the row-wise purge (purgeHistory) takes attempts with their records and clears origins pointing at them', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id, { startedAt: new Date(Date.now() - 41 * DAY_MS).toISOString() });
    await reportRecords(worker, run.id, [recordInput('R-1', { status: 'FAILED', errorCode: 'E1', retryable: true })]);
    await reportRecords(worker, run.id, [recordInput('R-1', { status: 'FAILED', errorCode: 'E2', retryable: true })]);
    await finishRun(worker, run.id, { endedAt: new Date(Date.now() - 40 * DAY_MS).toISOString() });
    const { retryRecords } = await operator.ok<{ retryRecords: { retryRun: { id: string } } }>(
      'mutation($f: RecordFilter) { retryRecords(filter: $f) { retryRun { id } } }',
      { f: { runIds: [run.id] } },
    );
    const { rows: original } = await sql.query('SELECT id FROM records WHERE run_id = $1', [run.id]);
    expect(await count('SELECT count(*)::int AS n FROM record_attempts WHERE record_id = $1', [original[0].id])).toBe(1);

    const { purgeHistory } = await server.admin.ok<{ purgeHistory: { runsDeleted: number } }>(
      'mutation { purgeHistory(olderThanDays: 30) { runsDeleted } }',
    );
    expect(purgeHistory.runsDeleted).toBeGreaterThanOrEqual(1);
    expect(await count('SELECT count(*)::int AS n FROM record_attempts WHERE record_id = $1', [original[0].id])).toBe(0);
    const { rows: attempt } = await sql.query('SELECT origin_record_id FROM records WHERE run_id = $1', [retryRecords.retryRun.id]);
    expect(attempt).toEqual([{ origin_record_id: null }]);
  });
});
