// Rate-limit counters every instance shares (graphql/rate-limits.ts), in table rate_limits: one row per counter,
// keyed `<prefix>:<id>` (addr:<address>, auth:<address> for failed authentications, key:<key id>), with its
// points and the time (ms since the epoch) its minute ends. The layout and arithmetic are those of
// rate-limiter-flexible's PostgreSQL store, which kept them first: instances of either kind count the same rows.

/**
 * Counts one point on counter $1 at time $2 (ms) for a window of $3 ms: a counter whose window has ended starts
 * again at 1 with a new window; otherwise its window stays. Returns its points and the end of its window.
 */
export const RATE_LIMIT_COUNT_SQL = `
INSERT INTO rate_limits AS r (key, points, expire) VALUES ($1, 1, $2::bigint + $3::bigint)
ON CONFLICT (key) DO UPDATE SET
  points = CASE WHEN r.expire <= $2::bigint THEN 1 ELSE r.points + 1 END,
  expire = CASE WHEN r.expire <= $2::bigint THEN $2::bigint + $3::bigint ELSE r.expire END
RETURNING points, expire`;

/**
 * The admission of $6 requests of one address with one key (or none) in one round trip, at time $3 (ms), windows
 * of $4 ms, as if they came one after another: counts $6 points on the address's counter $1; and counts on the
 * key's counter $2 (null: no key) one point for each request the address still admits (its points before the
 * request under $5). The address's failed authentications do not enter: a valid key is never refused for them
 * (they refuse the failing guesses, RATE_LIMIT_COUNT_SQL on `auth:<address>`). One row: the address's points and
 * window end, how many requests reached the key (keyed), and the key's points and window end (null when none was
 * counted).
 */
export const RATE_LIMIT_ADMIT_SQL = `
WITH address AS (
  INSERT INTO rate_limits AS r (key, points, expire) VALUES ($1, $6::integer, $3::bigint + $4::bigint)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire <= $3::bigint THEN $6::integer ELSE r.points + $6::integer END,
    expire = CASE WHEN r.expire <= $3::bigint THEN $3::bigint + $4::bigint ELSE r.expire END
  RETURNING points, expire
), keyed AS (
  SELECT GREATEST(0, LEAST($6::integer, $5::integer - ((SELECT points FROM address) - $6::integer))) AS n
), by_key AS (
  INSERT INTO rate_limits AS r (key, points, expire)
  SELECT $2::varchar, keyed.n, $3::bigint + $4::bigint FROM keyed
  WHERE $2::varchar IS NOT NULL AND keyed.n > 0
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire <= $3::bigint THEN EXCLUDED.points ELSE r.points + EXCLUDED.points END,
    expire = CASE WHEN r.expire <= $3::bigint THEN $3::bigint + $4::bigint ELSE r.expire END
  RETURNING points, expire
)
SELECT a.points AS address_points, a.expire AS address_expire,
       (SELECT n FROM keyed) AS keyed,
       k.points AS key_points, k.expire AS key_expire
FROM address a LEFT JOIN by_key k ON true`;

/** Deletes the counters whose window ended before $1 (ms). */
export const RATE_LIMIT_CLEAR_EXPIRED_SQL = 'DELETE FROM rate_limits WHERE expire < $1';
