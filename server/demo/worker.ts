// The demo as a process of its own, against any syncwatch (docker-compose's demo worker):
//   SYNCWATCH_URL=http://host:4000/graphql SYNCWATCH_API_KEY=<admin key> tsx server/demo/worker.ts
import { resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startDemo } from './index.js';

const url = process.env.SYNCWATCH_URL ?? 'http://127.0.0.1:4000/graphql';
const adminKey = process.env.SYNCWATCH_API_KEY ?? process.env.ADMIN_API_KEY;
const { logLevel } = loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL });
const logger = createLogger(logLevel);
if (!adminKey) {
  console.error('demo worker: set SYNCWATCH_API_KEY to an ADMIN key of the syncwatch at SYNCWATCH_URL');
  process.exit(2);
}

/** Waits until the server answers with this key: in docker-compose the worker may start first. */
async function waitForServer(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ query: '{ me { role } }' }),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (attempt % 10 === 0) logger.info('demo worker waiting for syncwatch', { url });
    await new Promise((done) => setTimeout(done, 2_000));
  }
}

await waitForServer();
const demo = startDemo({ url, adminKey, dataDir: resolve(process.env.DATA_DIR || './.data'), logger });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info('demo worker stopping', { signal });
    demo.stop().then(() => process.exit(0));
  });
}
