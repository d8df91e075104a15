// HTTP and WebSocket on one port: GraphQL at /graphql, health, and the dashboard.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import bodyParser from 'body-parser';
import express from 'express';
import { type GraphQLSchema, Kind } from 'graphql';
import helmet from 'helmet';
import proxyAddress from 'proxy-addr';
import type { DataSource } from 'typeorm';
import type { Config } from './config.js';
import { poolOf } from './db/pool.js';
import type { ReadRouting } from './db/read-routing.js';
import type { EventHub } from './events/event-hub.js';
import { type Context, createContext } from './graphql/context.js';
import { createFormatError } from './graphql/errors.js';
import { jitGateway } from './graphql/jit-executor.js';
import { LIMITS } from './graphql/policy.js';
import { createRateLimits } from './graphql/rate-limits.js';
import {
  ANSWERS_PLAIN_JSON,
  actorOfRequest,
  answerError,
  answersPlainJson,
  costPlugin,
  endTurn,
  guardGraphQLRequests,
  legacyJsonPlugin,
  noStorePlugin,
  refusalOf,
  waitForTurn,
} from './graphql/request-guard.js';
import { createTurns } from './graphql/turns.js';
import { createSubscriptionServer } from './graphql/ws/server.js';
import { exportRoutes } from './http/exports.js';
import { fixedHeaders } from './http/fixed-headers.js';
import { graphqlDoor, isGraphQLPath } from './http/graphql-endpoint.js';
import { healthRoutes } from './http/health.js';
import { metricsRoutes } from './http/metrics-endpoint.js';
import { requestLog } from './http/request-log.js';
import { staticClient } from './http/static-client.js';
import type { Metrics } from './instance-metrics.js';
import type { Logger } from './logger.js';
import type { Services } from './services/index.js';

export interface HttpServerDeps {
  config: Config;
  db: DataSource;
  /** Chooses where each GraphQL request reads (DATABASE_READ_URL); null: everything on db. */
  reads?: ReadRouting | null;
  services: Services;
  schema: GraphQLSchema;
  logger: Logger;
  /** Feeds GraphQL subscriptions over WebSocket; without it /graphql serves HTTP only. */
  hub?: EventHub;
  metrics: Metrics;
  /** True once shutdown began: /readyz answers 503. */
  draining(): boolean;
}

/** What a GraphQL request's log line and metrics say about it, filled as Apollo learns it. */
interface RequestFacts {
  operation?: string;
  operationName?: string | null;
  outcome?: string;
  keyId?: string;
  tenant?: string | null;
}
// On the response (for the log line) and on the context under a symbol, which Apollo's copy of the context keeps.
const factsOf = new WeakMap<object, RequestFacts>();
const FACTS = Symbol('request facts');
/** A request the guard refused never reaches Apollo: its outcome is the refusal's code. */
const factsFor = (res: ServerResponse): RequestFacts => {
  const refusal = refusalOf(res);
  return { ...(refusal ? { outcome: refusal } : {}), ...factsOf.get(res) };
};

/** Operation name for logs and metrics: its type and first root field (bounded by the schema, unlike client names). */
function operationLabel(operation: { operation: string; selectionSet: { selections: readonly { kind: string }[] } }): string {
  const first = operation.selectionSet.selections[0] as { kind: string; name?: { value: string } } | undefined;
  return first?.kind === Kind.FIELD && first.name ? `${operation.operation} ${first.name.value}` : operation.operation;
}

function observePlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      const facts: RequestFacts = (contextValue as { [FACTS]?: RequestFacts })[FACTS] ?? {};
      return {
        async didResolveOperation({ operation, operationName }) {
          facts.operation = operation ? operationLabel(operation) : 'unknown';
          facts.operationName = operationName ?? null;
        },
        async willSendResponse({ response, errors }) {
          const first = errors?.[0] ?? (response.body.kind === 'single' ? response.body.singleResult.errors?.[0] : undefined);
          facts.outcome = first ? String(first.extensions?.code ?? 'ERROR') : 'ok';
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.requestDuration.observe({ operation: facts.operation ?? 'unparsed', outcome: facts.outcome }, seconds);
        },
      };
    },
  };
}

