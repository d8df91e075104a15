// A run's progress events, coalesced where they are written: at most one per run per interval, and a
// trailing one once the interval has passed when counts moved since. The event table then holds exactly
// what every instance delivers live and what a resume with `since` replays. Status changes are written
// at once by the run lifecycle and settle what is owed (their event carries the same state).
import { type DataSource, type EntityManager, In } from 'typeorm';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents, type EventInput } from '../../events/event-log.js';
import { MARK_PROGRESS_SQL, NEXT_PROGRESS_WAIT_SQL, TAKE_DUE_PROGRESS_SQL } from '../../sql/progress.js';
import { runEvent } from './run-events.js';

const FLUSH_BATCH = 1_000;

export class RunProgress {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /**
   * Called in the transaction that moved these runs' counts (their rows already locked by it): returns the
   * progress events to append now; runs within their interval owe a trailing event instead.
   */
  async moved(manager: EntityManager, runIds: string[]): Promise<EventInput[]> {
    const rows: { id: string; due: boolean }[] = await manager.query(MARK_PROGRESS_SQL, [runIds, this.intervalMs]);
    if (rows.some((row) => !row.due)) this.flushLater(this.intervalMs);
    const now = rows.filter((row) => row.due).map((row) => row.id);
    if (now.length === 0) return [];
    const runs = await manager.findBy(SyncRun, { id: In(now) });
    return runs.map((run) => runEvent(run, 'progress', null));
  }

  /** Writes the trailing progress events that are due (any instance may: locked rows are skipped). */
  async flushDue(): Promise<number> {
    const flushed = await this.db.transaction(async (manager) => {
      const rows: { id: string }[] = await manager.query(TAKE_DUE_PROGRESS_SQL, [this.intervalMs, FLUSH_BATCH]);
      if (rows.length === 0) return 0;
      const runs = await manager.findBy(SyncRun, { id: In(rows.map((row) => row.id)) });
      await appendEvents(
        manager,
        runs.map((run) => runEvent(run, 'progress', null)),
      );
      return rows.length;
    });
    // Runs still owing one (not yet due, or locked just now): come back when the first falls due.
    const [{ wait }]: { wait: number | null }[] = await this.db.query(NEXT_PROGRESS_WAIT_SQL, [this.intervalMs]);
    if (wait !== null) this.flushLater(Math.max(wait, 50));
    return flushed;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private flushLater(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.flushDue().catch(this.onError);
    }, delayMs + 5);
    this.timer.unref();
  }
}
