import { describe, expect, it } from 'vitest';
import {
  allowedIntervals,
  checkInterval,
  DAY_MS,
  HOUR_MS,
  planAggregate,
  resolveWindow,
  segments,
} from '../../../server/domain/analytics-range.js';
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

describe('planAggregate', () => {
  const M = 60_000;
  it('reads records for an edge of half an hour or less', () => {
    const plan = planAggregate(w(T + 40 * M, T + 3 * HOUR_MS + 20 * M), ['day', 'hour'], { sizeMs: DAY_MS, originMs: 0 });
    expect(plan.rollups).toEqual([{ source: 'hour', from: T + HOUR_MS, to: T + 3 * HOUR_MS }]);
    expect(plan.borrowedHours.size).toBe(0);
    expect(plan.raw).toEqual([
      { from: T + 40 * M, to: T + HOUR_MS, contributions: [{ own: true }] },
      { from: T + 3 * HOUR_MS, to: T + 3 * HOUR_MS + 20 * M, contributions: [{ own: true }] },
    ]);
  });

  it('borrows the hour of a longer edge and takes the rest of the hour off, inside the window or not', () => {
    // Ends 50 minutes into an hour ("now"): the hour counts whole, less its last 10 minutes.
    const plan = planAggregate(w(T - 2 * HOUR_MS, T + 50 * M), ['day', 'hour'], { sizeMs: DAY_MS, originMs: 0 });
    expect(plan.borrowedHours).toEqual(new Map([[T, T]]));
    expect(plan.raw).toEqual([{ from: T + 50 * M, to: T + HOUR_MS, contributions: [{ bucket: T, sign: -1 }] }]);
  });

  it('at a cut inside an hour, borrows it for the larger side; the smaller side counts for its own bucket and is taken off the other', () => {
    const cut = T + 10 * M;
    const plan = planAggregate(w(cut - DAY_MS, cut + DAY_MS), ['day', 'hour'], { sizeMs: DAY_MS, originMs: cut - DAY_MS });
    expect(plan.borrowedHours.get(T)).toBe(cut);
    expect(plan.raw).toContainEqual({ from: T, to: cut, contributions: [{ own: true }, { bucket: cut, sign: -1 }] });
  });

  it('never borrows without hourly rollups (MINUTE series)', () => {
    const plan = planAggregate(w(T + 5 * M, T + 55 * M), [], { sizeMs: M, originMs: 0 });
    expect(plan.borrowedHours.size).toBe(0);
    expect(plan.raw).toEqual([{ from: T + 5 * M, to: T + 55 * M, contributions: [{ own: true }] }]);
  });
});
