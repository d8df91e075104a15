// Percentiles from a latency histogram, computed as PostgreSQL's percentile_cont computes them from the values:
// the value at rank p × (n − 1), interpolated between its neighbours. Each bin stands for its bucket's value
// (latency_bucket_value in SQL: exact below 64 ms, within 2.2 % above), so results stay within 5 % of exact.

export interface HistogramBin {
  /** The latency the bin stands for, in milliseconds. */
  value: number;
  count: number;
}

/** Several percentiles (fractions 0..1) of one histogram; null each when it is empty. */
export function percentiles(bins: readonly HistogramBin[], fractions: readonly number[]): (number | null)[] {
  const sorted = bins.filter((bin) => bin.count > 0).sort((a, b) => a.value - b.value);
  const total = sorted.reduce((sum, bin) => sum + bin.count, 0);
  if (total === 0) return fractions.map(() => null);
  // The value of the k-th smallest latency (0-based).
  const valueAt = (k: number): number => {
    let seen = 0;
    for (const bin of sorted) {
      seen += bin.count;
      if (k < seen) return bin.value;
    }
    return sorted[sorted.length - 1].value;
  };
  return fractions.map((p) => {
    const rank = p * (total - 1);
    const low = Math.floor(rank);
    const lowValue = valueAt(low);
    return rank === low ? lowValue : lowValue + (rank - low) * (valueAt(low + 1) - lowValue);
  });
}
