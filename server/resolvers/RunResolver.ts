import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { SyncMode } from '../domain/enums.js';
import { Pipeline } from '../entities/Pipeline.js';
import { SyncRun } from '../entities/SyncRun.js';
import { actorOf, type Context } from '../graphql/context.js';
import { selectedFieldsAt } from '../graphql/selection.js';
import { recordColumnsFor } from './RecordResolver.js';
import { RecordConnection, RunConnection } from './types/connections.js';
import { RecordFilter, RunFilter, RunOrder } from './types/filters.input.js';

/** What a SyncRun field reads besides its own property: the fields resolved below, and durationMs. */
const RUN_FIELD_READS: Record<string, readonly string[]> = {
  pipeline: ['pipelineId'],
  retryOf: ['retryOfId'],
  records: ['createdAt'], // by the run's id, which always comes, within its day (its creation: the records' partition key)
  durationMs: ['startedAt', 'endedAt'],
  leaseToken: [], // never stored: only startRun's and claimRun's answers carry it
  __typename: [],
};

/** The run properties a page must read for what the query selects under edges.node. */
function runColumnsFor(info: GraphQLResolveInfo): string[] {
  const columns = new Set<string>();
  for (const field of selectedFieldsAt(info, ['edges', 'node'])) {
    for (const property of RUN_FIELD_READS[field] ?? [field]) columns.add(property);
  }
  return [...columns];
}

@Resolver(() => SyncRun)
export class RunResolver {
  @Authorized()
  @Query(() => RunConnection, { description: 'Runs matching the filter, newest started first unless ordered otherwise; keyset-paged.' })
  async runs(
    @Ctx() ctx: Context,
    @Arg('filter', () => RunFilter, { nullable: true, description: 'Which runs.' }) filter?: RunFilter,
    @Arg('orderBy', () => RunOrder, { nullable: true, description: 'Sort order (default STARTED_AT DESC).' }) orderBy?: RunOrder,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: 'Page size, from 1 to 500.' }) first: number | null = 50,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<RunConnection> {
    const columns = info && runColumnsFor(info);
    return new RunConnection(await ctx.services.runs.list(actorOf(ctx), filter, orderBy, first ?? 50, after, columns));
  }

  @Authorized()
  @Query(() => SyncRun, { nullable: true, description: 'One run; null when it does not exist or belongs to another tenant.' })
  run(@Arg('id', () => ID, { description: 'The run’s id.' }) id: string, @Ctx() ctx: Context): Promise<SyncRun | null> {
    return ctx.services.runs.find(actorOf(ctx), id);
  }

  @Authorized('operate')
  @Mutation(() => SyncRun, { description: 'Queues a run of the pipeline for its workers (announced as RUN_QUEUED). OPERATOR.' })
  triggerSync(
    @Arg('pipelineId', () => ID, { description: 'The pipeline to sync.' }) pipelineId: string,
    @Ctx() ctx: Context,
    @Arg('mode', () => SyncMode, {
      nullable: true,
      defaultValue: SyncMode.MANUAL,
      description: 'MANUAL, ON_DEMAND, SCHEDULED or REAL_TIME.',
    })
    mode: SyncMode | null = SyncMode.MANUAL,
    @Arg('operationType', () => String, { nullable: true, description: 'What kind of sync, e.g. "Pull updates".' })
    operationType?: string,
  ): Promise<SyncRun> {
    return ctx.services.runLifecycle.trigger(actorOf(ctx), pipelineId, mode ?? SyncMode.MANUAL, operationType);
  }

  @Authorized('operate')
  @Mutation(() => SyncRun, {
    description: 'Cancels a run: a QUEUED run ends CANCELLED at once; a RUNNING one goes CANCELLING until its worker stops. OPERATOR.',
  })
  cancelRun(
    @Arg('runId', () => ID, { description: 'The run to cancel.' }) runId: string,
    @Ctx() ctx: Context,
    @Arg('reason', () => String, { nullable: true, description: 'Why, kept in the run’s error and the audit log.' }) reason?: string,
  ): Promise<SyncRun> {
    return ctx.services.runLifecycle.cancel(actorOf(ctx), runId, reason);
  }

  @FieldResolver(() => Pipeline, { description: 'The pipeline the run belongs to.' })
  async pipeline(@Root() run: SyncRun, @Ctx() ctx: Context): Promise<Pipeline> {
    const pipeline = await ctx.loaders.pipeline.load(run.pipelineId);
    if (!pipeline) throw new Error(`pipeline ${run.pipelineId} of run ${run.id} is missing`);
    return pipeline;
  }

  @FieldResolver(() => SyncRun, { nullable: true, description: 'The run whose failures this retry run re-attempts.' })
  retryOf(@Root() run: SyncRun, @Ctx() ctx: Context): Promise<SyncRun | null> | null {
    return run.retryOfId ? ctx.loaders.run.load(run.retryOfId) : null;
  }

  @FieldResolver(() => RecordConnection, { description: 'Records of this run matching the filter; keyset-paged.' })
  async records(
    @Root() run: SyncRun,
    @Ctx() ctx: Context,
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'Which records.' }) filter?: RecordFilter,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100, description: 'Page size, from 1 to 500.' }) first: number | null = 100,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<RecordConnection> {
    // Batched: one query for every run of the page that asks with the same filter, page size and fields.
    const columns = info && recordColumnsFor(info);
    return new RecordConnection(
      await ctx.loaders.runRecords.load({ runId: run.id, runCreatedAt: run.createdAt, filter, first: first ?? 100, after, columns }),
    );
  }
}
