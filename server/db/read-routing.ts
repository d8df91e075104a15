// Reads on a streaming replica (DATABASE_READ_URL), with read-your-writes.
//
// The services that only read (lists, analytics, facets) are given `reader`, a data source that is the replica or
// the primary depending on the request it serves: each GraphQL request runs inside `within(keyId, ...)`, which
// chooses once, before anything is read. Everything else (writes, the event hub, leader jobs, subscriptions) runs
// outside any request's choice and so on the primary.
//
// Read-your-writes: after a transaction of a request commits on the primary, that request reads on the primary from
// then on, and the primary's WAL position is kept for its API key. A later request of that key reads on the replica
// only once the replica has replayed up to that position: it waits for it at most `readYourWritesWaitMs`, then
// reads on the primary. Export downloads (no key) wait the same way for everything committed before them. A replica that lags more than `maxLagMs`, or does not answer the check made every second,
// is not used at all; a connection to it that fails between two checks is taken on the primary instead, so a
// replica that stops costs its readers no error (a statement it was running when it stopped still fails).
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import type { Logger } from '../logger.js';
import { poolOf } from './pool.js';

export interface ReadRoutingOptions {
  /** A replica whose replay is further behind than this is skipped (its lag in time, see ReplicaState). */
  maxLagMs: number;
  /** How long a request waits for the replica to replay its key's last write before reading on the primary. */
  readYourWritesWaitMs: number;
  /** How often the replica's lag is measured. */
  checkEveryMs?: number;
  logger: Logger;
}

/** The replica as last measured, for /metrics and /readyz. */
export interface ReplicaState {
  /** Whether reads go to it now: it answers and is within the lag allowed. */
  inUse: boolean;
  /** Whether it answered the last check. */
  reachable: boolean;
  /** WAL bytes the primary has written that it has not replayed yet (null when unreachable). */
  lagBytes: number | null;
  /** Seconds since the last transaction it replayed, while it is behind; 0 when caught up (null when unreachable). */
  lagSeconds: number | null;
}

/** The source a request reads on, chosen once and switched to the primary by its first commit. */
interface ReadContext {
  keyId: string | null;
  source: DataSource;
}

/** A WAL position ("16/B374D848") as a number, to compare. */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

const REPLAYED_SQL = 'SELECT pg_last_wal_replay_lsn()::text AS lsn';
const REPLICA_STATE_SQL = `
SELECT pg_last_wal_replay_lsn()::text AS lsn,
       COALESCE(EXTRACT(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 AS since_replay`;
// The insert position: at or past the commit record just written, even before the WAL writer flushes it.
const WRITTEN_SQL = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';

export class ReadRouting {
  /** What read-only services run their statements on: the replica or the primary, by the request being served. */
  readonly reader: DataSource;
  readonly replicaState: ReplicaState = { inUse: false, reachable: false, lagBytes: null, lagSeconds: null };
  private readonly context = new AsyncLocalStorage<ReadContext>();
  /** Per API key, the primary's WAL position after its last write, until the replica has replayed it. */
  private readonly writtenAt = new Map<string, bigint>();
  private replayed = 0n;
  /** The replica pool's own connect, before `fallBackOnConnect` wrapped it. */
  private connectReplica: (() => Promise<pg.PoolClient>) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;

