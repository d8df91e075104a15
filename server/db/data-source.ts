import 'reflect-metadata';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { Alert } from '../entities/Alert.js';
import { AlertRule } from '../entities/AlertRule.js';
import { ApiKey } from '../entities/ApiKey.js';
import { AuditEntry } from '../entities/AuditEntry.js';
import { Delivery } from '../entities/Delivery.js';
import { ExportJob } from '../entities/ExportJob.js';
import { NotificationChannel } from '../entities/NotificationChannel.js';
import { Pipeline } from '../entities/Pipeline.js';
import { RecordAttempt } from '../entities/RecordAttempt.js';
import { SyncRecord } from '../entities/SyncRecord.js';
import { SyncRun } from '../entities/SyncRun.js';
import type { Logger } from '../logger.js';
import { Init1700000000000 } from './migrations/1700000000000-Init.js';
import { EventPosition1700000000300 } from './migrations/1700000000300-EventPosition.js';
import { FailuresKeepStatus1700000000400 } from './migrations/1700000000400-FailuresKeepStatus.js';
import { ProgressEvents1700000000500 } from './migrations/1700000000500-ProgressEvents.js';
import { Rollups1700000000600 } from './migrations/1700000000600-Rollups.js';
import { PipelineHealth1700000000700 } from './migrations/1700000000700-PipelineHealth.js';
import { Exports1700000000800 } from './migrations/1700000000800-Exports.js';
import { RateLimits1700000000900 } from './migrations/1700000000900-RateLimits.js';
import { RunHolders1700000001100 } from './migrations/1700000001100-RunHolders.js';
import { ListIndexes1700000001300 } from './migrations/1700000001300-ListIndexes.js';
import { RateLimitsUnlogged1700000001400 } from './migrations/1700000001400-RateLimitsUnlogged.js';
import { RunProblemsIndex1700000001500 } from './migrations/1700000001500-RunProblemsIndex.js';
import { FailuresByPipelineIndex1700000001600 } from './migrations/1700000001600-FailuresByPipelineIndex.js';
import { RunSearchIndexes1700000001700 } from './migrations/1700000001700-RunSearchIndexes.js';
import { Alerts1700000002400 } from './migrations/1700000002400-Alerts.js';
import { RollupsUpdatedInPlace1700000002510 } from './migrations/1700000002510-RollupsUpdatedInPlace.js';
import { RollupCubesForFilters1700000002520 } from './migrations/1700000002520-RollupCubesForFilters.js';
import { EventPartitions1700000002700 } from './migrations/1700000002700-EventPartitions.js';
import { NumbersInFingerprints1700000002800 } from './migrations/1700000002800-NumbersInFingerprints.js';
import { RunReruns1700000002810 } from './migrations/1700000002810-RunReruns.js';
import { RecordPartitions1700000002900 } from './migrations/1700000002900-RecordPartitions.js';
import { RecordPartitionsCopy1700000002910 } from './migrations/1700000002910-RecordPartitionsCopy.js';
import { TenantPerformanceCube1700000002920 } from './migrations/1700000002920-TenantPerformanceCube.js';
import { RecordsStartedSince1700000002940 } from './migrations/1700000002940-RecordsStartedSince.js';
import { RecordPartitionStatistics1700000002950 } from './migrations/1700000002950-RecordPartitionStatistics.js';
import { ErrorGroupCounts1700000002960 } from './migrations/1700000002960-ErrorGroupCounts.js';
import { RecordsPipelineEnded1700000002970 } from './migrations/1700000002970-RecordsPipelineEnded.js';
import { RecordStartMarks1700000002980 } from './migrations/1700000002980-RecordStartMarks.js';
import { poolOf } from './pool.js';

