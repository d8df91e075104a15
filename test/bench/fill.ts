// Fills the database with a month of realistic history by set-based SQL: pipelines of several tenants,
// runs spread over 30 days, and their records (~12% failures: 10% FAILED, 1% waiting for a retry,
// 1% dead-lettered; six entity types; ids like 'ACC-000123'; one rare error group).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { dayPartitionName, startOfUtcDay } from '../../server/sql/partitions.js';
import { createDayPartitionSql, RECORD_TABLES } from '../../server/sql/record-partitions.js';

export const FILL_PIPELINES = 20;
export const FILL_TENANTS = 5;
export const FILL_DAYS = 30;
/** About 0.5% of the failures carry it: an error group too rare to find by walking a time index. */
export const RARE_ERROR_CODE = 'SCHEMA_CHANGED';
/** The fingerprint the fill gives a failure with this code. */
export const fillFingerprint = (code: string) => createHash('md5').update(code).digest('hex');

const PIPELINES_SQL = `
INSERT INTO pipelines (name, source_system, target_system, tenant_id)
SELECT format('Bench pipeline %s', lpad(g::text, 2, '0')),
       (ARRAY['Billing', 'ERP', 'Marketing', 'Web shop'])[1 + g % 4],
       (ARRAY['CRM', 'Web store', 'Warehouse'])[1 + g % 3],
       format('tenant-%s', 1 + g % $1::int)
FROM generate_series(0, $2::int - 1) g`;

// Runs evenly spread over the last $1 days, each lasting 10 minutes, round-robin over the pipelines.
const RUNS_SQL = `
INSERT INTO runs (pipeline_id, tenant_id, mode, status, correlation_id, created_at, started_at, ended_at)
SELECT p.id, p.tenant_id, (ARRAY['REAL_TIME', 'REAL_TIME', 'SCHEDULED', 'SCHEDULED', 'MANUAL', 'ON_DEMAND']::sync_mode[])[1 + g % 6],
       'COMPLETED_WITH_ERRORS', format('bench-run-%s', g), s.start, s.start, s.start + interval '10 minutes'
FROM generate_series(0, $2::int - 1) g
JOIN (SELECT id, tenant_id, row_number() OVER (ORDER BY name) - 1 AS n FROM pipelines WHERE name LIKE 'Bench pipeline %') p
  ON p.n = g % $3::int
CROSS JOIN LATERAL (SELECT now() - make_interval(days => $1::int) + (g + 0.5) * (make_interval(days => $1::int) / $2::int) AS start) s`;

// $1 records per run, one every 1.2 s of the run; source numbers differ within a run, recur across runs.
const RECORDS_SQL = `
INSERT INTO records (run_id, pipeline_id, tenant_id, mode, entity_type, source_id, target_id, operation, status,
                     error_code, error_message, error_fingerprint, retryable, started_at, ended_at, latency_ms, run_created_at)
SELECT s.run_id, s.pipeline_id, s.tenant_id, s.mode, e.name,
       format('%s-%s', e.prefix, lpad(((s.run_n * 1237 + s.i * 7) % 200000)::text, 6, '0')),
       CASE WHEN NOT x.failed THEN format('crm-%s', (s.run_n * 1237 + s.i * 7) % 200000) END,
       (CASE WHEN s.a < 0.2 THEN 'CREATE' WHEN s.a < 0.95 THEN 'UPDATE' ELSE 'DELETE' END)::record_operation,
       x.status,
       CASE WHEN x.failed THEN x.code END,
       CASE WHEN x.failed THEN format('%s: entity %s rejected by the target', x.code, (s.c * 1000000)::int) END,
       CASE WHEN x.failed THEN md5(x.code) END,
       x.failed,
       s.run_start + s.i * interval '1.2 seconds',
       s.run_start + s.i * interval '1.2 seconds' + x.latency * interval '1 millisecond',
       x.latency, s.run_created_at
FROM (
  SELECT r.id AS run_id, r.pipeline_id, r.tenant_id, r.mode, r.started_at AS run_start, r.created_at AS run_created_at, r.n AS run_n, i,
         random() AS a, random() AS b, random() AS c
  FROM (SELECT runs.*, row_number() OVER (ORDER BY started_at) - 1 AS n FROM runs WHERE correlation_id LIKE 'bench-run-%') r
  CROSS JOIN generate_series(0, $1::int - 1) i
) s
JOIN (VALUES (0, 'Account', 'ACC'), (1, 'Contact', 'CON'), (2, 'Lead', 'LEA'), (3, 'Product', 'PRD'), (4, 'Order', 'ORD'), (5, 'Invoice', 'INV'))
  AS e(k, name, prefix) ON e.k = s.i % 6
CROSS JOIN LATERAL (
  SELECT (CASE WHEN s.b < 0.10 THEN 'FAILED' WHEN s.b < 0.11 THEN 'RETRY_SCHEDULED' WHEN s.b < 0.12 THEN 'DEAD_LETTERED'
               WHEN s.b < 0.15 THEN 'SKIPPED' WHEN s.b < 0.17 THEN 'PARTIAL_SUCCESS' ELSE 'SUCCESS' END)::record_status AS status,
         s.b < 0.12 AS failed,
         CASE WHEN s.a > 0.995 THEN '${RARE_ERROR_CODE}'
              ELSE (ARRAY['INVALID_ACCOUNT_ID', 'ROW_LOCKED', 'RATE_LIMITED', 'VALIDATION_FAILED', 'TIMEOUT'])[1 + floor(s.c * 5)::int] END AS code,
         (20 + power(s.c, 3) * 3000)::int AS latency
) x`;

