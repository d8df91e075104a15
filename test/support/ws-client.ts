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

  subscribe<T>(query: string, variables: Record<string, unknown> = {}): Received<T> {
    const received = new Received<T>();
    const unsubscribe = this.client.subscribe<Record<string, T>>(
      { query, variables },
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
