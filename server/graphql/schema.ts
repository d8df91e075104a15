import 'reflect-metadata';
import './enums.js';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage, type PubSub } from 'type-graphql';
import { AccessResolver } from '../resolvers/AccessResolver.js';
import { AnalyticsResolver } from '../resolvers/AnalyticsResolver.js';
import { ErrorGroupResolver } from '../resolvers/ErrorGroupResolver.js';
import { ExportResolver } from '../resolvers/ExportResolver.js';
import { HousekeepingResolver } from '../resolvers/HousekeepingResolver.js';
import { PipelineResolver } from '../resolvers/PipelineResolver.js';
import { RecordResolver } from '../resolvers/RecordResolver.js';
import { RetryResolver } from '../resolvers/RetryResolver.js';
import { RunResolver } from '../resolvers/RunResolver.js';
import { SubscriptionResolver } from '../resolvers/SubscriptionResolver.js';
import { WorkerResolver } from '../resolvers/WorkerResolver.js';
import { authChecker } from './auth-checker.js';
import { DateTimeScalar } from './date-time.js';

export const resolvers = [
  AccessResolver,
  AnalyticsResolver,
  HousekeepingResolver,
  PipelineResolver,
  RunResolver,
  RecordResolver,
  RetryResolver,
  WorkerResolver,
  SubscriptionResolver,
  ErrorGroupResolver,
  ExportResolver,
] as const;

// Our subscriptions bring their own streams (events/live-streams.ts), but type-graphql insists on a pub/sub.
const NO_TOPICS: PubSub = {
  publish() {},
  subscribe() {
    throw new Error('syncwatch subscriptions use their own streams, not pub/sub topics');
  },
};

/** type-graphql builds the root types without a description; each gets its own here. */
const ROOT_DESCRIPTIONS = {
  query:
    'Reads: pipelines, runs, records, analytics, error groups, the audit log and the caller itself. Over HTTP (POST or GET /graphql) with "Authorization: Bearer <key>".',
  mutation:
    'Changes: reporting runs and records (INGEST), retries, cancels and dead letters (OPERATOR), pipelines, keys and retention (ADMIN). Over HTTP POST /graphql only.',
  subscription:
    'Live updates over graphql-ws on /graphql (the key in connection_init); resumable with `since`. The socket carries subscriptions only.',
} as const;

/**
 * A field that only reads a property (no resolver of its own, no auth, no middleware) gets graphql's own
 * resolver: type-graphql's wrapper, an object and a closure per field per row, cost more than the read (issue 13).
 */
function resolvePlainFieldsDirectly(): void {
  for (const field of getMetadataStorage().fields) {
    if (field.simple === undefined && field.roles === undefined && !field.middlewares?.length && field.name === field.schemaName) {
      field.simple = true;
    }
  }
}

export async function createSchema(pubSub: PubSub = NO_TOPICS): Promise<GraphQLSchema> {
  resolvePlainFieldsDirectly();
  const schema = await buildSchema({
    resolvers,
    authChecker,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    // Inputs are checked by the services, which know the rules and give the reasons.
    validate: false,
    pubSub,
  });
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  for (const [operation, root] of Object.entries(roots)) {
    if (root) root.description = ROOT_DESCRIPTIONS[operation as keyof typeof ROOT_DESCRIPTIONS];
  }
  return schema;
}
