// The instance's single reader of the event table: woken by NOTIFY (and by a timer, since a
// NOTIFY can be missed while the LISTEN connection is down), it reads committed events in
// stream order, re-reads their runs and records once, and offers them to every subscriber.
import type { DataSource } from 'typeorm';
import { type CaseFold, caseFoldOf, foldAscii } from '../domain/filter-rules.js';
import type { Logger } from '../logger.js';
import { LOWER_FOLDS_BEYOND_ASCII_SQL } from '../sql/events.js';
import { commitSignalOf } from './commit-signal.js';
import { EventListener } from './event-listener.js';
import { isRetained, latestPosition, readEvents, type StoredEvent } from './event-store.js';
import { type LiveEvent, materialize, type Needs } from './live-event.js';
import { type EventPosition, START } from './position.js';

export interface HubSubscriber {
  readonly needs: Needs;
  /** Every event in stream order; the subscriber filters. Must not throw. */
  offer(event: LiveEvent): void;
  /** Ends the subscriber when the hub stops. */
  end(): void;
}

export interface EventHubOptions {
  databaseUrl: string;
  logger: Logger;
  eventRetentionHours: number;
  /** Told of each batch dispatched: how many events, to how many subscribers, and when they were written. */
  onDispatched?(events: StoredEvent[], subscribers: number): void;
  /** Fallback poll period: NOTIFY is only a wake-up and may be lost with its connection. */
  pollMs?: number;
}

const BATCH = 200;

export class EventHub {
  /** The last event dispatched: every committed event up to here has been offered to subscribers. */
  position: EventPosition = START;
  /** How live filters fold case: as this database's lower() does, learnt at start. */
  caseFold: CaseFold = foldAscii;
  private readonly subscribers = new Set<HubSubscriber>();
  private readonly listener: EventListener;
  private pollTimer: NodeJS.Timeout | null = null;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    readonly db: DataSource,
    private readonly options: EventHubOptions,
  ) {
    this.listener = new EventListener(options.databaseUrl, () => this.wake(), options.logger);
  }

  /** Backend pid of the LISTEN connection (tests terminate it). */
  get listenerPid(): number | null {
    return this.listener.pid;
  }

  /** Whether the LISTEN connection is up (readiness, metrics). */
  get listening(): boolean {
    return this.listener.pid !== null;
  }

  /** Readers of the hub; identical subscriptions share one (see graphql/ws/shared-subscriptions.ts). */
  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** GraphQL subscriptions open on this instance, shared ones each counted (kept by graphql/ws/server.ts). */
  openSubscriptions = 0;

  /**
   * Set by the transport: resolves once what has been offered so far has been handed to the subscribers that keep
   * up. The hub reads its next batch only then, so it never reads faster than it can send (graphql/ws/server.ts).
   */
  deliveryPace: (() => Promise<void>) | null = null;

  async start(): Promise<void> {
    this.position = (await latestPosition(this.db)) ?? START;
    const [{ folds }]: { folds: boolean }[] = await this.db.query(LOWER_FOLDS_BEYOND_ASCII_SQL);
    this.caseFold = caseFoldOf(folds);
    await this.listener.start();
    // This instance's commits wake its hub at once, and the others by a NOTIFY on the LISTEN connection (never queued
    // behind pooled statements).
    const signal = commitSignalOf(this.db);
    signal.sender = () => this.listener.notify();
    signal.wakeLocal = () => this.wake();
    this.pollTimer = setInterval(() => this.wake(), this.options.pollMs ?? 1_000);
  }

  /** Registers a subscriber; from this tick on it is offered every event after `position`. */
  add(subscriber: HubSubscriber): void {
    this.subscribers.add(subscriber);
  }

  remove(subscriber: HubSubscriber): void {
    this.subscribers.delete(subscriber);
  }

  isRetained(position: EventPosition): Promise<boolean> {
    return isRetained(this.db, position, this.options.eventRetentionHours);
  }

  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.again) this.wake(); // a wake-up that came after the last read but before this line
    });
  }

  private async pump(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped) {
          const stored = await readEvents(this.db, this.position, BATCH);
          if (stored.length === 0) break;
          // A subscriber may join while we read: re-read if it needs a kind we skipped.
          let needs: Needs;
          let live: LiveEvent[];
          do {
            needs = this.needs();
            live = await materialize(this.db, stored, needs);
          } while (!covers(needs, this.needs()));
          if (this.stopped) return;
          for (const event of live) this.dispatch(event);
          this.options.onDispatched?.(stored, this.subscribers.size);
          this.position = stored[stored.length - 1].position;
          if (this.deliveryPace) {
            // Subscribers turn events into messages on promises: one turn of the event loop, and they have.
            await new Promise((resolve) => setImmediate(resolve));
            await this.deliveryPace();
          }
          if (stored.length < BATCH) break;
        }
      } catch (error) {
        this.options.logger.warn('reading events failed; retrying on the next wake-up', { error: String(error) });
        this.again = false; // the poll retries; no tight loop while the database is away
        return;
      }
    } while (this.again && !this.stopped);
  }

  private needs(): Needs {
    const needs: Needs = { runs: false, records: false, alerts: false };
    for (const subscriber of this.subscribers) {
      needs.runs ||= subscriber.needs.runs;
      needs.records ||= subscriber.needs.records;
      needs.alerts ||= subscriber.needs.alerts ?? false;
      if (needs.runs && needs.records && needs.alerts) break;
    }
    return needs;
  }

  // Progress events are already coalesced in the table (services/runs/run-progress.ts): every event goes out.
  private dispatch(event: LiveEvent): void {
    this.position = event.position;
    for (const subscriber of this.subscribers) subscriber.offer(event);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    Object.assign(commitSignalOf(this.db), { sender: null, wakeLocal: null });
    await this.listener.stop();
    await this.pumping;
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.subscribers.clear();
  }
}

const covers = (had: Needs, wanted: Needs): boolean =>
  (had.runs || !wanted.runs) && (had.records || !wanted.records) && (!!had.alerts || !wanted.alerts);