  constructor(
    private readonly primary: DataSource,
    /** The replica's own data source (tests watch what it runs). */
    readonly replica: DataSource,
    private readonly options: ReadRoutingOptions,
  ) {
    // Every property of the data source, its pool (poolOf) included, is the chosen source's.
    this.reader = new Proxy(primary, {
      get: (_target, property) => {
        const source = this.context.getStore()?.source ?? primary;
        const value = Reflect.get(source, property, source);
        return typeof value === 'function' ? value.bind(source) : value;
      },
    });
    const routing = this;
    const afterCommit: EntitySubscriberInterface = {
      afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }) {
        return routing.committed(queryRunner);
      },
    };
    primary.subscribers.push(afterCommit);
  }

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => {
      this.checking ??= this.check().finally(() => {
        this.checking = null;
      });
    }, this.options.checkEveryMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.checking;
    if (this.replica.isInitialized) await this.replica.destroy().catch(() => {});
  }

  /** Runs one request's work with its reads on the source chosen for its key now. */
  async within<T>(keyId: string | null, work: () => T): Promise<T> {
    const source = (await this.replicaServes(keyId)) ? this.replica : this.primary;
    return this.context.run({ keyId, source }, work);
  }

  /**
   * Runs work that should see everything committed before it started (an export's download, whose row count was
   * taken on the primary) on the replica once it has replayed up to now, else (after the bounded wait) on the primary.
   */
  async withinUpToDate<T>(work: () => T): Promise<T> {
    let now: bigint | undefined;
    if (this.replicaState.inUse) {
      const [{ lsn }]: { lsn: string }[] = await this.primary.query(WRITTEN_SQL);
      now = lsnValue(lsn);
    }
    const source = (await this.replicaHasReplayed(now)) ? this.replica : this.primary;
    return this.context.run({ keyId: null, source }, work);
  }

  private async replicaServes(keyId: string | null): Promise<boolean> {
    const written = keyId === null ? undefined : this.writtenAt.get(keyId);
    const served = await this.replicaHasReplayed(written);
    if (served && written !== undefined && this.writtenAt.get(keyId as string) === written) this.writtenAt.delete(keyId as string);
    return served;
  }

  /** Whether the replica is in use and has replayed `written` (waiting for it at most readYourWritesWaitMs). */
  private async replicaHasReplayed(written: bigint | undefined): Promise<boolean> {
    if (!this.replicaState.inUse) return false;
    if (written === undefined || this.replayed >= written) return true;
    const deadline = performance.now() + this.options.readYourWritesWaitMs;
    for (;;) {
      try {
        const [{ lsn }] = await this.onReplica<{ lsn: string | null }>(REPLAYED_SQL);
        if (lsn !== null) this.replayed = lsnValue(lsn);
      } catch {
        return false; // it went away since the last check: the primary serves, and the next check says so
      }
      if (this.replayed >= written) return true;
      if (performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  // After the outermost commit of a transaction run for a request: its key's reads follow the primary from here.
  private async committed(queryRunner: QueryRunner): Promise<void> {
    const context = this.context.getStore();
    if (!context || queryRunner.isTransactionActive) return;
    context.source = this.primary;
    if (context.keyId === null) return;
    let written: bigint;
    try {
      written = lsnValue((await queryRunner.query(WRITTEN_SQL))[0].lsn);
    } catch {
      return; // the commit stands: failing here would fail a request whose write is done; only its key's next read may lag
    }
    if ((this.writtenAt.get(context.keyId) ?? 0n) < written) this.writtenAt.set(context.keyId, written);
  }

  /** Runs a statement on the replica itself, never on the primary in its place. */
  private async onReplica<Row>(sql: string): Promise<Row[]> {
    if (!this.connectReplica) throw new Error('the replica is not connected');
    const client = await this.connectReplica();
    try {
      return (await client.query(sql)).rows as Row[];
    } finally {
      client.release();
    }
  }

  /**
   * Makes the replica pool hand out a primary connection when it cannot open one to the replica, and stops reading
   * on the replica until a check finds it again. pg's pool and TypeORM call connect with a callback, so both forms are kept.
   */
  private fallBackOnConnect(): void {
    const pool = poolOf(this.replica);
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    this.connectReplica = connect;
    const primaryPool = poolOf(this.primary);
    type Callback = (error: Error | undefined, client: pg.PoolClient | undefined, release: (error?: Error) => void) => void;
    const connecting = (): Promise<pg.PoolClient> =>
      connect().catch((error: unknown) => {
        if (this.replicaState.inUse) {
          this.options.logger.warn('the read replica does not answer; reading on the primary', { error: String(error) });
        }
        Object.assign(this.replicaState, { inUse: false, reachable: false, lagBytes: null, lagSeconds: null });
        return primaryPool.connect();
      });
    Object.assign(pool, {
      connect(callback?: Callback) {
        if (!callback) return connecting();
        connecting().then(
          (client) => callback(undefined, client, (error?: Error) => client.release(error)),
          (error: Error) => callback(error, undefined, () => {}),
        );
        return undefined;
      },
    });
  }

  /** Measures the replica's lag and decides whether it serves reads. */
  private async check(): Promise<void> {
    const state = this.replicaState;
    const wasInUse = state.inUse;
    try {
      if (!this.replica.isInitialized) {
        await this.replica.initialize();
        this.fallBackOnConnect();
      }
      const [{ lsn, since_replay }] = await this.onReplica<{ lsn: string | null; since_replay: number }>(REPLICA_STATE_SQL);
      if (lsn === null) throw new Error('DATABASE_READ_URL is not a streaming replica (no WAL replay position)');
      this.replayed = lsnValue(lsn);
      const [{ bytes }]: { bytes: string }[] = await this.primary.query(
        'SELECT greatest(pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn), 0)::text AS bytes',
        [lsn],
      );
      state.reachable = true;
      state.lagBytes = Number(bytes);
      // Seconds since the last replayed commit mean lag only while there is something left to replay.
      state.lagSeconds = state.lagBytes > 0 ? since_replay : 0;
      state.inUse = state.lagSeconds * 1000 <= this.options.maxLagMs;
      for (const [keyId, written] of this.writtenAt) if (this.replayed >= written) this.writtenAt.delete(keyId);
    } catch (error) {
      Object.assign(state, { inUse: false, reachable: false, lagBytes: null, lagSeconds: null });
      if (wasInUse) this.options.logger.warn('the read replica does not answer; reading on the primary', { error: String(error) });
      return;
    }
    if (wasInUse !== state.inUse) {
      if (state.inUse) this.options.logger.info('reading on the replica', { lagSeconds: state.lagSeconds });
      else this.options.logger.warn('the read replica lags too far behind; reading on the primary', { lagSeconds: state.lagSeconds });
    }
  }
}
