// A date-time's answer text (UTC ISO-8601 with milliseconds, as Date.prototype.toISOString writes it) made once,
// while a row is read, rather than on every serialisation: toISOString costs about 1 µs a value, and a page of 50
// records answers 50 to 150 of them (issue 13).

// Kept on the date under symbols (invisible to JSON, Object.keys and equality), so it stays a plain Date as pg and
// TypeORM make it; with the time it was made for, so a date set to another time since answers toISOString() again.
// (A subclass failed strict equality with TypeORM's entities; a WeakMap beside the dates cost more than it saved.)
const ISO = Symbol('iso text');
const ISO_TIME = Symbol('iso text time');
type Texted = Date & { [ISO]?: string; [ISO_TIME]?: number };

/** date.toISOString(), from the text made when the date was read, when it has one that still holds. */
export function isoText(date: Date): string {
  const iso = (date as Texted)[ISO];
  return iso !== undefined && (date as Texted)[ISO_TIME] === date.getTime() ? iso : date.toISOString();
}

const twoDigits = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

/**
 * A timestamptz as PostgreSQL writes it in UTC (`2026-12-01 00:30:37.194123+00`: a four-digit year, up to six
 * fraction digits) as a Date whose isoText is made on the way; null for any other form (another offset, BC, infinity, years past 9999 or before
 * 100), which the caller parses as before. The instant is the one postgres-date gives: milliseconds are the first
 * three fraction digits (a Date truncates microseconds; its 1000 × parseFloat(fraction) agrees for every 1- to
 * 6-digit fraction, checked exhaustively).
 */
export function dateFromPostgres(text: string): Date | null {
  const n = text.length;
  if (n < 22 || n > 29 || text.charCodeAt(4) !== 45 || text.charCodeAt(10) !== 32 || !text.endsWith('+00')) return null;
  if (n !== 22 && (n < 24 || text.charCodeAt(19) !== 46)) return null;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  if (!(year >= 100)) return null; // Date.UTC reads years 0–99 as 1900–1999
  const ms = n === 22 ? '000' : n >= 26 ? text.slice(20, 23) : `${text.slice(20, n - 3)}00`.slice(0, 3);
  const time = Date.UTC(
    year,
    twoDigits(text, 5) - 1,
    twoDigits(text, 8),
    twoDigits(text, 11),
    twoDigits(text, 14),
    twoDigits(text, 17),
    Number(ms),
  );
  if (Number.isNaN(time)) return null;
  const date: Texted = new Date(time);
  date[ISO] = `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`;
  date[ISO_TIME] = time;
  return date;
}
