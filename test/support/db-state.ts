// Reads a test server's database directly, to prove that a refused request changed nothing.
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
 * Row count and a digest of the full contents of every table (migrations' bookkeeping excluded), read in one statement.
 * Two equal states mean not one row was added, removed or changed.
 */
export async function databaseState(databaseUrl: string): Promise<Record<string, { rows: number; digest: string }>> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('migrations', 'typeorm_metadata') ORDER BY 1`,
    );
    const perTable = tables.map(
      ({ name }) =>
        `SELECT '${name}' AS name, count(*) AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM "${name}" t`,
    );
    const { rows } = await client.query<{ name: string; rows: string; digest: string }>(perTable.join(' UNION ALL '));
    return Object.fromEntries(rows.map((row) => [row.name, { rows: Number(row.rows), digest: row.digest }]));
  });
}
