// Rate limits of the GraphQL door, per API key and per client address (failed authentications
// counted on their own), kept in PostgreSQL (table rate_limits) so that they hold across every
// instance behind the load balancer. Over a limit: 429 with Retry-After (seconds).
//
// A request known by its key already costs one statement (admit with the key: address and key together); one
// whose key must be looked up costs admit without the key, then the key's count or a failed authentication.
// Failed authentications refuse only the failing guesses: a valid key is always looked up and admitted (keys are
// 256-bit, so guessing is hopeless, and one script with a wrong key must not lock out everyone behind its address). Requests of one address and key that arrive while their statement is in flight wait
// and go together in the next one, counted as if one after another: under load a client's requests cost a
// statement a batch, not one each, and the counts stay exact over every instance. The counters are those
// rate-limiter-flexible kept (sql/rate-limits.ts); while the database is unreachable they are counted in this
// instance's memory instead, as its insurance limiter did.
import type pg from 'pg';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { RATE_LIMIT_ADMIT_SQL, RATE_LIMIT_CLEAR_EXPIRED_SQL, RATE_LIMIT_COUNT_SQL } from '../sql/rate-limits.js';

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
  /**
   * One request from this address, and with this key when it is known (null: no key, or not known yet): the
   * address's request is counted; then the address is refused if over its limit; only then is the key's request
   * counted, and refused over its limit. The address's failed authentications play no part. Null when admitted.
   */
  admit(ip: string, keyId: string | null): Promise<Refusal | null>;
  /**
   * One failed authentication from this address: counted, and refused (instead of told the key is bad) once the
   * address is over its limit of them. Null while under it.
   */
  failedAuth(ip: string): Promise<Refusal | null>;
  /** One request with this key (one admitted without it, whose key was then looked up). */
  key(keyId: string): Promise<Refusal | null>;
}

const MINUTE_MS = 60_000;
/** Counters whose minute ended this long ago are deleted, every CLEAR_EVERY_MS. */
const CLEAR_AFTER_MS = 3_600_000;
const CLEAR_EVERY_MS = 300_000;

/** A request waiting for its admission. */
interface Waiting {
  resolve(refusal: Refusal | null): void;
  reject(error: unknown): void;
}

/** A counter's state: its points in the current window, and the time (ms) the window ends (null: never). */
interface Count {
  points: number;
  expire: number | null;
}

export function createRateLimits(pool: pg.Pool, options: RateLimitOptions): RateLimits {
  const what: Record<LimitName, string> = {
    address: `more than ${options.perAddress} requests a minute from this address`,
    failed_auth: `more than ${options.failedAuth} failed authentications a minute from this address`,
    key: `more than ${options.perKey} requests a minute with this key`,
  };
  const over = (limit: LimitName, count: Count, now: number) =>
    refusal(limit, count.expire === null ? -1 : count.expire - now, what[limit]);
  const memory = memoryCounters(options, what);
  scheduleClearing(pool);

  /** The answers of a batch of `n` requests, in their order, from the admission statement's row. */
  const decide = (row: AdmitRow, n: number, now: number): (Refusal | null)[] => {
    const address = count(row.address_points, row.address_expire) as Count;
    const key = count(row.key_points, row.key_expire);
    // The statement counted the key for the first `keyed` requests: those the address admitted.
    const keyed = row.keyed;
    return Array.from({ length: n }, (_, i) => {
      if (i >= keyed) return over('address', address, now);
      if (!key) return null;
      return key.points - keyed + i + 1 > options.perKey ? over('key', key, now) : null;
    });
  };

  /** Per address and key: the requests waiting for the statement in flight (present while one is). */
  const waiting = new Map<string, Waiting[]>();
  const answersFor = async (ip: string, keyId: string | null, n: number): Promise<(Refusal | null)[]> => {
    const now = Date.now();
    let row: AdmitRow;
    try {
      const { rows } = await pool.query<AdmitRow>({
        name: 'rate-limit-admit',
        text: RATE_LIMIT_ADMIT_SQL,
        values: [`addr:${ip}`, keyId === null ? null : `key:${keyId}`, now, MINUTE_MS, options.perAddress, n],
      });
      row = rows[0];
    } catch {
      const answers: (Refusal | null)[] = [];
      for (let i = 0; i < n; i++) answers.push(await memory.admit(ip, keyId));
      return answers;
    }
    return decide(row, n, now);
  };
  const admitTogether = async (ip: string, keyId: string | null, pair: string, batch: Waiting[]): Promise<void> => {
    try {
      const answers = await answersFor(ip, keyId, batch.length);
      for (const [i, request] of batch.entries()) request.resolve(answers[i]);
    } catch (error) {
      for (const request of batch) request.reject(error);
    } finally {
      const next = waiting.get(pair) ?? [];
      if (next.length === 0) waiting.delete(pair);
      else {
        waiting.set(pair, []);
        void admitTogether(ip, keyId, pair, next);
      }
    }
  };

  return {
    admit(ip, keyId) {
      return new Promise((resolve, reject) => {
        const pair = `${ip} ${keyId ?? ''}`;
        const queue = waiting.get(pair);
        if (queue) return void queue.push({ resolve, reject });
        waiting.set(pair, []);
        void admitTogether(ip, keyId, pair, [{ resolve, reject }]);
      });
    },
    async key(keyId) {
      const now = Date.now();
      let counted: Count;
      try {
        counted = await countOne(pool, `key:${keyId}`, now);
      } catch {
        return memory.key(keyId);
      }
      return counted.points > options.perKey ? over('key', counted, now) : null;
    },
    async failedAuth(ip) {
      const now = Date.now();
      let counted: Count;
      try {
        counted = await countOne(pool, `auth:${ip}`, now);
      } catch {
        return memory.failedAuth(ip);
      }
      return counted.points > options.failedAuth ? over('failed_auth', counted, now) : null;
    },
  };
}

