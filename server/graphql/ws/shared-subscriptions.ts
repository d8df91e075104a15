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
}

class SharedStream {
  private readonly members = new Set<Member>();

  constructor(
    private readonly source: AsyncIterableIterator<ExecutionResult>,
    private readonly encode: (result: ExecutionResult) => EncodedPayload,
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
    const member = new Member(hint, () => this.leave(member));
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
 * One subscriber of a shared stream, with its own bounded buffer: one message at a time is handed
 * to the socket, the rest wait here (as they waited for graphql-ws before), and a subscriber with
 * more than maxBuffered waiting is closed as too slow. To graphql-ws it is a stream that yields
 * nothing and ends when the subscription does.
 */
class Member implements Results {
  private readonly queue: EncodedPayload[] = [];
  private sending = false;
  private ending = false;
  private done = false;
  private waiting: ((result: IteratorResult<ExecutionResult, void>) => void) | null = null;
  // One callback for all of this member's sends: nothing is allocated per delivery here.
  private readonly sent = (error?: Error) => {
    this.sending = false;
    if (this.done) return;
    const next = error ? undefined : this.queue.shift();
    if (next) this.send(next);
    else if (error || this.ending) this.finish(); // on error the socket closes, and graphql-ws ends the subscription too
  };

  constructor(
    private readonly hint: ShareHint,
    private readonly onLeave: () => void,
  ) {}

  push(payload: EncodedPayload): void {
    if (this.done || this.ending) return;
    if (!this.sending) {
      this.send(payload);
      return;
    }
    this.queue.push(payload);
    if (this.queue.length > this.hint.maxBuffered) {
      this.hint.closeTooSlow();
      this.finish();
    }
  }

  private send(payload: EncodedPayload): void {
    this.sending = this.hint.sendNext(payload, this.sent);
    if (!this.sending) this.finish(); // the socket is closing: nothing more can reach it
  }

  /** The source ended: what is queued is still sent, then graphql-ws sends `complete`. */
  end(): void {
    this.ending = true;
    if (!this.sending) this.finish();
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
 * For graphql-ws's onOperation hook: a subscription identical to a running one is ended at once and
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
  return (args: ExecutionArgs, result: unknown): Results | undefined => {
    const hint = hintOf(args);
    if (!hint?.shareKey || !isResults(result)) return undefined;
    const running = streams.get(hint.shareKey);
    if (running) {
      void result.return(undefined);
      return running.join(hint);
    }
    if (!hint.sameForAll) return undefined;
    const key = hint.shareKey;
    const stream = new SharedStream(result, encode, () => {
      if (streams.get(key) === stream) streams.delete(key);
    });
    streams.set(key, stream);
    return stream.join(hint);
  };
}

function isResults(value: unknown): value is AsyncGenerator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value && 'return' in value;
}
