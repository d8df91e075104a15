// Pure helpers of the health views: the window the filters stand for, week-over-week changes as read on a card,
// seed 003's status cards, the chart's buckets and tooltip, and the performance table's CSV.
// Unit-tested in test/unit/client/support/health.test.ts.
// The server's one rule against spreadsheet formulas in CSV cells (server/domain/csv-cells.ts: no imports).
import { neutraliseCell } from '../../../server/domain/csv-cells.js';
import { type ConsoleFilters, type RecordFilterShape, type RunFilterShape, timeWindow, toRecordFilter } from './filters.js';

/** The overview's window when the filters set none: the last 7 days (seed 001). */
export const DEFAULT_WINDOW_MS = 7 * 86_400_000;

export interface Window {
  from: string;
  to: string;
}

/** The window the filters stand for at `now`: both ends set (the analytics queries need a bounded range). */
export function healthWindow(filters: ConsoleFilters, now: number): Window {
  const range = timeWindow(filters, now) ?? {};
  const to = range.to ?? new Date(now).toISOString();
  const from = range.from ?? new Date(Date.parse(to) - DEFAULT_WINDOW_MS).toISOString();
  return { from, to };
}

/** The filter of the analytics queries: the record filter without its time window (that goes in `range`). */
export function analyticsFilter(filters: ConsoleFilters, now: number): RecordFilterShape {
  const { startedAt: _window, ...rest } = toRecordFilter(filters, now);
  return rest;
}

export interface MetricLike {
  value: number;
  previous?: number | null;
  changePercent?: number | null;
}

export type Direction = 'up' | 'down' | 'flat' | 'none';

export interface Change {
  /** "+12.5 %", "−3.0 %", "0.0 %", "+4,180 %", "+2.5M %"; "—" when there is nothing to compare with. */
  text: string;
  direction: Direction;
  /** Whether the change is good news: more synced records is, more errors or latency is not. */
  tone: 'good' | 'bad' | 'neutral';
}

/** A metric's change against the previous window, as a card shows it. `higherIsBetter` decides the tone. */
export function describeChange(metric: MetricLike, higherIsBetter: boolean): Change {
  const pct = metric.changePercent;
  if (pct === null || pct === undefined || !Number.isFinite(pct)) return { text: '—', direction: 'none', tone: 'neutral' };
  const rounded = Math.round(pct * 10) / 10;
  if (rounded === 0) return { text: '0.0 %', direction: 'flat', tone: 'neutral' };
  const direction: Direction = rounded > 0 ? 'up' : 'down';
  const good = direction === 'up' ? higherIsBetter : !higherIsBetter;
  return { text: `${rounded > 0 ? '+' : '−'}${percentMagnitude(Math.abs(rounded))} %`, direction, tone: good ? 'good' : 'bad' };
}

/** 12.5 → "12.5"; 4,180 → "4,180" (a decimal says nothing there); 2,500,000 → "2.5M" (a card has no room for more). */
function percentMagnitude(value: number): string {
  if (value < 1_000) return value.toFixed(1);
  const compact = value >= 100_000;
  return new Intl.NumberFormat('en', { notation: compact ? 'compact' : 'standard', maximumFractionDigits: compact ? 1 : 0 }).format(value);
}

