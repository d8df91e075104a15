// Identical live subscriptions share one execution: the same document, variables, role and tenant
// give the same results, so each event is executed once and the result handed to every member.
// (Executing per subscriber cost about 50 µs a delivery here; sharing leaves only the send.)
// A subscription with `since` is never shared: its backlog is its own.
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';

// Only its message and extensions are sent (toJSON), so the copy of graphql it comes from does not matter.
const toGraphQLError = (error: unknown) =>
  error instanceof GraphQLError ? error : new GraphQLError('the live stream failed: resume with since', { originalError: error as Error });

type Results = AsyncGenerator<ExecutionResult, void, void>;

/** What the subscribe step learns about a subscription (the context's live transport). */
export interface ShareHint {
  /** Identical document + variables + role + tenant give the same key; null: never share. */
  shareKey: string | null;
  /** Set by the stream: false when it resumes from `since`. */
  shareable: boolean;
  maxBuffered: number;
  close(code: number, reason: string): void;
}

class SharedStream {
  private readonly members = new Set<Member>();

  constructor(
    private readonly source: AsyncIterableIterator<ExecutionResult>,
    private readonly onEmpty: () => void,
  ) {
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      for await (const result of this.source) for (const member of this.members) member.push(result);
    } catch (error) {
      // The source failed (its database read did): members end and their clients resume with since.
      for (const member of this.members) member.push({ errors: [toGraphQLError(error)] });
    } finally {
      for (const member of this.members) member.end();
    }
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

/** One subscriber of a shared stream, with its own bounded buffer. */
class Member implements Results {
  private readonly queue: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult, void>) => void) | null = null;
  private done = false;

  constructor(
    private readonly hint: ShareHint,
    private readonly onLeave: () => void,
  ) {}

  push(result: ExecutionResult): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: result, done: false });
      return;
    }
    this.queue.push(result);
    if (this.queue.length > this.hint.maxBuffered) {
      this.hint.close(4429, 'subscriber too slow: resume with since');
      void this.return();
    }
  }

  end(): void {
    void this.return();
  }

  next(): Promise<IteratorResult<ExecutionResult, void>> {
    const value = this.queue.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult, void>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onLeave();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error: unknown): Promise<IteratorResult<ExecutionResult, void>> {
    void this.return();
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
export function createSubscriptionSharing(hintOf: (args: ExecutionArgs) => ShareHint | null) {
  const streams = new Map<string, SharedStream>();
  return (args: ExecutionArgs, result: unknown): Results | undefined => {
    const hint = hintOf(args);
    if (!hint?.shareKey || !isResults(result)) return undefined;
    const running = streams.get(hint.shareKey);
    if (running) {
      void result.return(undefined);
      return running.join(hint);
    }
    if (!hint.shareable) return undefined;
    const key = hint.shareKey;
    const stream = new SharedStream(result, () => {
      if (streams.get(key) === stream) streams.delete(key);
    });
    streams.set(key, stream);
    return stream.join(hint);
  };
}

function isResults(value: unknown): value is AsyncGenerator<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value && 'return' in value;
}
