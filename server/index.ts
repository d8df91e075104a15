// Process entry: `npm start`. Config from the environment; `--no-demo` turns the demo off.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { type Demo, startDemo } from './demo/index.js';
import { startSyncwatch } from './main.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`syncwatch: bad configuration: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

const instance = await startSyncwatch(config);
const { logger } = instance;
logger.info('syncwatch is listening', { url: instance.url, graphql: `${instance.url}/graphql` });

if (instance.embedded) {
  // The embedded database's first admin key is kept beside it, so later starts can print it again.
  const keyFile = join(config.dataDir, 'admin-key.txt');
  if (instance.firstAdminKey) writeFileSync(keyFile, `${instance.firstAdminKey}\n`, { mode: 0o600 });
  const secret = instance.firstAdminKey ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null);
  if (secret) {
    console.log(
      `\n  syncwatch dashboard: ${instance.url}/#key=${secret}\n  admin API key:       ${secret}\n  GraphQL:             ${instance.url}/graphql\n`,
    );
  }
} else if (instance.firstAdminKey) {
  console.log(`\n  first admin API key (shown once): ${instance.firstAdminKey}\n`);
}

// The demo pipelines keep an embedded (development) database alive; never a production one.
let demo: Demo | null = null;
const demoAdminKey = config.adminApiKey ?? instance.firstAdminKey ?? readKeyFile(join(config.dataDir, 'admin-key.txt'));
if (instance.embedded && !process.argv.includes('--no-demo') && demoAdminKey) {
  demo = startDemo({ url: `${instance.url}/graphql`, adminKey: demoAdminKey, dataDir: config.dataDir, logger });
}

function readKeyFile(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8').trim() || null : null;
}

let shuttingDown = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal });
    Promise.resolve(demo?.stop())
      .then(() => instance.stop())
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      });
  });
}
