// errorGroups over whole hours reads the error-group counts (migration 2960) and the deltas not folded yet; the
// window's edges and filters the counts do not keep read the records. Both ways give the same groups, before and
// after the leader's fold, as failures come, are taken back and are purged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alignDown, HOUR_MS, MINUTE_MS } from '../../server/domain/analytics-range.js';
import { Role } from '../../server/domain/enums.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { createPipeline, finishRun, type RecordInput, recordInput, reportRecords, startRun, unique } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { statementsDuring } from '../support/statement-log.js';

const GROUPS = `query($range: DateRange, $filter: RecordFilter) {
  errorGroups(range: $range, filter: $filter) { fingerprint count runCount firstSeen lastSeen sampleMessage }
}`;

interface Group {
  fingerprint: string;
  count: number;
  runCount: number;
  firstSeen: string;
  lastSeen: string;
  sampleMessage: string;
}

let server: TestServer;
let ingest: GraphQLClient;

beforeAll(async () => {
  // No background jobs: the test folds when it means to.
  server = await startTestServer({}, { jobs: false });
  ingest = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

const fold = () => server.instance.services.errorGroupCounts.fold();
const at = (ms: number) => new Date(ms).toISOString();
const groups = async (variables: Record<string, unknown>) =>
  (await server.admin.ok<{ errorGroups: Group[] }>(GROUPS, variables)).errorGroups;
const cellsOf = async (runId: string): Promise<number> =>
  (await server.instance.db.query('SELECT count(*)::int AS n FROM error_group_counts WHERE run_id = $1', [runId]))[0].n;

/** Failures of one kind, started at a given time. */
function failureKind(name: string) {
  const code = unique(name);
  const message = (n: number) => `Row ${n} is locked`;
  return {
    fingerprint: errorFingerprint(code, message(1)) as string,
    at: (sourceId: string, startedMs: number, overrides: Partial<RecordInput> = {}) =>
      recordInput(sourceId, {
        status: 'FAILED',
        errorCode: code,
        errorMessage: message(startedMs % 1000),
        startedAt: at(startedMs),
        ...overrides,
      }),
  };
}

/** The groups the window holds, read from the counts (a pipeline filter) and from the records (a filter they do not keep). */
async function bothWays(pipelineId: string, range: Record<string, string>) {
  const counted = await groups({ range, filter: { pipelineIds: [pipelineId] } });
  const fromRecords = await groups({ range, filter: { pipelineIds: [pipelineId], entityTypes: ['Account'] } });
  expect(counted).toEqual(fromRecords);
  return counted;
}

describe('error-group counts', () => {
  it('count whole hours from the counts, folded or not, and the edges from the records, as the records would', async () => {
    const pipeline = await createPipeline(server.admin);
    const locked = failureKind('E_LOCKED');
    const invalid = failureKind('E_INVALID');
    const now = Date.now();
    const hour = alignDown(now, HOUR_MS) - 5 * HOUR_MS;
    const first = await startRun(ingest, pipeline.id, { startedAt: at(hour - HOUR_MS) });
    await reportRecords(ingest, first.id, [
      locked.at('a-1', hour + 5 * MINUTE_MS),
      locked.at('a-2', hour + 20 * MINUTE_MS),
      invalid.at('b-1', hour + 2 * HOUR_MS + MINUTE_MS),
      locked.at('a-3', now - MINUTE_MS),
      recordInput('ok-1', { startedAt: at(hour + 30 * MINUTE_MS) }),
    ]);
    await finishRun(ingest, first.id);
    const second = await startRun(ingest, pipeline.id, { startedAt: at(hour - HOUR_MS) });
    await reportRecords(ingest, second.id, [locked.at('a-1', hour + 40 * MINUTE_MS)]);
    await finishRun(ingest, second.id);

    // From half an hour before the first failure's hour: the window's first half hour and its last minutes are edges.
    const range = { from: at(hour - 30 * MINUTE_MS), to: at(Date.now()) };
    const expected = [
      expect.objectContaining({
        fingerprint: locked.fingerprint,
        count: 4,
        runCount: 2,
        firstSeen: at(hour + 5 * MINUTE_MS),
        lastSeen: at(now - MINUTE_MS),
      }),
      expect.objectContaining({ fingerprint: invalid.fingerprint, count: 1, runCount: 1, firstSeen: at(hour + 2 * HOUR_MS + MINUTE_MS) }),
    ];
    const beforeFold = await statementsDuring(server.instance.db, async () => expect(await bothWays(pipeline.id, range)).toEqual(expected));
    expect(beforeFold.some((s) => s.query.includes('error_group_deltas'))).toBe(true);
    expect(await cellsOf(first.id)).toBe(0);

    expect(await fold()).toBeGreaterThan(0);
    expect(await cellsOf(first.id)).toBe(3);
    expect(await bothWays(pipeline.id, range)).toEqual(expected);
    // A window of whole hours only, and one that starts inside the first failures' hour.
    expect(await bothWays(pipeline.id, { from: at(hour), to: at(hour + 2 * HOUR_MS) })).toEqual([
      expect.objectContaining({ fingerprint: locked.fingerprint, count: 3, runCount: 2, lastSeen: at(hour + 40 * MINUTE_MS) }),
    ]);
    expect(await bothWays(pipeline.id, { from: at(hour + 10 * MINUTE_MS), to: at(now) })).toEqual([
      expect.objectContaining({ fingerprint: locked.fingerprint, count: 3, firstSeen: at(hour + 20 * MINUTE_MS) }),
      expect.objectContaining({ fingerprint: invalid.fingerprint, count: 1 }),
    ]);
  });

  it('sample a group from the days holding the window’s records, a long run’s old day included', async () => {
    const day = 86_400_000;
    const today = Math.floor(Date.now() / day) * day;
    await server.instance.services.partitions.createDays(new Date(today - 6 * day), 6);
    const pipeline = await createPipeline(server.admin);
    const sql = server.instance.db;
    const code = unique('E_LONG_RUN');
    // A run created five days ago (its records' day), still reporting: its one failure in the window started two days
    // ago, minutes into the window; an older one, with another message, started before the window.
    const created = new Date(today - 5 * day + HOUR_MS);
    const from = alignDown(Date.now() - 2 * day, HOUR_MS) + 10 * MINUTE_MS;
    const [{ id: runId }] = await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, created_at, started_at) VALUES ($1, 'SCHEDULED', 'RUNNING', $2, $2) RETURNING id`,
      [pipeline.id, created],
    );
    const failure = (sourceId: string, message: string, startedMs: number) =>
      sql.query(
        `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, started_at, run_created_at,
           error_code, error_message, error_fingerprint)
         VALUES ($1, $2, 'SCHEDULED', 'Account', $3, 'UPDATE', 'FAILED', $4, $5, $6, $7, $8)`,
        [runId, pipeline.id, sourceId, new Date(startedMs), created, code, message, errorFingerprint(code, message)],
      );
    await failure('old', 'Row 1 is locked', created.getTime() + MINUTE_MS);
    await failure('in-window', 'Row 2 is locked', from + MINUTE_MS);
    await fold();

    const range = { from: at(from), to: at(Date.now()) };
    const statements = await statementsDuring(sql, async () =>
      expect(await bothWays(pipeline.id, range)).toEqual([
        expect.objectContaining({
          count: 1,
          runCount: 1,
          firstSeen: at(from + MINUTE_MS),
          lastSeen: at(from + MINUTE_MS),
          sampleMessage: 'Row 2 is locked',
        }),
      ]),
    );
    // The sample was read in the days from the window's start on (its own bound), not in every day.
    expect(statements.some(({ query }) => /CROSS JOIN LATERAL[\s\S]*r\.run_created_at BETWEEN/.test(query))).toBe(true);
  });

  it('let a failure taken back leave its group at once, and its first and last start at the next fold', async () => {
    const pipeline = await createPipeline(server.admin);
    const locked = failureKind('E_TAKEN_BACK');
    const hour = alignDown(Date.now(), HOUR_MS) - 3 * HOUR_MS;
    const run = await startRun(ingest, pipeline.id, { startedAt: at(hour - HOUR_MS) });
    await reportRecords(ingest, run.id, [
      locked.at('a-1', hour + 5 * MINUTE_MS),
      locked.at('a-2', hour + 20 * MINUTE_MS),
      locked.at('a-3', hour + 50 * MINUTE_MS),
    ]);
    await fold();
    const range = { from: at(hour), to: at(hour + HOUR_MS) };

    // The first and the last of the hour succeed when reported again: the count follows at once, the times at the fold.
    await reportRecords(ingest, run.id, [
      recordInput('a-1', { startedAt: at(hour + 5 * MINUTE_MS) }),
      recordInput('a-3', { startedAt: at(hour + 50 * MINUTE_MS) }),
    ]);
    expect((await groups({ range, filter: { pipelineIds: [pipeline.id] } }))[0]).toMatchObject({ count: 1, runCount: 1 });
    await fold();
    expect(await bothWays(pipeline.id, range)).toEqual([
      expect.objectContaining({ count: 1, firstSeen: at(hour + 20 * MINUTE_MS), lastSeen: at(hour + 20 * MINUTE_MS) }),
    ]);

    // The last failure gone, the group and its cell go.
    await reportRecords(ingest, run.id, [recordInput('a-2', { startedAt: at(hour + 20 * MINUTE_MS) })]);
    expect(await groups({ range, filter: { pipelineIds: [pipeline.id] } })).toEqual([]);
    await fold();
    expect(await cellsOf(run.id)).toBe(0);
    expect(await bothWays(pipeline.id, range)).toEqual([]);
  });

  it('let a purged run take its failures out of the groups, folded or not', async () => {
    const pipeline = await createPipeline(server.admin);
    const locked = failureKind('E_PURGED');
    const ended = Date.now() - 40 * 86_400_000;
    const runWith = async (key: string) => {
      const run = await startRun(ingest, pipeline.id, { startedAt: at(ended - HOUR_MS) });
      await reportRecords(ingest, run.id, [locked.at(key, ended - 30 * MINUTE_MS)]);
      await finishRun(ingest, run.id, { endedAt: at(ended) });
      return run;
    };
    const folded = await runWith('p-1');
    await fold();
    const unfolded = await runWith('p-2');
    const range = { from: at(ended - 2 * HOUR_MS), to: at(Date.now()) };
    expect(await bothWays(pipeline.id, range)).toEqual([expect.objectContaining({ count: 2, runCount: 2 })]);

    await server.admin.ok('mutation { purgeHistory(olderThanDays: 30) { runsDeleted } }');
    expect(await cellsOf(folded.id)).toBe(0);
    expect(await bothWays(pipeline.id, range)).toEqual([]);
    await fold();
    expect(await cellsOf(unfolded.id)).toBe(0);
    expect(await bothWays(pipeline.id, range)).toEqual([]);
  });

  it('show a tenant’s key its tenant’s failures only, and regress a resolution from the counts, folded or not', async () => {
    const kind = failureKind('E_TENANTS');
    const acme = await createPipeline(server.admin, { tenantId: 'egc-acme' });
    const globex = await createPipeline(server.admin, { tenantId: 'egc-globex' });
    const hour = alignDown(Date.now(), HOUR_MS) - 4 * HOUR_MS;
    for (const [pipeline, failures] of [
      [acme, 2],
      [globex, 1],
    ] as const) {
      const run = await startRun(ingest, pipeline.id, { startedAt: at(hour - HOUR_MS) });
      await reportRecords(
        ingest,
        run.id,
        Array.from({ length: failures }, (_, n) => kind.at(`t-${n}`, hour + (n + 1) * MINUTE_MS)),
      );
      await finishRun(ingest, run.id);
    }
    const acmeOperator = await server.clientFor(Role.OPERATOR, 'egc-acme');
    const scoped = async (client: GraphQLClient, filter: Record<string, unknown> = {}) =>
      (
        await client.ok<{ errorGroups: (Group & { state: string })[] }>(
          `query($f: RecordFilter) { errorGroups(filter: $f) { fingerprint count runCount firstSeen lastSeen state } }`,
          { f: { errorFingerprint: kind.fingerprint, ...filter } },
        )
      ).errorGroups;
    const acmeBothWays = async () => {
      const counted = await scoped(acmeOperator);
      expect(counted).toEqual(await scoped(acmeOperator, { entityTypes: ['Account'] }));
      return counted;
    };
    expect(await acmeBothWays()).toEqual([expect.objectContaining({ count: 2, runCount: 1, state: 'OPEN' })]);
    expect(await scoped(server.admin)).toEqual([expect.objectContaining({ count: 3, runCount: 2 })]);

    await fold();
    await acmeOperator.ok('mutation($f: String!) { resolveErrorGroup(fingerprint: $f) { state } }', { f: kind.fingerprint });
    expect(await acmeBothWays()).toEqual([expect.objectContaining({ count: 2, state: 'RESOLVED' })]);
    // Another tenant's new failure leaves it resolved; its own regresses it, before the fold and after.
    const later = async (pipelineId: string) => {
      const run = await startRun(ingest, pipelineId);
      await reportRecords(ingest, run.id, [kind.at('t-later', Date.now())]);
      await finishRun(ingest, run.id);
    };
    await later(globex.id);
    expect((await acmeBothWays())[0].state).toBe('RESOLVED');
    await fold();
    expect((await acmeBothWays())[0].state).toBe('RESOLVED');
    await later(acme.id);
    expect(await acmeBothWays()).toEqual([expect.objectContaining({ count: 3, runCount: 2, state: 'REGRESSED' })]);
    await fold();
    expect(await acmeBothWays()).toEqual([expect.objectContaining({ count: 3, runCount: 2, state: 'REGRESSED' })]);
  });

  it('count a retry’s failed attempt as a failure of its own once its original is purged, as the records do', async () => {
    const pipeline = await createPipeline(server.admin);
    const locked = failureKind('E_ORPHANED');
    const ended = Date.now() - 40 * 86_400_000;
    const original = await startRun(ingest, pipeline.id, { startedAt: at(ended - HOUR_MS) });
    await reportRecords(ingest, original.id, [locked.at('o-1', ended - 30 * MINUTE_MS, { retryable: true })]);
    await finishRun(ingest, original.id, { endedAt: at(ended) });
    const operator = await server.clientFor(Role.OPERATOR);
    await operator.ok('mutation($id: ID!) { retryRun(runId: $id) { retryRun { id } } }', { id: original.id });
    const { claimRun } = await ingest.ok<{ claimRun: { id: string } }>(
      'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w") { id } }',
      { p: pipeline.id },
    );
    const attemptAt = alignDown(Date.now(), HOUR_MS) - 2 * HOUR_MS + 5 * MINUTE_MS;
    await reportRecords(ingest, claimRun.id, [locked.at('o-1', attemptAt, { retryable: true })]);
    await finishRun(ingest, claimRun.id);
    await fold();
    const range = { from: at(ended - 2 * HOUR_MS), to: at(Date.now()) };
    expect(await bothWays(pipeline.id, range)).toEqual([expect.objectContaining({ count: 1, runCount: 1 })]);

    await server.admin.ok('mutation { purgeHistory(olderThanDays: 30) { runsDeleted } }');
    const orphaned = [expect.objectContaining({ count: 1, runCount: 1, firstSeen: at(attemptAt) })];
    expect(await bothWays(pipeline.id, range)).toEqual(orphaned);
    await fold();
    expect(await bothWays(pipeline.id, range)).toEqual(orphaned);
  });
});
