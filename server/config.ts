// Environment → typed, validated config. A bad value stops the start with a clear message.
import { resolve } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'json' | 'pretty';

/** Where the process writes: a terminal (stdout is a TTY) gets quiet, readable logs; anything else JSON lines. */
export interface Surroundings {
  terminal?: boolean;
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** A streaming replica of DATABASE_URL's database that lists, analytics and facets read from (unset: none). */
  databaseReadUrl: string | undefined;
  /** A replica further behind than this (ms since its last replayed commit, while behind) is not read from. */
  replicaMaxLagMs: number;
  /** After a key's write, how long its next read waits for the replica to replay it before reading on the primary. */
  readYourWritesWaitMs: number;
  /** How often the replica's lag is measured (and a replica that was down is tried again). */
  replicaCheckMs: number;
  dataDir: string;
  adminApiKey: string | undefined;
  leaseSeconds: number;
  retentionDays: number;
  eventRetentionHours: number;
  exportUrlTtlSeconds: number;
  /** Rows of the old records table one batch of the upgrade to partitions copies (docs/scaling.md). */
  repartitionBatchRows: number;
  /** Days hourly and daily rollups are kept, beyond the raw history. */
  rollupRetentionDays: number;
  /** LOG_LEVEL; unset: `warn` on a terminal (the start's address block stays in sight), `info` elsewhere. */
  logLevel: LogLevel;
  /** How log lines look: one JSON object a line, or a short line for a person at a terminal. */
  logFormat: LogFormat;
  /** Minimum milliseconds between two progress events of one run (coalescing). */
  progressIntervalMs: number;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** PostgreSQL statement_timeout of every pooled connection (0: none). */
  dbStatementTimeoutMs: number;
  /** How long a request waits for a pooled connection before it fails. */
  dbConnectTimeoutMs: number;
  /** GraphQL requests over HTTP run at once; past it they wait their turn, in order (0: no limit). */
  graphqlConcurrency: number;
  /** WebSocket connections one API key may hold open on one instance (a dashboard fleet may share a viewer key). */
  wsMaxSocketsPerKey: number;
  /** GraphQL requests per minute of one API key, over all instances. */
  rateLimitPerKey: number;
  /** GraphQL requests per minute of one client address, over all instances. */
  rateLimitPerAddress: number;
  /** Failed authentications per minute of one client address before it is refused outright. */
  rateLimitFailedAuth: number;
  /** Express `trust proxy`: hops of load balancers whose X-Forwarded-For names the client (unset: none). */
  trustProxy: number | string | undefined;
  /** Webhooks may reach loopback and private addresses (tests, on-premises receivers). */
  webhookAllowPrivate: boolean;
  /** Waits after each failed delivery attempt, in ms (unset: DESIGN.md's 5 s … 10 h schedule). */
  webhookRetryDelaysMs: number[] | undefined;
  /** How often the leader evaluates alert rules, and sends due deliveries. */
  alertEvaluationMs: number;
  alertDeliveryMs: number;
  /** The console's public address, for links in notifications (unset: the address the server listens on). */
  publicUrl: string | undefined;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function delays(env: Env, name: string): number[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 0)) {
    throw new ConfigError(`${name} must be a comma-separated list of whole milliseconds, got "${raw}"`);
  }
  return values;
}

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function loadConfig(env: Env = process.env, { terminal = false }: Surroundings = {}): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got "${databaseUrl}"`);
  }
  const databaseReadUrl = env.DATABASE_READ_URL || undefined;
  if (databaseReadUrl && !/^postgres(ql)?:\/\//.test(databaseReadUrl)) {
    throw new ConfigError(`DATABASE_READ_URL must start with postgres:// or postgresql://, got "${databaseReadUrl}"`);
  }
  if (databaseReadUrl && !databaseUrl) {
    throw new ConfigError('DATABASE_READ_URL needs DATABASE_URL: the embedded PostgreSQL has no replica');
  }
  // `npm start` on a terminal: only warnings and errors after the address block (a start logged about 1,400 request
  // lines in 45 s, and the address scrolled away). Containers and CI are no terminal: JSON lines at info.
  const logLevel = (env.LOG_LEVEL || (terminal ? 'warn' : 'info')) as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const adminApiKey = env.ADMIN_API_KEY || undefined;
  if (adminApiKey !== undefined && adminApiKey.length < 16) {
    throw new ConfigError('ADMIN_API_KEY must be at least 16 characters long');
  }
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || (databaseUrl ? '0.0.0.0' : '127.0.0.1'),
    databaseUrl,
    databaseReadUrl,
    replicaMaxLagMs: integer(env, 'REPLICA_MAX_LAG_MS', 5_000, 0),
    readYourWritesWaitMs: integer(env, 'READ_YOUR_WRITES_WAIT_MS', 100, 0, 10_000),
    replicaCheckMs: integer(env, 'REPLICA_CHECK_MS', 1_000, 50),
    dataDir: resolve(env.DATA_DIR || './.data'),
    adminApiKey,
    leaseSeconds: integer(env, 'LEASE_SECONDS', 60, 1),
    retentionDays: integer(env, 'RETENTION_DAYS', 30, 1),
    eventRetentionHours: integer(env, 'EVENT_RETENTION_HOURS', 24, 1),
    exportUrlTtlSeconds: integer(env, 'EXPORT_URL_TTL_SECONDS', 900, 1),
    rollupRetentionDays: integer(env, 'ROLLUP_RETENTION_DAYS', 400, 1),
    repartitionBatchRows: integer(env, 'REPARTITION_BATCH_ROWS', 10_000, 1),
    logLevel,
    logFormat: terminal ? 'pretty' : 'json',
    progressIntervalMs: integer(env, 'PROGRESS_INTERVAL_MS', 250, 0),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 16 * 1024 * 1024, 1024),
    dbStatementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 30_000, 0),
    dbConnectTimeoutMs: integer(env, 'DB_CONNECT_TIMEOUT_MS', 10_000, 1),
    // Enough running at once for the server to work on some while the others' statements run, few enough that a heavy
    // request is not stretched by sharing the CPU with many: measured on 2 cores, 16 served the read path's page as
    // fast as 20 (8: 15 % slower) and gave the lists mix the p99 of 4 to 12 (about 10 % under 20's).
    graphqlConcurrency: integer(env, 'GRAPHQL_CONCURRENCY', 16, 0),
    wsMaxSocketsPerKey: integer(env, 'WS_MAX_SOCKETS_PER_KEY', 1_000, 1),
    rateLimitPerKey: integer(env, 'RATE_LIMIT_PER_KEY', 6_000, 1),
    rateLimitPerAddress: integer(env, 'RATE_LIMIT_PER_ADDRESS', 12_000, 1),
    rateLimitFailedAuth: integer(env, 'RATE_LIMIT_FAILED_AUTH', 30, 1),
    webhookAllowPrivate: flag(env, 'WEBHOOK_ALLOW_PRIVATE'),
    webhookRetryDelaysMs: delays(env, 'WEBHOOK_RETRY_DELAYS_MS'),
    // A few seconds: DESIGN.md promises an alert within 30 s of the change.
    alertEvaluationMs: integer(env, 'ALERT_EVALUATION_MS', 5_000, 50, 30_000),
    alertDeliveryMs: integer(env, 'ALERT_DELIVERY_MS', 1_000, 50, 60_000),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    trustProxy: env.TRUST_PROXY ? (/^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY) : undefined,
  };
}
