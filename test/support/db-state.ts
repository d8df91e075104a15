// Reads a test server's database directly, to prove that a refused request changed nothing. The background jobs change
// the database at any moment (leases expire, retries come due): compare it on a server started with `{ jobs: false }`.
import pg from 'pg';

/** Runs `fn` on a fresh connection to the database, then closes it. */
export async function withDatabase<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Rollups are folded from their deltas by a background job at any moment, so they are compared by what they say:
 * the hourly sums of the full cube with the deltas not folded yet added in.
 */
const ROLLUP_TABLES = ['record_rollups', 'record_rollup_deltas'];
const ROLLUP_TOTALS = `
  SELECT 'rollups (folded or not)' AS name, count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
  FROM (
    SELECT at, pipeline_id, tenant_id, entity_type, operation, mode, status, i, sum(n) AS n
    FROM (SELECT bucket_start AS at, pipeline_id, tenant_id, entity_type, operation, mode, status, records, latency_hist
          FROM record_rollups WHERE tier = 'hour' AND cube = 'full'
          UNION ALL
          SELECT hour, pipeline_id, tenant_id, entity_type, operation, mode, status, records, latency_hist FROM record_rollup_deltas) u
    CROSS JOIN LATERAL (SELECT 0::bigint AS i, u.records AS n UNION ALL SELECT h.i, h.n FROM unnest(u.latency_hist) WITH ORDINALITY AS h(n, i)) e
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(n) <> 0
  ) t`;

/**
 * Row count and a digest of the full contents of every table (migrations' bookkeeping and rate-limit counters excluded), read in one statement.
 * Two equal states mean not one row was added, removed or changed.
 */
export async function databaseState(databaseUrl: string): Promise<Record<string, { rows: number; digest: string }>> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'typeorm_metadata', 'rate_limits') ORDER BY 1`,
    );
    const perTable = tables
      .filter(({ name }) => !ROLLUP_TABLES.includes(name))
      .map(
        ({ name }) =>
          `SELECT '${name}' AS name, count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
      );
    perTable.push(ROLLUP_TOTALS);
    const { rows } = await client.query<{ name: string; rows: string; digest: string }>(perTable.join(' UNION ALL '));
    return Object.fromEntries(rows.map((row) => [row.name, { rows: Number(row.rows), digest: row.digest }]));
  });
}