/** A count with thousands separators, as cards show it. */
export function formatCount(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

/** A fraction (0..1) as a percentage with one decimal: 0.1234 → "12.3 %". */
export function formatRate(fraction: number): string {
  return `${(Math.round(fraction * 1000) / 10).toFixed(1)} %`;
}

/** A latency in milliseconds: "850 ms" under a second, else seed 001's hh:mm:ss.ms ("00:00:01.250"). */
export function formatLatency(ms: number): string {
  const whole = Math.round(ms);
  if (whole < 1_000) return `${whole} ms`;
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor(whole / 60_000) % 60;
  const seconds = Math.floor(whole / 1_000) % 60;
  return `${two(hours)}:${two(minutes)}:${two(seconds)}.${String(whole % 1_000).padStart(3, '0')}`;
}

export interface StatusCards {
  total: number;
  success: number;
  partial: number;
  failed: number;
  /** (success + partial successes) / total; null with no records. */
  successRate: number | null;
}

const PARTIAL = ['PARTIAL_SUCCESS', 'PARTIALLY_FAILED'];
/** The statuses SyncSummary.totalErrors counts, partial failures aside (they show as partial). */
const FAILED = ['FAILED', 'EXTRACTION_FAILED', 'RETRY_SCHEDULED', 'DEAD_LETTERED', 'DISCARDED'];

/** Seed 003's cards from the summary's counts by status. */
export function statusCards(byStatus: readonly { status: string; count: number }[]): StatusCards {
  const sum = (statuses: string[]) => byStatus.filter((s) => statuses.includes(s.status)).reduce((n, s) => n + s.count, 0);
  const total = byStatus.reduce((n, s) => n + s.count, 0);
  const success = sum(['SUCCESS']);
  const succeeded = success + sum(['PARTIAL_SUCCESS']);
  return { total, success, partial: sum(PARTIAL), failed: sum(FAILED), successRate: total > 0 ? succeeded / total : null };
}

/** One card's count as the runs list answers it: exact up to 1,000, else 1,001 and not exact. */
export interface CappedCount {
  totalCount: number;
  totalCountIsExact: boolean;
}

/** The run statuses each card counts (seed 004's summary in runs); a run that completed with errors is partial. */
const RUN_CARD_STATUSES = { success: ['SUCCEEDED'], partial: ['COMPLETED_WITH_ERRORS'], failed: ['FAILED', 'ROLLED_BACK'] } as const;
type RunCard = keyof typeof RUN_CARD_STATUSES;

/**
 * The run filter of each card: the page's filter narrowed to the card's statuses. The statuses the filter names
 * are record statuses, so they are left out: a run is counted by its own status.
 */
export function runCardFilters(filter: RunFilterShape): Record<'total' | RunCard, RunFilterShape> {
  const { statuses: _recordStatuses, ...runs } = filter;
  const narrowed = (card: RunCard) => ({ ...runs, statuses: [...RUN_CARD_STATUSES[card]] });
  return { total: runs, success: narrowed('success'), partial: narrowed('partial'), failed: narrowed('failed') };
}

/** The cards of a run count; `exact` is false when a count passed 1,000 (its card reads "1,000+", no rate). */
export function runStatusCards(counts: Record<'total' | RunCard, CappedCount>): StatusCards & { exact: boolean } {
  const exact = Object.values(counts).every((count) => count.totalCountIsExact);
  const total = counts.total.totalCount;
  const completed = counts.success.totalCount + counts.partial.totalCount;
  return {
    total,
    success: counts.success.totalCount,
    partial: counts.partial.totalCount,
    failed: counts.failed.totalCount,
    successRate: exact && total > 0 ? completed / total : null,
    exact,
  };
}

/** A capped count as a card shows it: exact up to 1,000, "1,000+" past it (the runs list answers 1,001 there). */
export function formatCappedCount(value: number): string {
  return value > 1_000 ? `${formatCount(1_000)}+` : formatCount(value);
}

/**
 * Where a count window without a timeframe starts: before any sync history. Not 1970: syncSummary also reads the
 * window of equal length before it, and one reaching before 1970 fails on the server (SERVICE_UNAVAILABLE).
 */
const BEGINNING = '2000-01-01T00:00:00.000Z';

/** The window of a list's counts (sync logs' cards): the filters' timeframe, else everything until now. */
export function countWindow(filters: ConsoleFilters, now: number): Window {
  const range = timeWindow(filters, now) ?? {};
  return { from: range.from ?? BEGINNING, to: range.to ?? new Date(now).toISOString() };
}

export type Interval = 'MINUTE' | 'HOUR' | 'DAY';
export const INTERVALS: Interval[] = ['DAY', 'HOUR', 'MINUTE'];

/** The interval to show: the chosen one when allowed, else the finest allowed (the API lists the finest first). */
export function pickInterval(chosen: Interval | null, allowed: readonly Interval[]): Interval {
  if (chosen && allowed.includes(chosen)) return chosen;
  return allowed[0] ?? 'DAY';
}

export interface BucketLike {
  start: string;
  end: string;
  total: number;
  succeeded: number;
  failed: number;
  changePercent?: number | null;
}

/** A bucket's label on the axis, in the reader's time zone. */
export function bucketLabel(start: string, interval: Interval, locale?: string, timeZone?: string): string {
  const options: Intl.DateTimeFormatOptions =
    interval === 'DAY'
      ? { month: 'short', day: 'numeric', timeZone: timeZone ?? 'UTC' }
      : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone };
  return new Intl.DateTimeFormat(locale, options).format(new Date(start));
}

