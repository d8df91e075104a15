// DATABASE_READ_URL (issue 25 item 3): lists, analytics and facets read on a real streaming replica of the embedded
// primary; a key reads its own writes; a replica that stops costs readers no error.
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poolOf } from '../../server/db/pool.js';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, eventually, finishRun, type PipelineView, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { type ReplicatedDatabase, startReplicatedDatabase } from '../support/replica.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

let database: ReplicatedDatabase;
let server: TestServer;
let replicaSql: pg.Client;
let pipeline: PipelineView;
let worker: GraphQLClient;
let operator: GraphQLClient;
let viewer: GraphQLClient;

beforeAll(async () => {
  database = await startReplicatedDatabase();
  server = await startTestServer(
    // A replica paused on purpose (below) falls behind by the seconds the test takes: not skipped for that.
    // No periodic check during the test: a stopped replica must be noticed by the request that meets it.
    {
      DATABASE_READ_URL: database.replica.urlFor(database.name),
      REPLICA_MAX_LAG_MS: '60000',
      // Long enough for the test cluster's WAL writer (synchronous_commit is off there) to ship a commit.
      READ_YOUR_WRITES_WAIT_MS: '2000',
      REPLICA_CHECK_MS: '600000',
    },
    { databaseUrl: database.primary.urlFor(database.name), jobs: false },
  );
  replicaSql = new pg.Client({ connectionString: database.replica.urlFor(database.name) });
  replicaSql.on('error', () => {}); // the last test stops the replica under it
  await replicaSql.connect();
  pipeline = await createPipeline(server.admin);
  worker = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
  viewer = await server.clientFor(Role.VIEWER);
  await eventually(async () => (server.instance.reads?.replicaState.inUse ? true : undefined), 'the replica in use');
}, 120_000);
afterAll(async () => {
  await replicaSql?.end().catch(() => {});
  await server?.stop();
  await database?.stop();
});

/** The instance's name on its connections: the replica's pg_stat_activity shows which of them ran what. */
const applicationName = () => (poolOf(server.instance.db).options as { application_name: string }).application_name;

async function statusesOf(client: GraphQLClient, runId: string): Promise<string[]> {
  const { records } = await client.ok<{ records: { edges: { node: { status: string } }[] } }>(
    'query($f: RecordFilter) { records(filter: $f) { edges { node { status } } } }',
    { f: { runIds: [runId] } },
  );
  return records.edges.map((edge) => edge.node.status);
}

async function failedRun(sourceId: string): Promise<string> {
  const run = await startRun(worker, pipeline.id);
  await reportRecords(worker, run.id, [recordInput(sourceId, { status: 'FAILED', errorCode: 'ROW_LOCKED', errorMessage: 'locked' })]);
  await finishRun(worker, run.id);
  return run.id;
}

