import { describe, expect, it } from 'vitest';
import { checkCursorValue, checkPageSize, decodeCursor, encodeCursor, MAX_PAGE_SIZE } from '../../../server/domain/cursor.js';
import { AppError } from '../../../server/domain/errors.js';

const badInput = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('BAD_USER_INPUT');
    return (error as AppError).message;
  }
  throw new Error('expected BAD_USER_INPUT');
};

describe('cursors', () => {
  it.each([
    { field: 'STARTED_AT', value: '2026-11-23 10:00:00.123456+00', id: '6f1c1c8e-0000-4000-8000-000000000001' },
    { field: 'LATENCY', value: 0, id: '42' },
    { field: 'LATENCY', value: -1, id: '9007199254740993' },
    { field: 'ENDED_AT', value: 'infinity', id: '7' },
    { field: 'ID', value: null, id: '1' },
  ])('round-trips $field $value', (cursor) => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/); // opaque and URL-safe
    expect(decodeCursor(encoded, cursor.field)).toEqual(cursor);
  });

  it('encodes each cursor as the base64url of its JSON, byte for byte, plain or not', () => {
    const reference = (c: { field: string; value: string | number | null; id: string }) =>
      Buffer.from(JSON.stringify([c.field, c.value, c.id])).toString('base64url');
    const values = [
      '2026-11-23 10:00:00.123456+00',
      '2026-11-23 10:00:00+00',
      '-12',
      '',
      ' ',
      '~!#[]{}',
      'a"b',
      'a\\b',
      'é',
      '\u0000',
      '\u001f',
      '\u007f',
      '\ud800',
      '😀',
      'x'.repeat(1100),
    ];
    const cursors = ['STARTED_AT', 'ID', 'A', 'AB', 'ABC', 'Fé"ld'].flatMap((field) =>
      [...values, 0, -1, 12.5, null].flatMap((value) => ['1', '42', '', 'a"\\', 'é', 'x'.repeat(1100)].map((id) => ({ field, value, id }))),
    );
    for (const cursor of cursors) {
      expect(encodeCursor(cursor)).toBe(reference(cursor));
      expect(decodeCursor(encodeCursor(cursor), cursor.field)).toEqual(cursor);
    }
  });

  it('refuses a cursor of another sort field', () => {
    const encoded = encodeCursor({ field: 'STARTED_AT', value: 'x', id: '1' });
    expect(badInput(() => decodeCursor(encoded, 'ENDED_AT'))).toMatch(/another sort order/);
  });

  it.each([
    'garbage!',
    '',
    Buffer.from('not json').toString('base64url'),
    Buffer.from('{"field":"ID"}').toString('base64url'),
    Buffer.from('["ID",null]').toString('base64url'),
    Buffer.from('["ID",null,1]').toString('base64url'),
    Buffer.from('[1,null,"1"]').toString('base64url'),
    Buffer.from('["ID",{},"1"]').toString('base64url'),
  ])('refuses %j as BAD_USER_INPUT', (raw) => {
    badInput(() => decodeCursor(raw, 'ID'));
  });
});

describe('checkPageSize', () => {
  it('takes 1 to 500', () => {
    expect(checkPageSize(1)).toBe(1);
    expect(checkPageSize(MAX_PAGE_SIZE)).toBe(500);
  });

  it.each([0, -1, 501, 1.5, Number.NaN])('refuses %s', (first) => {
    expect(badInput(() => checkPageSize(first))).toMatch(/first/);
  });
});

describe('cursor values', () => {
  it.each([
    ['2026-11-23 10:00:00.123456+00', 'timestamptz'],
    ['2026-02-28 23:59:59+05:30', 'timestamptz'],
    ['infinity', 'timestamptz'],
    ['0', 'integer'],
    ['-1', 'integer'],
    ['2147483647', 'integer'],
  ] as const)('accepts what the database wrote: %s (%s)', (value, type) => {
    expect(checkCursorValue(value, type)).toBe(value);
  });

  it.each([
    ['not a date', 'timestamptz'],
    ['2026-02-30 10:00:00+00', 'timestamptz'],
    ['2026-13-01 10:00:00+00', 'timestamptz'],
    ['2026-01-01 25:00:00+00', 'timestamptz'],
    ['2026-01-01 10:00:00+00; drop table runs', 'timestamptz'],
    ['2147483648', 'integer'],
    ['1e3', 'integer'],
    ['', 'integer'],
  ] as const)('refuses a forged value as BAD_USER_INPUT: %s (%s)', (value, type) => {
    badInput(() => checkCursorValue(value, type));
  });

  it('refuses a value that is not text', () => {
    badInput(() => checkCursorValue(7, 'integer'));
    badInput(() => checkCursorValue(null, 'timestamptz'));
  });
});
