import { describe, expect, it } from 'vitest';
import { checkFingerprint, DEFAULT_ERROR_GROUP_DAYS, errorGroupWindow } from '../../../server/domain/error-group.js';
import { errorFingerprint } from '../../../server/domain/error-text.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const DAY = 86_400_000;

describe('errorGroupWindow', () => {
  it('defaults to the last 7 days', () => {
    expect(errorGroupWindow(null, NOW)).toEqual({ from: new Date(NOW.getTime() - DEFAULT_ERROR_GROUP_DAYS * DAY), to: NOW });
    expect(DEFAULT_ERROR_GROUP_DAYS).toBe(7);
  });

  it('fills an open end: to from now, from as 7 days before to', () => {
    const from = new Date('2026-11-01T00:00:00Z');
    const to = new Date('2026-11-10T00:00:00Z');
    expect(errorGroupWindow({ from }, NOW)).toEqual({ from, to: NOW });
    expect(errorGroupWindow({ to }, NOW)).toEqual({ from: new Date(to.getTime() - 7 * DAY), to });
    expect(errorGroupWindow({ from, to }, NOW)).toEqual({ from, to });
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => errorGroupWindow({ from: NOW, to: new Date(NOW.getTime() - 1) }, NOW)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });
});

describe('checkFingerprint', () => {
  it('takes what errorFingerprint makes', () => {
    const fingerprint = errorFingerprint('E_LOCKED', 'row 12 locked') as string;
    expect(checkFingerprint(fingerprint, 'fingerprint')).toBe(fingerprint);
  });

  it.each(['', 'not-hex', 'ABCDEF0123456789', '0123456', 'a'.repeat(65), '0123456789abcdef '])('refuses %j', (value) => {
    expect(() => checkFingerprint(value, 'fingerprint')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
