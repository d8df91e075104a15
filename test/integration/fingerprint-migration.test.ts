// The fingerprint migration (NumbersInFingerprints): records written under the former rule (a run of six or more
// digits was `<id>`, a shorter one `<n>`) are regrouped by the current one, and their resolutions, alerts and
// rollups come along. The database is migrated up to just before it, filled as the former rule wrote, then
// opened as a server opens it.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../server/db/data-source.js';
import { NumbersInFingerprints1700000002800 } from '../../server/db/migrations/1700000002800-NumbersInFingerprints.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { createTestDatabase } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** A fingerprint as the former rule made it, from the message it normalized to (spelled out here). */
const formerFingerprint = (code: string, normalized: string) =>
  createHash('sha1').update(`${code}\u0000${normalized}`).digest('hex').slice(0, 16);

const SHORT = formerFingerprint('E_LOCK', 'Unable to lock row <n>');
const LONG = formerFingerprint('E_LOCK', 'Unable to lock row <id>');
// Under the former rule "Order 12345678" and "Order A12345678" were one group; under the current one they are two.
const ORDER_ID = formerFingerprint('E_GONE', 'Order <id> is gone');
const NOW = Date.now();
const at = (hoursAgo: number) => new Date(NOW - hoursAgo * 3_600_000).toISOString();

let url: string;
let sql: pg.Client;
let server: TestServer;
let rollupsBefore: string;

beforeAll(async () => {
  url = await createTestDatabase('fingerprints');
  const before = new DataSource({
    type: 'postgres',
    url,
    migrations: migrations.slice(0, migrations.indexOf(NumbersInFingerprints1700000002800)),
  });
  await before.initialize();
  await before.runMigrations({ transaction: 'all' });
  await before.destroy();

  sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const [{ id: pipeline }] = (
    await sql.query(`INSERT INTO pipelines (name, source_system, target_system) VALUES ('billing', 'erp', 'crm') RETURNING id`)
  ).rows;
  const [{ id: run }] = (
    await sql.query(
      `INSERT INTO runs (pipeline_id, mode, status, started_at, ended_at) VALUES ($1, 'MANUAL', 'COMPLETED_WITH_ERRORS', $2, $2) RETURNING id`,
      [pipeline, at(10)],
    )
  ).rows;
  const failures: [string, string, string, number][] = [
    // One error, split by the former rule into two groups: the short one open, the long one resolved.
    ['E_LOCK', 'Unable to lock row 1001', SHORT, 9],
    ['E_LOCK', 'Unable to lock row 777777', LONG, 8],
    ['E_LOCK', 'Unable to lock row 31337', SHORT, 7],
    // A group the former rule made of one long number, resolved, that failed again after its resolution.
    ['E_GONE', 'Order 12345678 is gone', ORDER_ID, 6],
    ['E_GONE', 'Order 87654321 is gone', ORDER_ID, 1],
    // An id with letters: an id under either rule, so it stays where it is, resolution and all.
    ['E_GONE', 'Order A12345678 is gone', ORDER_ID, 5],
  ];
  for (const [i, [code, message, fingerprint, hoursAgo]] of failures.entries()) {
    await sql.query(
      `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, error_code, error_message,
                            error_fingerprint, started_at, reported_status)
       VALUES ($1, $2, 'MANUAL', 'Account', $3, 'UPDATE', 'FAILED', $4, $5, $6, $7, 'FAILED')`,
      [run, pipeline, `acc-${i}`, code, message, fingerprint, at(hoursAgo)],
    );
  }
  await sql.query(
    `INSERT INTO error_group_resolutions (tenant_id, fingerprint, resolved_at, resolved_by, resolution_note)
     VALUES (NULL, $1, $3, 'admin', 'locks released'), (NULL, $2, $4, 'admin', 'orders restored')`,
    [LONG, ORDER_ID, at(2), at(3)],
  );
  // Two open alerts of one rule, on the two halves of the lock error.
  const [{ id: rule }] = (
    await sql.query(`INSERT INTO alert_rules (name, condition) VALUES ('new errors', 'ERROR_GROUP_NEW') RETURNING id`)
  ).rows;
  await sql.query(
    `INSERT INTO alerts (rule_id, target_key, fingerprint, severity, summary, fired_at)
     VALUES ($1, $2, $2, 'WARNING', 'short', $4), ($1, $3, $3, 'WARNING', 'long', $5)`,
    [rule, SHORT, LONG, at(9), at(8)],
  );
  rollupsBefore = await rollupRecords();

  // Opened as a server opens it: the remaining migrations run.
  server = await startTestServer({}, { databaseUrl: url, jobs: false });
});
afterAll(async () => {
  await server?.stop();
  await sql?.end();
});

