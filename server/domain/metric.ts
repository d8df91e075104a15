// A figure beside the same figure over the previous window of equal length (week-over-week on the default window).

export interface Metric {
  value: number;
  previous: number | null;
  changePercent: number | null;
}

/** Change from `previous` to `value` in percent of `previous`; null when there is nothing to compare with (0 or null). */
export function changePercent(value: number, previous: number | null): number | null {
  if (previous === null || previous === 0) return null;
  return ((value - previous) / previous) * 100;
}

export const metric = (value: number, previous: number | null): Metric => ({
  value,
  previous,
  changePercent: changePercent(value, previous),
});
