// The leader's side of the rollups: folds the deltas that ingest appends into every cube of `record_rollups`,
// per hour and per day, and drops rollups older than ROLLUP_RETENTION_DAYS. Only one instance runs these
// (jobs/scheduler.ts), so the rollup table has one writer and never a lock queue.
import type { DataSource, EntityManager } from 'typeorm';
import { alignDown, DAY_MS } from '../../domain/analytics-range.js';
import { CUBES, type Cube, ROLLUP_COLUMNS, type RollupColumn } from '../../domain/rollup-cubes.js';
import { FULL_CUBE_DAY_SQL, FULL_CUBE_SPAN_SQL, PURGE_ROLLUPS_SQL, TAKE_DELTAS_SQL, UPSERT_ROLLUPS_SQL } from '../../sql/rollups.js';

/**
 * Deltas moved per transaction: bounded memory, and short transactions. The sums are made here between the
 * statements, so a batch must also stay well inside idle_in_transaction_session_timeout on a loaded host.
 */
const FOLD_BATCH = 10_000;
/** Rollup rows written per statement: each stays far below the pool's statement timeout, even on a loaded host. */
const UPSERT_CHUNK = 1_000;
const PURGE_BATCH = 10_000;
/**
 * The leader's fold waits this many times as long as its last fold took before it folds again. A fold costs about
 * the number of rollup rows the current hour and day touch, whatever the number of deltas behind them: under heavy
 * ingest, folding every second took 40% of a core from ingest, while folding a little less often folds more deltas
 * for the same work. So the fold never takes more than a fifth of the leader's time, and folds each second when idle.
 */
const PAUSE_PER_FOLD_TIME = 4;

const TIERS = [
  { tier: 'hour', start: (hourMs: number) => hourMs },
  { tier: 'day', start: (hourMs: number) => alignDown(hourMs, DAY_MS) },
] as const;

type Delta = Record<RollupColumn, string | null> & { hour: Date; records: number; hist: string };

interface Merged {
  hourMs: number;
  columns: Record<RollupColumn, string | null>;
  records: number;
  hist: number[];
}

type RollupRow = Omit<Sum, 'columns' | 'hist'> & Record<RollupColumn, string | null> & { hist: string };

interface Sum {
  tier: string;
  cube: string;
  start_ms: number;
  columns: Record<RollupColumn, string | null>;
  records: number;
  hist: number[];
}

export class RollupMaintenance {
  private nextFoldAt = 0;

  constructor(private readonly db: DataSource) {}

  /** The leader's job, called every second: folds unless the last fold was too recent (PAUSE_PER_FOLD_TIME). */
  async foldWhenDue(): Promise<number> {
    if (Date.now() < this.nextFoldAt) return 0;
    const started = Date.now();
    try {
      return await this.fold();
    } finally {
      this.nextFoldAt = Date.now() + PAUSE_PER_FOLD_TIME * (Date.now() - started);
    }
  }

  /**
   * Moves every committed delta into every cube, a batch per transaction: a reader sees either a batch's deltas
   * or their sums. Histograms are added up here (PostgreSQL unnesting them into rows, or a PL/pgSQL loop per
   * delta, cost minutes on a month of history). Returns how many delta rows it moved.
   */
  fold(): Promise<number> {
    return foldInBatches(this.db, FOLD_BATCH, (manager) => this.foldBatch(manager));
  }

  private async foldBatch(manager: EntityManager): Promise<number> {
    const deltas: Delta[] = await manager.query(TAKE_DELTAS_SQL, [FOLD_BATCH]);
    await upsertRollups(manager, sumsOf(mergeByKey(deltas)));
    return deltas.length;
  }

  /** Deletes rollups older than `days`, in small batches that never hold a lock for long. */
  async purgeOlderThan(days: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const result: [unknown[], number] = await this.db.query(PURGE_ROLLUPS_SQL, [days, PURGE_BATCH]);
      deleted += result[1];
      if (result[1] < PURGE_BATCH) return deleted;
    }
  }
}

/**
 * Folds a batch per transaction (`foldBatch` answers how many deltas it moved, at most `batch`) until a batch comes
 * short: every delta committed when it started is folded. Returns how many it moved.
 */
