// reportRecords: counts, upserts on (run, entity type, source id), idempotent re-reports, rejections by index, bounded error text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { MAX_ERROR_MESSAGE_BYTES, TRUNCATION_MARKER } from '../../server/domain/error-text.js';
import { withDatabase } from '../support/db-state.js';
import {
  allRecords,
  createPipeline,
  type PipelineView,
  type RecordInput,
  type RecordView,
  recordInput,
  reportRecords,
  startRun,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ingest: GraphQLClient;
let pipeline: PipelineView;

beforeAll(async () => {
  server = await startTestServer();
  ingest = await server.clientFor(Role.INGEST);
  pipeline = await createPipeline(server.admin);
});
afterAll(() => server?.stop());

/** Every stored column of a run's records except updated_at, straight from the table. */
const storedRecords = (runId: string) =>
  withDatabase(server.databaseUrl, async (db) => {
    const { rows } = await db.query('SELECT * FROM records WHERE run_id = $1 ORDER BY id', [runId]);
    return rows.map(({ updated_at: _ignored, ...row }) => row);
  });

const storedRuns = (runId: string) =>
  withDatabase(
    server.databaseUrl,
    async (db) => (await db.query('SELECT count(*)::int AS n FROM records WHERE run_id = $1', [runId])).rows[0].n,
  );

/** A run's counts computed from its records, by the bucket rules of docs/architecture.md, "How a record counts in its run" (server/domain/record-outcome.ts). */
const COUNTS_OF_RECORDS = `
  SELECT count(*)::int AS total,
    count(*) FILTER (WHERE status IN ('SUCCESS','PARTIAL_SUCCESS') AND operation = 'CREATE')::int AS created,
    count(*) FILTER (WHERE status IN ('SUCCESS','PARTIAL_SUCCESS') AND operation = 'UPDATE')::int AS updated,
    count(*) FILTER (WHERE status IN ('SUCCESS','PARTIAL_SUCCESS') AND operation = 'DELETE')::int AS deleted,
    count(*) FILTER (WHERE status IN ('SKIPPED','CANCELLED'))::int AS skipped,
    count(*) FILTER (WHERE status IN ('SUCCESS','PARTIAL_SUCCESS'))::int AS succeeded,
    count(*) FILTER (WHERE status IN ('FAILED','PARTIALLY_FAILED','EXTRACTION_FAILED','RETRY_SCHEDULED','DEAD_LETTERED','DISCARDED'))::int AS failed,
    count(*) FILTER (WHERE status IN ('PENDING','EXTRACTING','IN_PROGRESS'))::int AS pending
  FROM records WHERE run_id = $1`;

describe('counts', () => {
  it('puts each record in its bucket, and successes by operation', async () => {
    const run = await startRun(ingest, pipeline.id);
    const batch: RecordInput[] = [
      recordInput('c-1', { operation: 'CREATE' }),
      recordInput('c-2', { operation: 'CREATE', status: 'PARTIAL_SUCCESS' }),
      recordInput('u-1', { operation: 'UPDATE' }),
      recordInput('d-1', { operation: 'DELETE' }),
      recordInput('s-1', { status: 'SKIPPED' }),
      recordInput('s-2', { status: 'CANCELLED' }),
      recordInput('p-1', { status: 'PENDING' }),
      recordInput('p-2', { status: 'EXTRACTING' }),
      recordInput('p-3', { status: 'IN_PROGRESS', operation: 'UPDATE' }),
      recordInput('f-1', { status: 'FAILED', retryable: false, errorCode: 'E_INVALID' }),
      recordInput('f-2', { status: 'EXTRACTION_FAILED', retryable: false }),
      recordInput('f-3', { status: 'PARTIALLY_FAILED', operation: 'DELETE', retryable: false }),
    ];
    const report = await reportRecords(ingest, run.id, batch);
    expect(report.accepted).toBe(12);
    expect(report.rejected).toEqual([]);
    expect(report.run.counts).toEqual({ total: 12, created: 2, updated: 1, deleted: 1, skipped: 2, succeeded: 4, failed: 3, pending: 3 });
  });

  it('moves a record between buckets when it is re-reported, and adds across batches', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('m-1', { status: 'PENDING' }), recordInput('m-2', { status: 'IN_PROGRESS' })]);
    const second = await reportRecords(ingest, run.id, [
      recordInput('m-1', { operation: 'UPDATE' }),
      recordInput('m-2', { status: 'FAILED', retryable: false }),
      recordInput('m-3'),
    ]);
    expect(second.run.counts).toEqual({ total: 3, created: 1, updated: 1, deleted: 0, skipped: 0, succeeded: 2, failed: 1, pending: 0 });
    expect(await storedRuns(run.id)).toBe(3);
  });
});

