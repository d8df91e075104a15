// Identical live subscriptions share one execution: the same document, variables, role and tenant
// give the same results, so each event is executed once and the result handed to every member.
// (Executing per subscriber cost about 50 µs a delivery here; sharing leaves only the send.)
// A subscription with `since` is never shared: its backlog is its own.
//
// Members are sent to directly rather than through graphql-ws's per-message path: each result is
// serialized once for all members, and a member only wraps it in its own `next` frame. (graphql-ws
// stringified the whole message, ran its hooks and chained several promises for every subscriber;
// with 5,000 subscribers an instance, that and the garbage it made cost about as much as the socket
// writes themselves, which are now most of what a delivery costs.)
//
// The sends are not made where a result is published: each member queues it, and one send queue per
// server writes to the members a slice of time at a time, with the event loop free in between. Sending
// a batch of events to 10,000 sockets in one go held the event loop for 1-3 s (a write to a socket with
// room completes at once, and its callback, on the next tick, sent the member's next message: a whole
// batch went out before anything else ran), so HTTP requests waited past their turn's timeout and
// keep-alive connections expired under requests already sent (issue 25's burst: TIMEOUT, ECONNRESET).
// graphql-ws still owns the subscription: it ends it (complete, close) and sends `complete`.
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import type { LiveTransport } from '../../events/live-streams.js';

// Only its message and extensions are sent (toJSON), so the copy of graphql it comes from does not matter.
const toGraphQLError = (error: unknown) =>
  error instanceof GraphQLError ? error : new GraphQLError('the live stream failed: resume with since', { originalError: error as Error });

type Results = AsyncGenerator<ExecutionResult, void, void>;

/** A result serialized once as the `payload` of a `next` message (JSON, UTF-8). */
export type EncodedPayload = Buffer;

/** The context's live transport over a socket: what the stream needs, and what sharing needs besides. */
export interface ShareHint extends LiveTransport {
  /** Identical document + variables + role + tenant give the same key; null: never share. */
  shareKey: string | null;
  /**
   * Sends a `next` message for this subscription with an already serialized payload; `sent` runs
   * once the socket has taken it (with an error if it failed). False when the socket is not open.
   */
  sendNext(payload: EncodedPayload, sent: (error?: Error) => void): boolean;
  /** Bytes handed to the socket that it has not written yet (ws's bufferedAmount). */
  buffered(): number;
  /** Runs `send` with the socket's writes held, then writes them together: one system call for several messages. */
  batch(send: () => void): void;
}

/**
 * A member hands the socket more only while it holds less than this unwritten: past it, the rest waits in the
 * member's queue (counted against maxBuffered) until the socket has written what it has.
 */
const SOCKET_HIGH_WATER_BYTES = 64 * 1024;
/**
 * How long the send queue writes before it lets the event loop run (HTTP requests, timers, the hub's reads). A
 * request's transaction holds a pooled connection across its round trips, each of which may wait a slice: at 5 ms,
 * 100 writes at once during a burst to 10,000 sockets once waited past DB_CONNECT_TIMEOUT_MS (load 14-22).
 */
const SEND_SLICE_MS = 2;
/** Members written between two looks at the clock. */
const CLOCK_EVERY = 32;

/**
 * Members with messages to send, in the order they got them: each turn writes members' queues for SEND_SLICE_MS,
 * then gives the event loop back (setImmediate) until the list is empty.
 */
class SendQueue {
  private members: Member[] = [];
  private head = 0;
  private scheduled = false;
  private drainWaiters: (() => void)[] = [];

