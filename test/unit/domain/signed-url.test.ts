import { describe, expect, it } from 'vitest';
import { signedPath, signPath, verifySignedPath } from '../../../server/domain/signed-url.js';

const secret = Buffer.alloc(32, 7);
const path = '/exports/3f0c2a8e-0000-4000-8000-000000000001.csv';
const expires = 2_000_000_000;
const now = expires - 60;

describe('signed paths', () => {
  it('verifies what it signed until the expiry', () => {
    const sig = signPath(secret, path, expires);
    expect(signedPath(secret, path, expires)).toBe(`${path}?expires=${expires}&sig=${sig}`);
    expect(verifySignedPath(secret, path, String(expires), sig, now)).toBe(true);
    expect(verifySignedPath(secret, path, String(expires), sig, expires)).toBe(false);
  });

  it('refuses another path, expiry, secret or a changed signature', () => {
    const sig = signPath(secret, path, expires);
    expect(verifySignedPath(secret, path.replace('1.csv', '2.csv'), String(expires), sig, now)).toBe(false);
    expect(verifySignedPath(secret, path, String(expires + 1), sig, now)).toBe(false);
    expect(verifySignedPath(Buffer.alloc(32, 8), path, String(expires), sig, now)).toBe(false);
    const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
    expect(verifySignedPath(secret, path, String(expires), flipped, now)).toBe(false);
    expect(verifySignedPath(secret, path, String(expires), sig.slice(1), now)).toBe(false);
  });

  it('refuses malformed parameters without throwing', () => {
    const sig = signPath(secret, path, expires);
    for (const [e, s] of [
      [undefined, sig],
      [String(expires), undefined],
      [[String(expires), String(expires)], sig],
      ['2e9', sig],
      ['-1', sig],
      [String(expires), [sig]],
    ] as [unknown, unknown][]) {
      expect(verifySignedPath(secret, path, e, s, now)).toBe(false);
    }
  });
});
