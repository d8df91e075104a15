// Keeping a shown list current from live events at any rate: events are applied in batches (the latest state of
// each id wins), a shown row changes in place (same position, so the reader keeps their place), new rows go on top
// while the reader is at the top and wait behind a "N new" bar while they are away, and the list never grows past
// what the reader asked for. Pure: unit-tested in test/unit/client/support/live-list.test.ts.

export interface Identified {
  id: string;
}

/** The time a list is sorted by (newest first); null sorts as the newest (a run not yet started or ended). */
export type SortKey<T> = (item: T) => string | null | undefined;

/** Distinct new rows counted behind the bar; past it the bar says "N+" (a day away must not grow memory). */
export const WAITING_COUNT_CAP = 5_000;

/**
 * The rows a live list shows, and the new ones waiting behind its bar. `rows` is a new array after every change
 * (so a shallow ref sees it); unchanged rows stay the same objects (so their table rows are not drawn again).
 */
export class LiveRows<T extends Identified> {
  rows: T[] = [];
  /** Rows fell off the end since the last load: the list has more to load even if its last page said not. */
  trimmed = false;
  private index = new Map<string, number>();
  private waitingRows = new Map<string, T>();
  private waitingIds = new Set<string>();
  /** More new rows came while away than are kept: between them and the shown rows some are missing. */
  private overflowed = false;
  private readonly order: (a: T, b: T) => number;

  /** `limit`: the rows a list keeps when new ones push older ones off (its page size). */
  constructor(
    private readonly sortKey: SortKey<T>,
    private readonly limit: number,
  ) {
    // Newest first, a missing key (not started or ended yet) first of all.
    this.order = (a, b) => {
      const [ta, tb] = [this.time(a), this.time(b)];
      return ta === tb ? 0 : tb - ta;
    };
  }

  private time(item: T): number {
    const key = this.sortKey(item);
    return key ? Date.parse(key) : Number.POSITIVE_INFINITY;
  }

  /** Distinct new rows waiting behind the bar (at most WAITING_COUNT_CAP). */
  get waiting(): number {
    return this.waitingIds.size;
  }

  /** The count reached WAITING_COUNT_CAP: the bar says "N+". */
  get waitingCapped(): boolean {
    return this.waitingIds.size >= WAITING_COUNT_CAP;
  }

  /** The first page as the server answered it: replaces everything, the waiting rows included. */
  reset(rows: readonly T[]): void {
    this.clearWaiting();
    this.trimmed = false;
    this.setRows(uniqueById(rows));
  }

  /** A next page, after the shown rows, without doubles (a live insert may have shifted the pages). */
  append(more: readonly T[]): void {
    const fresh = more.filter((row) => !this.index.has(row.id));
    if (fresh.length > 0) this.setRows([...this.rows, ...uniqueById(fresh)]);
    this.trimmed = false;
  }

  /**
   * One batch of live states, oldest first (several of one id: the last wins). A shown row changes in place; a new
   * row that sorts within the shown ones or above them goes to its place (on top, mostly), or waits behind the bar
   * while the reader is `away`; one that sorts below them is left to its own page (an old run whose counts moved
   * does not jump in). Returns whether the shown rows changed.
   */
  apply(items: readonly T[], away: boolean): boolean {
    const latest = uniqueById(items);
    let next: T[] | null = null;
    const candidates: T[] = [];
    for (const item of latest) {
      const at = this.index.get(item.id);
      if (at !== undefined) {
        if (this.rows[at] !== item) {
          next ??= this.rows.slice();
          next[at] = item;
        }
      } else if (this.waitingRows.has(item.id)) {
        this.waitingRows.set(item.id, item);
      } else {
        candidates.push(item);
      }
    }
    if (next) this.rows = next;
    const newRows = this.withinShown(candidates);
    if (away) {
      this.hold(newRows);
      return next !== null;
    }
    if (newRows.length === 0 && this.waitingRows.size === 0) return next !== null;
    this.insertWaitingAnd(newRows, this.overflowed ? this.limit : Math.max(this.limit, this.rows.length));
    return true;
  }

  /** The reader asked for the waiting rows: on top, nothing shown removed (unless some between were missed). */
  showWaiting(): void {
    if (this.waitingRows.size === 0) return;
    const gap = this.overflowed;
    this.insertWaitingAnd([], gap ? this.limit : this.rows.length + this.waitingRows.size);
  }

  /** Whether showing the waiting rows replaces the shown ones (some between them were never kept). */
  get waitingReplaces(): boolean {
    return this.overflowed;
  }

  /** The candidates that sort within the shown rows or above them (all, while the list is shorter than a page). */
  private withinShown(candidates: T[]): T[] {
    if (candidates.length === 0 || this.rows.length < this.limit) return candidates;
    let oldest = Number.POSITIVE_INFINITY;
    for (const row of this.rows) oldest = Math.min(oldest, this.time(row));
    return candidates.filter((item) => this.time(item) >= oldest);
  }

  private hold(newRows: T[]): void {
    for (const row of newRows) {
      this.waitingRows.set(row.id, row);
      if (this.waitingIds.size < WAITING_COUNT_CAP) this.waitingIds.add(row.id);
    }
    if (this.waitingRows.size <= this.limit) return;
    // Only the newest `limit` are kept: showing them later replaces the list, since older ones are missing.
    const kept = [...this.waitingRows.values()].sort(this.order).slice(0, this.limit);
    this.waitingRows = new Map(kept.map((row) => [row.id, row]));
    this.overflowed = true;
  }

  private insertWaitingAnd(newRows: T[], keep: number): void {
    // A waiting row may have come in with a page loaded meanwhile: it stays where that page put it.
    const incoming = [...this.waitingRows.values(), ...newRows].filter((row) => !this.index.has(row.id)).sort(this.order);
    this.clearWaiting();
    // Merged into the shown rows, which keep their order: a shown row never moves, even if its time changed.
    const all: T[] = [];
    let next = 0;
    for (const row of this.rows) {
      while (next < incoming.length && this.order(incoming[next], row) <= 0) all.push(incoming[next++]);
      all.push(row);
    }
    while (next < incoming.length) all.push(incoming[next++]);
    if (all.length > keep) this.trimmed = true;
    this.setRows(all.slice(0, keep));
  }

  private clearWaiting(): void {
    this.waitingRows.clear();
    this.waitingIds.clear();
    this.overflowed = false;
  }

  private setRows(rows: T[]): void {
    this.rows = rows;
    this.index = new Map(rows.map((row, at) => [row.id, at]));
  }
}

/** One item per id, the last of each, in the order each id first came. */
function uniqueById<T extends Identified>(items: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.id, item);
  return byId.size === items.length ? (items as T[]) : [...byId.values()];
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
