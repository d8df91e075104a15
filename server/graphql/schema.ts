import 'reflect-metadata';
import './enums.js';
import type { GraphQLObjectType, GraphQLSchema } from 'graphql';
import { buildSchema, getMetadataStorage, type PubSub } from 'type-graphql';
import { AccessResolver } from '../resolvers/AccessResolver.js';
import { AlertResolver, AlertRuleResolver } from '../resolvers/AlertResolver.js';
import { AnalyticsResolver } from '../resolvers/AnalyticsResolver.js';
import { ChannelResolver, DeliveryResolver } from '../resolvers/ChannelResolver.js';
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
  AlertRuleResolver,
  AlertResolver,
  ChannelResolver,
  DeliveryResolver,
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

type ResolverMethod = (this: object, ...params: unknown[]) => unknown;

/**
 * A field resolver of a resolver class that takes no arguments and has no roles or middleware (a run's pipeline, a
 * record's run) is called directly: type-graphql's handler got its instance, sorted and read its parameters and ran
 * an empty middleware chain on every call, for every row (1,000 times for 50 runs' 20 records, about 5 % of that
 * request's CPU). A parent that is not its class's instance still goes through type-graphql, which converts it.
 */
function callPlainFieldResolversDirectly(schema: GraphQLSchema): void {
  const storage = getMetadataStorage();
  for (const resolver of storage.fieldResolvers) {
    const params = [...(resolver.params ?? [])].sort((a, b) => a.index - b.index);
    const plain = params.every(
      (param) => param.kind === 'info' || ((param.kind === 'root' || param.kind === 'context') && param.propertyName === undefined),
    );
    if (resolver.kind !== 'external' || resolver.roles !== undefined || resolver.middlewares?.length || !plain) continue;
    const parentClass = resolver.getObjectType?.() as (new () => object) | undefined;
    const typeName = storage.objectTypes.find((type) => type.target === parentClass)?.name;
    const field = typeName ? (schema.getType(typeName) as GraphQLObjectType | undefined)?.getFields()[resolver.schemaName] : undefined;
    const viaTypeGraphql = field?.resolve;
    if (!parentClass || !field || !viaTypeGraphql) continue;
    const instance = new (resolver.target as new () => object)();
    const method = (instance as Record<string, ResolverMethod>)[resolver.methodName];
    const kinds = params.map((param) => param.kind);
    field.resolve = (root, args, context, info) => {
      if (!(root instanceof parentClass)) return viaTypeGraphql(root, args, context, info);
      return method.apply(
        instance,
        kinds.map((kind) => (kind === 'root' ? root : kind === 'context' ? context : info)),
      );
    };
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
  callPlainFieldResolversDirectly(schema);
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  for (const [operation, root] of Object.entries(roots)) {
    if (root) root.description = ROOT_DESCRIPTIONS[operation as keyof typeof ROOT_DESCRIPTIONS];
  }
  return schema;
}
