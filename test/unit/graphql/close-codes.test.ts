import { CloseCode } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { CLOSE, closeMeaning } from '../../../server/sdk/close-codes.js';

describe('close codes', () => {
  const reserved = new Set(Object.values(CloseCode).filter((v): v is number => typeof v === 'number'));

  it('use graphql-ws codes only with graphql-ws meanings, and never its 4429', () => {
    expect(CLOSE.UNAUTHORIZED.code).toBe(CloseCode.Unauthorized);
    expect(CLOSE.FORBIDDEN.code).toBe(CloseCode.Forbidden);
    for (const entry of [CLOSE.SLOW_READER, CLOSE.TOO_MANY_SOCKETS, CLOSE.TOO_MANY_FAILED_AUTH]) {
      expect(reserved.has(entry.code)).toBe(false);
      expect(entry.code).toBeGreaterThanOrEqual(4000);
      expect(entry.code).toBeLessThan(5000);
    }
    expect(Object.values(CLOSE).map((entry) => entry.code)).not.toContain(CloseCode.TooManyInitialisationRequests);
  });

  it('tell a client what to do next', () => {
    expect(closeMeaning(CLOSE.SLOW_READER.code)?.next).toBe('resume');
    expect(closeMeaning(4401)?.next).toBe('fix');
    expect(closeMeaning(1001)?.next).toBe('resume');
    expect(closeMeaning(4999)).toBeNull();
  });
});
