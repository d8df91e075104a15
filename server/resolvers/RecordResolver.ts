import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from 'type-graphql';
import { RecordAttempt } from '../entities/RecordAttempt.js';
import { SyncRecord } from '../entities/SyncRecord.js';
import { SyncRun } from '../entities/SyncRun.js';
import { actorOf, type Context } from '../graphql/context.js';
import { selectedFieldsAt, selectsOnly } from '../graphql/selection.js';
import { currentAttempt } from '../services/lists/record-query.service.js';
import { RecordConnection } from './types/connections.js';
import { RecordFilter, RecordOrder } from './types/filters.input.js';

/**
 * The record properties a page must read for what the query selects under edges.node (undefined: all of them).
 * A SyncRecord field names the property it reads, but for the two resolved below.
 */
export function recordColumnsFor(info: GraphQLResolveInfo): string[] | undefined {
  const columns = new Set<string>();
  for (const field of selectedFieldsAt(info, ['edges', 'node'])) {
    if (field === 'history') return undefined;
    if (field === 'run') columns.add('runId');
    else if (field !== '__typename') columns.add(field);
  }
  return [...columns];
}

@Resolver(() => SyncRecord)
export class RecordResolver {
  @Authorized()
  @Query(() => RecordConnection, {
    description:
      'Records matching the filter, newest started first unless ordered otherwise; keyset-paged. Each record appears once, by its original (with its current state and history); the attempts of RETRY runs appear when the filter names their runs (runIds) or the RETRY mode.',
  })
  async records(
    @Ctx() ctx: Context,
    @Arg('filter', () => RecordFilter, { nullable: true, description: 'Which records.' }) filter?: RecordFilter,
    @Arg('orderBy', () => RecordOrder, { nullable: true, description: 'Sort order (default STARTED_AT DESC).' }) orderBy?: RecordOrder,
    @Arg('first', () => Int, { nullable: true, defaultValue: 100, description: 'Page size, from 1 to 500.' }) first: number | null = 100,
    @Arg('after', () => String, { nullable: true, description: 'endCursor of the previous page.' }) after?: string,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<RecordConnection> {
    const columns = info && recordColumnsFor(info);
    return new RecordConnection(await ctx.services.records.list(actorOf(ctx), filter, orderBy, first ?? 100, after, columns));
  }

  @Authorized()
  @Query(() => SyncRecord, { nullable: true, description: 'One record; null when it does not exist or belongs to another tenant.' })
  record(@Arg('id', () => ID, { description: 'The record’s id.' }) id: string, @Ctx() ctx: Context): Promise<SyncRecord | null> {
    return ctx.services.records.find(actorOf(ctx), id);
  }

  @FieldResolver(() => SyncRun, { description: 'The run the record belongs to.' })
  async run(@Root() record: SyncRecord, @Ctx() ctx: Context, @Info() info?: GraphQLResolveInfo): Promise<SyncRun> {
    // A list of records naming their run's id (run { id }) needs no read of the runs: the record holds the id.
    if (info && selectsOnly(info, ['id', '__typename'])) return Object.assign(new SyncRun(), { id: record.runId });
    const run = await ctx.loaders.run.load(record.runId);
    if (!run) throw new Error(`run ${record.runId} of record ${record.id} is missing`);
    return run;
  }

  @FieldResolver(() => [RecordAttempt], {
    description:
      'Every attempt of the record, oldest first; the last is the current one. On a retry run’s record (one attempt of an original record), the original’s attempts up to this one.',
  })
  async history(@Root() record: SyncRecord, @Ctx() ctx: Context): Promise<RecordAttempt[]> {
    // A retry run's record is one attempt of its original, whose history holds the attempts before it: read
    // there, or attempt 2 opened in its retry run listed only itself.
    // The original's partition is not known from its attempt's row: every day is looked in for it.
    const earlier = await ctx.loaders.earlierAttempts.load(
      record.originRecordId
        ? { recordId: record.originRecordId, runCreatedAt: null }
        : { recordId: record.id, runCreatedAt: record.runCreatedAt },
    );
    return [...earlier.filter((attempt) => attempt.attempt < record.attempts), currentAttempt(record)];
  }
}
