// A real graphql-ws client over `ws` for tests: subscriptions collect what they receive.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** What one subscription has received so far. */
export class Received<T> {
  readonly values: T[] = [];
  errors: GraphQLErrorShape[] | null = null;
  completed = false;
  private waiters: (() => void)[] = [];

  push(value: T): void {
    this.values.push(value);
    this.notify();
  }

  fail(errors: GraphQLErrorShape[]): void {
    this.errors = errors;
    this.notify();
  }

  complete(): void {
    this.completed = true;
    this.notify();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Waits until `check` holds for the values received (or an error ends the subscription). */
  async until(check: (values: T[]) => boolean, what: string, timeoutMs = 30_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this.values)) {
      if (this.errors) throw new Error(`subscription failed while waiting for ${what}: ${JSON.stringify(this.errors)}`);
      if (this.completed) throw new Error(`subscription completed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`gave up waiting for ${what}: have ${this.values.length} values`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.values;
  }

  /** Waits for the subscription to end with errors and returns them. */
  async failure(timeoutMs = 30_000): Promise<GraphQLErrorShape[]> {
    const deadline = Date.now() + timeoutMs;
    while (!this.errors) {
      if (Date.now() > deadline) throw new Error(`expected an error, got ${JSON.stringify(this.values)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.errors;
  }
}

export class LiveClient {
  readonly client: Client;
  /** Resolves with the first close of the socket. */
  readonly closed: Promise<CloseInfo>;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(graphqlUrl: string, secret: string | null, connectionParams?: Record<string, unknown>) {
    let onClose: (info: CloseInfo) => void = () => {};
    this.closed = new Promise((resolve) => {
      onClose = resolve;
    });
    this.client = createClient({
      url: graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: connectionParams ?? (secret ? { authorization: `Bearer ${secret}` } : {}),
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          onClose({ code, reason: String(reason) });
        },
      },
    });
  }

  subscribe<T>(query: string, variables: Record<string, unknown> = {}, operationName?: string): Received<T> {
    const received = new Received<T>();
    const unsubscribe = this.client.subscribe<Record<string, T>>(
      { query, variables, operationName },
      {
        next: (result) => {
          if (result.errors) received.fail(result.errors as GraphQLErrorShape[]);
          else if (result.data) received.push(Object.values(result.data)[0]);
        },
        error: (error) => received.fail(Array.isArray(error) ? error : [{ message: String((error as Error)?.message ?? error) }]),
        complete: () => received.complete(),
      },
    );
    this.unsubscribers.push(unsubscribe);
    return received;
  }

  async dispose(): Promise<void> {
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    await this.client.dispose();
  }
}

/**
 * A subscriber as docs/api.md ("Live updates") tells clients to be: whenever its subscription ends (the socket closed,
 * an error while the server's database is away), it connects again and resubscribes with `since` = the cursor of
 * the last event it received. `values` is everything it received, across all its connections.
 */
export class ResumingSubscriber<T extends { cursor: string }> {
  readonly values: T[] = [];
  /** Why each connection ended (a close code or error text), in order. */
  readonly ends: string[] = [];
  private client: Client | null = null;
  private generation = 0;
  private stopped = false;

  constructor(
    private readonly graphqlUrl: string,
    private readonly secret: string,
    private readonly query: string,
    private readonly resumeAfterMs = 200,
  ) {
    this.connect();
  }

  /** Connections made after the first. */
  get resumes(): number {
    return this.generation - 1;
  }

  /** Drops the connection now (as a network cut would) and resumes. */
  async drop(): Promise<void> {
    const client = this.client;
    this.ends.push('dropped');
    this.connect();
    await client?.dispose();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
  }

  private connect(): void {
    const generation = ++this.generation;
    const since = this.values.at(-1)?.cursor;
    const client = createClient({
      url: this.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.secret}` },
      lazy: true,
      retryAttempts: 0,
    });
    this.client = client;
    let over = false;
    const ended = (why: string) => {
      if (over || generation !== this.generation || this.stopped) return; // ended already, replaced, or stopped
      over = true;
      this.ends.push(why);
      void client.dispose();
      setTimeout(() => {
        if (generation === this.generation && !this.stopped) this.connect();
      }, this.resumeAfterMs);
    };
    client.subscribe<Record<string, T>>(
      { query: this.query, variables: since ? { since } : {} },
      {
        next: (result) => {
          if (over || generation !== this.generation) return;
          if (result.errors) ended(`error ${JSON.stringify(result.errors[0]?.extensions?.code ?? result.errors[0]?.message)}`);
          else if (result.data) this.values.push(Object.values(result.data)[0]);
        },
        error: (error) => {
          const code = (error as { code?: number })?.code;
          ended(code ? `close ${code}` : String((error as Error)?.message ?? error));
        },
        complete: () => ended('complete'),
      },
    );
  }
}
