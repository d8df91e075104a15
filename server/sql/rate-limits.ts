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
 * The admission of $8 requests of one address with one key (or none) in one round trip, at time $4 (ms), windows
 * of $5 ms, as if they came one after another: counts $8 points on the address's counter $1; reads the address's
 * failed authentications $2 (nothing counted); and counts on the key's counter $3 (null: no key) one point for each
 * request the address still admits (its points before the request under $6), none when its failed
 * authentications reached $7. One row: the address's points and window end, the failed authentications' (null
 * when none in a window), how many requests reached the key (keyed), and the key's points and window end (null
 * when none was counted).
 */
export const RATE_LIMIT_ADMIT_SQL = `
WITH address AS (
  INSERT INTO rate_limits AS r (key, points, expire) VALUES ($1, $8::integer, $4::bigint + $5::bigint)
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire <= $4::bigint THEN $8::integer ELSE r.points + $8::integer END,
    expire = CASE WHEN r.expire <= $4::bigint THEN $4::bigint + $5::bigint ELSE r.expire END
  RETURNING points, expire
), failures AS (
  SELECT points, expire FROM rate_limits WHERE key = $2 AND (expire > $4::bigint OR expire IS NULL)
), keyed AS (
  SELECT CASE WHEN COALESCE((SELECT points FROM failures), 0) >= $7::integer THEN 0
              ELSE GREATEST(0, LEAST($8::integer, $6::integer - ((SELECT points FROM address) - $8::integer))) END AS n
), by_key AS (
  INSERT INTO rate_limits AS r (key, points, expire)
  SELECT $3::varchar, keyed.n, $4::bigint + $5::bigint FROM keyed
  WHERE $3::varchar IS NOT NULL AND keyed.n > 0
  ON CONFLICT (key) DO UPDATE SET
    points = CASE WHEN r.expire <= $4::bigint THEN EXCLUDED.points ELSE r.points + EXCLUDED.points END,
    expire = CASE WHEN r.expire <= $4::bigint THEN $4::bigint + $5::bigint ELSE r.expire END
  RETURNING points, expire
)
SELECT a.points AS address_points, a.expire AS address_expire,
       f.points AS failure_points, f.expire AS failure_expire,
       (SELECT n FROM keyed) AS keyed,
       k.points AS key_points, k.expire AS key_expire
FROM address a LEFT JOIN failures f ON true LEFT JOIN by_key k ON true`;

/** Deletes the counters whose window ended before $1 (ms). */
export const RATE_LIMIT_CLEAR_EXPIRED_SQL = 'DELETE FROM rate_limits WHERE expire < $1';
