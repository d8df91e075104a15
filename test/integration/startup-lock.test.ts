// Two instances started at once on an empty database: the migrations and the first admin key run under one
// PostgreSQL advisory lock, so both start, the schema is migrated once and exactly one first admin key exists.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { startTestServer, type TestServer } from '../support/server.js';

const started: TestServer[] = [];
afterAll(async () => {
  await Promise.all(started.map((server) => server.stop()));
});

it('two instances starting at once on an empty database do not race', async () => {
  const databaseUrl = await createTestDatabase('startlock');
  const results = await Promise.allSettled([0, 1].map(() => startTestServer({ ADMIN_API_KEY: '' }, { databaseUrl, jobs: false })));
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  expect(results.map((result) => (result.status === 'rejected' ? String(result.reason) : 'started'))).toEqual(['started', 'started']);
  const firstKeys = started.map((server) => server.instance.firstAdminKey).filter((key) => key !== null);
  expect(firstKeys).toHaveLength(1);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const keys = await client.query('SELECT count(*)::int AS n FROM api_keys');
    expect(keys.rows[0].n).toBe(1);
    const migrations = await client.query('SELECT name, count(*)::int AS n FROM migrations GROUP BY name HAVING count(*) > 1');
    expect(migrations.rows).toEqual([]);
  } finally {
    await client.end();
  }
});