interface AdmitRow {
  address_points: number;
  address_expire: string;
  keyed: number;
  key_points: number | null;
  key_expire: string | null;
}

/** A counter from its columns (expire is a bigint, which pg gives as text); null when there is none. */
const count = (points: number | null, expire: string | null): Count | null =>
  points === null ? null : { points, expire: expire === null ? null : Number(expire) };

async function countOne(pool: pg.Pool, key: string, now: number): Promise<Count> {
  const { rows } = await pool.query<{ points: number; expire: string }>({
    name: 'rate-limit-count',
    text: RATE_LIMIT_COUNT_SQL,
    values: [key, now, MINUTE_MS],
  });
  return count(rows[0].points, rows[0].expire) as Count;
}

/** Every few minutes, counters long expired are deleted (a failure is harmless: the next round tries again). */
function scheduleClearing(pool: pg.Pool): void {
  const timer = setInterval(() => {
    pool.query(RATE_LIMIT_CLEAR_EXPIRED_SQL, [Date.now() - CLEAR_AFTER_MS]).catch(() => {});
  }, CLEAR_EVERY_MS);
  timer.unref();
}

/** The same limits counted in this instance's memory, while the database is unreachable. */
function memoryCounters(options: RateLimitOptions, what: Record<LimitName, string>): RateLimits {
  const limiter = (keyPrefix: string, points: number) => new RateLimiterMemory({ keyPrefix, points, duration: MINUTE_MS / 1000 });
  const byKey = limiter('key', options.perKey);
  const byAddress = limiter('addr', options.perAddress);
  const byFailure = limiter('auth', options.failedAuth);
  const consume = async (rl: RateLimiterMemory, id: string, limit: LimitName): Promise<Refusal | null> => {
    try {
      await rl.consume(id);
      return null;
    } catch (rejected) {
      if (!(rejected instanceof RateLimiterRes)) throw rejected;
      return refusal(limit, rejected.msBeforeNext, what[limit]);
    }
  };
  const key = (keyId: string) => consume(byKey, keyId, 'key');
  return {
    async admit(ip, keyId) {
      const address = await consume(byAddress, ip, 'address');
      if (address) return address;
      return keyId === null ? null : key(keyId);
    },
    key,
    failedAuth: (ip) => consume(byFailure, ip, 'failed_auth'),
  };
}

function refusal(limit: LimitName, msBeforeNext: number, what: string): Refusal {
  const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(msBeforeNext, 0) / 1000));
  return { limit, retryAfterSeconds, message: `rate limit: ${what}; try again in ${retryAfterSeconds} s` };
}
