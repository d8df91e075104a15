// GraphQL over WebSocket (graphql-ws, `use/ws`) on the HTTP server's port and path (/graphql): the
// socket door of the execution policy (../policy.ts). It carries subscriptions only; queries and
// mutations go over HTTP. Who may hold a socket is admission.ts; this file holds the protocol's hooks.
// Close codes and what a client should do after each: sdk/close-codes.ts.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type DocumentNode, GraphQLError, type GraphQLFormattedError, type GraphQLSchema, getOperationAST, validate } from 'graphql';
import { LRUCache } from 'lru-cache';
import { WebSocketServer } from 'ws';
import type { Actor } from '../../domain/actor.js';
import type { EventHub } from '../../events/event-hub.js';
import type { Logger } from '../../logger.js';
import { CLOSE } from '../../sdk/close-codes.js';
import type { Services } from '../../services/index.js';
import { createContext } from '../context.js';
import { checkCost, LIMITS, overLimit, parseGuarded } from '../policy.js';
import type { Refusal } from '../rate-limits.js';
import { type SocketEvents, useServer } from './adapter.js';
import { createAdmission } from './admission.js';
import { createSubscriptionSharing, type ShareHint } from './shared-subscriptions.js';

/** ws options for a prebuilt message: a text frame, though it is handed over as a Buffer. */
const TEXT = { binary: false } as const;

export interface SubscriptionServerOptions {
  httpServer: Server;
  schema: GraphQLSchema;
  services: Services;
  hub: EventHub;
  logger: Logger;
  formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError;
  /** Unsent events a subscriber may have before it is closed as too slow (CLOSE.SLOW_READER). */
  maxBuffered?: number;
  /** How often open sockets' keys are checked for revocation. */
  keyCheckMs?: number;
  /** Told when sockets open and close (metrics). */
  socketEvents?: SocketEvents;
  /** Sockets one key may hold open here; one more is closed with CLOSE.TOO_MANY_SOCKETS. */
  maxSocketsPerKey: number;
  /** Largest message accepted (the HTTP body limit); a larger one closes the socket with 1009. */
  maxPayloadBytes: number;
  /** Counts a bad key of this upgrade request's address; a refusal once the address has failed too often. */
  failedAuth?: (request: IncomingMessage) => Promise<Refusal | null>;
}

/**
 * Documents parsed, shape-checked and validated, by their text: a subscription's arguments (its document included)
 * live as long as it does, and thousands of consoles send the same few documents, so they share one (~5 KB each).
 * Bounded by count and by the texts' length (a parsed document is some tens of bytes a character): one key sending
 * large documents cannot pin more than a few tens of MB.
 */
const CHECKED_DOCUMENTS = { max: 500, maxSize: 1_000_000 };

/** What a connection keeps once its key is accepted. */
type KeyExtra = { actor: Actor };

