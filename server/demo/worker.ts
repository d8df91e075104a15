// The demo as a process of its own, against any syncwatch (docker-compose's demo worker). It holds an INGEST key
// only, never the admin key: the demo pipelines are created once by an admin (server/demo/setup-cli.ts).
//   SYNCWATCH_URL=http://host:4000/graphql SYNCWATCH_INGEST_KEY=<an INGEST key> tsx server/demo/worker.ts
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startDemo } from './index.js';

const url = process.env.SYNCWATCH_URL ?? 'http://127.0.0.1:4000/graphql';
const ingestKey = process.env.SYNCWATCH_INGEST_KEY;
const { logLevel } = loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL });
const logger = createLogger(logLevel);
if (!ingestKey) {
  console.error(
    'demo worker: set SYNCWATCH_INGEST_KEY to an INGEST key of the syncwatch at SYNCWATCH_URL (docker compose run --rm demo-setup prints one)',
  );
  process.exit(2);
}

/** Waits until the server answers with this key (in docker-compose the worker may start first); its role must be INGEST. */
async function waitForServer(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const role = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    }).then(
      async (r) => (r.ok ? ((await r.json()) as { data?: { me?: { role?: string } } }).data?.me?.role : undefined),
      () => undefined,
    );
    if (role === 'INGEST') return;
    if (role) {
      console.error(`demo worker: SYNCWATCH_INGEST_KEY is an ${role} key; give the worker an INGEST key, never an admin key`);
      process.exit(2);
    }
    if (attempt % 10 === 0) logger.info('demo worker waiting for syncwatch', { url });
    await new Promise((done) => setTimeout(done, 2_000));
  }
}

await waitForServer();
const demo = startDemo({ url, ingestKey, dataDir: resolve(process.env.DATA_DIR || './.data'), logger });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('demo worker stopping', { signal });
    demo.stop().then(() => process.exit(0));
  });
}
