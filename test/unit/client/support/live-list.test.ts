import { describe, expect, it } from 'vitest';
import { LiveRows, reconnectDelay, runProgress, WAITING_COUNT_CAP } from '../../../../client/src/support/live-list.js';

interface Row {
  id: string;
  startedAt: string | null;
  status?: string;
}
const byStart = (row: Row) => row.startedAt;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 10, minute)).toISOString();
const row = (id: string, minute: number | null, status = 'RUNNING'): Row => ({
  id,
  startedAt: minute === null ? null : at(minute),
  status,
});
const ids = (model: LiveRows<Row>) => model.rows.map((r) => r.id);

function listOf(rows: Row[], limit = 3): LiveRows<Row> {
  const model = new LiveRows<Row>(byStart, limit);
  model.reset(rows);
  return model;
}

describe('LiveRows: changes in place', () => {
  it('changes a shown row in place and keeps every other row the same object', () => {
    const shown = [row('b', 2), row('a', 1)];
    const model = listOf(shown);
    expect(model.apply([row('a', 1, 'SUCCEEDED')], false)).toBe(true);
    expect(model.rows.map((r) => [r.id, r.status])).toEqual([
      ['b', 'RUNNING'],
      ['a', 'SUCCEEDED'],
    ]);
    expect(model.rows[0]).toBe(shown[0]);
  });

  it('coalesces many states of one id in a batch: the last one wins', () => {
    const model = listOf([row('a', 1)]);
    model.apply([row('a', 1, 'RUNNING'), row('a', 1, 'FAILED'), row('a', 1, 'SUCCEEDED')], false);
    expect(model.rows.map((r) => r.status)).toEqual(['SUCCEEDED']);
    const many = listOf([]);
    many.apply([row('n', 5, 'RUNNING'), row('n', 5, 'SUCCEEDED')], false);
    expect(many.rows.map((r) => [r.id, r.status])).toEqual([['n', 'SUCCEEDED']]);
  });

  it('changes a shown row in place even while the reader is away (nothing moves)', () => {
    const model = listOf([row('b', 2), row('a', 1)]);
    model.apply([row('a', 1, 'FAILED')], true);
    expect(model.rows.map((r) => r.status)).toEqual(['RUNNING', 'FAILED']);
    expect(model.waiting).toBe(0);
  });

  it('leaves an old run that changed (not shown) to its own page', () => {
    const model = listOf([row('b', 2), row('a', 1)], 2);
    expect(model.apply([row('old', 0)], false)).toBe(false);
    expect(ids(model)).toEqual(['b', 'a']);
  });

  it('puts a new run that arrived late (started before the newest shown) in its place, moving no shown row', () => {
    const model = listOf([row('d', 4), row('b', 2), row('a', 1)], 3);
    model.apply([row('c', 3)], false);
    expect(ids(model)).toEqual(['d', 'c', 'b']);
    // A shown row whose time changed keeps its place.
    const moved = listOf([row('x', null), row('b', 2)], 5);
    moved.apply([row('x', 1), row('y', 3)], false);
    expect(ids(moved)).toEqual(['y', 'x', 'b']);
  });
});

describe('LiveRows: new rows and the page size', () => {
  it('puts new rows on top, newest first (a queued one, not started, first of all)', () => {
    const model = listOf([row('b', 2), row('a', 1)], 10);
    model.apply([row('c', 3), row('q', null), row('d', 4)], false);
    expect(ids(model)).toEqual(['q', 'd', 'c', 'b', 'a']);
  });

  it('keeps its page size at the top: older rows fall off the end, and there is more to load', () => {
    const model = listOf([row('b', 2), row('a', 1)], 3);
    model.apply([row('c', 3), row('d', 4)], false);
    expect(ids(model)).toEqual(['d', 'c', 'b']);
    expect(model.trimmed).toBe(true);
    for (let i = 5; i < 100; i++) model.apply([row(`r${i}`, i)], false);
    expect(ids(model)).toEqual(['r99', 'r98', 'r97']);
  });

  it('keeps as many rows as the reader loaded, not fewer', () => {
    const model = listOf([row('c', 3), row('b', 2)], 2);
    model.append([row('a', 1)]);
    model.apply([row('d', 4)], false);
    expect(ids(model)).toEqual(['d', 'c', 'b']);
  });

  it('appends a next page without the rows a live insert already moved onto this one', () => {
    const model = listOf([row('c', 3), row('b', 2)], 10);
    model.append([row('b', 2), row('a', 1)]);
    expect(ids(model)).toEqual(['c', 'b', 'a']);
  });

  it('applying the same state twice changes nothing more (a resume may repeat what a reload shows)', () => {
    const model = listOf([row('b', 2)], 10);
    model.apply([row('c', 3)], false);
    const once = ids(model);
    expect(model.apply([row('c', 3)], false)).toBe(true);
    expect(ids(model)).toEqual(once);
  });
});

