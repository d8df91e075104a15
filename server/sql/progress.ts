// The statements of run progress events (services/runs/run-progress.ts): at most one per run per interval, a trailing
// one owed when counts moved within it.

/** SQL: the run's interval since its last progress event has passed ($interval: milliseconds). */
const due = (interval: string) =>
  `(progress_event_at IS NULL OR progress_event_at <= clock_timestamp() - make_interval(secs => ${interval}::double precision / 1000))`;

/**
 * Runs $1 moved: those whose interval ($2 ms) has passed are marked as having their event now; the others owe a
 * trailing one (progress_pending). Returns each run with whether its event is due now.
 * (WITH ... SELECT around the UPDATE: TypeORM answers a bare UPDATE with [rows, rowCount].)
 */
export const MARK_PROGRESS_SQL = `
WITH decided AS (SELECT id, ${due('$2')} AS due FROM runs WHERE id = ANY($1::uuid[])),
marked AS (
  UPDATE runs r SET progress_pending = NOT d.due,
                    progress_event_at = CASE WHEN d.due THEN clock_timestamp() ELSE r.progress_event_at END
  FROM decided d WHERE r.id = d.id
  RETURNING r.id, d.due
) SELECT * FROM marked`;

/**
 * Takes up to $2 runs whose trailing event is owed and due (interval $1 ms), oldest first, skipping rows another
 * instance holds: they are marked as having their event now. Returns their ids.
 */
export const TAKE_DUE_PROGRESS_SQL = `
WITH owed AS (
  SELECT id FROM runs WHERE progress_pending AND ${due('$1')}
  ORDER BY progress_event_at LIMIT $2 FOR UPDATE SKIP LOCKED
),
flushed AS (
  UPDATE runs r SET progress_pending = false, progress_event_at = clock_timestamp() FROM owed WHERE r.id = owed.id
  RETURNING r.id
) SELECT * FROM flushed`;

/** Milliseconds until the first owed trailing event falls due (interval $1 ms); null when none is owed. */
export const NEXT_PROGRESS_WAIT_SQL = `
SELECT ceil(extract(epoch FROM min(progress_event_at) - clock_timestamp()) * 1000 + $1)::int AS wait
FROM runs WHERE progress_pending`;
