// The pg pool under the TypeORM data source, for the few things its query runners cannot do: a list statement in
// one round trip, COPY for exports, rate-limit counters, cancelling at shutdown, the pool's gauges.
import type pg from 'pg';
import type { DataSource } from 'typeorm';

/** The data source's pool: TypeORM's PostgreSQL driver keeps it as `master`, which it does not type. Throws before it is connected. */
export function poolOf(db: DataSource): pg.Pool {
  const pool = (db.driver as unknown as { master?: pg.Pool }).master;
  if (!pool) throw new Error('the data source has no pool: it is not connected');
  return pool;
}
