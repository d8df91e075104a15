// Keyset pages build their entities from raw rows themselves (services/lists/keyset.ts): each one must be what
// TypeORM's own hydration gives for the same row, class, nulls, dates, enums and JSON details included.
import { In } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../server/domain/actor.js';
import { Pipeline } from '../../server/entities/Pipeline.js';
import { SyncRecord } from '../../server/entities/SyncRecord.js';
import { SyncRun } from '../../server/entities/SyncRun.js';
import { finishRun, RECORD_FIELDS, RUN_FIELDS, reportRecords, startRun } from '../support/fixtures.js';
import { seedHistory } from '../support/history-seed.js';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

let server: TestServer;
let actor: Actor;

beforeAll(async () => {
  // No background jobs: the statements a request sends are counted, and the jobs' own (lease expiry, say) would count too.
  server = await startTestServer({}, { jobs: false });
  const history = await seedHistory(server.admin, 6, 5);
  // Details, a target id and a retry schedule: the columns the seed leaves empty.
  const run = await startRun(server.admin, history.pipelines[0].id);
  await reportRecords(server.admin, run.id, [
    {
      entityType: 'Account',
      sourceId: 'acc-hydrate-1',
      targetId: 'crm-1',
      operation: 'CREATE',
      status: 'SUCCESS',
      latencyMs: 12,
      details: { fields: ['name', 'email'], nested: { n: 1 } },
    },
    {
      entityType: 'Account',
      sourceId: 'acc-hydrate-2',
      operation: 'UPDATE',
      status: 'FAILED',
      errorCode: 'ROW_LOCKED',
      errorMessage: 'locked',
    },
  ]);
  await finishRun(server.admin, run.id);
  actor = (await server.instance.services.apiKeys.authenticate(ADMIN_SECRET)) as Actor;
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

it('gives each record of a page as TypeORM hydrates it', async () => {
  const page = await server.instance.services.records.list(actor, null, null, 500);
  const nodes = page.edges.map((edge) => edge.node);
  expect(nodes.length).toBeGreaterThan(30);
  const loaded = await server.instance.db.getRepository(SyncRecord).findBy({ id: In(nodes.map((node) => node.id)) });
  const byId = new Map(loaded.map((record) => [record.id, record]));
  expect(nodes.some((node) => node.details !== null && node.nextRetryAt !== undefined)).toBe(true);
  for (const node of nodes) expect(node).toStrictEqual(byId.get(node.id));
});

it('gives each run of a page as TypeORM hydrates it', async () => {
  const page = await server.instance.services.runs.list(actor, null, null, 500);
  const nodes = page.edges.map((edge) => edge.node);
  expect(nodes.length).toBeGreaterThan(5);
  const loaded = await server.instance.db.getRepository(SyncRun).findBy({ id: In(nodes.map((node) => node.id)) });
  const byId = new Map(loaded.map((run) => [run.id, run]));
  for (const node of nodes) expect(node).toStrictEqual(byId.get(node.id));
});

it('gives the records of many runs at once (SyncRun.records) as TypeORM hydrates them', async () => {
  const runs = await server.instance.db.getRepository(SyncRun).find();
  const pages = await server.instance.services.records.runPages(
    actor,
    runs.map((run) => ({ runId: run.id, filter: null, first: 500, after: null })),
  );
  const nodes = pages.flatMap((page) => {
    if (page instanceof Error) throw page;
    return page.edges.map((edge) => edge.node);
  });
  expect(nodes.length).toBeGreaterThan(30);
  const loaded = await server.instance.db.getRepository(SyncRecord).findBy({ id: In(nodes.map((node) => node.id)) });
  const byId = new Map(loaded.map((record) => [record.id, record]));
  expect(nodes.some((node) => node.details !== null)).toBe(true);
  for (const node of nodes) expect(node).toStrictEqual(byId.get(node.id));
});

it("gives the loaders' runs and pipelines by id as TypeORM hydrates them, in the order asked, null for none", async () => {
  const { db, services } = server.instance;
  const runs = await db.getRepository(SyncRun).find();
  const pipelines = await db.getRepository(Pipeline).find();
  expect(runs.length).toBeGreaterThan(5);
  const missing = '00000000-0000-4000-8000-000000000000';
  const runIds = [...runs.map((run) => run.id).reverse(), missing];
  expect(await services.runs.byIds(runIds)).toStrictEqual([...runs.reverse(), null]);
  expect(await services.pipelines.byIds([missing, ...pipelines.map((pipeline) => pipeline.id)])).toStrictEqual([null, ...pipelines]);
});

it('answers a page that selects a few fields, through fragments and aliases, as one that selects them all', async () => {
  const all = await server.admin.ok<{ records: { edges: { cursor: string; node: Record<string, unknown> }[] } }>(
    `{ records(first: 500) { edges { cursor node { ${RECORD_FIELDS} history { attempt status } } } } }`,
  );
  const few = await server.admin.ok<{ records: { edges: { cursor: string; node: Record<string, unknown> }[] } }>(
    `{ records(first: 500) { edges { cursor node { key: id ...Some ... on SyncRecord { details run { id } } } } } }
     fragment Some on SyncRecord { sourceId status startedAt }`,
  );
  expect(few.records.edges.length).toBe(all.records.edges.length);
  few.records.edges.forEach((edge, i) => {
    const full = all.records.edges[i];
    expect(edge.cursor).toBe(full.cursor);
    const { id, sourceId, status, startedAt, details, run } = full.node;
    expect(edge.node).toEqual({ key: id, sourceId, status, startedAt, details, run: { id: (run as { id: string }).id } });
  });
  expect(all.records.edges.some((edge) => edge.node.details !== null)).toBe(true);
});

it('answers the records of each run (SyncRun.records) that select a few fields as those that select them all', async () => {
  type Nested = { runs: { edges: { node: { id: string; records: { edges: { cursor: string; node: Record<string, unknown> }[] } } }[] } };
  const all = await server.admin.ok<Nested>(
    `{ runs(first: 50) { edges { node { id records(first: 50) { edges { cursor node { ${RECORD_FIELDS} run { id } } } } } } } }`,
  );
  const few = await server.admin.ok<Nested>(
    `{ runs(first: 50) { edges { node { id records(first: 50) { edges { cursor node { key: id ...Some run { id } } } } } } } }
     fragment Some on SyncRecord { sourceId status startedAt details }`,
  );
  const records = (answer: Nested) => answer.runs.edges.flatMap((edge) => edge.node.records.edges);
  expect(records(few).length).toBe(records(all).length);
  expect(records(all).length).toBeGreaterThan(30);
  records(few).forEach((edge, i) => {
    const full = records(all)[i];
    expect(edge.cursor).toBe(full.cursor);
    const { id, sourceId, status, startedAt, details, run } = full.node;
    expect(edge.node).toEqual({ key: id, sourceId, status, startedAt, details, run: { id: (run as { id: string }).id } });
  });
});

it("answers a record's run { id } from the record alone, and reads the run when more of it is asked", async () => {
  type Records = { records: { edges: { node: { id: string; run: Record<string, unknown> } }[] } };
  let idOnly: Records | undefined;
  const statements = await statementsDuring(server.instance.db, async () => {
    idOnly = await server.admin.ok<Records>('{ records(first: 200) { edges { node { id run { id __typename } } } } }');
  });
  expect(statements.filter((statement) => /FROM "?runs"?/i.test(statement.query))).toEqual([]);
  const full = await server.admin.ok<Records>(`{ records(first: 200) { edges { node { id run { ${RUN_FIELDS} } } } } }`);
  const runs = new Map((await server.instance.db.getRepository(SyncRun).find()).map((run) => [run.id, run]));
  expect(idOnly?.records.edges.length).toBe(full.records.edges.length);
  idOnly?.records.edges.forEach((edge, i) => {
    const run = full.records.edges[i].node.run;
    expect(edge.node.run).toEqual({ id: run.id, __typename: 'SyncRun' });
    expect(run.status).toBe(runs.get(run.id as string)?.status);
    expect((run.pipeline as { id: string }).id).toBe(runs.get(run.id as string)?.pipelineId);
  });
});

it('answers a runs page that selects a few fields as one that selects them all', async () => {
  type Runs = { runs: { edges: { cursor: string; node: Record<string, unknown> }[] } };
  const all = await server.admin.ok<Runs>(
    `{ runs(first: 500) { edges { cursor node { ${RUN_FIELDS} expectedTotal entityTypes configSnapshot durationMs leaseToken
       retryOf { id } records(first: 2) { edges { node { id } } } } } } }`,
  );
  const few = await server.admin.ok<Runs>(
    `{ runs(first: 500) { edges { cursor node { key: id __typename ...Some durationMs leaseToken retryOf { id }
       records(first: 2) { edges { node { id } } } } } } }
     fragment Some on SyncRun { status counts { total failed } pipeline { id } }`,
  );
  expect(few.runs.edges.length).toBe(all.runs.edges.length);
  few.runs.edges.forEach((edge, i) => {
    const full = all.runs.edges[i];
    expect(edge.cursor).toBe(full.cursor);
    const { id, status, counts, pipeline, durationMs, leaseToken, retryOf, records } = full.node as Record<string, Record<string, unknown>>;
    expect(edge.node).toEqual({
      key: id,
      __typename: 'SyncRun',
      status,
      counts: { total: counts.total, failed: counts.failed },
      pipeline: { id: pipeline.id },
      durationMs,
      leaseToken,
      retryOf,
      records,
    });
  });
  expect(all.runs.edges.some((edge) => edge.node.durationMs !== null)).toBe(true);
});
