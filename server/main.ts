// Assembles one syncwatch instance: database → migrations → services → schema → HTTP/WebSocket → jobs.
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { type App, createApp } from './app.js';
import type { Config } from './config.js';
import { openDataSource } from './db/data-source.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded.js';
import { EventHub } from './events/event-hub.js';
import { deleteExpiredEvents } from './events/event-store.js';
import { createSchema } from './graphql/schema.js';
import { Scheduler } from './jobs/scheduler.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services/index.js';

export interface Syncwatch {
  url: string;
  port: number;
  db: DataSource;
  services: Services;
  /** This instance's reader of the event table, feeding its subscriptions. */
  hub: EventHub;
  logger: Logger;
  /** Set when the embedded database was started (no DATABASE_URL). */
  embedded: EmbeddedDatabase | null;
  /** Secret of the admin key created on first start of an empty database, else null. */
  firstAdminKey: string | null;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Run leader-elected background jobs (default true). */
  jobs?: boolean;
}

export async function startSyncwatch(config: Config, options: StartOptions = {}): Promise<Syncwatch> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
  if (embedded) {
    logger.info('embedded PostgreSQL started', { dir: join(config.dataDir, 'postgres') });
  }
  let databaseUrl = config.databaseUrl;
  if (embedded) {
    await embedded.createDatabase('syncwatch').catch(() => {}); // exists after the first start
    databaseUrl = embedded.urlFor('syncwatch');
  }
  const db = await openDataSource(databaseUrl as string, undefined, {
    statementMs: config.dbStatementTimeoutMs,
    connectMs: config.dbConnectTimeoutMs,
  });
  const services = createServices(
    db,
    config,
    (error) => logger.warn('writing trailing progress events failed; the progress job retries', { error: String(error) }),
    logger,
  );

  if (config.adminApiKey && !(await services.apiKeys.ensureAdminKey(config.adminApiKey))) {
    logger.warn('ADMIN_API_KEY names a revoked key: it stays revoked; set a new secret');
  }
  const firstAdminKey = config.adminApiKey ? null : await services.apiKeys.createFirstAdminKey();

  const hub = new EventHub(db, {
    databaseUrl: databaseUrl as string,
    logger,
    eventRetentionHours: config.eventRetentionHours,
  });
  await hub.start();
  // Revocations by any instance reach this one's key cache and open sockets at once.
  const stopRevocations = await services.apiKeys.listenForRevocations(databaseUrl as string, (error) =>
    logger.warn('listening for key revocations failed', { error: String(error) }),
  );

  const schema = await createSchema();
  const app: App = await createApp({ config, db, services, schema, logger, hub });
  const port = await app.listen(config.port, config.host);
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;

  const scheduler = new Scheduler(
    db,
    [
      { name: 'lease expiry', everyMs: 1_000, run: () => services.runLifecycle.expireLeases() },
      { name: 'due retries', everyMs: 1_000, run: () => services.retries.queueDueRetries() },
      // Instances flush what they owe on their own timers; this catches what a stopped instance left.
      { name: 'trailing progress events', everyMs: 1_000, run: () => services.progress.flushDue() },
      { name: 'event retention', everyMs: 10 * 60_000, run: () => deleteExpiredEvents(db, config.eventRetentionHours) },
      { name: 'retention', everyMs: 60 * 60_000, run: () => services.retention.purgeExpired(config.retentionDays) },
      // Readers add the deltas not folded yet, so folding often only keeps what they add small.
      { name: 'rollup fold', everyMs: 1_000, run: () => services.rollups.fold() },
      { name: 'rollup retention', everyMs: 60 * 60_000, run: () => services.rollups.purgeOlderThan(config.rollupRetentionDays) },
      { name: 'expired exports', everyMs: 60_000, run: () => services.exports.housekeep() },
    ],
    logger,
  );
  if (options.jobs !== false) scheduler.start();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await scheduler.stop();
      services.progress.stop();
      await services.exports.stop(); // before the HTTP drain, which would wait for downloads in flight
      await app.close();
      await hub.stop();
      await stopRevocations();
      await db.destroy();
      await embedded?.stop();
    })();
    return stopping;
  };
  return { url, port, db, services, hub, logger, embedded, firstAdminKey, stop };
}
