import { describe, expect, it } from 'vitest';
import { DateTimeScalar, parseDateTime } from '../../../server/graphql/date-time.js';

describe('DateTime', () => {
  it.each([
    ['2026-11-23T10:15:30Z', '2026-11-23T10:15:30.000Z'],
    ['2026-11-23T10:15:30.123Z', '2026-11-23T10:15:30.123Z'],
    ['2026-11-23T12:15:30+02:00', '2026-11-23T10:15:30.000Z'],
    ['2026-11-23t10:15:30z', '2026-11-23T10:15:30.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['2026-11-23T10:15:30.123456Z', '2026-11-23T10:15:30.123Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    'yesterday',
    '2026-11-23',
    '2026-11-23T10:15:30',
    '2026-02-30T10:00:00Z',
    '2025-02-29T10:00:00Z',
    '2026-13-45T00:00:00Z',
    '2026-11-23T25:00:00Z',
    '2026-11-23T10:60:00Z',
    '2026-11-23T10:15:30+24:00',
    ' 2026-11-23T10:15:30Z',
    '0000-01-01T00:00:00+01:00',
  ])('refuses %s', (text) => {
    expect(parseDateTime(text)).toBeNull();
    expect(() => DateTimeScalar.parseValue(text)).toThrow(/RFC 3339/);
  });

  it('refuses what is not text, and answers dates in UTC', () => {
    expect(() => DateTimeScalar.parseValue(12)).toThrow(/RFC 3339/);
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2026, 10, 23, 10)))).toBe('2026-11-23T10:00:00.000Z');
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow();
  });
});
