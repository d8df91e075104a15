// What every bench part shares: one embedded PostgreSQL in a temp dir, one real syncwatch on it, timing helpers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig } from '../../server/config.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../server/db/embedded.js';
import { type Syncwatch, startSyncwatch } from '../../server/instance.js';
import { createLogger, type Logger } from '../../server/logger.js';
import { GraphQLClient } from '../support/graphql-client.js';

export const ADMIN_SECRET = 'bench-admin-secret-0123456789';

export interface BenchEnvironment {
  instance: Syncwatch;
  graphqlUrl: string;
  admin: GraphQLClient;
  /** Direct SQL on the bench database, outside the server's pool. */
  sql: pg.Pool;
  /** Creates a key with this role and returns a client using it. */
  clientFor(role: 'VIEWER' | 'OPERATOR' | 'INGEST' | 'ADMIN'): Promise<GraphQLClient>;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL and the real server on it (port 0). By default in a temp dir that stop() removes again; with
 * `dataDir`, in that folder, kept for the next run (a bench whose history takes long to fill reuses it). `env` adds to
 * the server's configuration.
 */
export async function startBenchEnvironment(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<BenchEnvironment> {
  const kept = options.dataDir !== undefined;
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'syncwatch-bench-pg-'));
  let database: EmbeddedDatabase | null = null;
  let instance: Syncwatch | null = null;
  let sql: pg.Pool | null = null;
  const stop = async () => {
    await sql?.end().catch(() => {});
    await instance?.stop().catch(() => {});
    await database?.stop().catch(() => {});
    if (!kept) rmSync(dir, { recursive: true, force: true });
  };
  try {
    database = await startEmbeddedPostgres(dir, { persistent: kept, durable: false });
    if (!kept || !(await hasDatabase(database.url, 'bench'))) await database.createDatabase('bench');
    const databaseUrl = database.urlFor('bench');
    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_SECRET,
      LOG_LEVEL: 'error',
      ...options.env,
    });
    // No background jobs: nothing but the measured work touches the database.
    instance = await startSyncwatch(config, { logger: createLogger(config.logLevel), jobs: false });
    sql = new pg.Pool({ connectionString: databaseUrl, max: 6 });
    // An idle connection cut when the database stops must not crash the bench after its figures are in.
    sql.on('error', () => {});
    const graphqlUrl = `http://127.0.0.1:${instance.port}/graphql`;
    const admin = new GraphQLClient(graphqlUrl, ADMIN_SECRET);
    return {
      instance,
      graphqlUrl,
      admin,
      sql,
      async clientFor(role) {
        const { createApiKey } = await admin.ok<{ createApiKey: { secret: string } }>(
          'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }',
          { input: { name: `bench-${role.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}`, role } },
        );
        return new GraphQLClient(graphqlUrl, createApiKey.secret);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** An instance as `npm start` runs it (background jobs on), on a fresh embedded database, for the demo's benches. */
export interface StartedInstance {
  instance: Syncwatch;
  /** http://127.0.0.1:<port> */
  url: string;
  logger: Logger;
  /** Stops the instance and the database, and removes the database's folder. */
  stop(): Promise<void>;
}

/** `env`: configuration beside the bench's defaults (rate limits raised for a fleet, say). */
export async function startFreshInstance(name: string, env: Record<string, string> = {}): Promise<StartedInstance> {
  const dir = mkdtempSync(join(tmpdir(), `syncwatch-bench-${name}-pg-`));
  let database: EmbeddedDatabase | null = null;
  let instance: Syncwatch | null = null;
  const stop = async () => {
    await instance?.stop().catch(() => {});
    await database?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    database = await startEmbeddedPostgres(dir, { persistent: false });
    await database.createDatabase(name);
    const config = loadConfig({
      DATABASE_URL: database.urlFor(name),
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_SECRET,
      LOG_LEVEL: 'error',
      ...env,
    });
    const logger = createLogger(config.logLevel);
    instance = await startSyncwatch(config, { logger });
    return { instance, url: `http://127.0.0.1:${instance.port}`, logger, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function hasDatabase(url: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** One line of the final summary. */
export interface SummaryRow {
  measure: string;
  value: string;
  target?: string;
  /** Whether the target is met; undefined when the line has no target. */
  met?: boolean;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index];
}

export interface Latencies {
  p50: number;
  p95: number;
  max: number;
  samples: number;
}

/** Runs `task` `warmup` times unmeasured, then `samples` times one after another, and returns its latencies. */
export async function measure(task: () => Promise<unknown>, samples: number, warmup = Math.ceil(samples / 10)): Promise<Latencies> {
  for (let i = 0; i < warmup; i++) await task();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], samples };
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;
export const perSecond = (value: number) => `${Math.round(value).toLocaleString('en-US')} rows/s`;
export const count = (value: number) => value.toLocaleString('en-US');

/** Prints rows as an aligned plain-text table. */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(line(headers));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

export function heading(title: string): void {
  console.log(`\n== ${title} ==`);
}

/** The summary table every bench run ends with: each measure, its value and target, and whether it was met. */
export function printSummary(rows: SummaryRow[]): void {
  printTable(
    ['measure', 'value', 'target', 'met'],
    rows.map((row) => [row.measure, row.value, row.target ?? '', row.met === undefined ? '' : row.met ? 'yes' : 'NO']),
  );
}

/**
 * Runs one bench part when its file is started directly (`node --import tsx/esm test/bench/<part>.bench.ts`):
 * prints its summary and exits 0, or 2 on a failure (a missed target is reported, not an error).
 */
export function runWhenStartedDirectly(moduleUrl: string, part: () => Promise<SummaryRow[]>): void {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  part().then(
    (rows) => {
      printSummary(rows);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