describe('a streaming replica', () => {
  it('serves lists, analytics and facets', async () => {
    const runId = await failedRun('R-1');
    // The viewer has written nothing: it reads on the replica, which shows the run once it has replayed it.
    await eventually(async () => ((await statusesOf(viewer, runId)).length === 1 ? true : undefined), 'the run on the replica');
    const { runs } = await viewer.ok<{ runs: { edges: { node: { id: string } }[] } }>(
      'query($f: RunFilter) { runs(filter: $f) { edges { node { id } } } }',
      { f: { pipelineIds: [pipeline.id] } },
    );
    expect(runs.edges.map((edge) => edge.node.id)).toContain(runId);
    const lastStatements = async () =>
      (
        await replicaSql.query<{ query: string }>('SELECT query FROM pg_stat_activity WHERE application_name = $1', [applicationName()])
      ).rows.map((row) => row.query);
    // Each connection shows the last statement it ran.
    expect((await lastStatements()).some((query) => /\bFROM "?runs"?\s/i.test(query))).toBe(true);
    // Analytics read in a transaction (its last statement is COMMIT): the replica's data source shows what it ran.
    const replica = server.instance.reads?.replica as DataSource;
    const onReplica = async (query: string) =>
      (await statementsDuring(replica, () => viewer.ok(query))).map((statement) => statement.query).join('\n');
    expect(await onReplica('query { syncSummary { totalSynced { value } } }')).toMatch(/record_rollup/i);
    expect(await onReplica('query { facets { entityTypes } }')).toMatch(/facet_values/i);
    expect((await lastStatements()).some((query) => /facet_values/i.test(query))).toBe(true);
    // Error groups too, in a read-only snapshot there: not a write, so no commit position is taken on the primary for
    // the key (which would send its next reads to the primary).
    const groupsOnPrimary = await statementsDuring(server.instance.db, async () =>
      expect(await onReplica('query { errorGroups { fingerprint } }')).toMatch(/error_group_counts/i),
    );
    expect(groupsOnPrimary.some(({ query }) => /error_group_counts|pg_current_wal_insert_lsn/.test(query))).toBe(false);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^syncwatch_replica_in_use 1$/m);
    expect(metrics).toMatch(/^syncwatch_replica_lag_bytes \d+$/m);
    const ready = await (await fetch(`${server.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', replica: { state: 'in use' } });
  });

  it('lets a key read its own retry before the replica has replayed it', async () => {
    const runId = await failedRun('R-2');
    await eventually(async () => ((await statusesOf(viewer, runId)).length === 1 ? true : undefined), 'the run on the replica');
    const { records } = await operator.ok<{ records: { edges: { node: { id: string } }[] } }>(
      'query($f: RecordFilter) { records(filter: $f) { edges { node { id } } } }',
      { f: { runIds: [runId] } },
    );
    await replicaSql.query('SELECT pg_wal_replay_pause()');
    try {
      await operator.ok('mutation($ids: [ID!]) { retryRecords(ids: $ids) { scheduled } }', { ids: [records.edges[0].node.id] });
      // The operator's next read waits for the paused replica in vain, then reads on the primary.
      expect(await statusesOf(operator, runId)).toEqual(['RETRY_SCHEDULED']);
      // Another key still reads on the paused replica: the write is not there yet.
      expect(await statusesOf(viewer, runId)).toEqual(['FAILED']);
    } finally {
      await replicaSql.query('SELECT pg_wal_replay_resume()');
    }
    await eventually(
      async () => ((await statusesOf(viewer, runId))[0] === 'RETRY_SCHEDULED' ? true : undefined),
      'the replica replaying the retry',
    );
  });

  it('serves export downloads once it has what came before them', async () => {
    const runId = await failedRun('R-4');
    const { exportRecords } = await operator.ok<{ exportRecords: { id: string } }>(
      'mutation($f: RecordFilter) { exportRecords(filter: $f) { id } }',
      { f: { runIds: [runId] } },
    );
    const job = await eventually(async () => {
      const { exportJob } = await operator.ok<{ exportJob: { status: string; downloadUrl: string | null } | null }>(
        'query($id: ID!) { exportJob(id: $id) { status downloadUrl } }',
        { id: exportRecords.id },
      );
      return exportJob?.status === 'READY' ? exportJob : undefined;
    }, 'the export');
    // Table scans counted by the replica itself: only the download reads records there now (in their partitions).
    const scansOfRecords = async () =>
      Number(
        (
          await replicaSql.query<{ n: string }>(
            `SELECT (coalesce(sum(seq_scan), 0) + coalesce(sum(idx_scan), 0))::text AS n FROM pg_stat_user_tables
             WHERE relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'records'::regclass)`,
          )
        ).rows[0].n,
      );
    const before = await scansOfRecords();
    const response = await fetch(`${server.url}${job.downloadUrl}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('R-4');
    // The download's connection is closed after it, which sends its statistics.
    await eventually(
      async () => ((await scansOfRecords()) > before ? true : undefined),
      'the download scanning records on the replica',
      5_000,
    );
  });

  it('falls back to the primary when the replica stops, with no error to the client', async () => {
    const runId = await failedRun('R-3');
    await database.replica.stop();
    // Before any check has noticed: connections to the replica fail and are taken on the primary.
    expect(server.instance.reads?.replicaState.inUse).toBe(true);
    expect(await statusesOf(viewer, runId)).toEqual(['FAILED']);
    await viewer.ok('query { syncSummary { totalSynced { value } } }');
    await viewer.ok('query { facets { entityTypes } }');
    expect(server.instance.reads?.replicaState.inUse).toBe(false);

    const readyz = await fetch(`${server.url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({ status: 'ready', replica: { state: 'skipped: down' } });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^syncwatch_replica_in_use 0$/m);
  });
});
