// HTTP and WebSocket on one port: GraphQL at /graphql, health, and the dashboard.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import helmet from 'helmet';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Config } from './config.js';
import type { EventHub } from './events/event-hub.js';
import { type Context, createContext } from './graphql/context.js';
import { createFormatError } from './graphql/errors.js';
import { actorOfRequest, costPlugin, guardGraphQLRequests } from './graphql/http.js';
import { LIMITS } from './graphql/policy.js';
import { createRateLimits } from './graphql/rate-limits.js';
import { createSubscriptionServer } from './graphql/ws/server.js';
import { exportRoutes } from './http/exports.js';
import { healthRoutes } from './http/health.js';
import { metricsRoutes } from './http/metrics.js';
import { staticClient } from './http/static-client.js';
import type { Logger } from './logger.js';
import type { Services } from './services/index.js';

export interface AppDeps {
  config: Config;
  db: DataSource;
  services: Services;
  schema: GraphQLSchema;
  logger: Logger;
  /** Feeds GraphQL subscriptions over WebSocket; without it /graphql serves HTTP only. */
  hub?: EventHub;
}

export interface App {
  httpServer: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export async function createApp({ config, db, services, schema, logger, hub }: AppDeps): Promise<App> {
  const app = express();
  const httpServer = createServer(app);
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Keys travel in the Authorization header, which browsers never attach on their own: no CSRF to
    // guard against, and plain GET queries work as the GraphQL-over-HTTP spec says.
    csrfPrevention: false,
    formatError: createFormatError(logger),
    // The guard in front (graphql/http.ts) has parsed under the same limit; this is the backstop.
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // One path for documents: every query text goes through the guard.
    persistedQueries: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), costPlugin(schema)],
  });
  await apollo.start();
  const subscriptions = hub
    ? createSubscriptionServer({
        httpServer,
        schema,
        services,
        hub,
        logger,
        formatError: createFormatError(logger),
        maxPayloadBytes: config.maxBodyBytes,
        maxSocketsPerKey: config.wsMaxSocketsPerKey,
      })
    : null;

  app.disable('x-powered-by');
  // Security headers on every response. The dashboard's scripts come from this origin only; its UI
  // library injects styles at run time (style-src needs 'unsafe-inline'); it talks to /graphql over
  // fetch and WebSocket on this origin.
  app.use(
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
  // Behind a load balancer, the client address (rate limits) is its X-Forwarded-For.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  app.use(healthRoutes(db));
  app.use(metricsRoutes(db));
  app.use(exportRoutes(services.exports, logger));
  app.use(
    '/graphql',
    express.json({ limit: config.maxBodyBytes }),
    guardGraphQLRequests(
      services.apiKeys,
      createRateLimits((db.driver as unknown as { master: pg.Pool }).master, {
        perKey: config.rateLimitPerKey,
        perAddress: config.rateLimitPerAddress,
        failedAuth: config.rateLimitFailedAuth,
      }),
    ),
    expressMiddleware(apollo, { context: async ({ res }) => createContext(services, actorOfRequest(res)) }),
  );
  app.use(staticClient());
  // Body parser failures (too large, malformed JSON) answer in GraphQL's error shape.
  app.use(
    (
      error: { status?: number; type?: string; message?: string },
      req: express.Request,
      res: express.Response,
      next: express.NextFunction,
    ) => {
      if (!error?.status) return next(error);
      const message =
        error.type === 'entity.too.large'
          ? `request body is larger than ${config.maxBodyBytes} bytes`
          : `request body is not valid JSON: ${error.message}`;
      // The media type the client asked for, as Apollo answers (GraphQL-over-HTTP).
      const type = req.accepts(['application/graphql-response+json', 'application/json']) || 'application/json';
      res
        .status(error.status)
        .type(type)
        .send(JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }));
    },
  );

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolveListen, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolveListen((httpServer.address() as AddressInfo).port));
      }),
    close: async () => {
      await subscriptions?.dispose();
      await apollo.stop();
    },
  };
}
