// Reads of the ordered event table for live updates (its expiry drops whole days: services/housekeeping/partitions.ts).
import type { DataSource } from 'typeorm';
import { COMMITTED, IS_RETAINED_SQL, LATEST_POSITION_SQL, readEventsSql } from '../sql/events.js';
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

// The row as read (server/sql/events.ts says why positions leave as text under names of their own).
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
  const rows: Pick<Row, 'event_xid' | 'event_id'>[] = await db.query(LATEST_POSITION_SQL);
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
  const rows: Row[] = await db.query(readEventsSql(where.join(' AND ')), params);
  return rows.map(toEvent);
}

/** Whether the event at this position is still kept, so a stream can resume after it. */
export async function isRetained(db: DataSource, position: EventPosition, retentionHours: number): Promise<boolean> {
  const rows: unknown[] = await db.query(IS_RETAINED_SQL, [position.id.toString(), position.xid.toString(), retentionHours]);
  return rows.length > 0;
}
