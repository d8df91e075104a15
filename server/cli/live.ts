// runUpdated over graphql-ws, resumed with `since` (the last cursor) after any drop: a server restart, a slow-reader
// close, a lost network. graphql-ws's own retry would resend the first `since`, so each attempt is a fresh client.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { closeMeaning } from '../sdk/close-codes.js';
import { CliError, EXIT } from './errors.js';
import { type RunFilter, RunUpdatedDocument, type RunUpdatedSubscription } from './generated/graphql.js';
import type { Connection } from './profile.js';

export type RunEvent = RunUpdatedSubscription['runUpdated'];

export interface LiveRuns {
  /** Resolves when stopped, rejects on a failure that retrying cannot mend (a bad key, a bad filter). */
  done: Promise<void>;
  stop(): void;
}

export interface LiveRunsOptions {
  filter?: RunFilter;
  onEvent(event: RunEvent): void;
  /** Called on each (re)subscription after the first, with why the last one ended. */
  onResume?(why: string): void;
  /** Called whenever a connection is acknowledged. */
  onConnected?(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeClose(error: unknown): { why: string; fatal: CliError | null; expired?: boolean } {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'number') {
    const meaning = closeMeaning(code);
    const why = `connection closed (${code}${meaning ? `: ${meaning.reason}` : ''})`;
    if (code === 4401 || code === 4403)
      return { why, fatal: new CliError(why, EXIT.AUTH, code === 4401 ? 'UNAUTHENTICATED' : 'FORBIDDEN') };
    return { why, fatal: null };
  }
  if (Array.isArray(error)) {
    // GraphQL errors for the subscription itself: a bad filter or an expired cursor.
    const first = error[0] as { message?: string; extensions?: { code?: string; reason?: string } };
    const gqlCode = first?.extensions?.code ?? 'GRAPHQL_ERROR';
    if (first?.extensions?.reason === 'EVENTS_EXPIRED') return { why: 'the last event seen has expired', fatal: null, expired: true };
    const exit = gqlCode === 'UNAUTHENTICATED' || gqlCode === 'FORBIDDEN' ? EXIT.AUTH : EXIT.ERROR;
    return { why: first?.message ?? 'subscription refused', fatal: new CliError(first?.message ?? 'subscription refused', exit, gqlCode) };
  }
  return { why: (error as Error)?.message || 'connection lost', fatal: null };
}

export function followRuns(connection: Connection, options: LiveRunsOptions): LiveRuns {
  let since: string | null = null;
  let stopped = false;
  let client = null as Client | null;
  let wake: (() => void) | null = null;

  const once = (): Promise<void> =>
    new Promise((resolve, reject) => {
      client = createClient({
        url: `${connection.url.replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${connection.apiKey}` },
        retryAttempts: 0,
        keepAlive: 10_000,
        lazy: true,
        on: { connected: () => options.onConnected?.() },
      });
      wake = () => resolve();
      client.subscribe<RunUpdatedSubscription>(
        { query: RunUpdatedDocument.toString(), variables: { filter: options.filter ?? null, since } },
        {
          next: (result) => {
            if (result.errors?.length) return reject(result.errors);
            const event = result.data?.runUpdated;
            if (!event) return;
            since = event.cursor;
            options.onEvent(event);
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });

  const done = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        await once();
        if (stopped) break;
        options.onResume?.('subscription ended');
        failures = 0;
      } catch (error) {
        if (stopped) break;
        const { why, fatal, expired } = describeClose(error);
        if (fatal) throw fatal;
        // Down longer than the server keeps events: carry on from now, and say that changes in between were missed.
        if (expired) since = null;
        options.onResume?.(expired ? `${why}: changes while disconnected were missed; following from now` : why);
        failures++;
      } finally {
        void client?.dispose();
      }
      await sleep(Math.min(250 * 2 ** Math.min(failures, 5), 5_000));
    }
  })();

  return {
    done,
    stop() {
      stopped = true;
      wake?.();
      void client?.dispose();
    },
  };
}