export const entities = [
  Pipeline,
  SyncRun,
  SyncRecord,
  RecordAttempt,
  AuditEntry,
  ApiKey,
  ExportJob,
  AlertRule,
  Alert,
  NotificationChannel,
  Delivery,
];
export const migrations = [
  Init1700000000000,
  EventPosition1700000000300,
  FailuresKeepStatus1700000000400,
  ProgressEvents1700000000500,
  Rollups1700000000600,
  PipelineHealth1700000000700,
  Exports1700000000800,
  RateLimits1700000000900,
  RunHolders1700000001100,
  ListIndexes1700000001300,
  RateLimitsUnlogged1700000001400,
  RunProblemsIndex1700000001500,
  FailuresByPipelineIndex1700000001600,
  RunSearchIndexes1700000001700,
  Alerts1700000002400,
  RollupsUpdatedInPlace1700000002510,
  RollupCubesForFilters1700000002520,
  EventPartitions1700000002700,
  NumbersInFingerprints1700000002800,
  RunReruns1700000002810,
  RecordPartitions1700000002900,
  RecordPartitionsCopy1700000002910,
  TenantPerformanceCube1700000002920,
  RecordsStartedSince1700000002940,
  RecordPartitionStatistics1700000002950,
  ErrorGroupCounts1700000002960,
  RecordsPipelineEnded1700000002970,
  RecordStartMarks1700000002980,
];

/** Bounds on what one statement and one wait for a connection may take; a request over them fails with TIMEOUT. */
export interface DbTimeouts {
  /** Server side: PostgreSQL cancels a statement running longer (0: none). */
  statementMs: number;
  /** Client side: waiting this long for a pooled connection fails. */
  connectMs: number;
}

/**
 * `applicationName` names the pool's connections in pg_stat_activity: one name per instance lets it find (and at
 * shutdown cancel) its own statements.
 */
export function createDataSource(url: string, poolSize = 10, timeouts?: DbTimeouts, applicationName = 'syncwatch'): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: {
      max: poolSize,
      application_name: applicationName,
      ...(timeouts && {
        connectionTimeoutMillis: timeouts.connectMs,
        statement_timeout: timeouts.statementMs,
        // A transaction left open (a crashed request between statements) cannot hold its locks for long.
        idle_in_transaction_session_timeout: Math.max(timeouts.statementMs, 60_000),
        // Backstop when the server itself does not answer (network): a little past the statement timeout.
        query_timeout: timeouts.statementMs > 0 ? timeouts.statementMs + 5_000 : undefined,
      }),
    },
  });
}

/** Advisory lock key held while an instance migrates or creates its first admin key (the leader lock is another). */
export const STARTUP_LOCK_KEY = 7_300_001;

/**
 * Runs `work` while holding the startup advisory lock (session level, on a connection of its own): instances
 * starting at once on one database take turns, the later one finding the work done. Waiting for the lock is
 * not bounded by the statement timeout (another instance's migrations may take longer).
 */
export async function underStartupLock<T>(db: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SET statement_timeout = 0');
    await runner.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]);
    }
  } finally {
    await runner.query('RESET statement_timeout').catch(() => {});
    await runner.release();
  }
}

/**
 * Connects and applies pending migrations under the startup lock: concurrent starters take turns. What was applied
 * is logged with how long it took (an upgrade's start-up waits for it).
 */
export async function openDataSource(
  url: string,
  poolSize?: number,
  timeouts?: DbTimeouts,
  applicationName?: string,
  logger?: Logger,
): Promise<DataSource> {
  const dataSource = createDataSource(url, poolSize, timeouts, applicationName);
  await dataSource.initialize();
  try {
    const started = performance.now();
    const applied = await underStartupLock(dataSource, () => dataSource.runMigrations({ transaction: 'all' }));
    if (applied.length > 0) {
      const ms = Math.round(performance.now() - started);
      logger?.info('migrations applied', { migrations: applied.map((migration) => migration.name), ms });
    }
  } catch (error) {
    await dataSource.destroy().catch(() => {});
    throw error;
  }
  return dataSource;
}

/**
 * Cancels the statements the data source's connections still run, so that its pool can close and their
 * transactions roll back now rather than when the process is gone. For shutdown, once the work that ran them
 * was given its deadline. Uses a connection of its own (the pool may be full of them). Returns how many.
 */
export async function cancelRunningStatements(dataSource: DataSource): Promise<number> {
  if (!dataSource.isInitialized) return 0;
  const pool = poolOf(dataSource);
  if (pool.totalCount === pool.idleCount) return 0;
  const options = pool.options as pg.ClientConfig & { application_name?: string };
  const client = new pg.Client({ ...options, application_name: 'syncwatch shutdown', connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    const { rowCount } = await client.query(
      `SELECT pg_cancel_backend(pid) FROM pg_stat_activity
       WHERE application_name = $1 AND datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
      [options.application_name],
    );
    return rowCount ?? 0;
  } catch {
    return 0; // the database is away: nothing runs there to cancel
  } finally {
    await client.end().catch(() => {});
  }
}
