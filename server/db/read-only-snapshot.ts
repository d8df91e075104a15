// A read of several statements that must agree with each other, on one connection in one snapshot.
import type { DataSource, EntityManager } from 'typeorm';

/** Begins a read-only transaction whose statements all read one snapshot. */
export const BEGIN_READ_ONLY_SNAPSHOT_SQL = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** TypeORM's PostgreSQL query runner hands its connection back with an error (the pool then closes it); untyped. */
interface ReleasingRunner {
  releasePostgresConnection(error?: unknown): Promise<void>;
}

/**
 * Runs `work` in a read-only REPEATABLE READ transaction on one connection, begun and ended by hand rather than by
 * TypeORM's `transaction()`: its commit events mean a write (read-routing.ts then sends the key's next reads to the
 * primary until the replica has replayed it), and nothing here wrote.
 */
export async function inReadOnlySnapshot<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  let broken: unknown;
  try {
    await runner.query(BEGIN_READ_ONLY_SNAPSHOT_SQL);
    try {
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      broken = await runner.query('ROLLBACK').then(
        () => undefined,
        (rollback: unknown) => rollback,
      );
      throw error;
    }
  } finally {
    // A connection whose ROLLBACK failed may still be in the transaction: closed, not handed to the next request.
    await (runner as unknown as ReleasingRunner).releasePostgresConnection(broken);
  }
}
