import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, humanize } from '../../../../client/src/support/format.js';

describe('formatDuration', () => {
  it('reads like a person would say it', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
  });

  it('shows a dash while the duration is unknown', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
  });
});

describe('formatDateTime', () => {
  it('formats in the given locale and time zone', () => {
    expect(formatDateTime('2026-11-23T19:05:09Z', 'en-GB', 'UTC')).toBe('23 Nov 2026, 19:05:09');
  });

  it('shows a dash for a missing or malformed time', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
  });
});

describe('humanize', () => {
  it('turns an enum value into a label', () => {
    expect(humanize('COMPLETED_WITH_ERRORS')).toBe('Completed with errors');
    expect(humanize('ON_DEMAND')).toBe('On demand');
  });
});
