// Rate limits of the GraphQL door, per API key and per client address (failed authentications
// counted on their own), kept in PostgreSQL (table rate_limits) so that they hold across every
// instance behind the load balancer. Over a limit: 429 with Retry-After (seconds).
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitOptions {
  /** Requests per minute of one key. */
  perKey: number;
  /** Requests per minute of one address. */
  perAddress: number;
  /** Failed authentications per minute of one address. */
  failedAuth: number;
}

/** Which limit refused: a key's requests, an address's requests, or an address's failed authentications. */
export type LimitName = 'key' | 'address' | 'failed_auth';

/** Refused: try again in this many seconds. */
export interface Refusal {
  limit: LimitName;
  retryAfterSeconds: number;
  message: string;
}

export interface RateLimits {
  /** One request from this address: null when admitted. */
  address(ip: string): Promise<Refusal | null>;
  /** Whether this address has failed authentication too often already (nothing consumed). */
  failedAuthBlocked(ip: string): Promise<Refusal | null>;
  /** One failed authentication from this address. */
  failedAuth(ip: string): Promise<void>;
  /** One request with this key. */
  key(keyId: string): Promise<Refusal | null>;
}

const MINUTE_SECONDS = 60;

export function createRateLimits(pool: pg.Pool, options: RateLimitOptions): RateLimits {
  const limiter = (keyPrefix: string, points: number) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true, // by the migration
      keyPrefix,
      points,
      duration: MINUTE_SECONDS,
      // The database unreachable: limit per instance meanwhile, rather than refuse everyone or no one.
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: MINUTE_SECONDS }),
    });
  const byKey = limiter('key', options.perKey);
  const byAddress = limiter('addr', options.perAddress);
  const byFailure = limiter('auth', options.failedAuth);

  const consume = async (rl: RateLimiterPostgres, id: string, limit: LimitName, what: string): Promise<Refusal | null> => {
    try {
      await rl.consume(id);
      return null;
    } catch (rejected) {
      if (rejected instanceof Error) throw rejected;
      return refusal(rejected as RateLimiterRes, limit, what);
    }
  };
  return {
    address: (ip) => consume(byAddress, ip, 'address', `more than ${options.perAddress} requests a minute from this address`),
    key: (keyId) => consume(byKey, keyId, 'key', `more than ${options.perKey} requests a minute with this key`),
    async failedAuthBlocked(ip) {
      const state = await byFailure.get(ip);
      return state && state.consumedPoints >= options.failedAuth
        ? refusal(state, 'failed_auth', `more than ${options.failedAuth} failed authentications a minute from this address`)
        : null;
    },
    async failedAuth(ip) {
      await byFailure.penalty(ip, 1);
    },
  };
}

function refusal(state: RateLimiterRes, limit: LimitName, what: string): Refusal {
  const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  return { limit, retryAfterSeconds, message: `rate limit: ${what}; try again in ${retryAfterSeconds} s` };
}
