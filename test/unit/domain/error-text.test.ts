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
