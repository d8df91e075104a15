// Health analytics: the summary cards, the time series and the performance table. Each is one aggregate
// (services/analytics/rollup-query.ts) finished here: counts by status, error rates, percentiles from histograms.
import type { DataSource } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import { allowedIntervals, checkInterval, INTERVAL_MS, intersect, resolveWindow, windowMs } from '../../domain/analytics-range.js';
import { type RecordOperation, RecordStatus, type SyncMode, type TimeInterval } from '../../domain/enums.js';
import { badInput } from '../../domain/errors.js';
import { type HistogramBin, percentiles } from '../../domain/latency-histogram.js';
import { changePercent, type Metric, metric } from '../../domain/metric.js';
import { countBucket } from '../../domain/record-outcome.js';
import type { DateRange, RecordFilter } from '../lists/filters.js';
import { type AggregateRow, aggregate } from './rollup-query.js';

export interface StatusCount {
  status: RecordStatus;
  count: number;
}

export interface Summary {
  from: Date;
  to: Date;
  totalSynced: Metric;
  totalErrors: Metric;
  errorRate: Metric;
  medianLatencyMs: Metric;
  byStatus: StatusCount[];
}

export interface TimeBucket {
  start: Date;
  end: Date;
  total: number;
  succeeded: number;
  failed: number;
  changePercent: number | null;
}

export interface PerformanceRow {
  entityType: string;
  operation: RecordOperation;
  mode: SyncMode;
  recordsSynced: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const STATUS_ORDER = Object.values(RecordStatus);

/** What one window's rows add up to. */
interface Totals {
  records: number;
  errors: number;
  byStatus: Map<RecordStatus, number>;
  latency: HistogramBin[];
}

/** Adds up one window's rows, grouped by status, each with its latency histogram. */
function totals(rows: AggregateRow[]): Totals {
  const result: Totals = { records: 0, errors: 0, byStatus: new Map(), latency: [] };
  for (const row of rows) {
    const status = row.status as RecordStatus;
    result.records += row.records;
    if (countBucket(status) === 'failed') result.errors += row.records;
    result.byStatus.set(status, (result.byStatus.get(status) ?? 0) + row.records);
    result.latency.push(...(row.latency ?? []));
  }
  return result;
}

const rate = (t: Totals) => (t.records === 0 ? 0 : t.errors / t.records);
const median = (t: Totals) => percentiles(t.latency, [0.5])[0];

export class AnalyticsService {
  constructor(private readonly db: DataSource) {}

  /** The window's figures beside those of the window of equal length just before it. */
  async summary(actor: Actor, range: DateRange | null | undefined, filter: RecordFilter | null | undefined): Promise<Summary> {
    // filter.startedAt narrows the range; the previous window is as long as what is left.
    const window = intersect(resolveWindow(range), filter?.startedAt);
    if (!window) throw badInput('filter.startedAt does not meet the range');
    const length = windowMs(window);
    const previousFrom = window.from.getTime() - length;
    const rows = await aggregate(this.db, {
      actor,
      filter: withoutStartedAt(filter),
      window: { from: new Date(previousFrom), to: window.to },
      bucket: { sizeMs: length, originMs: previousFrom },
      sources: ['day', 'hour'],
      groupBy: ['status'],
      latency: true,
    });
    const current = totals(rows.filter((row) => row.bucket.getTime() === window.from.getTime()));
    const previous = totals(rows.filter((row) => row.bucket.getTime() === previousFrom));
    const hadPrevious = previous.records > 0;
    const previousMedian = median(previous);
    return {
      from: window.from,
      to: window.to,
      totalSynced: metric(current.records, previous.records),
      totalErrors: metric(current.errors, previous.errors),
      errorRate: metric(rate(current), hadPrevious ? rate(previous) : null),
      medianLatencyMs: metric(median(current) ?? 0, previousMedian),
      byStatus: STATUS_ORDER.map((status) => ({ status, count: current.byStatus.get(status) ?? 0 })),
    };
  }

  allowedIntervals(range: DateRange | null | undefined): TimeInterval[] {
    return allowedIntervals(resolveWindow(range));
  }

  /** Buckets aligned to UTC, every one present (zeros when empty), each compared with the one before. */
  async timeseries(
    actor: Actor,
    range: DateRange | null | undefined,
    interval: TimeInterval,
    filter: RecordFilter | null | undefined,
  ): Promise<TimeBucket[]> {
    const window = resolveWindow(range);
    checkInterval(window, interval);
    const size = INTERVAL_MS[interval];
    const rows = await aggregate(this.db, {
      actor,
      filter,
      window,
      bucket: { sizeMs: size, originMs: 0 },
      // Rollups finer than the bucket only: a day rollup cannot be cut into hours.
      sources: size >= INTERVAL_MS.DAY ? ['day', 'hour'] : size >= INTERVAL_MS.HOUR ? ['hour'] : [],
      groupBy: ['status'],
      latency: false,
    });
    const byStart = new Map<number, TimeBucket>();
    for (let start = Math.floor(window.from.getTime() / size) * size; start < window.to.getTime(); start += size) {
      byStart.set(start, { start: new Date(start), end: new Date(start + size), total: 0, succeeded: 0, failed: 0, changePercent: null });
    }
    for (const row of rows) {
      const bucket = byStart.get(row.bucket.getTime());
      if (!bucket) continue;
      bucket.total += row.records;
      const outcome = countBucket(row.status as RecordStatus);
      if (outcome === 'succeeded') bucket.succeeded += row.records;
      if (outcome === 'failed') bucket.failed += row.records;
    }
    const buckets = [...byStart.values()];
    buckets.forEach((bucket, i) => {
      if (i > 0) bucket.changePercent = changePercent(bucket.total, buckets[i - 1].total);
    });
    return buckets;
  }

  /** Records and latency percentiles per entity type, operation and mode, busiest first. */
  async performance(actor: Actor, range: DateRange | null | undefined, filter: RecordFilter | null | undefined): Promise<PerformanceRow[]> {
    const window = resolveWindow(range);
    const rows = await aggregate(this.db, {
      actor,
      filter,
      window,
      bucket: { sizeMs: windowMs(window), originMs: window.from.getTime() },
      sources: ['day', 'hour'],
      groupBy: ['entity_type', 'operation', 'mode'],
      latency: true,
    });
    return rows
      .map(({ latency, records, ...key }) => {
        const bins = latency ?? [];
        const [p50, p90, p95, p99] = percentiles(bins, [0.5, 0.9, 0.95, 0.99]);
        return {
          entityType: key.entity_type as string,
          operation: key.operation as RecordOperation,
          mode: key.mode as SyncMode,
          recordsSynced: records,
          p50Ms: p50 ?? 0,
          p90Ms: p90 ?? 0,
          p95Ms: p95 ?? 0,
          p99Ms: p99 ?? 0,
        };
      })
      .sort(
        (a, b) =>
          b.recordsSynced - a.recordsSynced ||
          a.entityType.localeCompare(b.entityType) ||
          a.operation.localeCompare(b.operation) ||
          a.mode.localeCompare(b.mode),
      );
  }
}

/** filter.startedAt is already part of the summary's window (it would cut off the previous one). */
function withoutStartedAt(filter: RecordFilter | null | undefined): RecordFilter | null | undefined {
  if (!filter?.startedAt) return filter;
  const { startedAt: _narrowed, ...rest } = filter;
  return rest;
}