export interface HttpServer {
  httpServer: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export async function createHttpServer({
  config,
  db,
  reads,
  services,
  schema,
  logger,
  hub,
  metrics,
  draining,
}: HttpServerDeps): Promise<HttpServer> {
  const app = express();
  // Requests are handed out once everything below is set up: GraphQL's to its door, the rest to Express.
  const httpServer = createServer();
  // A request id on every line of a request (the caller's X-Request-Id when it sends a sane one, else a new one),
  // and the request's line: method, path, status, duration, and for GraphQL the operation, key, tenant and outcome.
  // No headers.
  const logRequests = requestLog(logger.pino, { quietPaths: ['/healthz', '/readyz', '/metrics'], factsOf: factsFor });
  app.use(logRequests);
  const apollo = new ApolloServer<Context>({
    // Our schema, with queries and mutations executed by graphql-jit (graphql/jit-executor.ts).
    gateway: jitGateway(schema),
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Signals are ours (server/index.ts): readiness first, then the drain, in order.
    stopOnTerminationSignals: false,
    // Keys travel in the Authorization header, which browsers never attach on their own: no CSRF to
    // guard against, and plain GET queries work as the GraphQL-over-HTTP spec says.
    csrfPrevention: false,
    formatError: createFormatError(logger),
    // The guard in front (graphql/request-guard.ts) has parsed under the same limit; this is the backstop.
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // One path for documents: every query text goes through the guard.
    persistedQueries: false,
    plugins: [
      // Apollo's cache control, inline traces and usage reporting are unused here; cache control alone wrapped
      // every field's resolver with its hooks (issue 13). Its one visible effect, `cache-control: no-store`, stays.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      noStorePlugin(),
      // Requests in flight get 5 s to finish on shutdown, inside the 10 s the whole stop may take.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5_000 }),
      costPlugin(schema),
      legacyJsonPlugin(),
      observePlugin(metrics),
    ],
  });
  await apollo.start();
  // Behind a load balancer, the client address (rate limits) is its X-Forwarded-For.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // The address as Express's req.ip works it out, with the same trust setting.
  const addressOf = (req: IncomingMessage) => proxyAddress(req, app.get('trust proxy fn')) || 'unknown';
  // One set of counters for both doors: a failing guess over the socket counts as one over HTTP.
  const rateLimits = createRateLimits(poolOf(db), {
    perKey: config.rateLimitPerKey,
    perAddress: config.rateLimitPerAddress,
    failedAuth: config.rateLimitFailedAuth,
  });
  const subscriptions = hub
    ? createSubscriptionServer({
        httpServer,
        schema,
        services,
        hub,
        logger,
        formatError: createFormatError(logger),
        socketEvents: { opened: metrics.socketOpened, closed: metrics.socketClosed },
        maxPayloadBytes: config.maxBodyBytes,
        maxSocketsPerKey: config.wsMaxSocketsPerKey,
        failedAuth: (request) => rateLimits.failedAuth(addressOf(request)),
      })
    : null;

  app.disable('x-powered-by');
  // No ETag on answers: GraphQL's are no-store and health's change each time, so hashing every body buys nothing.
  // (The dashboard's files get theirs from the static handler.)
  app.set('etag', false);
  // Security headers on every response. The dashboard's scripts come from this origin only; its UI
  // library injects styles at run time (style-src needs 'unsafe-inline'); it talks to /graphql over
  // fetch and WebSocket on this origin. They are the same on every response: worked out once (http/fixed-headers.ts).
  const securityHeaders = fixedHeaders(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      // Plain HTTP in development and tests; TLS ends at the load balancer, which sets HSTS.
      strictTransportSecurity: false,
    }),
  );
  app.use(securityHeaders);
  const turns = createTurns(config.graphqlConcurrency);
  metrics.watchTurns(turns);
  const door = graphqlDoor({
    apollo,
    steps: [
      logRequests,
      securityHeaders,
      bodyParser.json({ limit: config.maxBodyBytes }),
      guardGraphQLRequests(services.apiKeys, rateLimits, addressOf, (limit) => metrics.rateLimited.inc({ limit })),
      waitForTurn(turns, config.dbConnectTimeoutMs),
      // Last: the request reads on the replica or the primary, chosen for its key once it is about to run.
      ...(reads
        ? [(_req: IncomingMessage, res: ServerResponse, next: () => void) => reads.within(actorOfRequest(res)?.keyId ?? null, next)]
        : []),
    ],
    context: async (req, res) => {
      const facts: RequestFacts = {};
      factsOf.set(res, facts);
      const context = createContext(services, actorOfRequest(res));
      Object.assign(context, { [FACTS]: facts, [ANSWERS_PLAIN_JSON]: answersPlainJson(req) });
      facts.keyId = context.actor?.keyId;
      facts.tenant = context.actor?.tenantId ?? null;
      return context;
    },
    fail: (error, req, res) => answerFailure(error as HttpError, req, res, config.maxBodyBytes, logger),
    executed: endTurn,
  });
  app.use(healthRoutes(db, { draining, listening: () => hub?.listening ?? true, replica: () => reads?.replicaState ?? null }, logger));
  app.use(metricsRoutes(db, metrics, logger));
  // Downloads read on the replica once it has everything committed before they started (their job's row count).
  if (reads) app.use('/exports', (_req, _res, next) => reads.withinUpToDate(next));
  app.use(exportRoutes(services.exports, logger));
  app.use(staticClient());
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => (isGraphQLPath(req.url) ? door(req, res) : app(req, res)));

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolveListen, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolveListen((httpServer.address() as AddressInfo).port));
      }),
    // New connections are refused at once; requests running drain (those waiting for a turn are refused: 503)
    // while sockets are closed with 1001.
    close: async () => {
      turns.close();
      await Promise.all([apollo.stop(), subscriptions?.dispose()]);
    },
  };
}

/** What the JSON body parser fails with: an HTTP status and its kind (entity.too.large, entity.parse.failed...). */
interface HttpError {
  status?: number;
  type?: string;
  message?: string;
}

/**
 * A GraphQL request that failed before Apollo. The body parser's failures (too large, malformed JSON) answer in
 * GraphQL's error shape, in the media type the client asked for, as Apollo answers (GraphQL-over-HTTP); anything
 * else is logged and answered 500.
 */
function answerFailure(error: HttpError, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number, logger: Logger): void {
  const known = typeof error?.status === 'number' && error.status < 500;
  if (!known) logger.error('GraphQL request failed before execution', { err: error });
  const message = !known
    ? 'internal server error'
    : error.type === 'entity.too.large'
      ? `request body is larger than ${maxBodyBytes} bytes`
      : `request body is not valid JSON: ${error.message}`;
  if (res.headersSent) return void res.destroy();
  answerError(req, res, known ? (error.status as number) : 500, {
    message,
    extensions: { code: known ? 'BAD_REQUEST' : 'INTERNAL_SERVER_ERROR' },
  });
}
