// Statements on the ordered event table (events/event-log.ts appends, events/event-store.ts reads; expiry drops partitions, sql/partitions.ts).
// Positions leave as text (bigint and xid8 exceed JS numbers) under names of their own: an ORDER BY on an output
// alias "xid" would sort the text, and "1000" sorts before "999".

/**
 * Appends events, one per element of the arrays $1 kinds, $2 run ids, $3 pipeline ids, $4 tenant ids, $5 payloads
 * (JSON), in the caller's transaction.
 */
export const APPEND_EVENTS_SQL = `
INSERT INTO events (kind, run_id, pipeline_id, tenant_id, payload)
SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::jsonb[])`;

/** Only events of ended transactions: nothing can still commit below pg_snapshot_xmin (see events/position.ts). */
export const COMMITTED = 'xid < pg_snapshot_xmin(pg_current_snapshot())';

/** The position of the newest committed event. */
export const LATEST_POSITION_SQL = `
SELECT xid::text AS event_xid, id::text AS event_id FROM events WHERE ${COMMITTED} ORDER BY xid DESC, id DESC LIMIT 1`;

/**
 * Events matching `conditions` (SQL joined by AND; they begin with the position after ($1 xid, $2 id) and
 * COMMITTED), in stream order, at most $3.
 */
export const readEventsSql = (conditions: string) => `
SELECT id::text AS event_id, xid::text AS event_xid, kind, run_id, pipeline_id, tenant_id, payload, at
FROM events WHERE ${conditions} ORDER BY xid, id LIMIT $3`;

/** Whether the event with id $1 and xid $2 is still kept, written within the last $3 hours. */
export const IS_RETAINED_SQL = `
SELECT 1 FROM events WHERE id = $1::bigint AND xid = $2::xid8 AND at >= now() - make_interval(hours => $3)`;

/**
 * Whether the database's lower() folds letters beyond ASCII (a UTF-8 locale) or not (the C locale), for live filters
 * to fold as the lists' SQL does (domain/filter-rules.ts, caseFoldOf).
 */
export const LOWER_FOLDS_BEYOND_ASCII_SQL = `SELECT lower('ÀÉÎÕÜŽ') = 'àéîõüž' AS folds`;