describe('re-reports', () => {
  it('are idempotent: the same batch twice leaves the same rows and counts', async () => {
    const run = await startRun(ingest, pipeline.id);
    const batch: RecordInput[] = Array.from({ length: 50 }, (_, i) =>
      recordInput(`idem-${i}`, {
        entityType: i % 2 ? 'Account' : 'Contact',
        operation: ['CREATE', 'UPDATE', 'DELETE'][i % 3],
        status: i % 5 === 0 ? 'FAILED' : 'SUCCESS',
        retryable: false,
        errorCode: i % 5 === 0 ? 'E_DUP' : null,
        startedAt: new Date(Date.UTC(2026, 10, 20, 10, 0, i)).toISOString(),
        endedAt: new Date(Date.UTC(2026, 10, 20, 10, 0, i, 250)).toISOString(),
        targetId: `t-${i}`,
        details: { i },
      }),
    );
    const first = await reportRecords(ingest, run.id, batch);
    const rowsAfterFirst = await storedRecords(run.id);
    const second = await reportRecords(ingest, run.id, batch);
    expect(second.accepted).toBe(50);
    expect(second.run.counts).toEqual(first.run.counts);
    expect(first.run.counts).toMatchObject({ total: 50, failed: 10, succeeded: 40 });
    expect(await storedRecords(run.id)).toEqual(rowsAfterFirst);
  });

  it('are idempotent for failures waiting for an automatic retry too (only the retry time moves)', async () => {
    const run = await startRun(ingest, pipeline.id);
    const batch = Array.from({ length: 10 }, (_, i) => recordInput(`retry-${i}`, { status: 'FAILED', errorCode: 'E_LOCKED' }));
    const first = await reportRecords(ingest, run.id, batch);
    const withoutRetryTime = async () => (await storedRecords(run.id)).map(({ next_retry_at: _moves, ...row }) => row);
    const rowsAfterFirst = await withoutRetryTime();
    const second = await reportRecords(ingest, run.id, batch);
    expect(second.run.counts).toEqual(first.run.counts);
    expect(first.run.counts).toMatchObject({ total: 10, failed: 10 });
    expect(await withoutRetryTime()).toEqual(rowsAfterFirst);
  });

  it('with another outcome after a final one are a new attempt, kept in the history; progress reports are not', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('att-1', { status: 'PENDING' })]);
    await reportRecords(ingest, run.id, [recordInput('att-1', { status: 'IN_PROGRESS' })]);
    await reportRecords(ingest, run.id, [recordInput('att-1', { status: 'FAILED', errorCode: 'E_LOCK', errorMessage: 'row locked' })]);
    await reportRecords(ingest, run.id, [recordInput('att-1', { status: 'FAILED', errorCode: 'E_LOCK', errorMessage: 'row locked' })]);
    const last = await reportRecords(ingest, run.id, [recordInput('att-1', { status: 'SUCCESS', latencyMs: 40 })]);
    expect(last.run.counts).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
    const [record] = await allRecords(
      ingest,
      { runIds: [run.id] },
      null,
      500,
      'id status attempts history { attempt status errorCode runId }',
    );
    expect(record).toMatchObject({ status: 'SUCCESS', attempts: 2 });
    expect((record as unknown as { history: unknown[] }).history).toEqual([
      { attempt: 1, status: 'FAILED', errorCode: 'E_LOCK', runId: run.id },
      { attempt: 2, status: 'SUCCESS', errorCode: null, runId: run.id },
    ]);
  });

  it('update the record rather than add one; omitted targetId and details keep their value', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [
      recordInput('acc-9', { status: 'FAILED', retryable: false, errorCode: 'E_LOCK', targetId: 'crm-9', details: { a: 1 } }),
    ]);
    await reportRecords(ingest, run.id, [recordInput('acc-9', { operation: 'UPDATE', latencyMs: 12 })]);
    const records = await allRecords(ingest, { runIds: [run.id] });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      sourceId: 'acc-9',
      status: 'SUCCESS',
      operation: 'UPDATE',
      errorCode: null,
      targetId: 'crm-9',
      details: { a: 1 },
      latencyMs: 12,
    });
  });

  it('of the same source id under another entity type, or in another run, are different records', async () => {
    const run = await startRun(ingest, pipeline.id);
    const other = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('42', { entityType: 'Account' }), recordInput('42', { entityType: 'Contact' })]);
    await reportRecords(ingest, other.id, [recordInput('42', { entityType: 'Account' })]);
    expect(await storedRuns(run.id)).toBe(2);
    expect(await storedRuns(other.id)).toBe(1);
  });
});