const RUN_COUNTS_SQL = `
UPDATE runs r SET count_total = c.total, count_created = c.created, count_updated = c.updated, count_deleted = c.deleted,
                  count_skipped = c.skipped, count_succeeded = c.succeeded, count_failed = c.failed
FROM (SELECT run_id, count(*) AS total,
             count(*) FILTER (WHERE operation = 'CREATE') AS created, count(*) FILTER (WHERE operation = 'UPDATE') AS updated,
             count(*) FILTER (WHERE operation = 'DELETE') AS deleted, count(*) FILTER (WHERE status = 'SKIPPED') AS skipped,
             count(*) FILTER (WHERE status IN ('SUCCESS', 'PARTIAL_SUCCESS')) AS succeeded,
             count(*) FILTER (WHERE status IN ('FAILED', 'RETRY_SCHEDULED', 'DEAD_LETTERED')) AS failed
      FROM records GROUP BY run_id) c
WHERE r.id = c.run_id`;

/**
 * Inserts `runs × recordsPerRun` records. The records table's secondary indexes are dropped for the insert
 * and rebuilt from their own definitions afterwards: the same indexes, built in seconds rather than minutes.
 */
export async function fillHistory(sql: pg.Pool, runs: number, recordsPerRun: number): Promise<void> {
  const client = await sql.connect();
  try {
    await client.query("SET maintenance_work_mem = '512MB'");
    await client.query('SELECT setseed(0.42)');
    await client.query(PIPELINES_SQL, [FILL_TENANTS, FILL_PIPELINES]);
    await client.query(RUNS_SQL, [FILL_DAYS, runs, FILL_PIPELINES]);
    // The days of records and attempts a leader would have made as the month went by (the runs' creation days); none
    // on the layout before partitions (the upgrade bench fills that).
    const [{ now, partitioned }] = (
      await client.query<{ now: Date; partitioned: boolean }>(
        `SELECT now() AS now, EXISTS (SELECT 1 FROM pg_class WHERE relname = 'records' AND relkind = 'p') AS partitioned`,
      )
    ).rows;
    const today = startOfUtcDay(now);
    for (let n = 1; partitioned && n <= FILL_DAYS + 1; n++) {
      const day = new Date(today.getTime() - n * 86_400_000);
      const next = new Date(day.getTime() + 86_400_000);
      for (const table of [RECORD_TABLES.records, RECORD_TABLES.attempts]) {
        const name = dayPartitionName(table, day);
        const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS made', [name]);
        if (!rows[0].made) await client.query(createDayPartitionSql(table, name, day, next));
      }
    }
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(
      `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
       WHERE i.tablename = 'records' AND i.schemaname = current_schema()
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
    await client.query(RECORDS_SQL, [recordsPerRun]);
    // A partitioned table's index reads `ON ONLY records` in pg_indexes: as written it would index the parent alone
    // (left invalid) and none of the days. Made `ON records`, it is made on every partition too.
    for (const index of indexes) await client.query(index.definition.replace(' ON ONLY ', ' ON '));
    await client.query(RUN_COUNTS_SQL);
    await client.query('VACUUM ANALYZE pipelines, runs, records');
    await client.query('CHECKPOINT');
  } finally {
    client.release();
  }
}
