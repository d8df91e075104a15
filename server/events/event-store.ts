// Reads of the ordered event table for live updates, and its retention.
import type { DataSource } from 'typeorm';
import type { EventInput } from './event-log.js';
import type { EventPosition } from './position.js';

export type EventKind = EventInput['kind'];

/** One committed row of the event table. */
export type StoredEvent = EventInput & {
  position: EventPosition /** When its transaction wrote it (metrics: lag to delivery). */;
  at?: Date;
};

/** Narrows a backlog read to what one subscription can use; the rest is filtered in memory. */
export interface EventScope {
  kinds: EventKind[];
  tenantId?: string | null;
  runId?: string | null;
  pipelineIds?: string[] | null;
}

// Positions leave as text (bigint and xid8 exceed JS numbers) under names of their own: an ORDER BY
// on an output alias "xid" would sort the text, and "1000" sorts before "999".
interface Row {
  event_id: string;
  event_xid: string;
  kind: EventKind;
  run_id: string;
  pipeline_id: string;
  tenant_id: string | null;
  payload: never;
  at?: Date;
}

// Only events of ended transactions: nothing can still commit below pg_snapshot_xmin (see position.ts).
const COMMITTED = 'xid < pg_snapshot_xmin(pg_current_snapshot())';

function toEvent(row: Row): StoredEvent {
  return {
    kind: row.kind,
    runId: row.run_id,
    pipelineId: row.pipeline_id,
    tenantId: row.tenant_id,
    payload: row.payload,
    position: { xid: BigInt(row.event_xid), id: BigInt(row.event_id) },
    at: row.at,
  } as StoredEvent;
}

/** The position of the newest committed event: a reader starting here misses nothing that follows. */
export async function latestPosition(db: DataSource): Promise<EventPosition | null> {
  const rows: Pick<Row, 'event_xid' | 'event_id'>[] = await db.query(
    `SELECT xid::text AS event_xid, id::text AS event_id FROM events WHERE ${COMMITTED} ORDER BY xid DESC, id DESC LIMIT 1`,
  );
  return rows.length ? { xid: BigInt(rows[0].event_xid), id: BigInt(rows[0].event_id) } : null;
}

/** Committed events after `after` (and up to `upTo` when given), in stream order. */
export async function readEvents(
  db: DataSource,
  after: EventPosition,
  limit: number,
  options: { upTo?: EventPosition; scope?: EventScope } = {},
): Promise<StoredEvent[]> {
  const params: unknown[] = [after.xid.toString(), after.id.toString(), limit];
  const where = [`(xid, id) > ($1::xid8, $2::bigint)`, COMMITTED];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (options.upTo) {
    params.push(options.upTo.xid.toString(), options.upTo.id.toString());
    where.push(`(xid, id) <= ($${params.length - 1}::xid8, $${params.length}::bigint)`);
  }
  const scope = options.scope;
  if (scope) {
    add((n) => `kind = ANY($${n}::text[])`, scope.kinds);
    if (scope.tenantId != null) add((n) => `tenant_id = $${n}`, scope.tenantId);
    if (scope.runId != null) add((n) => `run_id = $${n}::uuid`, scope.runId);
    if (scope.pipelineIds != null) add((n) => `pipeline_id = ANY($${n}::uuid[])`, scope.pipelineIds);
  }
  const rows: Row[] = await db.query(
    `SELECT id::text AS event_id, xid::text AS event_xid, kind, run_id, pipeline_id, tenant_id, payload, at
     FROM events WHERE ${where.join(' AND ')} ORDER BY xid, id LIMIT $3`,
    params,
  );
  return rows.map(toEvent);
}

/** Whether the event at this position is still kept, so a stream can resume after it. */
export async function isRetained(db: DataSource, position: EventPosition, retentionHours: number): Promise<boolean> {
  const rows: unknown[] = await db.query(
    `SELECT 1 FROM events WHERE id = $1::bigint AND xid = $2::xid8 AND at >= now() - make_interval(hours => $3)`,
    [position.id.toString(), position.xid.toString(), retentionHours],
  );
  return rows.length > 0;
}

/** Deletes events older than the retention, a slice at a time so no long lock is held. */
export async function deleteExpiredEvents(db: DataSource, retentionHours: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [{ n }]: { n: number }[] = await db.query(
      `WITH gone AS (
         DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < now() - make_interval(hours => $1) LIMIT 10000)
         RETURNING 1
       ) SELECT count(*)::int AS n FROM gone`,
      [retentionHours],
    );
    deleted += n;
    if (n < 10_000) return deleted;
  }
}