export async function foldInBatches(
  db: DataSource,
  batch: number,
  foldBatch: (manager: EntityManager) => Promise<number>,
): Promise<number> {
  let folded = 0;
  for (;;) {
    const moved = await db.transaction(foldBatch);
    folded += moved;
    if (moved < batch) return folded;
  }
}

/**
 * Deltas of the same hour and columns added together first: a second of ingest makes hundreds of deltas of a few
 * keys, and each key then fans out to every tier and cube once instead of once per delta.
 */
function mergeByKey(deltas: Delta[]): Merged[] {
  const merged = new Map<string, Merged>();
  for (const delta of deltas) {
    const hourMs = new Date(delta.hour).getTime();
    let key = String(hourMs);
    for (const column of ROLLUP_COLUMNS) key += `\u0000${delta[column]}`;
    let sum = merged.get(key);
    if (!sum) {
      sum = { hourMs, columns: delta, records: 0, hist: [] };
      merged.set(key, sum);
    }
    sum.records += Number(delta.records);
    if (delta.hist !== '') addHistogram(sum.hist, delta.hist.split(','));
  }
  return [...merged.values()];
}

/** The rollup rows the merged deltas add to: each in every tier and cube, summed where they meet. */
function sumsOf(merged: Merged[]): RollupRow[] {
  const sums = new CubeSums();
  for (const delta of merged) {
    for (const { tier, start } of TIERS) {
      for (const cube of CUBES) sums.add(cube, tier, start(delta.hourMs), delta);
    }
  }
  return sums.rows();
}

/** Rollup rows being summed, by tier, cube, start and the cube's columns. */
class CubeSums {
  private readonly sums = new Map<string, Sum>();

  add(cube: Cube, tier: string, startMs: number, part: Omit<Merged, 'hourMs'>): void {
    let key = `${tier}\u0000${cube.name}\u0000${startMs}`;
    for (const column of cube.columns) key += `\u0000${part.columns[column]}`;
    let sum = this.sums.get(key);
    if (!sum) {
      const columns = Object.fromEntries(
        ROLLUP_COLUMNS.map((c) => [c, cube.columns.includes(c) ? part.columns[c] : null]),
      ) as Sum['columns'];
      sum = { tier, cube: cube.name, start_ms: startMs, columns, records: 0, hist: [] };
      this.sums.set(key, sum);
    }
    sum.records += part.records;
    addHistogram(sum.hist, part.hist);
  }

  rows(): RollupRow[] {
    return [...this.sums.values()].map(({ columns, hist, ...rest }) => ({ ...rest, ...columns, hist: hist.join(',') }));
  }
}

async function upsertRollups(manager: EntityManager, rows: RollupRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += UPSERT_CHUNK)
    await manager.query(UPSERT_ROLLUPS_SQL, [JSON.stringify(rows.slice(i, i + UPSERT_CHUNK))]);
}

/**
 * Makes the given cubes from the full cube's rows, tier by tier and a day at a time (for the migration that adds
 * cubes: each is a sum of the full cube). Summed here as the fold sums: a PL/pgSQL aggregate of histograms took
 * longer than the statement timeout at 2M records.
 */
export async function cubesFromFull(manager: EntityManager, cubeNames: readonly string[]): Promise<void> {
  const cubes = CUBES.filter((cube) => cubeNames.includes(cube.name));
  const [span] = await manager.query(FULL_CUBE_SPAN_SQL);
  if (!span.first) return;
  for (const { tier } of TIERS) {
    for (let day = alignDown(new Date(span.first).getTime(), DAY_MS); day <= new Date(span.last).getTime(); day += DAY_MS) {
      const rows: (Delta & { bucket_start: Date })[] = await manager.query(FULL_CUBE_DAY_SQL, [
        tier,
        new Date(day),
        new Date(day + DAY_MS),
      ]);
      const sums = new CubeSums();
      for (const row of rows) {
        const part = { columns: row, records: Number(row.records), hist: row.hist === '' ? [] : row.hist.split(',').map(Number) };
        for (const cube of cubes) sums.add(cube, tier, new Date(row.bucket_start).getTime(), part);
      }
      await upsertRollups(manager, sums.rows());
    }
  }
}

/** Adds `counts` (by latency bucket) into `into`, element by element. */
function addHistogram(into: number[], counts: readonly (number | string)[]): void {
  for (let i = 0; i < counts.length; i++) into[i] = (into[i] ?? 0) + Number(counts[i]);
}
