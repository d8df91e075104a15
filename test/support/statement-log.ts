// The statements a server runs, as its TypeORM data source logs them (the list statements log through it too):
// for tests and benches that count, inspect or re-run what a request sent to PostgreSQL. It sees every statement of the
// data source, the background jobs' too (lease expiry, due retries…): start such a server with `{ jobs: false }`.
import type { DataSource, Logger as OrmLogger } from 'typeorm';

export interface LoggedStatement {
  query: string;
  parameters: unknown[];
  /** The TypeORM query runner (one connection) that ran it, when it ran on one: tells transactions apart. */
  runner?: unknown;
}

/** Calls `seen` with every statement `db` runs from now on; the function returned stops it. */
export function watchStatements(db: DataSource, seen: (statement: LoggedStatement) => void): () => void {
  const original = db.logger;
  const watching = new Proxy(original, {
    get(target, property, receiver) {
      if (property !== 'logQuery') return Reflect.get(target, property, receiver);
      return (query: string, parameters?: unknown[], ...rest: unknown[]) => {
        seen({ query, parameters: parameters ?? [], runner: rest[0] });
        return (target.logQuery as (...args: unknown[]) => unknown).call(target, query, parameters, ...rest);
      };
    },
  });
  Object.assign(db, { logger: watching as OrmLogger });
  return () => Object.assign(db, { logger: original });
}

/** The statements `db` runs while `work` runs. */
export async function statementsDuring(db: DataSource, work: () => Promise<unknown>): Promise<LoggedStatement[]> {
  const statements: LoggedStatement[] = [];
  const stop = watchStatements(db, (statement) => statements.push(statement));
  try {
    await work();
  } finally {
    stop();
  }
  return statements;
}
