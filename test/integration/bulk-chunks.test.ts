// Bulk operator mutations by filter work through large selections in chunks, one transaction each (seen in the
// rows' xmin: the transaction that last wrote them), with the outcome, the retry runs and the audit of one action.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, finishRun, recordInput, reportRecords, startRun, unique } from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';

const CHUNK = 40;
let server: TestServer;
let db: pg.Client;
beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  server.instance.services.retries.chunkSize = CHUNK;
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

/** A finished run of a new pipeline with `count` failures; dead-lettered at once when `dead`. */
async function failures(count: number, dead = false): Promise<string> {
  const pipeline = await createPipeline(server.admin, dead ? { retryPolicy: { maxAttempts: 1 } } : {});
  const run = await startRun(server.admin, pipeline.id);
  const records = Array.from({ length: count }, () => recordInput(unique('f'), { status: 'FAILED', errorCode: 'E_BULK' }));
  await reportRecords(server.admin, run.id, records);
  await finishRun(server.admin, run.id);
  return pipeline.id;
}

/** How many transactions last wrote the pipeline's original records. */
const writers = async (pipelineId: string, status: string) =>
  (
    await db.query(
      'SELECT count(DISTINCT xmin::text)::int AS n, count(*)::int AS records FROM records WHERE pipeline_id = $1 AND origin_record_id IS NULL AND status = $2',
      [pipelineId, status],
    )
  ).rows[0];

describe('bulk mutations by filter', () => {
  it('retryRecords takes 130 records in 4 transactions of at most 40, into one retry run, audited once', async () => {
    const pipelineId = await failures(130);
    const { retryRecords } = await server.admin.ok<{
      retryRecords: { matched: number; scheduled: number; retryRun: { id: string; counts: { total: number } } };
    }>('mutation($f: RecordFilter) { retryRecords(filter: $f) { matched scheduled retryRun { id counts { total } } } }', {
      f: { pipelineIds: [pipelineId] },
    });
    expect(retryRecords).toMatchObject({ matched: 130, scheduled: 130, retryRun: { counts: { total: 130 } } });
    expect(await writers(pipelineId, 'RETRY_SCHEDULED')).toEqual({ n: 4, records: 130 });
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM runs WHERE pipeline_id = $1 AND mode = 'RETRY'`, [pipelineId]);
    expect(rows[0].n).toBe(1);
    const audit = await db.query(
      `SELECT details FROM audit_entries WHERE action = 'retryRecords' AND details->'filter'->'pipelineIds' ? $1`,
      [pipelineId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].details).toMatchObject({ matched: 130, scheduled: 130 });
  });

  it('discardDeadLetters takes 90 records in 3 transactions', async () => {
    const pipelineId = await failures(90, true);
    const { discardDeadLetters } = await server.admin.ok<{ discardDeadLetters: { discarded: number } }>(
      'mutation($f: RecordFilter) { discardDeadLetters(filter: $f) { discarded } }',
      { f: { pipelineIds: [pipelineId] } },
    );
    expect(discardDeadLetters.discarded).toBe(90);
    expect(await writers(pipelineId, 'DISCARDED')).toEqual({ n: 3, records: 90 });
  });

  it('replayDeadLetters takes 50 records in 2 transactions', async () => {
    const pipelineId = await failures(50, true);
    const { replayDeadLetters } = await server.admin.ok<{ replayDeadLetters: { scheduled: number } }>(
      'mutation($f: RecordFilter) { replayDeadLetters(filter: $f) { scheduled } }',
      { f: { pipelineIds: [pipelineId] } },
    );
    expect(replayDeadLetters.scheduled).toBe(50);
    expect(await writers(pipelineId, 'RETRY_SCHEDULED')).toEqual({ n: 2, records: 50 });
  });

  it('refuses more than 1,000 ids, and an error names at most 10 of them', async () => {
    const tooMany = Array.from({ length: 1_001 }, (_, i) => String(i + 1));
    expect(await server.admin.errorCode('mutation($ids: [ID!]) { retryRecords(ids: $ids) { matched } }', { ids: tooMany })).toBe(
      'BAD_USER_INPUT',
    );
    const unknown = Array.from({ length: 500 }, (_, i) => String(900_000_000 + i));
    const result = await server.admin.request('mutation($ids: [ID!]) { discardDeadLetters(ids: $ids) { discarded } }', { ids: unknown });
    expect(result.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(result.errors?.[0].message).toMatch(/and 490 more/);
    expect(result.errors?.[0].message.length).toBeLessThan(400);
  });

  it('a chunk that fails after others committed leaves them done and audited as interrupted', async () => {
    const pipelineId = await failures(130);
    // A fault in the database itself: the 101st record (third chunk) cannot be scheduled.
    const { rows } = await db.query(
      'SELECT id FROM records WHERE pipeline_id = $1 AND origin_record_id IS NULL ORDER BY id OFFSET 100 LIMIT 1',
      [pipelineId],
    );
    await db.query(`CREATE FUNCTION poison_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = ${Number(rows[0].id)} AND NEW.status = 'RETRY_SCHEDULED' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$`);
    await db.query('CREATE TRIGGER poison_chunk BEFORE UPDATE ON records FOR EACH ROW EXECUTE FUNCTION poison_chunk()');
    try {
      const result = await server.admin.request('mutation($f: RecordFilter) { retryRecords(filter: $f) { scheduled } }', {
        f: { pipelineIds: [pipelineId] },
      });
      expect(result.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    } finally {
      await db.query('DROP TRIGGER poison_chunk ON records; DROP FUNCTION poison_chunk()');
    }
    expect(await writers(pipelineId, 'RETRY_SCHEDULED')).toEqual({ n: 2, records: 80 });
    const audit = await db.query(
      `SELECT details FROM audit_entries WHERE action = 'retryRecords' AND details->'filter'->'pipelineIds' ? $1`,
      [pipelineId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].details).toMatchObject({ matched: 130, scheduled: 80, interrupted: expect.stringContaining('injected fault') });
    const { rows: retryRuns } = await db.query(`SELECT count_total FROM runs WHERE pipeline_id = $1 AND mode = 'RETRY'`, [pipelineId]);
    expect(retryRuns).toEqual([{ count_total: 80 }]);
    expect(audit.rows[0].details.retryRuns).toHaveLength(1);
  });
});
