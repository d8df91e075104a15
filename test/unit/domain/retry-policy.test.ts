import { describe, expect, it } from 'vitest';
import { AppError } from '../../../server/domain/errors.js';
import { DEFAULT_RETRY_POLICY, holdsAttempts, nextRunRerun, resolveRetryPolicy } from '../../../server/domain/retry-policy.js';

describe('resolveRetryPolicy', () => {
  it('gives the defaults for nothing', () => {
    expect(resolveRetryPolicy(null)).toEqual(DEFAULT_RETRY_POLICY);
    expect(resolveRetryPolicy({})).toEqual({
      maxAttempts: 5,
      initialDelaySeconds: 30,
      backoffFactor: 2,
      maxDelaySeconds: 3600,
      nonRetryableErrorCodes: [],
      maxRunReruns: 0,
    });
  });

  it('merges given fields onto the base; null keeps the base value', () => {
    const base = resolveRetryPolicy({ maxAttempts: 3, nonRetryableErrorCodes: ['E_INVALID'] });
    expect(resolveRetryPolicy({ initialDelaySeconds: 10, maxAttempts: null }, base)).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maxAttempts: 3,
      initialDelaySeconds: 10,
      nonRetryableErrorCodes: ['E_INVALID'],
    });
  });

  it('removes duplicate non-retryable codes', () => {
    expect(resolveRetryPolicy({ nonRetryableErrorCodes: ['A', 'B', 'A'] }).nonRetryableErrorCodes).toEqual(['A', 'B']);
  });

  it.each([
    { maxAttempts: 0 },
    { maxAttempts: 101 },
    { maxAttempts: 2.5 },
    { initialDelaySeconds: -1 },
    { backoffFactor: 0.5 },
    { backoffFactor: 11 },
    { backoffFactor: Number.NaN },
    { initialDelaySeconds: 100, maxDelaySeconds: 50 },
    { maxDelaySeconds: 7 * 86400 + 1 },
    { maxRunReruns: -1 },
    { maxRunReruns: 11 },
    { maxRunReruns: 1.5 },
    { nonRetryableErrorCodes: ['ok', ' '] },
  ])('refuses %j as BAD_USER_INPUT', (patch) => {
    expect(() => resolveRetryPolicy(patch)).toThrow(AppError);
    try {
      resolveRetryPolicy(patch);
    } catch (error) {
      expect((error as AppError).code).toBe('BAD_USER_INPUT');
      expect((error as AppError).message).toMatch(/retryPolicy\./);
    }
  });
});

describe('nextRunRerun', () => {
  it('re-runs a FAILED run while the session has re-runs left, and nothing else', () => {
    expect(nextRunRerun({ status: 'FAILED', mode: 'SCHEDULED', rerun: null }, 2)).toBe(1);
    expect(nextRunRerun({ status: 'FAILED', mode: 'RETRY', rerun: 1 }, 2)).toBe(2);
    expect(nextRunRerun({ status: 'FAILED', mode: 'RETRY', rerun: 2 }, 2)).toBeNull();
    expect(nextRunRerun({ status: 'FAILED', mode: 'SCHEDULED', rerun: null }, 0)).toBeNull();
    // Cancelled on purpose, or ended otherwise: not re-run.
    for (const status of ['CANCELLED', 'SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'ROLLED_BACK']) {
      expect(nextRunRerun({ status, mode: 'MANUAL', rerun: null }, 3), status).toBeNull();
    }
    // A RETRY run of records is not a session: its records have attempts of their own.
    expect(nextRunRerun({ status: 'FAILED', mode: 'RETRY', rerun: null }, 3)).toBeNull();
  });
});

describe('holdsAttempts', () => {
  it('is true of a RETRY run of records only, not of a re-run of a session or any other run', () => {
    expect(holdsAttempts({ mode: 'RETRY', rerun: null })).toBe(true);
    expect(holdsAttempts({ mode: 'RETRY', rerun: 1 })).toBe(false);
    expect(holdsAttempts({ mode: 'SCHEDULED', rerun: null })).toBe(false);
  });
});