describe('LiveRows: a reader away from the top', () => {
  it('only counts new rows while away; they come on top, above everything shown, when asked for', () => {
    const model = listOf([row('b', 2), row('a', 1)], 3);
    for (let i = 0; i < 5; i++) model.apply([row('n1', 3), row('n2', 4, i % 2 ? 'SUCCEEDED' : 'RUNNING')], true);
    expect(ids(model)).toEqual(['b', 'a']);
    expect(model.waiting).toBe(2);
    expect(model.waitingReplaces).toBe(false);
    model.showWaiting();
    expect(ids(model)).toEqual(['n2', 'n1', 'b', 'a']);
    expect(model.rows[0].status).toBe('RUNNING');
    expect(model.waiting).toBe(0);
  });

  it('keeps a waiting row current, and never drops the final state of one', () => {
    const model = listOf([row('b', 2)], 3);
    model.apply([row('n', 3, 'RUNNING')], true);
    model.apply([row('n', 3, 'SUCCEEDED')], true);
    model.showWaiting();
    expect(model.rows.map((r) => [r.id, r.status])).toEqual([
      ['n', 'SUCCEEDED'],
      ['b', 'RUNNING'],
    ]);
  });

  it('keeps only the newest page of waiting rows in a burst; showing them replaces the list (some between are missing)', () => {
    const model = listOf([row('b', 2), row('a', 1)], 3);
    model.apply(
      Array.from({ length: 50 }, (_, i) => row(`n${i}`, 10 + i)),
      true,
    );
    expect(model.waiting).toBe(50);
    expect(model.waitingReplaces).toBe(true);
    model.showWaiting();
    expect(ids(model)).toEqual(['n49', 'n48', 'n47']);
    expect(model.trimmed).toBe(true);
  });

  it('inserts what waited with the next batch once the reader is back at the top', () => {
    const model = listOf([row('a', 1)], 5);
    model.apply([row('n', 3)], true);
    model.apply([row('m', 4)], false);
    expect(ids(model)).toEqual(['m', 'n', 'a']);
    expect(model.waiting).toBe(0);
  });

  it('counts at most WAITING_COUNT_CAP distinct rows, however long the reader stays away', () => {
    const model = listOf([row('a', 1)], 3);
    for (let i = 0; i < WAITING_COUNT_CAP + 100; i += 100) {
      model.apply(
        Array.from({ length: 100 }, (_, j) => row(`n${i + j}`, 2 + i + j)),
        true,
      );
    }
    expect(model.waiting).toBe(WAITING_COUNT_CAP);
    expect(model.waitingCapped).toBe(true);
  });

  it('drops what waited when the list is loaded again', () => {
    const model = listOf([row('a', 1)], 3);
    model.apply([row('n', 3)], true);
    model.reset([row('n', 3), row('a', 1)]);
    expect(model.waiting).toBe(0);
    expect(ids(model)).toEqual(['n', 'a']);
  });
});

describe('runProgress and reconnectDelay', () => {
  it('tells progress only against an expected total, within 0 to 100', () => {
    expect(runProgress({ expectedTotal: 10, counts: { total: 4, pending: 0 } })).toBe(40);
    expect(runProgress({ expectedTotal: 10, counts: { total: 4, pending: 2 } })).toBe(20);
    expect(runProgress({ expectedTotal: 2, counts: { total: 5, pending: 0 } })).toBe(100);
    expect(runProgress({ expectedTotal: null, counts: { total: 5, pending: 0 } })).toBeNull();
  });

  it('backs off from half a second to at most five', () => {
    expect([0, 1, 2, 3, 4, 10].map(reconnectDelay)).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });
});
