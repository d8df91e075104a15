// Download links that need no API key: the path and its expiry, signed with HMAC-SHA256 under a secret every
// instance shares, so any instance can check a link another one handed out.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The signature of a path valid until `expiresAt` (whole seconds since the epoch), base64url. */
export function signPath(secret: Buffer, path: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`${path}\n${expiresAt}`).digest('base64url');
}

/** `path?expires=..&sig=..`, valid until `expiresAt` (whole seconds since the epoch). */
export function signedPath(secret: Buffer, path: string, expiresAt: number): string {
  return `${path}?expires=${expiresAt}&sig=${signPath(secret, path, expiresAt)}`;
}

/**
 * Whether a link's `expires` and `sig` parameters are genuine for this path and not yet expired at `nowSeconds`.
 * Takes the raw query values: anything malformed (missing, repeated, not a number) is simply not valid.
 */
export function verifySignedPath(secret: Buffer, path: string, expires: unknown, sig: unknown, nowSeconds: number): boolean {
  if (typeof expires !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(expires)) return false;
  const expected = Buffer.from(signPath(secret, path, Number(expires)));
  const given = Buffer.from(sig);
  // Constant time: a caller learns nothing about how much of a forged signature was right.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  return Number(expires) > nowSeconds;
}
