import { Field, Float, Int, ObjectType } from 'type-graphql';
import { RecordOperation, RecordStatus, SyncMode } from '../../domain/enums.js';

@ObjectType({
  description: 'A figure with the same figure over the previous window of equal length (week-over-week on the default 7 days).',
})
export class Metric {
  @Field(() => Float, { description: 'The figure over the requested window.' })
  value: number;

  @Field(() => Float, {
    nullable: true,
    description: 'The figure over the window of equal length just before; null for a rate or latency when that window had no records.',
  })
  previous: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Change from `previous` to `value`, in percent of `previous`; null when `previous` is 0 or null.',
  })
  changePercent: number | null;
}

@ObjectType({ description: 'How many records are in one status.' })
export class StatusCount {
  @Field(() => RecordStatus, { description: 'The record status.' })
  status: RecordStatus;

  @Field(() => Int, { description: 'Records in it.' })
  count: number;
}

@ObjectType({
  description:
    'Health of the records started in a window (seed 001’s cards). Each record counts once, by its original, in its current status; retries and re-reports move it rather than add to it.',
})
export class SyncSummary {
  @Field(() => Date, { description: 'Start of the window (inclusive).' })
  from: Date;

  @Field(() => Date, { description: 'End of the window (exclusive).' })
  to: Date;

  @Field(() => Metric, { description: 'Records reported in the window, whatever their status.' })
  totalSynced: Metric;

  @Field(() => Metric, {
    description: 'Records that failed: failed, partially failed, extraction failed, in a retry run, dead-lettered or discarded.',
  })
  totalErrors: Metric;

  @Field(() => Metric, { description: 'totalErrors divided by totalSynced, a fraction from 0 to 1 (0 when there are no records).' })
  errorRate: Metric;

  @Field(() => Metric, { description: 'Median latency of the records that have one, in milliseconds (within 5 % of exact; 0 when none).' })
  medianLatencyMs: Metric;

  @Field(() => [StatusCount], {
    description: 'Records in the window by status: every status, in the order of RecordStatus, zeros included.',
  })
  byStatus: StatusCount[];
}

@ObjectType({ description: 'One bucket of a time series: records started in it, by outcome.' })
export class TimeBucket {
  @Field(() => Date, { description: 'Start of the bucket, aligned to UTC (minute, hour or midnight).' })
  start: Date;

  @Field(() => Date, { description: 'End of the bucket (exclusive). The first and last buckets count only what lies inside the range.' })
  end: Date;

  @Field(() => Int, { description: 'Records started in the bucket, whatever their status.' })
  total: number;

  @Field(() => Int, { description: 'Of those, records that succeeded (SUCCESS, PARTIAL_SUCCESS).' })
  succeeded: number;

  @Field(() => Int, { description: 'Of those, records that failed (as SyncSummary.totalErrors counts them).' })
  failed: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Change of `total` against the bucket before, in percent; null for the first bucket or after an empty one.',
  })
  changePercent: number | null;
}

@ObjectType({ description: 'Throughput and latency of one entity type, operation and mode (seed 001’s Performance tab).' })
export class PerformanceRow {
  @Field(() => String, { description: 'The entity type, e.g. "Account".' })
  entityType: string;

  @Field(() => RecordOperation, { description: 'The operation (the "API action").' })
  operation: RecordOperation;

  @Field(() => SyncMode, { description: 'The mode of the runs that moved the records.' })
  mode: SyncMode;

  @Field(() => Int, { description: 'Records started in the window.' })
  recordsSynced: number;

  @Field(() => Float, { description: 'Median latency in milliseconds (within 5 % of exact; 0 when no record has a latency).' })
  p50Ms: number;

  @Field(() => Float, { description: '90th percentile latency in milliseconds.' })
  p90Ms: number;

  @Field(() => Float, { description: '95th percentile latency in milliseconds.' })
  p95Ms: number;

  @Field(() => Float, { description: '99th percentile latency in milliseconds.' })
  p99Ms: number;
}

@ObjectType({ description: 'The values that occur in the data, for filter drop-downs; sorted.' })
export class Facets {
  @Field(() => [String], { description: 'Entity types records were reported with.' })
  entityTypes: string[];

  @Field(() => [String], { description: 'Operation types runs were started with (e.g. "Pull updates").' })
  operationTypes: string[];

  @Field(() => [String], { description: 'Tenants that own pipelines.' })
  tenantIds: string[];

  @Field(() => [String], { description: 'Error codes failures were reported with.' })
  errorCodes: string[];
}
