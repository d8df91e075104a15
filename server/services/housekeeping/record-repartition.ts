// The upgrade of an installation that has records to partitioned records and attempts, with the service up
// (docs/scaling.md, "Upgrading an installation that has records"). Migration 2900 made the partitioned tables beside
// the old ones and 2910 the mirror of every write into them; this is the leader's part: copy the old rows in paced
// batches by id, then swap the tables in one short transaction once the copy has caught up.
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../../logger.js';
import {
  errorGroupTriggersSql,
  RECORD_TABLES,
  RECORD_TABLES_BESIDE,
  renameRecordTablesSql,
  rollupTriggersSql,
} from '../../sql/record-partitions.js';
import {
  COPIED_COLUMNS_SQL,
  continueIdentitySql,
  copyBatchSql,
  copyRestSql,
  countBothSql,
  dropMirrorSql,
  dropRollupTriggersSql,
  dropSetAsideSql,
  lockForSwapSql,
  lockTimeoutSql,
  PROGRESS_FOR_SWAP_SQL,
  PROGRESS_OF_SQL,
  PROGRESS_SQL,
  REPARTITIONED_TABLES,
  type RepartitionedTable,
  SET_ASIDE_LEFT_SQL,
  SET_ASIDE_NAMES_SQL,
  SWAP_DONE_SQL,
  setAside,
  setAsideSql,
} from '../../sql/repartition.js';

/** Rows a copy batch takes by default (REPARTITION_BATCH_ROWS). */
export const DEFAULT_BATCH_ROWS = 10_000;

/**
 * After each batch the copy waits this many times as long as the batch took: it takes at most half of the time of
 * one connection and one core, so ingest keeps going beside it.
 */
const PAUSE_FACTOR = 1;

/**
 * The swap's first wait for its locks; each try that gives up doubles it, up to SWAP_LOCK_WAIT_MAX_MS. An ingest
 * transaction can take longer than the first wait on a busy machine, and the swap has to outwait every one in flight.
 */
const SWAP_LOCK_WAIT_MS = 500;
const SWAP_LOCK_WAIT_MAX_MS = 4_000;

/** One job round copies for at most this long, then lets the scheduler run it again (a shutdown waits less). */
const ROUND_MS = 20_000;

export interface CopyProgress {
  table: string;
  rowsCopied: number;
  /** Rows at or below copy_until not copied yet: an estimate (rows deleted meanwhile are still counted). */
  rowsLeft: number;
  caughtUp: boolean;
}

export type SwapOutcome =
  | { swapped: true; lockMs: number; copySeconds: number; rows: Record<string, number> }
  | { swapped: false; reason: 'nothing pending' | 'counts differ' | 'locks not had in time'; detail?: string };

