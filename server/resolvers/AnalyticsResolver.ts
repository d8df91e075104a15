import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { TimeInterval } from '../domain/enums.js';
import { actorOf, type Context } from '../graphql/context.js';
import { Facets, PerformanceRow, SyncSummary, TimeBucket } from './types/analytics.types.js';
import { DateRange, RecordFilter } from './types/filters.input.js';

const RANGE = 'The window: `from` inclusive, `to` exclusive; `to` defaults to now and `from` to 7 days before `to`.';
const FILTER =
  'Which records, as in `records`. Pipeline, tenant, mode, entity type, operation and status filters read hourly rollups; run, source id, error code and fingerprint filters read the records themselves (slower; raw history is kept RETENTION_DAYS). `startedAt` narrows the window.';

@Resolver()
export class AnalyticsResolver {
  @Authorized()
  @Query(() => SyncSummary, {
    description:
      'Totals, error rate and median latency of the window, each beside the previous window of equal length, and counts by status.',
  })
  syncSummary(
    @Ctx() ctx: Context,
    @Arg('range', () => DateRange, { nullable: true, description: RANGE }) range?: DateRange,
    @Arg('filter', () => RecordFilter, { nullable: true, description: FILTER }) filter?: RecordFilter,
  ): Promise<SyncSummary> {
    return ctx.services.analytics.summary(actorOf(ctx), range, filter);
  }

  @Authorized()
  @Query(() => [TimeBucket], {
    description:
      'Records by outcome per UTC-aligned bucket, every bucket present. DAY fits any range; HOUR ranges up to 60 hours; MINUTE ranges up to 6 hours (read from records, so within RETENTION_DAYS). Another combination is BAD_USER_INPUT naming the allowed intervals (extensions.allowedIntervals).',
  })
  syncTimeseries(
    @Ctx() ctx: Context,
    @Arg('range', () => DateRange, { description: RANGE }) range: DateRange,
    @Arg('interval', () => TimeInterval, { description: 'Bucket size; see allowedIntervals.' }) interval: TimeInterval,
    @Arg('filter', () => RecordFilter, { nullable: true, description: FILTER }) filter?: RecordFilter,
  ): Promise<TimeBucket[]> {
    return ctx.services.analytics.timeseries(actorOf(ctx), range, interval, filter);
  }

  @Authorized()
  @Query(() => [TimeInterval], { description: 'The intervals syncTimeseries accepts for this range, finest first (DAY always).' })
  allowedIntervals(@Ctx() ctx: Context, @Arg('range', () => DateRange, { description: RANGE }) range: DateRange): TimeInterval[] {
    actorOf(ctx);
    return ctx.services.analytics.allowedIntervals(range);
  }

  @Authorized()
  @Query(() => [PerformanceRow], {
    description: 'Records and p50 / p90 / p95 / p99 latency per entity type, operation and mode; busiest first.',
  })
  syncPerformance(
    @Ctx() ctx: Context,
    @Arg('range', () => DateRange, { nullable: true, description: RANGE }) range?: DateRange,
    @Arg('filter', () => RecordFilter, { nullable: true, description: FILTER }) filter?: RecordFilter,
  ): Promise<PerformanceRow[]> {
    return ctx.services.analytics.performance(actorOf(ctx), range, filter);
  }

  @Authorized()
  @Query(() => Facets, {
    description:
      'The entity types, operation types, tenants and error codes that occur, for filter drop-downs. A tenant-bound key sees its own.',
  })
  facets(
    @Ctx() ctx: Context,
    @Arg('pipelineIds', () => [ID], {
      nullable: true,
      description: 'Only the values of these pipelines (e.g. entity types of the chosen instance).',
    })
    pipelineIds?: string[],
  ): Promise<Facets> {
    return ctx.services.facets.facets(actorOf(ctx), pipelineIds);
  }
}
