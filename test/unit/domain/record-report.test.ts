import { describe, expect, it } from 'vitest';
import { RecordOperation, RecordStatus } from '../../../server/domain/enums.js';
import { errorFingerprint, MAX_ERROR_MESSAGE_BYTES, TRUNCATION_MARKER } from '../../../server/domain/error-text.js';
import { type NormalizedReport, normalizeReport, type RecordReport } from '../../../server/domain/record-report.js';

const entry = (overrides: Partial<RecordReport> = {}): RecordReport => ({
  entityType: 'Account',
  sourceId: 'A-1',
  operation: RecordOperation.CREATE,
  status: RecordStatus.SUCCESS,
  ...overrides,
});

const accepted = (overrides: Partial<RecordReport> = {}): NormalizedReport => {
  const result = normalizeReport(entry(overrides));
  if ('reason' in result) throw new Error(`rejected: ${result.reason}`);
  return result;
};

const reason = (overrides: Partial<RecordReport>): string => {
  const result = normalizeReport(entry(overrides));
  if (!('reason' in result)) throw new Error('expected a rejection');
  return result.reason;
};

describe('normalizeReport', () => {
  it('fills what was not given', () => {
    expect(accepted()).toEqual({
      entityType: 'Account',
      sourceId: 'A-1',
      targetId: null,
      operation: 'CREATE',
      status: 'SUCCESS',
      errorCode: null,
      errorMessage: null,
      errorFingerprint: null,
      retryable: false,
      startedAt: null,
      endedAt: null,
      latencyMs: null,
      details: null,
    });
  });

  it('trims the key fields and an empty error code', () => {
    expect(accepted({ entityType: ' Account ', sourceId: ' A-1\n', errorCode: '  ' })).toMatchObject({
      entityType: 'Account',
      sourceId: 'A-1',
      errorCode: null,
    });
  });

  it('derives latency from the times when not given, and keeps a given one', () => {
    const startedAt = new Date('2026-11-23T10:00:00.000Z');
    const endedAt = new Date('2026-11-23T10:00:02.500Z');
    expect(accepted({ startedAt, endedAt }).latencyMs).toBe(2500);
    expect(accepted({ startedAt, endedAt, latencyMs: 7 }).latencyMs).toBe(7);
    expect(accepted({ startedAt }).latencyMs).toBeNull();
    expect(accepted({ latencyMs: 0 }).latencyMs).toBe(0);
  });

  it('makes a failure retryable unless the worker says no; a success never is', () => {
    expect(accepted({ status: RecordStatus.FAILED }).retryable).toBe(true);
    expect(accepted({ status: RecordStatus.EXTRACTION_FAILED, retryable: null }).retryable).toBe(true);
    expect(accepted({ status: RecordStatus.PARTIALLY_FAILED }).retryable).toBe(true);
    expect(accepted({ status: RecordStatus.FAILED, retryable: false }).retryable).toBe(false);
    expect(accepted({ status: RecordStatus.SUCCESS, retryable: true }).retryable).toBe(false);
    expect(accepted({ status: RecordStatus.SKIPPED, retryable: true }).retryable).toBe(false);
  });

  it('fingerprints failures and anything carrying an error', () => {
    expect(accepted({ status: RecordStatus.FAILED, errorCode: 'E', errorMessage: 'Row 5 locked' }).errorFingerprint).toBe(
      errorFingerprint('E', 'Row 5 locked'),
    );
    expect(accepted({ status: RecordStatus.PARTIAL_SUCCESS, errorCode: 'W_FIELD' }).errorFingerprint).toBe(
      errorFingerprint('W_FIELD', null),
    );
    expect(accepted({ status: RecordStatus.SUCCESS }).errorFingerprint).toBeNull();
  });

  it('truncates a long error message with the marker', () => {
    const message = accepted({ status: RecordStatus.FAILED, errorMessage: 'z'.repeat(20_000) }).errorMessage as string;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(message.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('keeps text Postgres can store: a lone surrogate becomes U+FFFD, a NUL is refused', () => {
    expect(accepted({ sourceId: 'A-\ud83d', errorMessage: 'broken \udc00 pair', targetId: 'T\ud800' })).toMatchObject({
      sourceId: 'A-\ufffd',
      errorMessage: 'broken \ufffd pair',
      targetId: 'T\ufffd',
    });
    expect(accepted({ details: { note: 'half \ud83d', ok: '😀' } }).details).toBe('{"note":"half \ufffd","ok":"😀"}');
    expect(reason({ sourceId: 'A\u0000' })).toMatch(/sourceId must not contain NUL/);
    expect(reason({ errorMessage: 'x\u0000y' })).toMatch(/errorMessage must not contain NUL/);
    expect(reason({ details: { 'k\u0000': 1 } })).toMatch(/details/);
    expect(reason({ details: { '\ud83d': 1 } })).toMatch(/details/);
    expect(reason({ details: ['a\u0000'] })).toMatch(/details/);
  });

  it('refuses a span from startedAt to endedAt that latencyMs cannot hold', () => {
    const startedAt = new Date('2026-01-01T00:00:00Z');
    expect(reason({ startedAt, endedAt: new Date('2026-11-29T00:00:00Z') })).toMatch(/latencyMs/);
    expect(accepted({ startedAt, endedAt: new Date('2026-01-20T00:00:00Z') }).latencyMs).toBe(19 * 86_400_000);
  });

  it('serialises details as JSON', () => {
    expect(accepted({ details: { fields: ['email'], n: 1 } }).details).toBe('{"fields":["email"],"n":1}');
    expect(accepted({ details: null }).details).toBeNull();
  });

  it.each([
    [{ entityType: '  ' }, /entityType/],
    [{ sourceId: '' }, /sourceId/],
    [{ entityType: 'x'.repeat(201) }, /entityType/],
    [{ sourceId: 's'.repeat(513) }, /sourceId/],
    [{ targetId: 't'.repeat(513) }, /targetId/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ latencyMs: 1.5 }, /latencyMs/],
    [{ startedAt: new Date('nope') }, /valid/],
    [{ startedAt: new Date('2026-11-23T10:00:01Z'), endedAt: new Date('2026-11-23T10:00:00Z') }, /endedAt/],
    [{ errorCode: 'E'.repeat(201) }, /errorCode/],
    [{ details: { blob: 'x'.repeat(64 * 1024) } }, /details/],
    [{ status: RecordStatus.RETRY_SCHEDULED }, /RETRY_SCHEDULED/],
    [{ status: RecordStatus.DEAD_LETTERED }, /DEAD_LETTERED/],
    [{ status: RecordStatus.DISCARDED }, /DISCARDED/],
  ] as [Partial<RecordReport>, RegExp][])('rejects %j with a reason', (overrides, expected) => {
    expect(reason(overrides)).toMatch(expected);
  });
});
