import { describe, expect, it } from 'vitest';
import { percentiles } from '../../../server/domain/latency-histogram.js';

/** PostgreSQL's percentile_cont over plain values. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const low = Math.floor(rank);
  return low === rank ? sorted[low] : sorted[low] + (rank - low) * (sorted[low + 1] - sorted[low]);
}

describe('percentiles', () => {
  it('equals percentile_cont when every bin is one exact value', () => {
    const values = [1, 2, 2, 3, 7, 7, 7, 9, 12, 40];
    const bins = [...new Set(values)].map((value) => ({ value, count: values.filter((v) => v === value).length }));
    for (const p of [0, 0.25, 0.5, 0.9, 0.95, 0.99, 1]) expect(percentiles(bins, [p])[0]).toBeCloseTo(exact(values, p), 10);
  });

  it('is null for every fraction of an empty histogram; ignores empty bins', () => {
    expect(percentiles([], [0.5, 0.9])).toEqual([null, null]);
    expect(
      percentiles(
        [
          { value: 5, count: 0 },
          { value: 8, count: 2 },
        ],
        [0.5],
      ),
    ).toEqual([8]);
  });
});