describe('one batch', () => {
  it('applies a record reported several times in one batch in order, as separate reports', async () => {
    const run = await startRun(ingest, pipeline.id);
    const report = await reportRecords(ingest, run.id, [
      recordInput('dup-1', { status: 'PENDING' }),
      recordInput('other'),
      recordInput('dup-1', { status: 'FAILED', retryable: false, errorCode: 'E_LOCK' }),
      recordInput('dup-1', { operation: 'UPDATE' }),
    ]);
    expect(report.accepted).toBe(4);
    expect(report.rejected).toEqual([]);
    expect(report.run.counts).toMatchObject({ total: 2, succeeded: 2, updated: 1, created: 1, failed: 0, pending: 0 });
    const records = await allRecords(
      ingest,
      { runIds: [run.id], sourceId: 'dup-1' },
      null,
      500,
      'id status operation attempts history { attempt status }',
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'SUCCESS', operation: 'UPDATE', attempts: 2 });
    expect((records[0] as unknown as { history: unknown[] }).history).toEqual([
      { attempt: 1, status: 'FAILED' },
      { attempt: 2, status: 'SUCCESS' },
    ]);
  });

  it('stores text Postgres cannot hold as it can, or rejects it by index, never failing the batch', async () => {
    const run = await startRun(ingest, pipeline.id);
    const report = await reportRecords(ingest, run.id, [
      recordInput('half-\ud83d', { status: 'FAILED', retryable: false, errorMessage: 'lone \udc00', details: { note: '\ud800' } }),
      recordInput('nul-\u0000'),
      recordInput('fine'),
      recordInput('long', { startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-11-29T00:00:00Z' }),
    ]);
    expect(report.accepted).toBe(2);
    expect(report.rejected.map((r) => r.index)).toEqual([1, 3]);
    const records = await allRecords(ingest, { runIds: [run.id] }, null, 500, 'sourceId errorMessage details');
    expect(records.find((r) => r.sourceId.startsWith('half-'))).toMatchObject({
      sourceId: 'half-\ufffd',
      errorMessage: 'lone \ufffd',
      details: { note: '\ufffd' },
    });
  });

  it('never starts a record after its given end when startedAt is not given', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('ended-only', { endedAt: '2026-11-01T10:00:00Z' })]);
    const [record] = await allRecords(ingest, { runIds: [run.id] }, null, 500, 'startedAt endedAt');
    expect(record).toMatchObject({ startedAt: '2026-11-01T10:00:00.000Z', endedAt: '2026-11-01T10:00:00.000Z' });
  });

  it('rejects invalid entries by index and reason, and stores the valid ones', async () => {
    const run = await startRun(ingest, pipeline.id);
    const report = await reportRecords(ingest, run.id, [
      recordInput('ok-1'),
      recordInput('neg', { latencyMs: -5 }),
      recordInput('x', { entityType: '  ' }),
      recordInput(''),
      recordInput('ok-2', { status: 'FAILED', retryable: false }),
      recordInput('server-only', { status: 'DEAD_LETTERED' }),
      recordInput('backwards', { startedAt: '2026-11-20T10:00:00Z', endedAt: '2026-11-20T09:00:00Z' }),
      recordInput('huge', { details: { blob: 'x'.repeat(70 * 1024) } }),
      recordInput('ok-3', { status: 'SKIPPED' }),
    ]);
    expect(report.accepted).toBe(3);
    expect(report.rejected.map((r) => r.index)).toEqual([1, 2, 3, 5, 6, 7]);
    const reasons = Object.fromEntries(report.rejected.map((r) => [r.index, r.reason]));
    expect(reasons[1]).toMatch(/latencyMs/);
    expect(reasons[2]).toMatch(/entityType/);
    expect(reasons[3]).toMatch(/sourceId/);
    expect(reasons[5]).toMatch(/DEAD_LETTERED/);
    expect(reasons[6]).toMatch(/endedAt/);
    expect(reasons[7]).toMatch(/details/);
    const stored = await storedRecords(run.id);
    expect(stored.map((r) => r.source_id).sort()).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(report.run.counts).toMatchObject({ total: 3, succeeded: 1, failed: 1, skipped: 1 });
  });

  it('of only invalid entries stores no record', async () => {
    const run = await startRun(ingest, pipeline.id);
    const report = await reportRecords(ingest, run.id, [recordInput('neg', { latencyMs: -1 }), recordInput('e', { entityType: '' })]);
    expect(report.accepted).toBe(0);
    expect(report.rejected.map((r) => r.index)).toEqual([0, 1]);
    expect(await storedRuns(run.id)).toBe(0);
    expect(report.run.counts.total).toBe(0);
  });
});

