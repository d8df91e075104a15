// One embedded PostgreSQL cluster for the whole test run (or TEST_DATABASE_URL's server);
// each test file gets a database of its own on it (see test/support/database.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test cluster; test files create their own databases from it. */
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'syncwatch-test-pg-'));
  const pg = await startEmbeddedPostgres(dir, { persistent: false });
  project.provide('adminDatabaseUrl', pg.url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
