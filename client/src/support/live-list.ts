// Keeping a shown list current from live events: change a row in place (same object key, so the table keeps
// scroll and selection), or put a new one on top. Pure: unit-tested in test/unit/client/support/live-list.test.ts.

export interface Identified {
  id: string;
}

export type RunSort = 'STARTED_AT' | 'ENDED_AT';

/** The time a list is sorted by (newest first); null sorts as the newest (a run not yet started or ended). */
export type SortKey<T> = (item: T) => string | null | undefined;

/**
 * The rows after a live change of `item`: replaced where it is shown (same position, so the reader keeps their place);
 * a row not shown goes on top when it sorts as the newest, and is otherwise left to its own page (an old run whose
 * counts moved does not jump to the top).
 */
export function upsertLive<T extends Identified>(rows: readonly T[], item: T, sortKey: SortKey<T>): T[] {
  const index = rows.findIndex((row) => row.id === item.id);
  if (index >= 0) {
    const next = rows.slice();
    next[index] = item;
    return next;
  }
  const key = sortKey(item);
  const newestShown = rows.reduce<string | null>((max, row) => {
    const k = sortKey(row);
    return k && (!max || Date.parse(k) > Date.parse(max)) ? k : max;
  }, null);
  if (key && newestShown && Date.parse(key) < Date.parse(newestShown)) return rows.slice();
  return [item, ...rows];
}

/** Many changes at once (a reported batch of records); changes only what is shown, adds nothing. */
export function replaceShown<T extends Identified>(rows: readonly T[], items: readonly T[]): T[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  return rows.map((row) => byId.get(row.id) ?? row);
}

/** The next page appended after the shown rows, without doubles (a live insert may have shifted the pages). */
export function appendUnique<T extends Identified>(rows: readonly T[], more: readonly T[]): T[] {
  const seen = new Set(rows.map((row) => row.id));
  return [...rows, ...more.filter((row) => !seen.has(row.id))];
}

/** Progress of a run in percent, or null when it cannot be told (no expected total). */
export function runProgress(run: { expectedTotal?: number | null; counts: { total: number; pending: number } }): number | null {
  if (!run.expectedTotal || run.expectedTotal <= 0) return null;
  const done = run.counts.total - run.counts.pending;
  return Math.max(0, Math.min(100, Math.round((done / run.expectedTotal) * 100)));
}

/** Backoff before the n-th reconnect (from 0): 0.5 s doubling to 5 s, so a restarted server is found quickly. */
export function reconnectDelay(attempt: number): number {
  return Math.min(5_000, 500 * 2 ** attempt);
}
