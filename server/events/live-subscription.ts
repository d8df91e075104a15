// One GraphQL subscription's stream: the retained events after `since` first, then live ones,
// handed over without gap or duplicate, through a bounded buffer.
//
// Hand-over: the subscription joins the hub and notes the hub's position P in the same tick.
// Live events (all after P) are held while the backlog (since, P] is read from the table;
// then the held ones follow. Every event is delivered only if it lies after the last one.
import type { EventHub, HubSubscriber } from './event-hub.js';
import { type EventScope, readEvents } from './event-store.js';
import { type LiveEvent, materialize, type Needs } from './live-event.js';
import { type EventPosition, eventsExpired, isAfter } from './position.js';

export interface LiveSubscriptionOptions<T> {
  hub: EventHub;
  /** Resume after this position; absent, only events from now on. */
  since: EventPosition | null;
  /** Which rows a backlog read needs (a superset of what `select` keeps). */
  scope: EventScope;
  /** The value sent for an event, or null to skip it (filters, tenant scope). */
  select(event: LiveEvent): T | null;
  /** Values waiting to be sent beyond which the subscriber is cut off. */
  maxBuffered: number;
  /** Called once when the buffer overflows; the caller closes the socket. */
  onOverflow(): void;
}

const BACKLOG_PAGE = 200;

export class LiveSubscription<T> implements AsyncIterableIterator<T>, HubSubscriber {
  readonly needs: Needs;
  private cursor: EventPosition;
  private readonly queue: T[] = [];
  private waiting: { resolve(result: IteratorResult<T>): void; reject(error: unknown): void } | null = null;
  private held: LiveEvent[] | null = null;
  private failure: unknown = null;
  private finished = false;
  private drainWaiter: (() => void) | null = null;

  private constructor(private readonly options: LiveSubscriptionOptions<T>) {
    this.needs = {
      runs: options.scope.kinds.includes('run'),
      records: options.scope.kinds.includes('records'),
      alerts: options.scope.kinds.includes('alert'),
    };
    this.cursor = options.hub.position;
  }

  /** Starts the stream; a `since` that is no longer retained is refused here, before anything is sent. */
  static async open<T>(options: LiveSubscriptionOptions<T>): Promise<LiveSubscription<T>> {
    if (options.since && !(await options.hub.isRetained(options.since))) {
      throw eventsExpired('the events after "since" are no longer retained (or the cursor is unknown)');
    }
    const subscription = new LiveSubscription(options);
    const { hub, since } = options;
    hub.add(subscription);
    const upTo = hub.position; // same tick as add(): live events from here on are all after upTo
    // A cursor from an instance that is ahead of this one: skip what the client already has.
    subscription.cursor = since && isAfter(since, upTo) ? since : upTo;
    if (since && isAfter(upTo, since)) {
      subscription.held = [];
      void subscription.replay(since, upTo);
    }
    return subscription;
  }

  offer(event: LiveEvent): void {
    if (this.finished) return;
    if (this.held) {
      this.held.push(event);
      if (this.held.length > this.options.maxBuffered) this.overflow();
      return;
    }
    this.deliver(event);
  }

  private deliver(event: LiveEvent): void {
    if (!isAfter(event.position, this.cursor)) return;
    this.cursor = event.position;
    const value = this.options.select(event);
    if (value !== null) this.push(value);
  }

  private push(value: T): void {
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value, done: false });
      return;
    }
    this.queue.push(value);
    if (this.queue.length > this.options.maxBuffered) this.overflow();
  }

  private async replay(since: EventPosition, upTo: EventPosition): Promise<void> {
    const { hub, scope } = this.options;
    this.cursor = since;
    let after = since;
    try {
      while (!this.finished) {
        const stored = await readEvents(hub.db, after, BACKLOG_PAGE, { upTo, scope });
        if (this.finished) return;
        const live = await materialize(hub.db, stored, this.needs);
        // Every retained event, each with the run's state at the time: a resumed stream is the event table's.
        for (const event of live) this.deliver(event);
        if (stored.length < BACKLOG_PAGE) break;
        after = stored[stored.length - 1].position;
        await this.drained();
      }
      if (this.finished) return;
      this.cursor = upTo; // every event up to upTo that this scope can match has been delivered
      const held = this.held ?? [];
      this.held = null;
      for (const event of held) this.deliver(event);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Waits until the client has taken half of the buffer, so a long backlog is not read all at once. */
  private drained(): Promise<void> {
    if (this.queue.length < this.options.maxBuffered / 2) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiter = resolve;
    });
  }

  private overflow(): void {
    if (this.finished) return;
    this.options.onOverflow();
    void this.return();
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.failure = error;
    if (this.waiting) {
      const { reject } = this.waiting;
      this.waiting = null;
      this.finished = true;
      this.options.hub.remove(this);
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (this.drainWaiter && this.queue.length < this.options.maxBuffered / 2) {
      this.drainWaiter();
      this.drainWaiter = null;
    }
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      void this.return();
      return Promise.reject(failure);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.finished = true;
    this.options.hub.remove(this);
    this.queue.length = 0;
    this.held = null;
    this.drainWaiter?.();
    this.drainWaiter = null;
    if (this.waiting) {
      this.waiting.resolve({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  end(): void {
    void this.return();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
