// Assembles one syncwatch instance: database → migrations → services → schema → HTTP/WebSocket → jobs.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from './config.js';
import { cancelRunningStatements, createDataSource, openDataSource, underStartupLock } from './db/data-source.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded.js';
import { ReadRouting } from './db/read-routing.js';
import { EventHub } from './events/event-hub.js';
import { createSchema } from './graphql/schema.js';
import { createMetrics, type Metrics } from './instance-metrics.js';
import { Scheduler } from './jobs/scheduler.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services/index.js';
import { createHttpServer, type HttpServer } from './web-server.js';

export interface Syncwatch {
  url: string;
  port: number;
  db: DataSource;
  services: Services;
  /** This instance's reader of the event table, feeding its subscriptions. */
  hub: EventHub;
  /** Reads on DATABASE_READ_URL's replica, when set. */
  reads: ReadRouting | null;
  logger: Logger;
  /** Set when the embedded database was started (no DATABASE_URL). */
  embedded: EmbeddedDatabase | null;
  /** Secret of the admin key created on first start of an empty database, else null. */
  firstAdminKey: string | null;
  metrics: Metrics;
  /** Whether this instance runs the background jobs now. */
  isLeader(): boolean;
  /** Graceful stop: /readyz 503 first, then HTTP drain and sockets closed with 1001, jobs stopped, lock and pool released. */
  stop(options?: StopOptions): Promise<void>;
}

export interface StopOptions {
  /** How long /readyz answers 503 before the drain starts, for load balancers to notice (default 0). */
  readinessDelayMs?: number;
  /** How long running background jobs may take to finish (default 5 s). */
  jobsDeadlineMs?: number;
}

export interface StartOptions {
  logger?: Logger;
  /** Run leader-elected background jobs (default true). */
  jobs?: boolean;
}

