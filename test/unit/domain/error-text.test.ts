import { describe, expect, it } from 'vitest';
import {
  errorFingerprint,
  MAX_ERROR_MESSAGE_BYTES,
  normalizeErrorMessage,
  TRUNCATION_MARKER,
  truncateErrorMessage,
} from '../../../server/domain/error-text.js';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('truncateErrorMessage', () => {
  it('keeps a message of up to 8 KiB as it is', () => {
    expect(truncateErrorMessage('short')).toBe('short');
    const exact = 'a'.repeat(MAX_ERROR_MESSAGE_BYTES);
    expect(truncateErrorMessage(exact)).toBe(exact);
  });

  it('cuts a longer one to 8 KiB, marker included', () => {
    const cut = truncateErrorMessage('a'.repeat(MAX_ERROR_MESSAGE_BYTES + 1));
    expect(bytes(cut)).toBe(MAX_ERROR_MESSAGE_BYTES);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it.each(['é', '日', '🙂'])('never splits a multi-byte character (%s)', (char) => {
    const message = `x${char.repeat(MAX_ERROR_MESSAGE_BYTES)}`;
    const cut = truncateErrorMessage(message);
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(bytes(cut)).toBeGreaterThan(MAX_ERROR_MESSAGE_BYTES - bytes(char));
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
    const kept = cut.slice(0, -TRUNCATION_MARKER.length);
    expect(message.startsWith(kept)).toBe(true);
    expect(kept).not.toContain('\uFFFD');
    expect(Buffer.from(kept, 'utf8').toString('utf8')).toBe(kept);
  });
});

describe('normalizeErrorMessage', () => {
  it('replaces numbers, ids and quoted values', () => {
    expect(normalizeErrorMessage('Row 123 locked after 4.5 s')).toBe('Row <n> locked after <n> s');
    expect(normalizeErrorMessage('Account "ACME-77" not found')).toBe('Account <value> not found');
    expect(normalizeErrorMessage("user 'bob' denied")).toBe('user <value> denied');
    expect(normalizeErrorMessage('run 6f1c1c8e-1234-4abc-8def-0123456789ab failed')).toBe('run <id> failed');
    expect(normalizeErrorMessage('record ABC123XYZ missing')).toBe('record <id> missing');
  });

  it('folds whitespace and keeps words', () => {
    expect(normalizeErrorMessage('  connection\n\treset  by peer ')).toBe('connection reset by peer');
  });
});

describe('errorFingerprint', () => {
  it('is the same when only the varying parts differ', () => {
    expect(errorFingerprint('E_LOCKED', 'Row 1 is locked')).toBe(errorFingerprint('E_LOCKED', 'Row 98765 is locked'));
    expect(errorFingerprint('E_404', 'Account "A-1" missing')).toBe(errorFingerprint('E_404', 'Account "B-2" missing'));
  });

  it('is the same for a number of any width: a number is a number, not an id', () => {
    expect(errorFingerprint('E_LOCK', 'Unable to lock row 1001')).toBe(errorFingerprint('E_LOCK', 'Unable to lock row 777777'));
    expect(normalizeErrorMessage('Unable to lock row 777777')).toBe('Unable to lock row <n>');
    expect(normalizeErrorMessage('order 2026-12-07 row -1234567')).toBe('order <n>-<n>-<n> row -<n>');
    // Letters with digits stay an id.
    expect(normalizeErrorMessage('row A777777 and row 777_77')).toBe('row <id> and row <id>');
  });

  it('differs by code and by wording', () => {
    expect(errorFingerprint('E_LOCKED', 'Row 1 is locked')).not.toBe(errorFingerprint('E_BUSY', 'Row 1 is locked'));
    expect(errorFingerprint('E_LOCKED', 'Row 1 is locked')).not.toBe(errorFingerprint('E_LOCKED', 'Row 1 is gone'));
  });

  it('is null when there is neither code nor message, short hex otherwise', () => {
    expect(errorFingerprint(null, null)).toBeNull();
    expect(errorFingerprint('', undefined)).toBeNull();
    expect(errorFingerprint('E', null)).toMatch(/^[0-9a-f]{16}$/);
    expect(errorFingerprint(null, 'boom')).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('normalizeErrorMessage on hostile input', () => {
  // The former id pattern, kept here to check the one-pass replacement against, with a letter or `_` required
  // as well as a digit (a run of digits is a number).
  const former = (message: string) => message.replace(/\b(?=[A-Za-z_-]*\d)(?=[0-9-]*[A-Za-z_])[A-Za-z0-9_-]{6,}\b/g, '<id>');
  const idsOnly = (message: string) => normalizeErrorMessage(message.replace(/\s/g, ' '));

  it('replaces ids as the former pattern did', () => {
    const pieces = ['a', 'b', 'Z', '_', '-', '1', '9', ' ', '.', ':', '<', '"'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 3_000; n++) {
      const message = Array.from({ length: 1 + Math.floor(random() * 24) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      // Only the id step differs between the two; the other steps run on both sides alike.
      const quoted = message.replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '<value>');
      const expected = former(quoted)
        .replace(/\d+(\.\d+)?/g, '<n>')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 500);
      expect(idsOnly(message), JSON.stringify(message)).toBe(expected);
    }
    expect(normalizeErrorMessage('key -abc123- and a-b-c-1-')).toBe('key -<id>- and <id>-');
  });

  // 8 KB shapes that made the former pattern rescan a run from every word boundary in it (about 60 ms
  // each): two hundred of them took some 12 s and now take milliseconds, well inside the test's timeout.
  const hostile = [
    'a-'.repeat(4_096),
    `${'-'.repeat(8_191)}a`,
    'a_-'.repeat(2_730),
    'ab-'.repeat(2_730),
    'aaaaaaaa-'.repeat(910),
    `x${'a-'.repeat(4_095)}1`,
    '"a-'.repeat(2_730),
    '0.'.repeat(4_096),
  ];
  it('is linear in the message length', { timeout: 5_000 }, () => {
    for (let round = 0; round < 25; round++) {
      for (const message of hostile) expect(errorFingerprint('E', message)).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(normalizeErrorMessage(`${'a-'.repeat(4_095)}1`)).toBe('<id>');
  });
});
