// Time windows of the health analytics: defaults, which bucket sizes a window allows, and how a window splits
// into what each source answers (daily rollups, hourly rollups, raw records).

import { TimeInterval } from './enums.js';
import { badInput } from './errors.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The window when a query gives none: the last 7 days (seed 001). */
export const DEFAULT_WINDOW_MS = 7 * DAY_MS;

export const INTERVAL_MS: Record<TimeInterval, number> = {
  [TimeInterval.MINUTE]: MINUTE_MS,
  [TimeInterval.HOUR]: HOUR_MS,
  [TimeInterval.DAY]: DAY_MS,
};

/** The longest window each interval may chart (seed 001: only Day beyond 60 hours; Minute up to 6 hours). */
export const INTERVAL_MAX_WINDOW_MS: Record<TimeInterval, number> = {
  [TimeInterval.MINUTE]: 6 * HOUR_MS,
  [TimeInterval.HOUR]: 60 * HOUR_MS,
  [TimeInterval.DAY]: Number.POSITIVE_INFINITY,
};

/** A series this long is a mistake, not a chart. */
export const MAX_BUCKETS = 20_000;

export interface Window {
  from: Date;
  to: Date;
}

/** A window with both ends: `to` defaults to now, `from` to 7 days before `to`. */
export function resolveWindow(
  range: { from?: Date | null; to?: Date | null } | null | undefined,
  now = new Date(),
  argument = 'range',
): Window {
  const to = range?.to ?? now;
  const from = range?.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
  if (from >= to) throw badInput(`${argument}: "from" must be before "to"`);
  return { from, to };
}

/** The part of a window inside a range (e.g. filter.startedAt); null when they do not meet. */
export function intersect(window: Window, range: { from?: Date | null; to?: Date | null } | null | undefined): Window | null {
  const from = range?.from && range.from > window.from ? range.from : window.from;
  const to = range?.to && range.to < window.to ? range.to : window.to;
  return from < to ? { from, to } : null;
}

export const windowMs = (window: Window) => window.to.getTime() - window.from.getTime();

/** The intervals a window may be charted by, finest first. */
export function allowedIntervals(window: Window): TimeInterval[] {
  const length = windowMs(window);
  return [TimeInterval.MINUTE, TimeInterval.HOUR, TimeInterval.DAY].filter((interval) => length <= INTERVAL_MAX_WINDOW_MS[interval]);
}

export function checkInterval(window: Window, interval: TimeInterval): void {
  const allowed = allowedIntervals(window);
  if (!allowed.includes(interval)) {
    const hours = (windowMs(window) / HOUR_MS).toFixed(1).replace(/\.0$/, '');
    throw badInput(`interval ${interval} does not fit a ${hours}-hour range; allowed: ${allowed.join(', ')}`, {
      allowedIntervals: allowed,
    });
  }
  const buckets = Math.ceil(
    (alignUp(window.to.getTime(), INTERVAL_MS[interval]) - alignDown(window.from.getTime(), INTERVAL_MS[interval])) / INTERVAL_MS[interval],
  );
  if (buckets > MAX_BUCKETS) throw badInput(`range: ${buckets} ${interval} buckets is more than ${MAX_BUCKETS}; choose a shorter range`);
}

/** Bucket starts are multiples of the bucket size since the Unix epoch: UTC minutes, hours and days. */
export const alignDown = (ms: number, size: number) => Math.floor(ms / size) * size;
export const alignUp = (ms: number, size: number) => Math.ceil(ms / size) * size;

/** Output buckets of an aggregate: `originMs + k × sizeMs`. */
export interface Bucketing {
  sizeMs: number;
  originMs: number;
}

export const bucketOf = (ms: number, bucketing: Bucketing) =>
  bucketing.originMs + Math.floor((ms - bucketing.originMs) / bucketing.sizeMs) * bucketing.sizeMs;

/** A read counted into an output bucket (its start), added (+1) or taken off (−1). */
export interface Contribution {
  bucket: number;
  sign: 1 | -1;
}

export interface AggregatePlan {
  /** Rollup rows to read, by tier and start, with where each counts. */
  cells: { tier: 'day' | 'hour'; start: number; contributions: Contribution[] }[];
  /**
   * Ranges read from the records, none overlapping another. `own`: each record counts in its own bucket (raw
   * series); otherwise where `contributions` say.
   */
  raw: { from: number; to: number; own: boolean; contributions: Contribution[] }[];
}

