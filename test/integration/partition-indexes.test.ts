// An index a migration adds to partitioned records after installations have days of them (migration 2970 made
// `records_pipeline_ended` so): made ON ONLY the parent, each day's own built CONCURRENTLY by the leader and attached,
// while ingest goes on; a day made meanwhile gets its own as it is attached, and a build cut short is built again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { laterRecordIndexSql } from '../../server/sql/record-partitions.js';
import { createPipeline, finishRun, recordInput, reportRecords, startRun, successes } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY_MS = 86_400_000;
const INDEX = 'records_pipeline_ended';

let server: TestServer;
let worker: GraphQLClient;
let sql: pg.Client;

beforeAll(async () => {
  // No background jobs: the test runs the leader's job itself.
  server = await startTestServer({}, { jobs: false });
  worker = await server.clientFor(Role.INGEST);
  sql = new pg.Client({ connectionString: server.databaseUrl });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await server?.stop();
});

const build = () => server.instance.services.partitionIndexes.buildMissing();
const isValid = async () =>
  (await sql.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = $1::regclass`, [INDEX])).rows[0].valid;
/** Each partition of records, and its index attached to INDEX (null for none). */
async function attached(): Promise<Map<string, string | null>> {
  const { rows } = await sql.query<{ partition: string; index: string | null }>(
    `SELECT c.relname AS partition,
            (SELECT xc.relname FROM pg_inherits a JOIN pg_index x ON x.indexrelid = a.inhrelid JOIN pg_class xc ON xc.oid = x.indexrelid
             WHERE a.inhparent = $1::regclass AND x.indrelid = c.oid) AS index
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'records'::regclass ORDER BY 1`,
    [INDEX],
  );
  return new Map(rows.map((row) => [row.partition, row.index]));
}
/** The index as an installation that had records before migration 2970 has it right after it ran. */
async function asJustMigrated(): Promise<void> {
  await sql.query(`DROP INDEX ${INDEX}`);
  await sql.query(laterRecordIndexSql('records', 'pipeline_ended'));
}

describe('an index added to partitioned records', () => {
  it('is made on every day by the leader, newest first, without stopping ingest, and then used', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, successes(20, 'before'));
    await asJustMigrated();
    expect(await isValid()).toBe(false);
    expect([...(await attached()).values()].every((index) => index === null)).toBe(true);

    // A day made before the leader builds gets its index as it is attached.
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    await server.instance.services.partitions.createDays(new Date(today + 10 * DAY_MS), 1);
    const later = `records_p${new Date(today + 10 * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`;
    expect((await attached()).get(later)).not.toBeNull();

    // Ingest goes on while the days are indexed.
    const [built] = await Promise.all([build(), reportRecords(worker, run.id, successes(20, 'during'))]);
    await finishRun(worker, run.id);
    expect(built.length).toBeGreaterThan(0);
    // Newest day first (the days lists read most), the default partition last.
    expect(built).toEqual([...built].sort().reverse());
    expect(await isValid()).toBe(true);
    const indexes = await attached();
    for (const [partition, index] of indexes) expect(index, partition).not.toBeNull();
    expect(await build()).toEqual([]);

    // The pipeline's records by end read the new index.
    const plan = (
      await sql.query(`EXPLAIN SELECT id FROM records WHERE pipeline_id = $1 ORDER BY ended_sort DESC, id DESC LIMIT 10`, [pipeline.id])
    ).rows
      .map((row) => row['QUERY PLAN'])
      .join('\n');
    expect(plan).toMatch(/pipeline_ended/);
    const { records } = await worker.ok<{ records: { edges: { node: { sourceId: string } }[] } }>(
      `query($filter: RecordFilter) { records(filter: $filter, orderBy: { field: ENDED_AT, direction: DESC }, first: 50) { edges { node { sourceId } } } }`,
      { filter: { pipelineIds: [pipeline.id] } },
    );
    expect(records.edges).toHaveLength(40);
  });

  it('leaves a day whose build another session holds (a build still running for a process gone), and an upgrade’s tables beside', async () => {
    await asJustMigrated();
    const { rows } = await sql.query<{ partition: string }>(
      `SELECT c.relname AS partition FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'records'::regclass AND c.relname <> 'records_default' ORDER BY 1 LIMIT 1`,
    );
    const held = `${rows[0].partition}_pipeline_ended`;
    const other = new pg.Client({ connectionString: server.databaseUrl });
    await other.connect();
    // The beside tables of an upgrade still copying: swapped in under locks a build would hold up.
    await sql.query(`CREATE TABLE records_partitioned (k int, v int) PARTITION BY RANGE (k)`);
    await sql.query(`CREATE TABLE records_partitioned_p1 PARTITION OF records_partitioned FOR VALUES FROM (0) TO (10)`);
    await sql.query(`CREATE INDEX records_partitioned_pipeline_ended ON ONLY records_partitioned (v)`);
    try {
      await other.query('SELECT pg_advisory_lock(7130002, hashtext($1))', [held]);
      const built = await build();
      expect(built).not.toContain(held);
      expect(built.some((name) => name.startsWith('records_partitioned'))).toBe(false);
      expect((await attached()).get(rows[0].partition)).toBeNull();
      expect(await isValid()).toBe(false);
      await other.query('SELECT pg_advisory_unlock_all()');
      expect(await build()).toEqual([held]);
      expect(await isValid()).toBe(true);
    } finally {
      await other.end();
      await sql.query('DROP TABLE records_partitioned');
    }
  });

  it('builds again what a build cut short left invalid, and attaches one already built', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [recordInput('cut-short')]);
    await asJustMigrated();
    const { rows } = await sql.query<{ partition: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', '"records_p"YYYYMMDD') AS partition FROM runs WHERE id = $1`,
      [run.id],
    );
    const [day] = rows.map((row) => row.partition);
    const partitions = [...(await attached()).keys()].filter((name) => name !== day && name !== 'records_default');
    // A build cut short (CONCURRENTLY stopped midway) leaves its index invalid; one finished but not attached (stopped
    // between the two steps) is valid.
    await sql.query(`CREATE INDEX ${day}_pipeline_ended ON ${day} (pipeline_id, ended_sort, id)`);
    await sql.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = '${day}_pipeline_ended'::regclass`);
    const [other] = partitions;
    await sql.query(`CREATE INDEX ${other}_pipeline_ended ON ${other} (pipeline_id, ended_sort, id)`);

    await build();
    const indexes = await attached();
    expect(indexes.get(day)).toBe(`${day}_pipeline_ended`);
    expect(indexes.get(other)).toBe(`${other}_pipeline_ended`);
    expect(await isValid()).toBe(true);
    const { rows: invalid } = await sql.query(
      `SELECT x.indexrelid::regclass::text AS name FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
       WHERE NOT x.indisvalid AND c.relname LIKE 'records%'`,
    );
    expect(invalid).toEqual([]);
  });
});