export interface RepartitionOptions {
  batchRows?: number;
  logger?: Logger;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class RecordRepartition {
  private readonly batchRows: number;
  private readonly logger?: Logger;
  /** Set once nothing is pending and nothing is left over: the job costs nothing from then on. */
  private finished = false;
  private stopped = false;
  /** Swap tries that gave up waiting for their locks: each waits longer. */
  private lockWaitsLost = 0;
  /** Set when a swap found the counts differ: not tried again by this process (a restart tries again). */
  private refused = false;
  private readonly columns = new Map<string, string[]>();

  constructor(
    private readonly db: DataSource,
    options: RepartitionOptions = {},
  ) {
    this.batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    this.logger = options.logger;
  }

  /** Where the copy stands, per table; empty when none is pending. */
  async progress(): Promise<CopyProgress[]> {
    const rows: { table_name: string; rows_copied: number; rows_left: number; caught_up: boolean }[] = await this.db.query(PROGRESS_SQL);
    return rows.map((row) => ({ table: row.table_name, rowsCopied: row.rows_copied, rowsLeft: row.rows_left, caughtUp: row.caught_up }));
  }

  /** The leader's job: copies in paced batches for up to a round, and swaps once every table has caught up. */
  async run(): Promise<void> {
    if (this.finished || this.stopped) return;
    const pending = await this.progress();
    if (pending.length === 0) {
      this.finished = await this.dropSetAside();
      return;
    }
    const until = Date.now() + ROUND_MS;
    for (const { table } of pending) {
      const from = REPARTITIONED_TABLES.find((t) => t.table === table);
      if (!from) continue;
      for (;;) {
        if (this.stopped || Date.now() > until) return;
        const started = performance.now();
        const batch = await this.copyBatch(from);
        if (batch.caughtUp) break;
        await sleep((performance.now() - started) * PAUSE_FACTOR);
      }
    }
    if (this.refused) return;
    const outcome = await this.swap();
    if (outcome.swapped) await this.dropSetAside();
  }

  /** Copies the next batch of one table; says whether its copy has reached `copy_until`. */
  async copyBatch(from: RepartitionedTable): Promise<{ copied: number; caughtUp: boolean }> {
    const started = performance.now();
    const sql = copyBatchSql(from, await this.columnsOf(from));
    // One statement: the batch and its progress commit together. Two leaders at once (one losing its lock) copy the
    // same rows twice at worst, and the progress only moves forward.
    const [{ copied_through: through, copy_until: until }]: { copied_through: string; copy_until: string }[] = await this.db.query(
      PROGRESS_OF_SQL,
      [from.table],
    );
    if (BigInt(through) >= BigInt(until)) return { copied: 0, caughtUp: true };
    const [progress]: { copied_through: string; copy_until: string; copied: number }[] = await this.db.query(sql, [
      through,
      until,
      this.batchRows,
    ]);
    const caughtUp = BigInt(progress.copied_through) >= BigInt(progress.copy_until);
    this.logger?.info('records copy batch', {
      table: from.table,
      copied: progress.copied,
      throughId: progress.copied_through,
      untilId: progress.copy_until,
      ms: Math.round(performance.now() - started),
    });
    return { copied: progress.copied, caughtUp };
  }

  /**
   * The swap, in one transaction: locks the old and partitioned tables, copies the last rows, compares the counts
   * (refused, logged and not tried again by this process when they differ: the mirror keeps both tables written),
   * sets the old tables aside (setAsideOld), renames the partitioned tables and puts the rollup triggers on them.
   * The old tables are dropped after the commit, not in it: dropping a table with a foreign key to `runs` locks
   * `runs`, which ingest locks before records, so the swap would wait for ingest that waits for the swap. Readers and
   * writers use the old tables until it commits; a statement waiting for its lock then finds the partitioned table
   * under the name. Gives up (and is tried again by the next round) when the locks are not had in 500 ms, then 1, 2 and
   * at most 4 s: writers queued behind the swap's wait are not held longer than that, and a long reader (an export)
   * makes it try again later.
   */
  async swap(): Promise<SwapOutcome> {
    const columns = new Map<string, string[]>();
    for (const from of REPARTITIONED_TABLES) columns.set(from.table, await this.columnsOf(from));
    let lockedAt = 0;
    try {
      const outcome = await this.db.transaction(async (manager): Promise<SwapOutcome> => {
        await manager.query(lockTimeoutSql(this.swapLockWaitMs()));
        await manager.query(lockForSwapSql(REPARTITIONED_TABLES));
        lockedAt = performance.now();
        const progress: { table_name: string; copied_through: string; copy_until: string; seconds: number }[] =
          await manager.query(PROGRESS_FOR_SWAP_SQL);
        if (progress.length === 0) return { swapped: false, reason: 'nothing pending' };
        const rows: Record<string, number> = {};
        for (const from of REPARTITIONED_TABLES) {
          const copy = progress.find((p) => p.table_name === from.table);
          if (copy) await manager.query(copyRestSql(from, columns.get(from.table) as string[]), [copy.copied_through, copy.copy_until]);
          const [count]: { old: string; new: string }[] = await manager.query(countBothSql(from));
          if (count.old !== count.new) {
            throw new CountsDiffer(`${from.table}: ${count.old} rows in the old table, ${count.new} in the partitioned one`);
          }
          rows[from.table] = Number(count.old);
        }
        for (const from of REPARTITIONED_TABLES) await this.setAsideOld(manager, from);
        const statements = [
          ...renameRecordTablesSql(RECORD_TABLES_BESIDE, RECORD_TABLES),
          ...rollupTriggersSql(RECORD_TABLES.records),
          ...errorGroupTriggersSql(RECORD_TABLES.records),
          SWAP_DONE_SQL,
        ];
        for (const statement of statements) await manager.query(statement);
        return { swapped: true, lockMs: 0, copySeconds: Math.round(progress[0].seconds), rows };
      });
      if (outcome.swapped) {
        outcome.lockMs = Math.round(performance.now() - lockedAt);
        this.logger?.info('records swapped to partitions', {
          rows: outcome.rows,
          lockMs: outcome.lockMs,
          copySeconds: outcome.copySeconds,
        });
      }
      return outcome;
    } catch (error) {
      if (error instanceof CountsDiffer) {
        this.refused = true;
        this.logger?.error('records not swapped to partitions: the copy does not match; the mirror keeps running', {
          detail: error.message,
        });
        return { swapped: false, reason: 'counts differ', detail: error.message };
      }
      if ((error as { code?: string }).code === '55P03') {
        this.logger?.warn('records swap did not get its locks in time; will retry', { waitedMs: this.swapLockWaitMs() });
        this.lockWaitsLost++;
        return { swapped: false, reason: 'locks not had in time' };
      }
      throw error;
    }
  }

  /**
   * The old table out of the way, under the swap's locks: its mirror and rollup triggers gone, the identity continued
   * by the partitioned table, its names (table, indexes, keys, statistics, sequence) set aside for the partitioned
   * table to take.
   */
  private async setAsideOld(manager: EntityManager, from: RepartitionedTable): Promise<void> {
    const statements = [
      continueIdentitySql(from),
      ...dropMirrorSql(from),
      ...(from.table === RECORD_TABLES.records ? dropRollupTriggersSql(from) : []),
    ];
    for (const statement of statements) await manager.query(statement);
    const renames: { statement: string }[] = await manager.query(SET_ASIDE_NAMES_SQL, [from.table, setAside(from.table)]);
    for (const { statement } of renames) await manager.query(statement);
    await manager.query(setAsideSql(from));
  }

  /**
   * Drops the old tables a swap set aside, once it has committed (attempts first), each try bounded by a short lock
   * wait: the drop locks `runs` for a moment too. Says whether none is left.
   */
  private async dropSetAside(): Promise<boolean> {
    const names = [...REPARTITIONED_TABLES].reverse().map((t) => setAside(t.table));
    const left: { name: string }[] = await this.db.query(SET_ASIDE_LEFT_SQL, [names]);
    if (left.length === 0) return true;
    const started = performance.now();
    try {
      await this.db.transaction(async (manager) => {
        await manager.query(lockTimeoutSql(SWAP_LOCK_WAIT_MS));
        await manager.query(dropSetAsideSql(left.map((row) => row.name)));
      });
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      this.logger?.warn('old records tables not dropped yet: their lock was not had in time; will retry', {
        tables: left.map((r) => r.name),
      });
      return false;
    }
    this.logger?.info('old records tables dropped', { tables: left.map((row) => row.name), ms: Math.round(performance.now() - started) });
    return true;
  }

  private swapLockWaitMs(): number {
    return Math.min(SWAP_LOCK_WAIT_MS * 2 ** this.lockWaitsLost, SWAP_LOCK_WAIT_MAX_MS);
  }

  private async columnsOf(from: RepartitionedTable): Promise<string[]> {
    let columns = this.columns.get(from.table);
    if (!columns) {
      const rows: { name: string }[] = await this.db.query(COPIED_COLUMNS_SQL, [from.partitioned]);
      columns = rows.map((row) => row.name);
      this.columns.set(from.table, columns);
    }
    return columns;
  }

  /** Shutdown: no batch starts any more (the one running finishes; the next leader goes on from its progress). */
  stop(): void {
    this.stopped = true;
  }
}

class CountsDiffer extends Error {}
