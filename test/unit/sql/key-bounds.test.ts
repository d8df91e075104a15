// The partition key's bounds a read of runs' records takes as values: tight around the runs (keyBoundsOf), or the
// whole UTC days they were created in (dayBoundsOf), which prune the same days and keep within them.
import { describe, expect, it } from 'vitest';
import { dayBoundsOf, keyBoundsOf } from '../../../server/sql/record-partitions.js';

const at = (iso: string) => new Date(iso);

describe('key bounds of runs', () => {
  it('keyBoundsOf: a millisecond either side of the earliest and latest creation', () => {
    expect(keyBoundsOf([at('2026-12-07T10:00:00.000Z'), at('2026-12-05T08:30:00.250Z')])).toEqual([
      at('2026-12-05T08:30:00.249Z'),
      at('2026-12-07T10:00:00.001Z'),
    ]);
  });

  it('dayBoundsOf: from the first day’s midnight to the last day’s final millisecond, the next day left out', () => {
    expect(dayBoundsOf([at('2026-12-07T10:00:00.000Z'), at('2026-12-05T08:30:00.250Z')])).toEqual([
      at('2026-12-05T00:00:00.000Z'),
      at('2026-12-07T23:59:59.999Z'),
    ]);
    // A run made at midnight is in its own day, not the one before.
    expect(dayBoundsOf([at('2026-12-07T00:00:00.000Z')])).toEqual([at('2026-12-07T00:00:00.000Z'), at('2026-12-07T23:59:59.999Z')]);
    // A run made in the day's last millisecond (microseconds past it, which a Date drops): the bound reaches past it.
    expect(dayBoundsOf([at('2026-12-07T23:59:59.999Z')])).toEqual([at('2026-12-07T00:00:00.000Z'), at('2026-12-08T00:00:00.000Z')]);
  });
});
