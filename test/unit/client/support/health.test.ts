import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptyFilters } from '../../../../client/src/support/filters.js';
import {
  analyticsFilter,
  bucketTooltip,
  countWindow,
  csvField,
  describeChange,
  failureStatuses,
  formatCappedCount,
  formatLatency,
  formatRate,
  healthWindow,
  narrowToBucket,
  performanceCsv,
  pickInterval,
  runCardFilters,
  runStatusCards,
  statusCards,
  throttle,
} from '../../../../client/src/support/health.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');

describe('the health window', () => {
  it('is the last 7 days when the filters set no timeframe', () => {
    expect(healthWindow(emptyFilters(), NOW)).toEqual({ from: '2026-11-23T12:00:00.000Z', to: '2026-11-30T12:00:00.000Z' });
  });
  it('follows the timeframe, and a custom range with one end open gets the other', () => {
    expect(healthWindow({ ...emptyFilters(), timeframe: '24h' }, NOW)).toEqual({
      from: '2026-11-29T12:00:00.000Z',
      to: '2026-11-30T12:00:00.000Z',
    });
    const custom = { ...emptyFilters(), timeframe: 'custom' as const, end: '2026-11-10T00:00:00.000Z' };
    expect(healthWindow(custom, NOW)).toEqual({ from: '2026-11-03T00:00:00.000Z', to: '2026-11-10T00:00:00.000Z' });
  });
  it('leaves the window out of the analytics filter (it goes in range) and keeps the rest', () => {
    const filter = analyticsFilter({ ...emptyFilters(), timeframe: '7d', entityTypes: ['Account'], errorCode: 'X' }, NOW);
    expect(filter).toEqual({ entityTypes: ['Account'], errorCode: 'X' });
  });
});

describe('a card’s change', () => {
  it('reads up, down, flat or nothing to compare with, in percent with one decimal', () => {
    expect(describeChange({ value: 10, changePercent: 150 }, true)).toEqual({ text: '+150.0 %', direction: 'up', tone: 'good' });
    expect(describeChange({ value: 3, changePercent: -33.333 }, true)).toEqual({ text: '−33.3 %', direction: 'down', tone: 'bad' });
    expect(describeChange({ value: 3, changePercent: 0.01 }, false)).toEqual({ text: '0.0 %', direction: 'flat', tone: 'neutral' });
    expect(describeChange({ value: 3, changePercent: null }, false)).toEqual({ text: '—', direction: 'none', tone: 'neutral' });
  });
  it('keeps very large changes short enough for a card', () => {
    expect(describeChange({ value: 4181, changePercent: 418_000 / 100 }, true).text).toBe('+4,180 %');
    expect(describeChange({ value: 25_001, changePercent: 2_500_000 }, true).text).toBe('+2.5M %');
    expect(describeChange({ value: 1, changePercent: -999.94 }, true).text).toBe('−999.9 %');
  });
  it('takes more errors or latency as bad news', () => {
    expect(describeChange({ value: 5, changePercent: 25 }, false).tone).toBe('bad');
    expect(describeChange({ value: 5, changePercent: -25 }, false).tone).toBe('good');
  });
  it('formats rates and latencies', () => {
    expect(formatRate(0.3)).toBe('30.0 %');
    expect(formatRate(0)).toBe('0.0 %');
    expect(formatLatency(501.4)).toBe('501 ms');
    expect(formatLatency(999.4)).toBe('999 ms');
  });
  it('writes a latency over a second as seed 001 does (hh:mm:ss.ms)', () => {
    expect(formatLatency(1250)).toBe('00:00:01.250');
    expect(formatLatency(999.6)).toBe('00:00:01.000');
    expect(formatLatency(3_723_004.4)).toBe('01:02:03.004');
  });
});

describe('the status cards', () => {
  it('count success, partial and failed apart, and the success rate over every record', () => {
    const cards = statusCards([
      { status: 'SUCCESS', count: 6 },
      { status: 'PARTIAL_SUCCESS', count: 1 },
      { status: 'PARTIALLY_FAILED', count: 1 },
      { status: 'FAILED', count: 1 },
      { status: 'DEAD_LETTERED', count: 1 },
      { status: 'SKIPPED', count: 0 },
    ]);
    expect(cards).toEqual({ total: 10, success: 6, partial: 2, failed: 2, successRate: 0.7 });
  });
  it('has no success rate without records', () => {
    expect(statusCards([]).successRate).toBeNull();
  });
});

describe('the chart', () => {
  it('keeps the chosen interval when allowed, else takes the finest allowed', () => {
    expect(pickInterval('HOUR', ['HOUR', 'DAY'])).toBe('HOUR');
    expect(pickInterval('MINUTE', ['HOUR', 'DAY'])).toBe('HOUR');
    expect(pickInterval(null, ['DAY'])).toBe('DAY');
    expect(pickInterval('HOUR', [])).toBe('DAY');
  });
  it('shows a bucket’s breakdown and its change against the bucket before', () => {
    const bucket = { start: '2026-11-27T00:00:00Z', end: '2026-11-28T00:00:00Z', total: 6, succeeded: 4, failed: 2, changePercent: 50 };
    expect(bucketTooltip(bucket, 'Nov 27')).toEqual(['Nov 27', 'Total: 6', 'Succeeded: 4', 'Failed: 2', 'vs previous: +50.0 %']);
    expect(bucketTooltip({ ...bucket, total: 7, changePercent: null }, 'Nov 27')).toContain('Other: 1');
  });
  it('narrows the records to a bucket, and back', () => {
    const filter = { entityTypes: ['Account'], startedAt: { from: 'a' } };
    expect(narrowToBucket(filter, { start: 's', end: 'e' })).toEqual({ entityTypes: ['Account'], startedAt: { from: 's', to: 'e' } });
    expect(narrowToBucket(filter, null)).toBe(filter);
  });
});

