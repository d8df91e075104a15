// A read of several statements that must agree with each other, on one connection in one snapshot.
import type { DataSource, EntityManager } from 'typeorm';

/** Begins a read-only transaction whose statements all read one snapshot. */
export const BEGIN_READ_ONLY_SNAPSHOT_SQL = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/**
 * Runs `work` in a read-only REPEATABLE READ transaction on one connection, begun and ended by hand rather than by
 * TypeORM's `transaction()`: its commit events mean a write (read-routing.ts then sends the key's next reads to the
 * primary until the replica has replayed it), and nothing here wrote.
 */
export async function inReadOnlySnapshot<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(BEGIN_READ_ONLY_SNAPSHOT_SQL);
    try {
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    await runner.release();
  }
}
