// Where an event sits in the stream, and the opaque cursor clients hold for it.
//
// Events are ordered by (xid, id), not by id alone: a transaction may take its xid early (its
// first write) and insert its event late, so a younger id can commit with an older xid while an
// older id is still in flight. Below pg_snapshot_xmin every transaction has ended, so the set of
// events with xid < xmin is final and any event still to come sorts after all of it.
import { badInput } from '../domain/errors.js';

export interface EventPosition {
  xid: bigint;
  id: bigint;
}

export const START: EventPosition = { xid: 0n, id: 0n };

export function comparePositions(a: EventPosition, b: EventPosition): number {
  if (a.xid !== b.xid) return a.xid < b.xid ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export const isAfter = (a: EventPosition, b: EventPosition): boolean => comparePositions(a, b) > 0;

/** The `cursor` of a live event (what `since` takes back): not a page cursor (domain/cursor.ts), which keys a sort. */
export function encodeEventCursor(position: EventPosition): string {
  return Buffer.from(`ev:${position.xid}:${position.id}`).toString('base64url');
}

/** The message every client sees when it cannot resume: it must reload and subscribe without `since`. */
export function eventsExpired(reason: string) {
  return badInput(`EVENTS_EXPIRED: ${reason}; reload the data and subscribe again without "since"`, {
    reason: 'EVENTS_EXPIRED',
  });
}

const XID8_MAX = 2n ** 64n - 1n;
const BIGINT_MAX = 2n ** 63n - 1n;

export function decodeEventCursor(cursor: string): EventPosition {
  const match = /^ev:(\d{1,20}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw eventsExpired(`"since" is not a cursor of this server`);
  const position = { xid: BigInt(match[1]), id: BigInt(match[2]) };
  // xid8 and bigint bounds: past them the database would refuse the comparison.
  if (position.xid > XID8_MAX || position.id > BIGINT_MAX) throw eventsExpired(`"since" is not a cursor of this server`);
  return position;
}
