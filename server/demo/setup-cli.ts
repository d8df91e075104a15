// Once, with the admin key: creates the demo pipelines and an INGEST key for the demo worker, and prints the key.
//   SYNCWATCH_URL=http://host:4000/graphql SYNCWATCH_ADMIN_KEY=<admin key> tsx server/demo/setup-cli.ts
// (docker-compose: `docker compose run --rm demo-setup`; then put the printed DEMO_INGEST_KEY in .env.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setUpDemo } from './setup.js';

const url = process.env.SYNCWATCH_URL ?? 'http://127.0.0.1:4000/graphql';
const adminKey = process.env.SYNCWATCH_ADMIN_KEY;
if (!adminKey) {
  console.error('demo setup: set SYNCWATCH_ADMIN_KEY to an ADMIN key of the syncwatch at SYNCWATCH_URL');
  process.exit(2);
}
// The key is printed, not kept: this process is thrown away.
const dir = mkdtempSync(join(tmpdir(), 'syncwatch-demo-'));
try {
  const setup = await setUpDemo(url, adminKey, join(dir, 'demo-ingest-key.txt'));
  if (!setup) {
    console.error('demo setup: the database holds pipelines of its own; the demo stays out of the way');
    process.exit(1);
  }
  console.log(`DEMO_INGEST_KEY=${setup.ingestKey}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
