// workerCommands over graphql-ws: wake-ups for queued runs and cancels. Reconnects on drops; the worker polls besides.
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { closeMeaning } from './close-codes.js';
import { WorkerCommandsDocument, type WorkerCommandsSubscription } from './generated/graphql.js';
import type { WorkerLogger } from './types.js';

export type WorkerCommand = WorkerCommandsSubscription['workerCommands'];

/** How long to wait before subscribing again after the server refused or ended the subscription. */
const RESUBSCRIBE_MS = 15_000;

export interface CommandListenerOptions {
  url: string;
  apiKey: string;
  pipelineId: string;
  logger: WorkerLogger;
  onCommand(command: WorkerCommand): void;
  /** Called on every (re)connection: commands sent while disconnected are lost, so look for work then. */
  onConnected(): void;
}

export interface CommandListener {
  close(): Promise<void>;
}

export function listenForCommands(options: CommandListenerOptions): CommandListener {
  const client: Client = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${options.apiKey}` },
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) =>
      new Promise((resolve) => setTimeout(resolve, Math.min(1_000 * 2 ** retries, 30_000) * (0.5 + Math.random() / 2))),
    on: {
      connected: () => {
        options.logger.debug('workerCommands connected', { pipelineId: options.pipelineId });
        options.onConnected();
      },
    },
  });

  let closed = false;
  let unsubscribe: (() => void) | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let warned = false;

  const subscribe = () => {
    if (closed) return;
    unsubscribe = client.subscribe<WorkerCommandsSubscription>(
      { query: WorkerCommandsDocument.toString(), variables: { pipelineId: options.pipelineId } },
      {
        next: (result) => {
          if (result.data?.workerCommands) options.onCommand(result.data.workerCommands);
        },
        error: (error) => {
          // Refused (e.g. a server without the subscription): say so once, keep polling, and try again later.
          if (!warned) options.logger.warn('workerCommands unavailable; polling instead', { error: describe(error) });
          warned = true;
          resubscribeLater();
        },
        complete: () => resubscribeLater(),
      },
    );
  };
  const resubscribeLater = () => {
    unsubscribe = null;
    if (closed) return;
    retryTimer = setTimeout(subscribe, RESUBSCRIBE_MS);
  };
  subscribe();

  return {
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      unsubscribe?.();
      // dispose() rejects when it lands in a reconnect wait with nothing left to reconnect for: closed is closed.
      await Promise.resolve(client.dispose()).catch(() => {});
    },
  };
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map((e) => (e as { message?: string }).message ?? String(e)).join('; ');
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: number }).code;
    const meaning = closeMeaning(code);
    return meaning ? `socket closed (${code}: ${meaning.reason}; next: ${meaning.next})` : `socket closed (${code})`;
  }
  return String(error);
}
