import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../../../server/graphql/errors.js';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('which database errors are the database being away (coded SERVICE_UNAVAILABLE, retryable)', () => {
  it('connection trouble, shutdown and refused connections are', () => {
    for (const code of ['08006', '08001', '57P01', '53300', 'ECONNREFUSED']) expect(isDatabaseUnavailable(pgError(code))).toBe(true);
    expect(isDatabaseUnavailable({ driverError: pgError('57P03') })).toBe(true);
  });

  it('a protocol violation (a statement of ours the server refused) is not: a retry would not mend it', () => {
    expect(isDatabaseUnavailable(pgError('08P01', 'bind message has 17768 parameter formats but 0 parameters'))).toBe(false);
  });

  it('an ordinary SQL error is not', () => {
    expect(isDatabaseUnavailable(pgError('23505'))).toBe(false);
  });
});
