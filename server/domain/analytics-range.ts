// Time windows of the health analytics: defaults, which bucket sizes a window allows, and how a window splits
// into the parts each source answers (daily rollups, hourly rollups, raw records).

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

/** Where a part of a window is answered from: whole UTC days, whole UTC hours, or the records themselves. */
export type Source = 'day' | 'hour' | 'raw';

export interface Segment {
  source: Source;
  from: number;
  to: number;
}

const SOURCE_SIZE = { day: DAY_MS, hour: HOUR_MS } as const;

/**
 * Splits [from, to) at each cut (where output buckets meet, so no rollup row straddles two of them), then
 * answers each piece with the coarsest source allowed: whole days, then whole hours, the rest from raw records.
 * Adjacent parts of one source are merged. Pure arithmetic on epoch milliseconds.
 */
export function segments(window: Window, sources: readonly ('day' | 'hour')[], cuts: readonly number[] = []): Segment[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const points = [from, ...cuts.filter((cut) => cut > from && cut < to).sort((a, b) => a - b), to];
  const parts: Segment[] = [];
  for (let i = 0; i < points.length - 1; i++) parts.push(...split(points[i], points[i + 1], sources));
  const merged: Segment[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (last && last.source === part.source && last.to === part.from) last.to = part.to;
    else merged.push({ ...part });
  }
  return merged;
}

function split(from: number, to: number, sources: readonly ('day' | 'hour')[]): Segment[] {
  if (from >= to) return [];
  const [coarsest, ...finer] = sources;
  if (!coarsest) return [{ source: 'raw', from, to }];
  const size = SOURCE_SIZE[coarsest];
  const start = alignUp(from, size);
  const end = alignDown(to, size);
  if (start >= end) return split(from, to, finer);
  return [...split(from, start, finer), { source: coarsest, from: start, to: end }, ...split(end, to, finer)];
}

/** Output buckets of an aggregate: `originMs + k × sizeMs`. */
export interface Bucketing {
  sizeMs: number;
  originMs: number;
}

export const bucketOf = (ms: number, bucketing: Bucketing) =>
  bucketing.originMs + Math.floor((ms - bucketing.originMs) / bucketing.sizeMs) * bucketing.sizeMs;

/** Where the records of a raw range count: in their own bucket (+1), or taken off a borrowed hour's bucket (−1). */
export type Contribution = { own: true } | { bucket: number; sign: -1 };

export interface AggregatePlan {
  /** Whole days and hours answered by rollups; each rollup row counts in the bucket it starts in. */
  rollups: Segment[];
  /** Hours read whole from the hourly rollups for the bucket most of them lies in (start → bucket start). */
  borrowedHours: Map<number, number>;
  /** Ranges read from the records, none overlapping another. */
  raw: { from: number; to: number; contributions: Contribution[] }[];
}

/**
 * What to read for an aggregate over a window: rollups for whole days and hours (see segments), records for the
 * minutes at the edges. An edge that covers more than half of its hour reads the hour's rollup instead and takes
 * off the records of the rest of the hour, so no edge reads more than half an hour of records (and an edge at
 * "now" reads next to none: the rest of the current hour has not happened yet). Exact: the hourly rollup and
 * the records are read in one snapshot.
 */
export function planAggregate(window: Window, sources: readonly ('day' | 'hour')[], bucketing: Bucketing): AggregatePlan {
  const cuts: number[] = [];
  const first = bucketing.originMs + Math.ceil((window.from.getTime() - bucketing.originMs) / bucketing.sizeMs) * bucketing.sizeMs;
  for (let edge = first; edge < window.to.getTime(); edge += bucketing.sizeMs) cuts.push(edge);
  const parts = segments(window, sources, cuts);
  const plan: AggregatePlan = { rollups: parts.filter((part) => part.source !== 'raw'), borrowedHours: new Map(), raw: [] };
  const rawParts = parts.filter((part) => part.source === 'raw');
  if (!sources.includes('hour')) {
    plan.raw = rawParts.map(({ from, to }) => ({ from, to, contributions: [{ own: true }] }));
    return plan;
  }
  // The in-window pieces of each partial hour, cut where buckets meet.
  const byHour = new Map<number, { from: number; to: number }[]>();
  for (const part of rawParts) {
    const points = [part.from, ...cuts.filter((cut) => cut > part.from && cut < part.to)];
    for (let hour = alignDown(part.from, HOUR_MS); hour < part.to; hour += HOUR_MS) points.push(hour);
    const sorted = [...new Set([...points.filter((p) => p >= part.from), part.to])].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length - 1; i++) {
      const hour = alignDown(sorted[i], HOUR_MS);
      byHour.set(hour, [...(byHour.get(hour) ?? []), { from: sorted[i], to: sorted[i + 1] }]);
    }
  }
  for (const [hour, pieces] of byHour) {
    const largest = pieces.reduce((a, b) => (b.to - b.from > a.to - a.from ? b : a));
    if (largest.to - largest.from <= HOUR_MS / 2) {
      for (const { from, to } of pieces) plan.raw.push({ from, to, contributions: [{ own: true }] });
      continue;
    }
    const bucket = bucketOf(largest.from, bucketing);
    plan.borrowedHours.set(hour, bucket);
    // The rest of the hour, in the window or not, is taken off the borrowed bucket; what is in the window counts too.
    const bounds = [...new Set([hour, hour + HOUR_MS, ...pieces.flatMap((piece) => [piece.from, piece.to])])].sort((a, b) => a - b);
    for (let i = 0; i < bounds.length - 1; i++) {
      const [from, to] = [bounds[i], bounds[i + 1]];
      if (from === largest.from) continue;
      const inWindow = pieces.some((piece) => piece.from === from);
      plan.raw.push({ from, to, contributions: [...(inWindow ? [{ own: true } as const] : []), { bucket, sign: -1 }] });
    }
  }
  return plan;
}
