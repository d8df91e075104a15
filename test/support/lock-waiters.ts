// Statements waiting for a lock, as a test holding that lock sees them.
import type pg from 'pg';

/**
 * Statements of the client's database that wait for a lock and whose text matches `like`. The statistics snapshot is
 * cleared first: inside a transaction (the one holding the lock, say) pg_stat_activity otherwise answers what its
 * first read saw, and a statement that arrived after it would never show.
 */
export async function lockWaiters(client: pg.ClientBase, like: string): Promise<number> {
  await client.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE $1 AND pid <> pg_backend_pid()`,
    [like],
  );
  return rows[0].n;
}