const TIER_MS = { day: DAY_MS, hour: HOUR_MS } as const;

/**
 * What to read for an aggregate over a window cut into output buckets: for each bucket's part of the window,
 * whole days from daily rollups, whole hours from hourly ones, the minutes at the edges from records. A day or
 * hour that the part covers more than half of is read whole and the rest of it taken off (read the same way, one
 * tier finer, negated): so an edge never reads more than 12 hours of hourly rows or 30 minutes of records, and
 * the edge at "now" next to none (the rest of today has not happened). Exact, as long as everything is read in
 * one snapshot. Pure arithmetic on epoch milliseconds.
 */
export function planAggregate(window: Window, sources: readonly ('day' | 'hour')[], bucketing: Bucketing): AggregatePlan {
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (sources.length === 0) return { cells: [], raw: [{ from, to, own: true, contributions: [] }] };
  const cells = new Map<string, { tier: 'day' | 'hour'; start: number; contributions: Contribution[] }>();
  const rawReads: { from: number; to: number; contribution: Contribution }[] = [];
  const read = (tier: 'day' | 'hour', start: number, contribution: Contribution) => {
    const key = `${tier}:${start}`;
    const cell = cells.get(key) ?? { tier, start, contributions: [] };
    cell.contributions.push(contribution);
    cells.set(key, cell);
  };
  // [a, b) counted with `sign` into `bucket`, from tier `level` of `sources` down.
  const cover = (a: number, b: number, level: number, sign: 1 | -1, bucket: number): void => {
    if (a >= b) return;
    const tier = sources[level];
    if (!tier) {
      rawReads.push({ from: a, to: b, contribution: { bucket, sign } });
      return;
    }
    const size = TIER_MS[tier];
    for (let start = alignDown(a, size); start < b; start += size) {
      const end = start + size;
      const [x, y] = [Math.max(a, start), Math.min(b, end)];
      if (x === start && y === end) read(tier, start, { bucket, sign });
      else if (y - x > size / 2) {
        read(tier, start, { bucket, sign });
        cover(start, x, level + 1, -sign as 1 | -1, bucket);
        cover(y, end, level + 1, -sign as 1 | -1, bucket);
      } else cover(x, y, level + 1, sign, bucket);
    }
  };
  const cuts = [from];
  const first = bucketing.originMs + Math.ceil((from - bucketing.originMs) / bucketing.sizeMs) * bucketing.sizeMs;
  for (let edge = first; edge < to; edge += bucketing.sizeMs) if (edge > from) cuts.push(edge);
  cuts.push(to);
  for (let i = 0; i < cuts.length - 1; i++) cover(cuts[i], cuts[i + 1], 0, 1, bucketOf(cuts[i], bucketing));

  // Net each cell's contributions per bucket; a cell that nets to nothing is not read.
  const plan: AggregatePlan = { cells: [], raw: [] };
  for (const cell of cells.values()) {
    const contributions = netted(cell.contributions);
    if (contributions.length > 0) plan.cells.push({ ...cell, contributions });
  }
  plan.cells.sort((x, y) => x.start - y.start || x.tier.localeCompare(y.tier));
  // Records: cut every read at every read's ends, so equal pieces merge and none overlaps another.
  const points = [...new Set(rawReads.flatMap((r) => [r.from, r.to]))].sort((x, y) => x - y);
  for (let i = 0; i < points.length - 1; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const contributions = netted(rawReads.filter((r) => r.from <= a && r.to >= b).map((r) => r.contribution));
    if (contributions.length > 0) plan.raw.push({ from: a, to: b, own: false, contributions });
  }
  return plan;
}

function netted(contributions: Contribution[]): Contribution[] {
  const sums = new Map<number, number>();
  for (const { bucket, sign } of contributions) sums.set(bucket, (sums.get(bucket) ?? 0) + sign);
  const result: Contribution[] = [];
  for (const [bucket, sum] of sums) {
    if (sum === 1 || sum === -1) result.push({ bucket, sign: sum });
    else if (sum !== 0) throw new Error(`planAggregate: a range counted ${sum} times into one bucket`);
  }
  return result;
}