  /**
   * Resolves once every member listed now or later has been written as far as its socket takes (a member waiting
   * for a slow socket is not waited for: its queue is bounded by maxBuffered).
   */
  drained(): Promise<void> {
    if (!this.scheduled) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  add(member: Member): void {
    this.members.push(member);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  private readonly turn = () => {
    const deadline = performance.now() + SEND_SLICE_MS;
    let written = 0;
    while (this.head < this.members.length) {
      this.members[this.head++].flush();
      if (++written % CLOCK_EVERY === 0 && performance.now() > deadline) break;
    }
    if (this.head < this.members.length) {
      // Drop what has been written once it is most of the array, so a long burst does not keep it all.
      if (this.head > 1_000 && this.head * 2 > this.members.length) {
        this.members = this.members.slice(this.head);
        this.head = 0;
      }
      setImmediate(this.turn);
    } else {
      this.members = [];
      this.head = 0;
      this.scheduled = false;
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };
}

class SharedStream {
  private readonly members = new Set<Member>();

  constructor(
    private readonly source: AsyncIterableIterator<ExecutionResult>,
    private readonly encode: (result: ExecutionResult) => EncodedPayload,
    private readonly sends: SendQueue,
    private readonly onEmpty: () => void,
  ) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for await (const result of this.source) this.publish(result);
    } catch (error) {
      // The source failed (its database read did): members end and their clients resume with since.
      this.publish({ errors: [toGraphQLError(error)] });
    } finally {
      // No one joins a finished stream while its members still drain what they have queued.
      this.onEmpty();
      for (const member of this.members) member.end();
    }
  }

  private publish(result: ExecutionResult): void {
    if (this.members.size === 0) return;
    const payload = this.encode(result);
    for (const member of this.members) member.push(payload);
  }

  join(hint: ShareHint): Member {
    const member = new Member(hint, this.sends, () => this.leave(member));
    this.members.add(member);
    return member;
  }

  private leave(member: Member): void {
    this.members.delete(member);
    if (this.members.size === 0) {
      this.onEmpty();
      void this.source.return?.();
    }
  }
}

/**
 * One subscriber of a shared stream, with its own bounded queue: the send queue hands its messages to the socket
 * in order while the socket keeps up (less than SOCKET_HIGH_WATER_BYTES unwritten), the rest wait here, and a
 * subscriber with more than maxBuffered waiting is closed as too slow. To graphql-ws it is a stream that yields
 * nothing and ends when the subscription does.
 */
class Member implements Results {
  private readonly queue: EncodedPayload[] = [];
  /** Messages handed to the socket whose write has not been confirmed yet. */
  private unconfirmed = 0;
  /** In the send queue's list: it will be flushed. */
  private listed = false;
  private ending = false;
  private done = false;
  private waiting: ((result: IteratorResult<ExecutionResult, void>) => void) | null = null;
  // One callback for all of this member's sends: nothing is allocated per delivery here.
  private readonly sent = (error?: Error) => {
    this.unconfirmed--;
    if (this.done) return;
    // On error the socket closes, and graphql-ws ends the subscription too.
    if (error) this.finish();
    // Once the socket has written everything, it may take more.
    else if (this.unconfirmed === 0 && this.queue.length > 0) this.list();
    else if (this.unconfirmed === 0 && this.ending) this.finish();
  };

  constructor(
    private readonly hint: ShareHint,
    private readonly sends: SendQueue,
    private readonly onLeave: () => void,
  ) {}

  push(payload: EncodedPayload): void {
    if (this.done || this.ending) return;
    this.queue.push(payload);
    if (this.queue.length > this.hint.maxBuffered) {
      this.hint.closeTooSlow();
      this.finish();
      return;
    }
    // While the socket is behind, its write callback lists the member again.
    if (this.unconfirmed === 0) this.list();
  }

  private list(): void {
    if (this.listed) return;
    this.listed = true;
    this.sends.add(this);
  }

  /** Hands the socket what it can take now (by the send queue). */
  flush(): void {
    this.listed = false;
    if (this.done) return;
    // A socket's write is a system call (most of a delivery's cost): a member behind by several takes them in one.
    if (this.queue.length > 1) this.hint.batch(this.handOver);
    else this.handOver();
  }

  private readonly handOver = () => {
    let next = 0;
    // One message always goes when none is in flight, whatever else the socket holds: its callback lists us again.
    while (next < this.queue.length && (this.unconfirmed === 0 || this.hint.buffered() < SOCKET_HIGH_WATER_BYTES)) {
      this.unconfirmed++;
      if (!this.hint.sendNext(this.queue[next++], this.sent)) {
        this.unconfirmed--;
        this.finish(); // the socket is closing: nothing more can reach it
        return;
      }
    }
    this.queue.splice(0, next);
    if (this.queue.length === 0 && this.unconfirmed === 0 && this.ending) this.finish();
  };

  /** The source ended: what is queued is still sent, then graphql-ws sends `complete`. */
  end(): void {
    this.ending = true;
    if (this.queue.length === 0 && this.unconfirmed === 0) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.queue.length = 0;
    this.onLeave();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
  }

  next(): Promise<IteratorResult<ExecutionResult, void>> {
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult, void>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    this.finish();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): Results {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }
}

/**
 * `share` is for graphql-ws's onOperation hook: a subscription identical to a running one is ended at once and
 * joins the running one instead; a new shareable one becomes the running one for its key.
 * (A hook rather than a replacement subscribe(): it needs no graphql import of its own, so it
 * cannot meet the schema from a second copy of graphql.)
 */
export function createSubscriptionSharing(
  hintOf: (args: ExecutionArgs) => ShareHint | null,
  /** A result as the payload graphql-ws would send for it (errors formatted as its onNext hook does). */
  encode: (result: ExecutionResult) => EncodedPayload,
) {
  const streams = new Map<string, SharedStream>();
  const sends = new SendQueue();
  const share = (args: ExecutionArgs, result: unknown): Results | undefined => {
    const hint = hintOf(args);
    if (!hint?.shareKey || !isResults(result)) return undefined;
    const running = streams.get(hint.shareKey);
    if (running) {
      void result.return(undefined);
      return running.join(hint);
    }
    if (!hint.sameForAll) return undefined;
    const key = hint.shareKey;
    const stream = new SharedStream(result, encode, sends, () => {
      if (streams.get(key) === stream) streams.delete(key);
    });
    streams.set(key, stream);
    return stream.join(hint);
  };
  return {
    share,
    /** Resolves once what has been published has been handed to the sockets that keep up (the hub's pace). */
    drained: () => sends.drained(),
  };
}

function isResults(value: unknown): value is AsyncGenerator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value && 'return' in value;
}