export async function startSyncwatch(config: Config, options: StartOptions = {}): Promise<Syncwatch> {
  const logger = options.logger ?? createLogger(config.logLevel, undefined, config.logFormat);
  const embedded = config.databaseUrl
    ? null
    : await startEmbeddedPostgres(join(config.dataDir, 'postgres'), {
        ownedFrom: config.dataDir,
        onNotice: (msg, fields) => logger.warn(msg, fields),
      });
  if (embedded) {
    logger.info('embedded PostgreSQL started', { dir: embedded.clusterDir });
  }
  let databaseUrl = config.databaseUrl;
  if (embedded) {
    await embedded.createDatabase('syncwatch').catch((error) => {
      if (error?.code !== '42P04') throw error; // 42P04: it exists, after the first start
    });
    databaseUrl = embedded.urlFor('syncwatch');
  }
  // This instance's name on its connections (pg_stat_activity), by which shutdown cancels what they still run.
  const applicationName = `syncwatch ${hostname()} ${process.pid} ${randomBytes(3).toString('hex')}`.slice(0, 63);
  const db = await openDataSource(
    databaseUrl as string,
    undefined,
    { statementMs: config.dbStatementTimeoutMs, connectMs: config.dbConnectTimeoutMs },
    applicationName,
    logger,
  );
  const metrics = createMetrics();
  let draining = false;
  // The replica is connected by its first check and checked every REPLICA_CHECK_MS: one down at start is used once it answers.
  const reads = config.databaseReadUrl
    ? new ReadRouting(
        db,
        createDataSource(
          config.databaseReadUrl,
          undefined,
          { statementMs: config.dbStatementTimeoutMs, connectMs: config.dbConnectTimeoutMs },
          applicationName,
        ),
        {
          maxLagMs: config.replicaMaxLagMs,
          readYourWritesWaitMs: config.readYourWritesWaitMs,
          checkEveryMs: config.replicaCheckMs,
          logger,
        },
      )
    : null;
  await reads?.start();
  const services = createServices(
    db,
    config,
    (error) => logger.warn('writing trailing progress events failed; the progress job retries', { error: String(error) }),
    logger,
    reads?.reader,
  );

  // Accepted and rejected records, counted where they are acknowledged (services stay free of transport and metrics).
  const report = services.ingest.report.bind(services.ingest);
  services.ingest.report = async (...args) => {
    const outcome = await report(...args);
    metrics.recordsIngested.inc(outcome.accepted);
    metrics.recordsRejected.inc(outcome.rejected.length);
    return outcome;
  };

  // Under the startup lock: two instances starting at once on an empty database create one first key. An instance
  // that runs the jobs also makes the days ahead before it serves: on a fresh database the leader's first round
  // would otherwise make today's days while the first writes land in the default partition, and a write routed
  // there just before a day is attached fails (sql/partitions.ts, createPartitionSql).
  if (options.jobs !== false) await underStartupLock(db, () => services.partitions.createAhead());
  const firstAdminKey = await underStartupLock(db, async () => {
    if (config.adminApiKey && !(await services.apiKeys.ensureAdminKey(config.adminApiKey))) {
      logger.warn('ADMIN_API_KEY names a revoked key: it stays revoked; set a new secret');
    }
    return config.adminApiKey ? null : await services.apiKeys.createFirstAdminKey();
  });

  const hub = new EventHub(db, {
    databaseUrl: databaseUrl as string,
    logger,
    eventRetentionHours: config.eventRetentionHours,
    onDispatched: (events, subscribers) => {
      metrics.eventsDispatched.inc(events.length);
      if (subscribers > 0) metrics.eventsDelivered.inc(events.length * subscribers);
      const now = Date.now();
      for (const event of events) if (event.at) metrics.eventLag.observe(Math.max(0, now - event.at.getTime()) / 1000);
    },
  });
  await hub.start();
  // Revocations by any instance reach this one's key cache and open sockets at once.
  const stopRevocations = await services.apiKeys.listenForRevocations(databaseUrl as string, (error) =>
    logger.warn('listening for key revocations failed', { error: String(error) }),
  );

  const schema = await createSchema();
  const app: HttpServer = await createHttpServer({ config, db, reads, services, schema, logger, hub, metrics, draining: () => draining });
  const port = await app.listen(config.port, config.host);
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  const url = `http://${host}:${port}`;
  services.alertOutbox.consoleUrl = config.publicUrl ?? url;

  const scheduler = new Scheduler(
    db,
    [
      { name: 'lease expiry', everyMs: 1_000, run: () => services.runLifecycle.expireLeases() },
      { name: 'due retries', everyMs: 1_000, run: () => services.dueRetries.queueDue() },
      // Instances flush what they owe on their own timers; this catches what a stopped instance left.
      { name: 'trailing progress events', everyMs: 1_000, run: () => services.progress.flushDue() },
      // Days of the partitioned tables, DAYS_AHEAD ahead: a catalog read when they exist; a day not made (its lock
      // not had in time) is tried again within minutes. The first run is at election.
      { name: 'partitions ahead', everyMs: 10 * 60_000, run: () => services.partitions.createAhead() },
      // Each day's own index of an index a migration added to a partitioned table (a catalog read when none is missing).
      { name: 'partition indexes', everyMs: 60_000, run: () => services.partitionIndexes.buildMissing() },
      // Each statement of records appends a start mark a day it wrote; one a day says all a reader needs.
      { name: 'start marks', everyMs: 10_000, run: () => services.partitions.pruneStartMarks() },
      // An upgrade's copy of the old records into partitions, then the swap (nothing to do once it is done): each
      // round copies for up to 20 s, paced; a new leader goes on from the progress the last one stored.
      { name: 'records to partitions', everyMs: 1_000, run: () => services.repartition.run() },
      { name: 'event retention', everyMs: 10 * 60_000, run: () => services.partitions.expireEvents(config.eventRetentionHours) },
      { name: 'retention', everyMs: 60 * 60_000, run: () => services.retention.purgeExpired(config.retentionDays) },
      // Readers add the deltas not folded yet, so folding often only keeps what they add small.
      { name: 'rollup fold', everyMs: 1_000, run: () => services.rollups.foldWhenDue() },
      { name: 'error group fold', everyMs: 1_000, run: () => services.errorGroupCounts.fold() },
      { name: 'rollup retention', everyMs: 60 * 60_000, run: () => services.rollups.purgeOlderThan(config.rollupRetentionDays) },
      { name: 'expired exports', everyMs: 60_000, run: () => services.exports.housekeep() },
      { name: 'alert evaluation', everyMs: config.alertEvaluationMs, run: () => services.alertEvaluator.evaluate() },
      { name: 'alert deliveries', everyMs: config.alertDeliveryMs, run: () => services.deliveries.sendDue() },
      // The delivery log and resolved alerts are history: kept as long as runs are.
      { name: 'alert retention', everyMs: 60 * 60_000, run: () => services.alertEvaluator.purgeOlderThan(config.retentionDays) },
    ],
    logger,
  );
  if (options.jobs !== false) scheduler.start();
  metrics.attach({
    db,
    listening: () => hub.listening,
    leader: () => scheduler.isLeader,
    openSubscriptions: () => hub.openSubscriptions,
    replica: () => reads?.replicaState ?? null,
  });

  let stopping: Promise<void> | null = null;
  const stop = (stopOptions: StopOptions = {}) => {
    stopping ??= (async () => {
      const started = Date.now();
      draining = true; // /readyz answers 503 from here on
      if (stopOptions.readinessDelayMs) await new Promise((r) => setTimeout(r, stopOptions.readinessDelayMs));
      const step = async (name: string, work: () => unknown) => {
        const at = Date.now();
        await work();
        logger.debug('shutdown step done', { step: name, durationMs: Date.now() - at });
      };
      // Before the HTTP drain, which would wait for them: downloads cut, counts and purges cancelled, each on record.
      services.repartition.stop();
      await step('exports and purges', () => Promise.all([services.exports.stop(), services.retention.stop()]));
      await Promise.all([
        step('http and sockets', () => app.close()),
        step('background jobs', () => scheduler.stop(stopOptions.jobsDeadlineMs)),
      ]);
      services.progress.stop();
      // Past their deadlines, statements still running (a job or an abandoned request waiting on a lock) would hold
      // the pool open until the process is killed: cancelled, their transactions roll back now.
      await step('statements still running', async () => {
        const cancelled = await cancelRunningStatements(db);
        if (cancelled > 0) logger.warn('statements still running at shutdown were cancelled', { cancelled });
      });
      await step('event hub', () => hub.stop());
      await step('key revocations', () => stopRevocations());
      await step('read replica', () => reads?.stop());
      await step('database pool', () => db.destroy());
      await step('embedded database', () => embedded?.stop());
      logger.info('stopped', { durationMs: Date.now() - started });
    })();
    return stopping;
  };
  return {
    url,
    port,
    db,
    services,
    hub,
    reads,
    logger,
    embedded,
    firstAdminKey,
    metrics,
    isLeader: () => scheduler.isLeader,
    stop,
  };
}