describe('failures and CSV', () => {
  it('lists failure statuses only: the chosen ones, or all', () => {
    expect(failureStatuses(['FAILED', 'SUCCESS'])).toEqual(['FAILED']);
    expect(failureStatuses(['SUCCESS'])).toContain('DEAD_LETTERED');
    expect(failureStatuses(undefined)).toHaveLength(6);
  });
  it('quotes CSV fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
  });
  it('builds the performance CSV with a header and a line per row', () => {
    const csv = performanceCsv([
      { entityType: 'Account, EU', operation: 'CREATE', mode: 'MANUAL', recordsSynced: 3, p50Ms: 1, p90Ms: 2, p95Ms: 3, p99Ms: 4 },
    ]);
    expect(csv).toBe('entity_type,operation,mode,records_synced,p50_ms,p90_ms,p95_ms,p99_ms\r\n"Account, EU",CREATE,MANUAL,3,1,2,3,4\r\n');
  });
  it('rounds the latencies of the performance CSV to whole milliseconds, as the table shows them', () => {
    const csv = performanceCsv([
      {
        entityType: 'Account',
        operation: 'CREATE',
        mode: 'MANUAL',
        recordsSynced: 3,
        p50Ms: 88.48728722251576,
        p90Ms: 1250.5,
        p95Ms: 0.2,
        p99Ms: 4,
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe('Account,CREATE,MANUAL,3,88,1251,0,4');
  });
  it('neutralises worker text that a spreadsheet would run as a formula, as the server’s exports do', () => {
    const csv = performanceCsv([
      {
        entityType: '=HYPERLINK("http://x","y")',
        operation: 'CREATE',
        mode: 'MANUAL',
        recordsSynced: 1,
        p50Ms: 1,
        p90Ms: 1,
        p95Ms: 1,
        p99Ms: 1,
      },
      { entityType: '@SUM(A1)', operation: 'UPDATE', mode: 'MANUAL', recordsSynced: 1, p50Ms: 1, p90Ms: 1, p95Ms: 1, p99Ms: 1 },
    ]);
    const [, first, second] = csv.split('\r\n');
    expect(first).toBe(`"'=HYPERLINK(""http://x"",""y"")",CREATE,MANUAL,1,1,1,1,1`);
    expect(second).toBe("'@SUM(A1),UPDATE,MANUAL,1,1,1,1,1");
  });
});

describe('throttle', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW }));
  afterEach(() => vi.useRealTimers());
  it('calls at once, then once more at the end of a burst', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    t.call();
    t.call();
    t.call();
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
  });
  it('calls nothing after cancel', () => {
    const fn = vi.fn();
    const t = throttle(fn, 1000);
    t.call();
    t.call();
    t.cancel();
    vi.advanceTimersByTime(2000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('the status cards in runs (seed 004)', () => {
  it('asks one count per card: the filter without its record statuses, narrowed to the card’s run statuses', () => {
    const cards = runCardFilters({ pipelineIds: ['p'], statuses: ['FAILED'], startedAt: { from: 'a', to: 'b' } });
    expect(cards.total).toEqual({ pipelineIds: ['p'], startedAt: { from: 'a', to: 'b' } });
    expect(cards.success.statuses).toEqual(['SUCCEEDED']);
    expect(cards.partial.statuses).toEqual(['COMPLETED_WITH_ERRORS']);
    expect(cards.failed.statuses).toEqual(['FAILED', 'ROLLED_BACK']);
  });
  it('counts completed runs (with errors too) as successes, and gives no rate past the cap', () => {
    const exact = (n: number) => ({ totalCount: n, totalCountIsExact: true });
    expect(runStatusCards({ total: exact(5), success: exact(1), partial: exact(2), failed: exact(1) })).toEqual({
      total: 5,
      success: 1,
      partial: 2,
      failed: 1,
      successRate: 0.6,
      exact: true,
    });
    const capped = runStatusCards({
      total: { totalCount: 1001, totalCountIsExact: false },
      success: exact(3),
      partial: exact(0),
      failed: exact(0),
    });
    expect(capped.successRate).toBeNull();
    expect(formatCappedCount(capped.total)).toBe('1,000+');
    expect(formatCappedCount(1000)).toBe('1,000');
  });
  it('counts sync logs over the timeframe, or from 2000 when there is none', () => {
    expect(countWindow(emptyFilters(), NOW)).toEqual({ from: '2000-01-01T00:00:00.000Z', to: '2026-11-30T12:00:00.000Z' });
    expect(countWindow({ ...emptyFilters(), timeframe: '24h' }, NOW)).toEqual({
      from: '2026-11-29T12:00:00.000Z',
      to: '2026-11-30T12:00:00.000Z',
    });
  });
});
