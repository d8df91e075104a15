// graphql-ws's `ws` adapter (graphql-ws/use/ws), with its connection events and errors logged through our logger
// rather than console.error. Same protocol handling, keep-alive pings and 1001 on dispose.
import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../logger.js';

export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** Told when sockets open and close (for metrics). */
export interface SocketEvents {
  opened?(): void;
  closed?(code: number): void;
}

const limit = (reason: string) => (Buffer.byteLength(reason) > 123 ? 'Internal server error' : reason);

export function useServer<P extends Record<string, unknown> | undefined, E extends Record<PropertyKey, unknown>>(
  options: ServerOptions<P, Extra & Partial<E>>,
  ws: WebSocketServer,
  logger: Logger,
  events: SocketEvents = {},
  keepAlive = 12_000,
) {
  const server = makeServer(options);
  ws.options.handleProtocols = handleProtocols;
  const internal = (socket: WebSocket, error: unknown) => {
    socket.close(CloseCode.InternalServerError, limit('Internal server error'));
    return error;
  };
  ws.on('error', (error) => {
    logger.error('websocket server error', { error: String(error) });
    for (const client of ws.clients) internal(client, error);
  });
  ws.on('connection', (socket, request) => {
    const remote = request.socket.remoteAddress;
    const log = logger.child({ socket: Math.random().toString(36).slice(2, 10), remote });
    log.info('websocket opened', { protocol: socket.protocol });
    events.opened?.();
    socket.once('error', (error) => {
      log.warn('websocket error', { error: String(error) });
      internal(socket, error);
    });
    let pongWait: NodeJS.Timeout | null = null;
    const pingInterval =
      keepAlive > 0 && Number.isFinite(keepAlive)
        ? setInterval(() => {
            if (socket.readyState !== socket.OPEN) return;
            pongWait = setTimeout(() => socket.terminate(), keepAlive);
            socket.once('pong', () => {
              if (pongWait) clearTimeout(pongWait);
              pongWait = null;
            });
            socket.ping();
          }, keepAlive)
        : null;
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', async (event) => {
            try {
              await cb(String(event));
            } catch (error) {
              log.error('websocket message handling failed', { error: String((error as Error)?.stack ?? error) });
              internal(socket, error);
            }
          }),
      },
      { socket, request } as Extra & Partial<E>,
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      if (pingInterval) clearInterval(pingInterval);
      events.closed?.(code);
      log.info('websocket closed', { code, reason: String(reason) });
      void closed(code, String(reason));
    });
  });
  return {
    dispose: async () => {
      for (const client of ws.clients) client.close(1001, 'Going away');
      ws.removeAllListeners();
      await new Promise<void>((resolve, reject) => ws.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
