// PostgreSQL restarted in the middle of ingest by four workers: coded errors during the outage, /readyz flips and
// recovers by itself (LISTEN included), and every acknowledged record is there once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from '../../server/db/embedded.js';
import { createPipeline, getRun, recordInput } from '../support/fixtures.js';
import { until } from '../support/process.js';
import { startTestServer, type TestServer } from '../support/server.js';

const dir = join(mkdtempSync(join(tmpdir(), 'syncwatch-restart-')), 'pg');
let pg: EmbeddedDatabase | null = null;
let server: TestServer | null = null;

afterAll(async () => {
  await server?.stop();
  await pg?.stop();
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

it('survives a PostgreSQL restart mid-ingest with nothing acknowledged lost or doubled', async () => {
  const port = await freePort();
  const cluster = () => startEmbeddedPostgres(dir, { port, persistent: true, durable: false });
  pg = await cluster();
  await pg.createDatabase('restart');
  server = await startTestServer({}, { databaseUrl: pg.urlFor('restart') });
  const { admin, url } = server;
  const ready = async () => (await fetch(`${url}/readyz`)).status === 200;
  const pipeline = await createPipeline(admin);
  const { startRun } = await admin.ok<{ startRun: { id: string } }>('mutation($input: StartRunInput!) { startRun(input: $input) { id } }', {
    input: { pipelineId: pipeline.id, mode: 'MANUAL' },
  });

  const acknowledged = new Set<string>();
  const codes = new Set<string>();
  let stop = false;
  const worker = async (w: number) => {
    for (let batch = 0; !stop; batch++) {
      const records = Array.from({ length: 5 }, (_, i) => recordInput(`w${w}-b${batch}-${i}`));
      // As the SDK does: the same batch again until it is acknowledged.
      for (;;) {
        const result = await admin
          .request<{ reportRecords: { accepted: number } }>(
            'mutation($runId: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $runId, records: $records) { accepted } }',
            { runId: startRun.id, records },
          )
          .catch((error) => ({ errors: [{ message: String(error), extensions: { code: 'NETWORK' } }], data: undefined }));
        if (result.data?.reportRecords) {
          for (const record of records) acknowledged.add(record.sourceId);
          break;
        }
        codes.add(String(result.errors?.[0]?.extensions?.code));
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  await until(() => acknowledged.size >= 100);

  await pg.stop();
  const downAt = Date.now();
  await until(async () => !(await ready()));
  await new Promise((r) => setTimeout(r, 1_000)); // requests meet the outage
  pg = await cluster();
  const upAt = Date.now();
  await until(ready);
  console.info(
    `[ops] PostgreSQL restart: down for ${upAt - downAt} ms (readyz 503 meanwhile); ready again ${Date.now() - upAt} ms after PostgreSQL was up`,
  );
  const before = acknowledged.size;
  await until(() => acknowledged.size >= before + 100);
  stop = true;
  await Promise.all(workers);

  expect(codes.has('SERVICE_UNAVAILABLE')).toBe(true);
  expect([...codes].filter((code) => code !== 'SERVICE_UNAVAILABLE')).toEqual([]); // never an internal error
  const run = await getRun(admin, startRun.id);
  expect(run?.counts.total).toBe(acknowledged.size);
  console.info(`[ops] outage error codes: ${[...codes].join(', ')}; records acknowledged ${acknowledged.size}`);
}, 120_000);
