import { describe, expect, it } from 'vitest';
import { allowedIntervals, checkInterval, DAY_MS, HOUR_MS, planAggregate, resolveWindow } from '../../../server/domain/analytics-range.js';
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

describe('planAggregate', () => {
  const M = 60_000;
  const DAYS = { sizeMs: DAY_MS, originMs: 0 };
  const plus = (bucket: number) => [{ bucket, sign: 1 }];
  const minus = (bucket: number) => [{ bucket, sign: -1 }];

  it('reads whole hours from rollups and an edge of half an hour or less from records', () => {
    const plan = planAggregate(w(T + 40 * M, T + 3 * HOUR_MS + 20 * M), ['day', 'hour'], DAYS);
    expect(plan.cells).toEqual([
      { tier: 'hour', start: T + HOUR_MS, contributions: plus(T) },
      { tier: 'hour', start: T + 2 * HOUR_MS, contributions: plus(T) },
    ]);
    expect(plan.raw).toEqual([
      { from: T + 40 * M, to: T + HOUR_MS, own: false, contributions: plus(T) },
      { from: T + 3 * HOUR_MS, to: T + 3 * HOUR_MS + 20 * M, own: false, contributions: plus(T) },
    ]);
  });

  it('borrows the hour of a longer edge and takes the rest of it off, inside the window or not', () => {
    // Ends 50 minutes into an hour ("now"): the hour counts whole, less its last 10 minutes.
    const plan = planAggregate(w(T - 2 * HOUR_MS, T + 50 * M), ['day', 'hour'], DAYS);
    expect(plan.cells).toContainEqual({ tier: 'hour', start: T, contributions: plus(T) });
    expect(plan.raw).toEqual([{ from: T + 50 * M, to: T + HOUR_MS, own: false, contributions: minus(T) }]);
  });

  it('borrows a day the window covers more than half of, taking its other hours off', () => {
    const from = T + 3 * HOUR_MS;
    const plan = planAggregate(w(from, T + DAY_MS + 20 * HOUR_MS), ['day', 'hour'], { sizeMs: 2 * DAY_MS, originMs: from });
    expect(plan.cells).toEqual(
      [
        { tier: 'day', start: T, contributions: plus(from) },
        ...[0, 1, 2].map((h) => ({ tier: 'hour', start: T + h * HOUR_MS, contributions: minus(from) })),
        { tier: 'day', start: T + DAY_MS, contributions: plus(from) },
        ...[20, 21, 22, 23].map((h) => ({ tier: 'hour', start: T + DAY_MS + h * HOUR_MS, contributions: minus(from) })),
      ].sort((x, y) => x.start - y.start || x.tier.localeCompare(y.tier)),
    );
    expect(plan.raw).toEqual([]);
  });

  it('at a cut inside an hour, the larger side borrows; the smaller side counts for its own bucket and is taken off the other', () => {
    const cut = T + 10 * M;
    const plan = planAggregate(w(cut - DAY_MS, cut + DAY_MS), ['day', 'hour'], { sizeMs: DAY_MS, originMs: cut - DAY_MS });
    // The later bucket covers all of day T but its first 10 minutes: it borrows the day, less those minutes.
    expect(plan.cells).toContainEqual({ tier: 'day', start: T, contributions: plus(cut) });
    expect(plan.raw).toContainEqual({ from: T, to: cut, own: false, contributions: [...plus(cut - DAY_MS), ...minus(cut)] });
    // No range of records overlaps another.
    const sorted = [...plan.raw].sort((x, y) => x.from - y.from);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i].from).toBeGreaterThanOrEqual(sorted[i - 1].to);
  });

  it('without rollups (MINUTE series) reads the records, each counting in its own bucket', () => {
    const plan = planAggregate(w(T + 5 * M, T + 55 * M), [], { sizeMs: M, originMs: 0 });
    expect(plan).toEqual({ cells: [], raw: [{ from: T + 5 * M, to: T + 55 * M, own: true, contributions: [] }] });
  });
});
