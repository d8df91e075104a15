import { describe, expect, it } from 'vitest';
import { appendUnique, reconnectDelay, replaceShown, runProgress, upsertLive } from '../../../../client/src/support/live-list.js';

interface Row {
  id: string;
  startedAt: string | null;
  status?: string;
}
const byStart = (row: Row) => row.startedAt;
const rows: Row[] = [
  { id: 'b', startedAt: '2026-11-30T10:00:00Z' },
  { id: 'a', startedAt: '2026-11-30T09:00:00Z' },
];

describe('upsertLive', () => {
  it('changes a shown row in place, keeping the order', () => {
    const next = upsertLive(rows, { id: 'a', startedAt: '2026-11-30T09:00:00Z', status: 'SUCCEEDED' }, byStart);
    expect(next.map((r) => [r.id, r.status])).toEqual([
      ['b', undefined],
      ['a', 'SUCCEEDED'],
    ]);
    expect(next[0]).toBe(rows[0]);
  });

  it('puts a new run on top, and a queued one (not started) too', () => {
    expect(upsertLive(rows, { id: 'c', startedAt: '2026-11-30T11:00:00Z' }, byStart).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(upsertLive(rows, { id: 'q', startedAt: null }, byStart).map((r) => r.id)).toEqual(['q', 'b', 'a']);
    expect(upsertLive([], { id: 'c', startedAt: '2020-01-01T00:00:00Z' }, byStart).map((r) => r.id)).toEqual(['c']);
  });

  it('leaves an old run that changed (not shown) to its own page', () => {
    expect(upsertLive(rows, { id: 'old', startedAt: '2026-11-01T00:00:00Z' }, byStart).map((r) => r.id)).toEqual(['b', 'a']);
  });

  it('applying the same event twice changes nothing more (a resume may repeat what a reload already shows)', () => {
    const event = { id: 'c', startedAt: '2026-11-30T11:00:00Z' };
    const once = upsertLive(rows, event, byStart);
    expect(upsertLive(once, event, byStart)).toEqual(once);
  });
});

describe('replaceShown and appendUnique', () => {
  it('replaces only rows that are shown', () => {
    const next = replaceShown(rows, [
      { id: 'a', startedAt: null, status: 'X' },
      { id: 'z', startedAt: null },
    ]);
    expect(next.map((r) => r.id)).toEqual(['b', 'a']);
    expect(next[1].status).toBe('X');
  });

  it('appends the next page without the rows a live insert already moved onto this one', () => {
    expect(
      appendUnique(rows, [
        { id: 'a', startedAt: null },
        { id: 'z', startedAt: null },
      ]).map((r) => r.id),
    ).toEqual(['b', 'a', 'z']);
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