export function createSubscriptionServer(options: SubscriptionServerOptions): { dispose(): Promise<void> } {
  const { httpServer, schema, services, hub, logger, formatError } = options;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: options.maxPayloadBytes });
  const admission = createAdmission({
    services,
    logger,
    maxSocketsPerKey: options.maxSocketsPerKey,
    keyCheckMs: options.keyCheckMs,
    failedAuth: options.failedAuth,
  });
  const openByConnection = new WeakMap<object, Set<string>>();
  const checkedDocuments = new LRUCache<string, DocumentNode>({ ...CHECKED_DOCUMENTS, sizeCalculation: (_document, text) => text.length });
  const formatErrors = (errors: readonly GraphQLError[]) => errors.map((error) => formatError(error.toJSON(), error));
  // The payload graphql-ws would send for a result, with errors formatted as in onNext below; a shared
  // stream serializes each result once for all its subscribers.
  const { share, drained } = createSubscriptionSharing(
    (args) => (args.contextValue as { live?: ShareHint }).live ?? null,
    (result) => Buffer.from(JSON.stringify(result.errors ? { ...result, errors: formatErrors(result.errors) } : result)),
  );
  // The hub reads its next batch once this one has been handed to the sockets that keep up: the event table holds
  // what is not sent yet, rather than every member's queue (which would close them all as too slow).
  hub.deliveryPace = drained;

  const server = useServer<Record<string, unknown>, KeyExtra>(
    {
      schema,
      onConnect: async (ctx) => {
        const actor = await admission.admit(ctx.extra.socket, ctx.extra.request, ctx.connectionParams);
        if (actor) ctx.extra.actor = actor;
        return actor !== null;
      },
      // The execution policy of the HTTP door (graphql/policy.ts), before graphql-ws would parse and validate.
      onSubscribe: (ctx, _id, payload) => {
        // Counted from graphql-ws's own table: the new id is already in it.
        if (Object.keys(ctx.subscriptions).length > LIMITS.maxSubscriptionsPerSocket) {
          return [
            overLimit(
              'subscriptions',
              `this socket has ${LIMITS.maxSubscriptionsPerSocket} subscriptions open; end one first, or open another socket`,
            ),
          ];
        }
        try {
          const checked = checkedDocuments.get(payload.query);
          const document = checked ?? parseGuarded(payload.query, { keyed: true });
          const operation = getOperationAST(document, payload.operationName ?? undefined);
          if (operation && operation.operation !== 'subscription') {
            return [overLimit('transport', `${operation.operation}s go over HTTP (POST /graphql); the socket carries subscriptions only`)];
          }
          if (!checked) {
            const errors = validate(schema, document);
            if (errors.length > 0) {
              return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
            }
            checkedDocuments.set(payload.query, document);
          }
          const variables = payload.variables ?? {};
          checkCost(schema, document, payload.operationName ?? undefined, variables);
          return { schema, document, operationName: payload.operationName, variableValues: variables };
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      context: (ctx, id, payload) => {
        const socket = ctx.extra.socket;
        const actor = ctx.extra.actor ?? null;
        let prefix: Buffer | null = null;
        const live: ShareHint = {
          hub,
          maxBuffered: options.maxBuffered ?? 1_000,
          closeTooSlow: () => socket.close(CLOSE.SLOW_READER.code, CLOSE.SLOW_READER.reason),
          // The same message graphql-ws sends ({"id","type":"next","payload"}), around a payload serialized once.
          sendNext: (payload, sent) => {
            if (socket.readyState !== socket.OPEN) return false;
            prefix ??= Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
            const frame = Buffer.allocUnsafe(prefix.length + payload.length + 1);
            prefix.copy(frame, 0);
            payload.copy(frame, prefix.length);
            frame[frame.length - 1] = 0x7d; // }
            socket.send(frame, TEXT, sent);
            return true;
          },
          buffered: () => socket.bufferedAmount,
          batch: (send) => {
            // ws keeps its TCP socket as _socket and has no cork of its own: corked, the frames leave in one writev.
            const tcp = (socket as unknown as { _socket?: Duplex | null })._socket;
            if (!tcp) return send();
            tcp.cork();
            try {
              send();
            } finally {
              tcp.uncork();
            }
          },
          // Results depend on the operation, its variables, and the key's role and tenant only.
          shareKey: actor
            ? JSON.stringify([actor.role, actor.tenantId, payload.operationName ?? null, payload.query, payload.variables ?? {}])
            : null,
          sameForAll: false,
        };
        // Assigned, not spread: a spread would read the lazy loaders and make them.
        return Object.assign(createContext(services, actor), { live });
      },
      onOperation: (ctx, id, _payload, args, result) => {
        if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
          const open = openByConnection.get(ctx) ?? new Set<string>();
          open.add(id);
          openByConnection.set(ctx, open);
          hub.openSubscriptions++;
        }
        return share(args, result);
      },
      onComplete: (ctx, id) => {
        if (openByConnection.get(ctx)?.delete(id)) hub.openSubscriptions--;
      },
      onError: (_ctx, _id, _payload, errors) => formatErrors(errors),
      // Only subscriptions that are not shared (those resuming with since) and queries reach this.
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatErrors(result.errors) } : undefined),
    },
    wsServer,
    logger,
    options.socketEvents,
  );

  return {
    async dispose() {
      if (hub.deliveryPace === drained) hub.deliveryPace = null;
      admission.dispose();
      await server.dispose();
    },
  };
}
