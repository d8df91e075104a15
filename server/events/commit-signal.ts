// The wake-up that tells every instance's EventHub to read the event table, sent after the
// transaction that appended events has committed, never inside it. PostgreSQL takes one
// cluster-wide lock at the commit of every transaction that ran NOTIFY, so notifying writers
// commit one at a time; a NOTIFY of its own, outside the writers' transactions, leaves their
// commits free. Signals are coalesced: at most one NOTIFY every COALESCE_MS per instance.
//
// The signal carries nothing: readers find the events by their position (events/position.ts),
// so a signal that is lost, late or merged with others only delays a read until the next one
// or the hub's fallback poll.
import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner } from 'typeorm';

export const EVENTS_CHANNEL = 'syncwatch_events';

/** The shortest gap between two NOTIFYs of one instance: a busy instance sends at most 40 a second. */
export const COALESCE_MS = 25;

class CommitSignal implements EntitySubscriberInterface {
  /** Transactions that appended events and have not ended yet. */
  private readonly pending = new WeakSet<QueryRunner>();
  private lastSentAt = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Sends the NOTIFY on a connection of its own (the event hub's LISTEN connection); the pool when unset or down. */
  sender: (() => Promise<void>) | null = null;
  /** Wakes this instance's own hub at once, without the round trip through PostgreSQL (it coalesces by itself). */
  wakeLocal: (() => void) | null = null;

  constructor(private readonly db: DataSource) {}

  /** Called by appendEvents: signal once the manager's transaction commits (at once without one). */
  appended(manager: EntityManager): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) this.pending.add(runner);
    else this.signal();
  }

  // TypeORM calls these for savepoints too: only the outermost transaction's end counts.
  afterTransactionCommit({ queryRunner }: { queryRunner: QueryRunner }): void {
    if (!queryRunner.isTransactionActive && this.pending.delete(queryRunner)) this.signal();
  }

  afterTransactionRollback({ queryRunner }: { queryRunner: QueryRunner }): void {
    if (!queryRunner.isTransactionActive) this.pending.delete(queryRunner);
  }

  private signal(): void {
    this.wakeLocal?.();
    if (this.timer) return; // one is due: it wakes readers for this commit too
    const wait = this.lastSentAt + COALESCE_MS - performance.now();
    if (wait <= 0) this.send();
    else this.timer = setTimeout(() => this.send(), wait);
  }

  private send(): void {
    this.timer = null;
    this.lastSentAt = performance.now();
    if (!this.db.isInitialized) return; // shutting down: nobody left to wake here
    // Its own statement, outside any transaction. A failure is only a later read: every hub also polls.
    const viaPool = () => this.db.query(`SELECT pg_notify('${EVENTS_CHANNEL}', '')`);
    (this.sender ? this.sender().catch(viaPool) : viaPool()).catch(() => {});
  }
}

const signals = new WeakMap<DataSource, CommitSignal>();

/** The data source's commit signal, registered with it as a subscriber of transaction ends on first use. */
export function commitSignalOf(db: DataSource): CommitSignal {
  let signal = signals.get(db);
  if (!signal) {
    signal = new CommitSignal(db);
    signals.set(db, signal);
    db.subscribers.push(signal);
  }
  return signal;
}