/** The rollups' failed records, per hour (no jobs run here, so none are folded: the deltas hold them all). */
async function rollupRecords(): Promise<string> {
  const { rows } = await sql.query(`
    SELECT hour, sum(records)::integer AS n FROM record_rollup_deltas WHERE status = 'FAILED' GROUP BY hour ORDER BY hour`);
  return JSON.stringify(rows);
}

interface Group {
  fingerprint: string;
  count: number;
  state: string;
  resolvedAt: string | null;
  resolutionNote: string | null;
}

const groups = async () =>
  (
    await server.admin.ok<{ errorGroups: Group[] }>(
      `query($range: DateRange) { errorGroups(range: $range) { fingerprint count state resolvedAt resolutionNote } }`,
      { range: { from: at(48), to: at(-1) } },
    )
  ).errorGroups;

describe('the fingerprint migration', () => {
  it('regroups the records written under the former rule by the current one', async () => {
    const lock = errorFingerprint('E_LOCK', 'Unable to lock row 1') as string;
    const order = errorFingerprint('E_GONE', 'Order 1 is gone') as string;
    expect(lock).toBe(SHORT);
    const { rows } = await sql.query(`SELECT error_code, error_message, error_fingerprint FROM records ORDER BY id`);
    expect(rows.map((row) => row.error_fingerprint)).toEqual([lock, lock, lock, order, order, ORDER_ID]);
    // Each record's fingerprint is what the current rule makes of its message.
    for (const row of rows) expect(row.error_fingerprint).toBe(errorFingerprint(row.error_code, row.error_message));
  });

  it('carries resolutions over: merged groups take the earliest, and a regression stays one', async () => {
    const byFingerprint = new Map((await groups()).map((group) => [group.fingerprint, group]));
    const lock = byFingerprint.get(SHORT);
    // The long half was resolved 2 hours ago and the whole error has not failed since: resolved, with its note.
    expect(lock).toMatchObject({ count: 3, state: 'RESOLVED', resolvedAt: at(2), resolutionNote: 'locks released' });
    expect(byFingerprint.has(LONG)).toBe(false);
    const order = byFingerprint.get(errorFingerprint('E_GONE', 'Order 1 is gone') as string);
    expect(order).toMatchObject({ count: 2, state: 'REGRESSED', resolutionNote: 'orders restored' });
    // The half that kept its fingerprint kept its resolution too (both halves were resolved before the split).
    expect(byFingerprint.get(ORDER_ID)).toMatchObject({ count: 1, state: 'RESOLVED', resolvedAt: at(3) });
    // No resolution is left on a fingerprint no record carries.
    const { rows } = await sql.query(`SELECT fingerprint FROM error_group_resolutions`);
    expect(rows.map((row) => row.fingerprint).sort()).toEqual([SHORT, order?.fingerprint, ORDER_ID].sort());
  });

  it('keeps one open alert per rule and group, the first fired, and leaves the rollups as they were', async () => {
    const { rows } = await sql.query(`SELECT summary, target_key, fingerprint, state FROM alerts ORDER BY fired_at`);
    expect(rows).toEqual([
      { summary: 'short', target_key: SHORT, fingerprint: SHORT, state: 'FIRING' },
      { summary: 'long', target_key: SHORT, fingerprint: SHORT, state: 'RESOLVED' },
    ]);
    expect(await rollupRecords()).toBe(rollupsBefore);
  });
});
