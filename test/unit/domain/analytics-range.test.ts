import { describe, expect, it } from 'vitest';
import { allowedIntervals, checkInterval, DAY_MS, HOUR_MS, resolveWindow, segments } from '../../../server/domain/analytics-range.js';
import { TimeInterval } from '../../../server/domain/enums.js';

const T = Date.UTC(2026, 10, 10);
const w = (from: number, to: number) => ({ from: new Date(from), to: new Date(to) });

describe('resolveWindow', () => {
  it('defaults to the 7 days before now, or before the given end', () => {
    const now = new Date(T);
    expect(resolveWindow(undefined, now)).toEqual(w(T - 7 * DAY_MS, T));
    expect(resolveWindow({ to: new Date(T - DAY_MS) }, now)).toEqual(w(T - 8 * DAY_MS, T - DAY_MS));
    expect(resolveWindow({ from: new Date(T - HOUR_MS) }, now)).toEqual(w(T - HOUR_MS, T));
  });

  it('refuses an empty or backwards window', () => {
    expect(() => resolveWindow({ from: new Date(T), to: new Date(T) })).toThrow(/before/);
  });
});

describe('allowedIntervals', () => {
  it('MINUTE up to 6 hours, HOUR up to 60, DAY always', () => {
    expect(allowedIntervals(w(T, T + 6 * HOUR_MS))).toEqual(['MINUTE', 'HOUR', 'DAY']);
    expect(allowedIntervals(w(T, T + 6 * HOUR_MS + 1))).toEqual(['HOUR', 'DAY']);
    expect(allowedIntervals(w(T, T + 60 * HOUR_MS + 1))).toEqual(['DAY']);
    expect(() => checkInterval(w(T, T + 61 * HOUR_MS), TimeInterval.HOUR)).toThrow(/allowed: DAY/);
  });
});

describe('segments', () => {
  it('answers whole days from daily rollups, whole hours from hourly ones, the minutes at the edges from records', () => {
    const from = T - 30 * 60_000; // 23:30 the day before
    const to = T + 2 * DAY_MS + 5 * HOUR_MS + 10 * 60_000;
    expect(segments(w(from, to), ['day', 'hour'])).toEqual([
      { source: 'raw', from, to: T },
      { source: 'day', from: T, to: T + 2 * DAY_MS },
      { source: 'hour', from: T + 2 * DAY_MS, to: T + 2 * DAY_MS + 5 * HOUR_MS },
      { source: 'raw', from: T + 2 * DAY_MS + 5 * HOUR_MS, to },
    ]);
  });

  it('cuts at bucket edges so no rollup row straddles two buckets, and merges what is left', () => {
    const cut = T + DAY_MS + 90 * 60_000; // 01:30: the hour 01:00-02:00 must come from records
    expect(segments(w(T, T + 2 * DAY_MS), ['day', 'hour'], [cut])).toEqual([
      { source: 'day', from: T, to: T + DAY_MS },
      { source: 'hour', from: T + DAY_MS, to: T + DAY_MS + HOUR_MS },
      { source: 'raw', from: T + DAY_MS + HOUR_MS, to: T + DAY_MS + 2 * HOUR_MS },
      { source: 'hour', from: T + DAY_MS + 2 * HOUR_MS, to: T + 2 * DAY_MS },
    ]);
  });

  it('uses records only when no rollup may answer, and within one hour', () => {
    expect(segments(w(T, T + DAY_MS), [])).toEqual([{ source: 'raw', from: T, to: T + DAY_MS }]);
    expect(segments(w(T + 60_000, T + 120_000), ['day', 'hour'])).toEqual([{ source: 'raw', from: T + 60_000, to: T + 120_000 }]);
  });
});
