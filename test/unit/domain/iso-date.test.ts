import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dateFromPostgres, isoText } from '../../../server/domain/iso-date.js';

// pg's own reading of a timestamptz (postgres-date), which the list pages used before.
const pgParse = pg.types.getTypeParser(1184, 'text') as (text: string) => Date;

/** A timestamptz as PostgreSQL writes it in UTC: the fraction's trailing zeros dropped, none when whole. */
function postgresText(time: number, micros: number): string {
  const iso = new Date(time).toISOString();
  const fraction = `${iso.slice(20, 23)}${String(micros).padStart(3, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
}

describe('dateFromPostgres', () => {
  it('gives the instant and the toISOString() text pg and Date gave, for any fraction of 0 to 6 digits', () => {
    const instants = [
      Date.UTC(100, 0, 1),
      Date.UTC(999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1000, 0, 1),
      Date.UTC(1970, 0, 1),
      Date.UTC(2024, 1, 29, 12, 0, 0, 5),
      Date.UTC(2026, 11, 1, 0, 30, 37, 194),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const [from, to] = [Date.UTC(100, 0, 1), Date.UTC(9999, 11, 31)];
    for (let i = 0; i < 1_000; i++) instants.push(from + Math.floor(random() * (to - from)));
    for (const time of instants) {
      for (const micros of [0, 1, 10, 100, 456, 999]) {
        const text = postgresText(time, micros);
        const expected = pgParse(text);
        const read = dateFromPostgres(text);
        // A plain Date, as pg's: equal to it in every way a test or a caller can see.
        expect(read, text).toStrictEqual(expected);
        expect(isoText(read as Date), text).toBe(expected.toISOString());
      }
    }
  });

  it('leaves every other form to pg: another offset, BC, infinity, years past 9999 or before 100', () => {
    for (const text of [
      '2026-12-01 01:30:37.194+01',
      '2026-12-01 00:30:37.194+00:30',
      '0044-03-15 12:00:00+00 BC',
      'infinity',
      '-infinity',
      '10000-01-01 00:00:00+00',
      '0050-06-01 00:00:00+00',
      '2026-12-01',
    ]) {
      expect(dateFromPostgres(text), text).toBeNull();
    }
  });
});

describe('isoText', () => {
  it('is toISOString() for any Date, and for an IsoDate set to another time since it was read', () => {
    const plain = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(isoText(plain)).toBe(plain.toISOString());
    const read = dateFromPostgres('2026-12-01 00:30:37.194123+00') as Date;
    expect(isoText(read)).toBe('2026-12-01T00:30:37.194Z');
    read.setUTCFullYear(2027);
    expect(isoText(read)).toBe('2027-12-01T00:30:37.194Z');
  });
});