describe('stored values', () => {
  const read = async (runId: string, sourceId: string): Promise<RecordView & { history: { status: string; attempt: number }[] }> => {
    const records = await allRecords(
      ingest,
      { runIds: [runId], sourceId },
      null,
      10,
      `id sourceId errorMessage latencyMs startedAt endedAt
      status attempts history { attempt status errorMessage runId }`,
    );
    return records.find((r) => r.sourceId === sourceId) as RecordView & { history: { status: string; attempt: number }[] };
  };

  it('cuts an error message over 8 KiB to 8 KiB, marker included', async () => {
    const run = await startRun(ingest, pipeline.id);
    const ascii = `Timeout talking to CRM: ${'x'.repeat(20_000)}`;
    const wide = `Échec: ${'日本語🙂'.repeat(3_000)}`;
    const exact = 'y'.repeat(MAX_ERROR_MESSAGE_BYTES);
    await reportRecords(ingest, run.id, [
      recordInput('ascii', { status: 'FAILED', retryable: false, errorMessage: ascii }),
      recordInput('wide', { status: 'FAILED', retryable: false, errorMessage: wide }),
      recordInput('exact', { status: 'FAILED', retryable: false, errorMessage: exact }),
    ]);
    for (const [sourceId, original] of [
      ['ascii', ascii],
      ['wide', wide],
    ]) {
      const message = (await read(run.id, sourceId)).errorMessage as string;
      expect(Buffer.byteLength(message, 'utf8')).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
      expect(Buffer.byteLength(message, 'utf8')).toBeGreaterThan(MAX_ERROR_MESSAGE_BYTES - 8);
      expect(message.endsWith(TRUNCATION_MARKER)).toBe(true);
      expect(original.startsWith(message.slice(0, -TRUNCATION_MARKER.length))).toBe(true);
      expect(message).not.toContain('\uFFFD');
    }
    // Exactly 8 KiB fits, untouched.
    expect((await read(run.id, 'exact')).errorMessage).toBe(exact);
    const [row] = await withDatabase(
      server.databaseUrl,
      async (db) =>
        (await db.query(`SELECT octet_length(error_message) AS bytes FROM records WHERE run_id = $1 AND source_id = 'ascii'`, [run.id]))
          .rows,
    );
    expect(row.bytes).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
  });

  it('derives latency from the attempt’s times when the worker gives none', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [
      recordInput('timed', { startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:00:01.250Z' }),
    ]);
    const record = await read(run.id, 'timed');
    expect(record).toMatchObject({ latencyMs: 1250, startedAt: '2026-11-20T10:00:00.000Z', endedAt: '2026-11-20T10:00:01.250Z' });
  });

  it('gives a record one attempt in its history, the current one', async () => {
    const run = await startRun(ingest, pipeline.id);
    await reportRecords(ingest, run.id, [recordInput('hist', { status: 'FAILED', retryable: false, errorMessage: 'nope' })]);
    const record = await read(run.id, 'hist');
    expect(record.attempts).toBe(1);
    expect(record.history).toEqual([{ attempt: 1, status: 'FAILED', errorMessage: 'nope', runId: run.id }]);
  });
});

describe('concurrent workers', () => {
  it('reporting into one run at once, with overlapping records, leave counts that match the rows', async () => {
    const run = await startRun(ingest, pipeline.id);
    const statuses = ['SUCCESS', 'FAILED', 'SKIPPED', 'PENDING'];
    // Eight batches of 200; neighbouring batches share half their source ids, so re-reports race with first reports.
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 200 }, (_, i) =>
        recordInput(`c-${b * 100 + i}`, { status: statuses[(b + i) % 4], retryable: false, operation: i % 2 ? 'UPDATE' : 'CREATE' }),
      ),
    );
    const reports = await Promise.all(batches.map((batch) => reportRecords(ingest, run.id, batch)));
    expect(reports.every((r) => r.accepted === 200)).toBe(true);
    const [actual] = await withDatabase(server.databaseUrl, async (db) => (await db.query(COUNTS_OF_RECORDS, [run.id])).rows);
    const { run: after } = await ingest.ok<{ run: { counts: Record<string, number> } }>(
      'query($id: ID!) { run(id: $id) { counts { total created updated deleted skipped succeeded failed pending } } }',
      { id: run.id },
    );
    expect(after.counts).toEqual(actual);
    expect(after.counts.total).toBe(900);
  });

  it('every run’s counts equal what its records say, after everything this file did', async () => {
    const mismatches = await withDatabase(
      server.databaseUrl,
      async (db) =>
        (
          await db.query(
            `SELECT r.id FROM runs r, LATERAL (${COUNTS_OF_RECORDS.replace('$1', 'r.id')}) c
             WHERE (r.count_total, r.count_created, r.count_updated, r.count_deleted, r.count_skipped, r.count_succeeded, r.count_failed, r.count_pending)
                <> (c.total, c.created, c.updated, c.deleted, c.skipped, c.succeeded, c.failed, c.pending)`,
          )
        ).rows,
    );
    expect(mismatches).toEqual([]);
  });
});
