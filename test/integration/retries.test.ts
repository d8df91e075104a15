// Automatic retries, dead letters and operators' retries, through the real API.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let worker: GraphQLClient;
let operator: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  worker = await server.clientFor('INGEST' as never);
  operator = await server.clientFor('OPERATOR' as never);
});
afterAll(() => server?.stop());

interface RecordView {
  id: string;
  status: string;
  attempts: number;
  retryable: boolean;
  nextRetryAt: string | null;
  history: { attempt: number; status: string; runId: string }[];
}

async function createPipeline(retryPolicy: Record<string, unknown>, tenantId?: string): Promise<string> {
  const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    { input: { name: `p-${Math.random()}`, sourceSystem: 'billing', targetSystem: 'crm', tenantId, retryPolicy } },
  );
  return createPipeline.id;
}

async function runWith(pipelineId: string, records: Record<string, unknown>[]): Promise<string> {
  const { startRun } = await worker.ok<{ startRun: { id: string } }>(
    'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
    { input: { pipelineId, mode: 'SCHEDULED' } },
  );
  await report(startRun.id, records);
  await worker.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: startRun.id });
  return startRun.id;
}

async function report(runId: string, records: Record<string, unknown>[]) {
  const { reportRecords } = await worker.ok<{ reportRecords: { accepted: number; rejected: unknown[] } }>(
    'mutation($id: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $id, records: $records) { accepted rejected { index reason } } }',
    { id: runId, records },
  );
  expect(reportRecords.rejected).toEqual([]);
}

const failure = (sourceId: string, errorCode = 'ROW_LOCKED', extra: Record<string, unknown> = {}) => ({
  entityType: 'Account',
  sourceId,
  operation: 'UPDATE',
  status: 'FAILED',
  errorCode,
  errorMessage: `row ${sourceId} is locked by transaction 4711`,
  ...extra,
});
const success = (sourceId: string) => ({ entityType: 'Account', sourceId, operation: 'UPDATE', status: 'SUCCESS', latencyMs: 12 });

async function recordOf(runId: string, sourceId: string): Promise<RecordView> {
  const { records } = await server.admin.ok<{ records: { edges: { node: RecordView }[] } }>(
    `query($f: RecordFilter) { records(filter: $f) { edges { node {
       id status attempts retryable nextRetryAt history { attempt status runId } } } } }`,
    { f: { runIds: [runId], sourceId } },
  );
  expect(records.edges).toHaveLength(1);
  return records.edges[0].node;
}

async function runCounts(runId: string) {
  const { run } = await server.admin.ok<{ run: { counts: Record<string, number> } }>(
    'query($id: ID!) { run(id: $id) { counts { total succeeded failed pending skipped } } }',
    { id: runId },
  );
  return run.counts;
}

/** Waits for the scheduler to queue a retry run of the pipeline, claims it and returns it with its records. */
async function claimRetryRun(pipelineId: string) {
  for (let i = 0; i < 100; i++) {
    const { claimRun } = await worker.ok<{ claimRun: { id: string; mode: string; retryOf: { id: string } | null } | null }>(
      'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w1") { id mode retryOf { id } } }',
      { p: pipelineId },
    );
    if (claimRun) {
      const { run } = await worker.ok<{ run: { records: { edges: { node: { sourceId: string; status: string; attempts: number } }[] } } }>(
        'query($id: ID!) { run(id: $id) { records(first: 500) { edges { node { sourceId status attempts } } } } }',
        { id: claimRun.id },
      );
      return { ...claimRun, records: run.records.edges.map((e) => e.node) };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no retry run was queued');
}

async function finish(runId: string) {
  await worker.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: runId });
}

const fast = { maxAttempts: 3, initialDelaySeconds: 0, backoffFactor: 1, maxDelaySeconds: 0, nonRetryableErrorCodes: ['INVALID_ID'] };

