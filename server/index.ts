// Process entry: `npm start`. Config from the environment; `--no-demo` turns the demo off.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';
import { StartError } from './db/embedded.js';
import { type Demo, startDemo } from './demo/index.js';
import { firstLineOf } from './domain/error-text.js';
import { type Syncwatch, startSyncwatch } from './instance.js';

let config: ReturnType<typeof loadConfig>;
try {
  // On a terminal, a quiet and readable log (LOG_LEVEL still decides when set); elsewhere JSON lines.
  config = loadConfig(process.env, { terminal: process.stdout.isTTY === true });
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`syncwatch: bad configuration: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

let instance: Syncwatch;
try {
  instance = await startSyncwatch(config);
} catch (error) {
  // Every start failure is one line saying what to do; no stack trace.
  console.error(`syncwatch: could not start: ${describeStartFailure(error, config)}`);
  if (config.logLevel === 'debug') console.error(error);
  process.exit(1);
}
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
} else {
  if (instance.firstAdminKey) console.log(`\n  first admin API key (shown once): ${instance.firstAdminKey}\n`);
  // A person at a terminal sees where it listens (the log line saying so is info, below the terminal's level);
  // a container's log stays JSON lines only.
  if (config.logFormat === 'pretty')
    console.log(`\n  syncwatch dashboard: ${instance.url}/\n  GraphQL:             ${instance.url}/graphql\n`);
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

// SIGTERM/SIGINT: /readyz turns 503, HTTP drains, sockets close with 1001, jobs stop, lock and pool are released.
// The whole takes at most SHUTDOWN_TIMEOUT_MS (10 s; compose's stop_grace_period is longer): past it, we exit anyway,
// and the database rolls back what was unfinished.
const shutdownTimeoutMs = Number(process.env.SHUTDOWN_TIMEOUT_MS) || 10_000;
const readinessDelayMs = Number(process.env.SHUTDOWN_READINESS_DELAY_MS) || 0;
let shuttingDown = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting', { timeoutMs: shutdownTimeoutMs });
      process.exit(1);
    }, shutdownTimeoutMs - 500).unref();
    Promise.resolve(demo?.stop())
      .then(() => instance.stop({ readinessDelayMs, jobsDeadlineMs: Math.max(1_000, shutdownTimeoutMs - readinessDelayMs - 4_000) }))
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      });
  });
}

function describeStartFailure(error: unknown, config: ReturnType<typeof loadConfig>): string {
  if (error instanceof StartError) return error.message;
  const e = (error ?? {}) as NodeJS.ErrnoException & { address?: string; port?: number };
  const database = config.databaseUrl ? 'the database at DATABASE_URL' : 'the embedded database';
  if (e.code === 'EADDRINUSE') return `port ${config.port} on ${config.host} is in use: stop what uses it, or set PORT`;
  if (e.code === 'EACCES' && e.syscall === 'listen') return `no permission to listen on port ${config.port}: set PORT above 1023`;
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT') {
    return `cannot reach ${database} (${e.code}${e.address ? ` ${e.address}:${e.port}` : ''}): is PostgreSQL running there?`;
  }
  if (e.code === '28P01' || e.code === '28000') return `${database} refused the credentials in DATABASE_URL (${firstLineOf(error)})`;
  if (e.code === '3D000') return `${database} does not exist (${firstLineOf(error)}): create it first`;
  if (e.code === 'EACCES' || e.code === 'EPERM') return `no permission: ${firstLineOf(error)} (check DATA_DIR's owner and mode)`;
  return `${firstLineOf(error)} (set LOG_LEVEL=debug for details)`;
}
