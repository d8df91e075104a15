import { describe, expect, it } from 'vitest';
import { changePercent, metric } from '../../../server/domain/metric.js';

describe('metric', () => {
  it('gives the change in percent of the previous value, null when there is none to compare with', () => {
    expect(changePercent(150, 100)).toBe(50);
    expect(changePercent(0, 40)).toBe(-100);
    expect(changePercent(5, 0)).toBeNull();
    expect(changePercent(5, null)).toBeNull();
    expect(metric(3, 4)).toEqual({ value: 3, previous: 4, changePercent: -25 });
  });
});