describe('automatic retries', () => {
  it('keeps a retryable failure FAILED with its nextRetryAt until the retry is due, and finds it by status', async () => {
    const pipelineId = await createPipeline({ ...fast, initialDelaySeconds: 3600, maxDelaySeconds: 3600 });
    const before = Date.now();
    const runId = await runWith(pipelineId, [failure('W-1'), failure('W-2', 'INVALID_ID'), success('W-3')]);
    const waiting = await recordOf(runId, 'W-1');
    expect(waiting).toMatchObject({ status: 'FAILED', retryable: true, attempts: 1 });
    const due = Date.parse(waiting.nextRetryAt as string);
    expect(due).toBeGreaterThanOrEqual(before + 3_599_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 3_601_000);
    expect(await recordOf(runId, 'W-2')).toMatchObject({ status: 'FAILED', retryable: false, nextRetryAt: null });
    const { records } = await operator.ok<{ records: { totalCount: number } }>(
      'query($r: [ID!]) { records(filter: { runIds: $r, statuses: [FAILED] }) { totalCount } }',
      { r: [runId] },
    );
    expect(records.totalCount).toBe(2);
  });

  it('grows the wait by the backoff factor per attempt and caps it (retry_due_at)', async () => {
    // 60 s, then ×2 per attempt: 120, 240, 480 capped to 300, and 300 after that; an operator's retry brings each attempt forward.
    const pipelineId = await createPipeline({ maxAttempts: 6, initialDelaySeconds: 60, backoffFactor: 2, maxDelaySeconds: 300 });
    let runId = '';
    /** The record's next retry is due `seconds` after the database stored the failure, which happened during `act`. */
    const expectWait = async (attempt: number, seconds: number, act: () => Promise<unknown>) => {
      const before = Date.now();
      await act();
      const after = Date.now();
      const record = await recordOf(runId, 'B-1');
      expect(record).toMatchObject({ status: 'FAILED', attempts: attempt, retryable: true });
      const storedAt = Date.parse(record.nextRetryAt as string) - seconds * 1000;
      // One second of slack each side for timestamp rounding; the waits differ by a minute or more.
      expect(storedAt, `attempt ${attempt}: due ${record.nextRetryAt}`).toBeGreaterThanOrEqual(before - 1000);
      expect(storedAt, `attempt ${attempt}: due ${record.nextRetryAt}`).toBeLessThanOrEqual(after + 1000);
    };
    await expectWait(1, 60, async () => {
      runId = await runWith(pipelineId, [failure('B-1')]);
    });
    for (const [attempt, seconds] of [
      [2, 120],
      [3, 240],
      [4, 300], // 480, capped
      [5, 300],
    ]) {
      const { id } = await recordOf(runId, 'B-1');
      await operator.ok('mutation($ids: [ID!]) { retryRecords(ids: $ids) { scheduled } }', { ids: [id] });
      const retry = await claimRetryRun(pipelineId);
      expect(retry.records).toEqual([{ sourceId: 'B-1', status: 'PENDING', attempts: attempt }]);
      await expectWait(attempt, seconds, async () => {
        await report(retry.id, [failure('B-1')]);
        await finish(retry.id);
      });
    }
  });

  it('retries a retryable failure until it succeeds on the third attempt, with its history and counts', async () => {
    const pipelineId = await createPipeline(fast);
    const runId = await runWith(pipelineId, [failure('A-1'), success('A-2')]);
    let record = await recordOf(runId, 'A-1');
    expect(record.retryable).toBe(true);
    expect(await runCounts(runId)).toMatchObject({ total: 2, succeeded: 1, failed: 1 });

    const first = await claimRetryRun(pipelineId);
    expect(first.mode).toBe('RETRY');
    expect(first.retryOf?.id).toBe(runId);
    expect(first.records).toEqual([{ sourceId: 'A-1', status: 'PENDING', attempts: 2 }]);
    expect(await recordOf(runId, 'A-1')).toMatchObject({ status: 'RETRY_SCHEDULED', nextRetryAt: null });
    await report(first.id, [failure('A-1')]);
    await finish(first.id);
    record = await recordOf(runId, 'A-1');
    expect(record.attempts).toBe(2);
    expect(['FAILED', 'RETRY_SCHEDULED']).toContain(record.status); // due at once: the scheduler may have taken it

    const second = await claimRetryRun(pipelineId);
    await report(second.id, [success('A-1')]);
    await finish(second.id);
    record = await recordOf(runId, 'A-1');
    expect(record).toMatchObject({ status: 'SUCCESS', attempts: 3, nextRetryAt: null });
    expect(record.history.map((h) => [h.attempt, h.status, h.runId])).toEqual([
      [1, 'FAILED', runId],
      [2, 'FAILED', first.id],
      [3, 'SUCCESS', second.id],
    ]);
    expect(await runCounts(runId)).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
  });

  it('dead-letters exhausted retries; replay brings them back, discard closes them', async () => {
    const pipelineId = await createPipeline({ ...fast, maxAttempts: 2 });
    const runId = await runWith(pipelineId, [failure('D-1'), failure('D-2')]);
    const retry = await claimRetryRun(pipelineId);
    await report(retry.id, [failure('D-1'), failure('D-2')]);
    await finish(retry.id);
    const [d1, d2] = [await recordOf(runId, 'D-1'), await recordOf(runId, 'D-2')];
    expect(d1).toMatchObject({ status: 'DEAD_LETTERED', attempts: 2, nextRetryAt: null });

    const { replayDeadLetters } = await operator.ok<{
      replayDeadLetters: { matched: number; scheduled: number; retryRun: { id: string } };
    }>('mutation($ids: [ID!]) { replayDeadLetters(ids: $ids) { matched scheduled skipped retryRun { id } } }', { ids: [d1.id] });
    expect(replayDeadLetters).toMatchObject({ matched: 1, scheduled: 1 });
    const replay = await claimRetryRun(pipelineId);
    expect(replay.id).toBe(replayDeadLetters.retryRun.id);
    await report(replay.id, [success('D-1')]);
    await finish(replay.id);
    expect(await recordOf(runId, 'D-1')).toMatchObject({ status: 'SUCCESS', attempts: 3 });

    const { discardDeadLetters } = await operator.ok<{ discardDeadLetters: { discarded: number } }>(
      'mutation($ids: [ID!]) { discardDeadLetters(ids: $ids) { discarded } }',
      { ids: [d2.id] },
    );
    expect(discardDeadLetters.discarded).toBe(1);
    expect((await recordOf(runId, 'D-2')).status).toBe('DISCARDED');
  });

  it('never retries a non-retryable failure automatically, but an operator can; dryRun counts what the call does', async () => {
    const pipelineId = await createPipeline(fast);
    const runId = await runWith(pipelineId, [
      failure('N-1', 'INVALID_ID'),
      failure('N-2', 'ROW_LOCKED', { retryable: false }),
      success('N-3'),
    ]);
    expect(await recordOf(runId, 'N-1')).toMatchObject({ status: 'FAILED', retryable: false, nextRetryAt: null });
    expect(await recordOf(runId, 'N-2')).toMatchObject({ status: 'FAILED', retryable: false });
    await server.instance.services.dueRetries.queueDue(); // the retry job, run now: it queues nothing
    const { runs } = await server.admin.ok<{ runs: { totalCount: number } }>(
      'query($p: [ID!]) { runs(filter: { pipelineIds: $p, modes: [RETRY] }) { totalCount } }',
      { p: [pipelineId] },
    );
    expect(runs.totalCount).toBe(0);

    const mutation =
      'mutation($f: RecordFilter, $dry: Boolean) { retryRecords(filter: $f, dryRun: $dry) { matched scheduled skipped retryRun { id } } }';
    const filter = { runIds: [runId] };
    const dry = await operator.ok<{ retryRecords: Record<string, unknown> }>(mutation, { f: filter, dry: true });
    expect(dry.retryRecords).toEqual({ matched: 3, scheduled: 2, skipped: 1, retryRun: null });
    expect((await recordOf(runId, 'N-1')).status).toBe('FAILED');
    // A reason longer than the audit log keeps is refused before anything changes.
    expect(
      await operator.errorCode('mutation($f: RecordFilter, $r: String) { retryRecords(filter: $f, reason: $r) { scheduled } }', {
        f: filter,
        r: 'x'.repeat(2_001),
      }),
    ).toBe('BAD_USER_INPUT');
    expect((await recordOf(runId, 'N-1')).status).toBe('FAILED');
    const real = await operator.ok<{ retryRecords: { matched: number; scheduled: number; skipped: number } }>(mutation, { f: filter });
    expect(real.retryRecords).toMatchObject({ matched: 3, scheduled: 2, skipped: 1 });
    expect((await recordOf(runId, 'N-1')).status).toBe('RETRY_SCHEDULED');
    const again = await operator.ok<{ retryRecords: { scheduled: number; skipped: number } }>(mutation, { f: filter });
    expect(again.retryRecords).toMatchObject({ scheduled: 0, skipped: 3 });

    const retry = await claimRetryRun(pipelineId);
    expect(retry.records.map((r) => r.sourceId).sort()).toEqual(['N-1', 'N-2']);
    await report(retry.id, [success('N-1'), success('N-2')]);
    await finish(retry.id);
    expect(await runCounts(runId)).toMatchObject({ succeeded: 3, failed: 0 });
  });

  it('retryRun retries every failure of a run; a record the retry run never reports has failed that attempt', async () => {
    const pipelineId = await createPipeline({ ...fast, nonRetryableErrorCodes: ['ROW_LOCKED'] });
    const runId = await runWith(pipelineId, [failure('R-1'), failure('R-2'), success('R-3')]);
    const { retryRun } = await operator.ok<{
      retryRun: { matched: number; scheduled: number; retryRun: { id: string; retryOf: { id: string } } };
    }>('mutation($id: ID!) { retryRun(runId: $id) { matched scheduled retryRun { id retryOf { id } } } }', { id: runId });
    expect(retryRun).toMatchObject({ matched: 3, scheduled: 2, retryRun: { retryOf: { id: runId } } });
    const retry = await claimRetryRun(pipelineId);
    await report(retry.id, [success('R-1')]);
    const { finishRun } = await worker.ok<{ finishRun: { status: string } }>('mutation($id: ID!) { finishRun(runId: $id) { status } }', {
      id: retry.id,
    }); // R-2 was never reported
    expect(finishRun.status).toBe('COMPLETED_WITH_ERRORS');
    expect(await runCounts(retry.id)).toMatchObject({ total: 2, succeeded: 1, failed: 1, pending: 0 });
    const r2 = await recordOf(runId, 'R-2');
    expect(r2).toMatchObject({ status: 'FAILED', attempts: 2, retryable: false, nextRetryAt: null });
    expect(r2.history.map((h) => [h.attempt, h.status, h.runId])).toEqual([
      [1, 'FAILED', runId],
      [2, 'FAILED', retry.id],
    ]);
    // Not retryable: an operator's retry does not turn into automatic ones.
    await server.instance.services.dueRetries.queueDue();
    const { runs } = await server.admin.ok<{ runs: { totalCount: number } }>(
      'query($p: [ID!]) { runs(filter: { pipelineIds: $p, modes: [RETRY] }) { totalCount } }',
      { p: [pipelineId] },
    );
    expect(runs.totalCount).toBe(1);
  });

  it('uses up attempts when retry runs end without a result, and dead-letters the record', async () => {
    const pipelineId = await createPipeline(fast); // 3 attempts, due at once
    const runId = await runWith(pipelineId, [failure('U-1')]);
    for (let i = 0; i < 2; i++) {
      const retry = await claimRetryRun(pipelineId);
      await worker.ok('mutation($id: ID!) { finishRun(runId: $id, input: { status: FAILED, error: "crm down" }) { status } }', {
        id: retry.id,
      });
    }
    const record = await recordOf(runId, 'U-1');
    expect(record).toMatchObject({ status: 'DEAD_LETTERED', attempts: 3, nextRetryAt: null });
    expect(record.history.map((h) => h.status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    expect(await runCounts(runId)).toMatchObject({ total: 1, failed: 1 });
  });

  it('gives a cancelled retry run’s records back to their failure and their automatic retry', async () => {
    const pipelineId = await createPipeline({ ...fast, initialDelaySeconds: 3600, maxDelaySeconds: 3600 });
    const runId = await runWith(pipelineId, [failure('C-1'), failure('C-2', 'INVALID_ID')]);
    const ids = [(await recordOf(runId, 'C-1')).id, (await recordOf(runId, 'C-2')).id];
    const { retryRecords } = await operator.ok<{ retryRecords: { retryRun: { id: string } } }>(
      'mutation($ids: [ID!]) { retryRecords(ids: $ids) { retryRun { id } } }',
      { ids },
    );
    await operator.ok('mutation($id: ID!) { cancelRun(runId: $id) { status } }', { id: retryRecords.retryRun.id });
    const c1 = await recordOf(runId, 'C-1');
    expect(c1).toMatchObject({ status: 'FAILED', attempts: 1, retryable: true });
    expect(Date.parse(c1.nextRetryAt as string)).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await recordOf(runId, 'C-2')).toMatchObject({ status: 'FAILED', attempts: 1, retryable: false, nextRetryAt: null });
    expect(await runCounts(retryRecords.retryRun.id)).toMatchObject({ total: 2, skipped: 2, pending: 0 });
  });

  it('lists each record once, by its original, unless asked for a retry run; a retry run’s record stands for its original', async () => {
    const pipelineId = await createPipeline({ ...fast, nonRetryableErrorCodes: ['ROW_LOCKED'] });
    const runId = await runWith(pipelineId, [failure('L-1')]);
    const original = await recordOf(runId, 'L-1');
    await operator.ok('mutation($ids: [ID!]) { retryRecords(ids: $ids) { scheduled } }', { ids: [original.id] });
    const retry = await claimRetryRun(pipelineId);
    await report(retry.id, [failure('L-1')]);
    await finish(retry.id);
    const list = async (filter: Record<string, unknown>) => {
      const { records } = await server.admin.ok<{ records: { totalCount: number; edges: { node: { id: string } }[] } }>(
        'query($f: RecordFilter) { records(filter: $f) { totalCount edges { node { id } } } }',
        { f: filter },
      );
      return records.edges.map((e) => e.node.id);
    };
    expect(await list({ pipelineIds: [pipelineId], statuses: ['FAILED'] })).toEqual([original.id]);
    const [attempt] = await list({ runIds: [retry.id] });
    expect(attempt).not.toBe(original.id);
    expect(await list({ pipelineIds: [pipelineId], modes: ['RETRY'] })).toEqual([attempt]);

    const dry = 'mutation($ids: [ID!]) { retryRecords(ids: $ids, dryRun: true) { matched scheduled } }';
    expect((await operator.ok<{ retryRecords: unknown }>(dry, { ids: [attempt] })).retryRecords).toEqual({ matched: 1, scheduled: 1 });
    const { retryRun } = await operator.ok<{ retryRun: { matched: number; scheduled: number } }>(
      'mutation($id: ID!) { retryRun(runId: $id) { matched scheduled } }',
      { id: retry.id },
    );
    expect(retryRun).toEqual({ matched: 1, scheduled: 1 });
    expect((await recordOf(runId, 'L-1')).status).toBe('RETRY_SCHEDULED');
  });

  it('takes results in a retry run only for the records it hands out', async () => {
    const pipelineId = await createPipeline(fast);
    const runId = await runWith(pipelineId, [failure('H-1')]);
    const retry = await claimRetryRun(pipelineId);
    const { reportRecords } = await worker.ok<{ reportRecords: { accepted: number; rejected: { index: number; reason: string }[] } }>(
      'mutation($id: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $id, records: $records) { accepted rejected { index reason } } }',
      { id: retry.id, records: [success('H-2'), success('H-1')] },
    );
    expect(reportRecords.accepted).toBe(1);
    expect(reportRecords.rejected).toEqual([{ index: 0, reason: expect.stringMatching(/retry run/) }]);
    expect(await runCounts(retry.id)).toMatchObject({ total: 1, succeeded: 1 });
    expect(await recordOf(runId, 'H-1')).toMatchObject({ status: 'SUCCESS', attempts: 2 });
  });

  it('gathers retries falling due at different moments into the one retry run still queued', async () => {
    const pipelineId = await createPipeline({ ...fast, initialDelaySeconds: 3600, maxDelaySeconds: 3600 });
    const firstRun = await runWith(pipelineId, [failure('G-1'), failure('G-2')]);
    const secondRun = await runWith(pipelineId, [failure('G-3'), failure('G-1')]);
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    const retryRuns = async () => {
      const { runs } = await server.admin.ok<{
        runs: { edges: { node: { id: string; status: string; retryOf: { id: string } | null; counts: { total: number } } }[] };
      }>(
        'query($p: [ID!]) { runs(filter: { pipelineIds: $p, modes: [RETRY] }) { edges { node { id status retryOf { id } counts { total } } } } }',
        {
          p: [pipelineId],
        },
      );
      return runs.edges.map((e) => e.node);
    };
    const dueAndWait = async (runId: string, sourceIds: string[], expectedTotal: number) => {
      await client.query(`UPDATE records SET next_retry_at = now() WHERE run_id = $1 AND source_id = ANY($2)`, [runId, sourceIds]);
      for (let i = 0; i < 100 && (await retryRuns()).reduce((n, r) => n + r.counts.total, 0) < expectedTotal; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await dueAndWait(firstRun, ['G-1'], 1);
      expect(await retryRuns()).toMatchObject([{ status: 'QUEUED', retryOf: { id: firstRun }, counts: { total: 1 } }]);
      await dueAndWait(firstRun, ['G-2'], 2);
      await dueAndWait(secondRun, ['G-3'], 3);
      const [gathered] = await retryRuns();
      expect(await retryRuns()).toHaveLength(1);
      expect(gathered).toMatchObject({ status: 'QUEUED', retryOf: null, counts: { total: 3 } });
      // The same entity failed in the other run too: a retry run holds one attempt per entity, so it waits in another.
      await dueAndWait(secondRun, ['G-1'], 4);
      const runs = await retryRuns();
      expect(runs.map((r) => r.counts.total).sort()).toEqual([1, 3]);
      const claimed = await claimRetryRun(pipelineId);
      expect(claimed.id).toBe(gathered.id);
      expect(claimed.records.map((r) => r.sourceId).sort()).toEqual(['G-1', 'G-2', 'G-3']);
    } finally {
      await client.end();
    }
  });

  it('two schedulers at once never queue a record twice', async () => {
    const pipelineId = await createPipeline({ ...fast, initialDelaySeconds: 3600, maxDelaySeconds: 3600 });
    const records = Array.from({ length: 2000 }, (_, i) => failure(`S-${i}`));
    const runId = await runWith(pipelineId, records);
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      // The second instance starts before the records fall due, so that the calls below, not the test server's
      // own 'due retries' job (every second), are what usually finds them due.
      const other = await startTestServer({}, { databaseUrl: server.databaseUrl, jobs: false });
      try {
        await client.query(`UPDATE records SET next_retry_at = now() - interval '1 second' WHERE run_id = $1`, [runId]);
        await Promise.all([
          server.instance.services.dueRetries.queueDue(),
          other.instance.services.dueRetries.queueDue(),
          other.instance.services.dueRetries.queueDue(),
        ]);
      } finally {
        await other.stop();
      }
      // That job is one more scheduler, and it may still be taking some of these records: the calls above skip
      // records another scheduler holds (SKIP LOCKED) and return before it commits. Wait for it on the records'
      // row locks (no timer), then count.
      await client.query('SELECT id FROM records WHERE run_id = $1 FOR SHARE', [runId]);
      const { rows } = await client.query(
        `SELECT origin_record_id, count(*)::int AS copies FROM records WHERE pipeline_id = $1 AND origin_record_id IS NOT NULL
         GROUP BY origin_record_id HAVING count(*) > 1`,
        [pipelineId],
      );
      expect(rows).toEqual([]);
      const { rows: queued } = await client.query(
        `SELECT count(*)::int AS n FROM records WHERE pipeline_id = $1 AND origin_record_id IS NOT NULL`,
        [pipelineId],
      );
      expect(queued[0].n).toBe(2000);
    } finally {
      await client.end();
    }
  });
});

describe('who may retry', () => {
  it('refuses viewers and ingest keys, and keeps tenants apart', async () => {
    const pipelineId = await createPipeline(fast, 'tenant-a');
    const runId = await runWith(pipelineId, [failure('T-1', 'INVALID_ID')]);
    const record = await recordOf(runId, 'T-1');
    const viewer = await server.clientFor('VIEWER' as never);
    const retry = 'mutation($ids: [ID!]) { retryRecords(ids: $ids) { scheduled } }';
    expect(await viewer.errorCode(retry, { ids: [record.id] })).toBe('FORBIDDEN');
    expect(await worker.errorCode(retry, { ids: [record.id] })).toBe('FORBIDDEN');
    const otherTenant = await server.clientFor('OPERATOR' as never, 'tenant-b');
    expect(await otherTenant.errorCode(retry, { ids: [record.id] })).toBe('NOT_FOUND');
    expect(await otherTenant.errorCode('mutation($id: ID!) { retryRun(runId: $id) { scheduled } }', { id: runId })).toBe('NOT_FOUND');
    const byFilter = await otherTenant.ok<{ retryRecords: { matched: number } }>(
      'mutation($f: RecordFilter) { retryRecords(filter: $f) { matched } }',
      { f: { runIds: [runId] } },
    );
    expect(byFilter.retryRecords.matched).toBe(0);
    expect((await recordOf(runId, 'T-1')).status).toBe('FAILED');
    const sameTenant = await server.clientFor('OPERATOR' as never, 'tenant-a');
    expect((await sameTenant.ok<{ retryRecords: { scheduled: number } }>(retry, { ids: [record.id] })).retryRecords.scheduled).toBe(1);
    const { auditLog } = await server.admin.ok<{ auditLog: { edges: { node: { action: string } }[] } }>(
      '{ auditLog(first: 5) { edges { node { action } } } }',
    );
    expect(auditLog.edges[0].node.action).toBe('retryRecords');
  });

  it('needs ids or a filter', async () => {
    expect(await operator.errorCode('mutation { retryRecords { scheduled } }')).toBe('BAD_USER_INPUT');
    expect(await operator.errorCode('mutation { retryRecords(ids: ["x"]) { scheduled } }')).toBe('NOT_FOUND');
    expect(await operator.errorCode('mutation { retryRecords(ids: ["999999"]) { scheduled } }')).toBe('NOT_FOUND');
  });
});