/** The hover text of a bar: its breakdown and its change against the bar before. */
export function bucketTooltip(bucket: BucketLike, label: string): string[] {
  const other = Math.max(0, bucket.total - bucket.succeeded - bucket.failed);
  const change = describeChange({ value: bucket.total, changePercent: bucket.changePercent }, true);
  return [
    label,
    `Total: ${formatCount(bucket.total)}`,
    `Succeeded: ${formatCount(bucket.succeeded)}`,
    `Failed: ${formatCount(bucket.failed)}`,
    ...(other > 0 ? [`Other: ${formatCount(other)}`] : []),
    `vs previous: ${change.text}`,
  ];
}

/** The record filter narrowed to one bucket of the chart (its start inclusive, end exclusive). */
export function narrowToBucket(filter: RecordFilterShape, bucket: { start: string; end: string } | null): RecordFilterShape {
  return bucket ? { ...filter, startedAt: { from: bucket.start, to: bucket.end } } : filter;
}

/**
 * A CSV field per RFC 4180: quoted when it holds a comma, quote or line break. Text that a spreadsheet would run as
 * a formula is neutralised first (worker-supplied entity types reach these files); numbers are written as they are.
 */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? neutraliseCell(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text with a header (CRLF line ends, as the server's exports). */
export function toCsv(header: string[], rows: unknown[][]): string {
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

export interface PerformanceRowLike {
  entityType: string;
  operation: string;
  mode: string;
  recordsSynced: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** The performance table as CSV (built in the browser: the rows are already all on screen, no export job needed). */
export function performanceCsv(rows: readonly PerformanceRowLike[]): string {
  return toCsv(
    ['entity_type', 'operation', 'mode', 'records_synced', 'p50_ms', 'p90_ms', 'p95_ms', 'p99_ms'],
    // Latencies in whole milliseconds, as the table shows them (the API's percentiles carry float noise).
    rows.map((r) => [r.entityType, r.operation, r.mode, r.recordsSynced, ...[r.p50Ms, r.p90Ms, r.p95Ms, r.p99Ms].map(Math.round)]),
  );
}

/** Calls `fn` at most once per `ms`, the last call of a burst included (trailing). */
export function throttle(fn: () => void, ms: number): { call(): void; cancel(): void } {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    call() {
      const wait = last + ms - Date.now();
      if (wait <= 0 && !timer) {
        last = Date.now();
        fn();
      } else if (!timer) {
        timer = setTimeout(
          () => {
            timer = null;
            last = Date.now();
            fn();
          },
          Math.max(0, wait),
        );
      }
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** The statuses the Failures tab lists: those SyncSummary.totalErrors counts. */
export const FAILURE_STATUSES = ['PARTIALLY_FAILED', ...FAILED];

/** The statuses of the failures list: the filter's failure statuses, or every failure status when it names none. */
export function failureStatuses(chosen: readonly string[] | undefined): string[] {
  const picked = (chosen ?? []).filter((s) => FAILURE_STATUSES.includes(s));
  return picked.length > 0 ? picked : [...FAILURE_STATUSES];
}
