// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h, ref, watch } from 'vue';
import { BATCH_MS, type Page, usePagedList } from '../../../../client/src/composables/usePagedList.js';

interface Row {
  id: string;
  startedAt: string | null;
  status: string;
}

function withList(load: (after: string | null, first: number) => Promise<Page<Row>>, key = ref('a'), away = () => false) {
  let list!: ReturnType<typeof usePagedList<Row>>;
  mount(
    defineComponent({
      setup() {
        list = usePagedList<Row>(load, () => key.value, 2, { sortKey: (r) => r.startedAt, away });
        return () => h('div');
      },
    }),
  );
  return { list: () => list, key };
}

const row = (id: string, startedAt: string, status = 'RUNNING'): Row => ({ id, startedAt, status });

afterEach(() => {
  vi.useRealTimers();
});

describe('usePagedList', () => {
  it('loads the first page, keeps going, and reloads when its key changes', async () => {
    const asked: [string | null, number][] = [];
    const pages: Record<string, Page<Row>> = {
      first: { rows: [row('3', '2026-01-03'), row('2', '2026-01-02')], hasNextPage: true, endCursor: 'p2' },
      p2: { rows: [row('1', '2026-01-01')], hasNextPage: false, endCursor: null },
    };
    const { list, key } = withList(async (after, first) => {
      asked.push([after, first]);
      return pages[after ?? 'first'];
    });
    await flushPromises();
    expect(list().rows.value.map((r) => r.id)).toEqual(['3', '2']);
    expect(list().loading.value).toBe(false);
    await list().loadMore();
    expect(list().rows.value.map((r) => r.id)).toEqual(['3', '2', '1']);
    expect(list().hasNextPage.value).toBe(false);
    key.value = 'b';
    await flushPromises();
    expect(asked).toEqual([
      [null, 2],
      ['p2', 2],
      [null, 2],
    ]);
  });

  it('applies live changes that arrive while a reload is on the wire to its answer', async () => {
    let answer!: (page: Page<Row>) => void;
    const { list } = withList(() => new Promise((resolve) => (answer = resolve)));
    // The reload's answer was read before this change: the change must survive it.
    list().receive([row('2', '2026-01-02', 'SUCCEEDED')]);
    answer({ rows: [row('2', '2026-01-02', 'RUNNING'), row('1', '2026-01-01')], hasNextPage: false, endCursor: null });
    await flushPromises();
    expect(list().rows.value.map((r) => [r.id, r.status])).toEqual([
      ['2', 'SUCCEEDED'],
      ['1', 'RUNNING'],
    ]);
  });

  it('applies a burst of live states in one change, the latest of each row', async () => {
    vi.useFakeTimers();
    const { list } = withList(async () => ({
      rows: [row('2', '2026-01-02'), row('1', '2026-01-01')],
      hasNextPage: false,
      endCursor: null,
    }));
    await flushPromises();
    let changes = 0;
    watch(list().rows, () => changes++);
    list().receive([row('2', '2026-01-02', 'SUCCEEDED')]); // the first after a quiet spell goes out at once
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toBe(1);
    for (let i = 0; i < 500; i++) list().receive([row('1', '2026-01-01', i % 2 ? 'FAILED' : 'RUNNING'), row('2', '2026-01-02', `S${i}`)]);
    await vi.advanceTimersByTimeAsync(BATCH_MS - 10);
    expect(changes).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(changes).toBe(2);
    expect(list().rows.value.map((r) => [r.id, r.status])).toEqual([
      ['2', 'S499'],
      ['1', 'FAILED'],
    ]);
  });

  it('shows what a reader caused at once', async () => {
    vi.useFakeTimers();
    const { list } = withList(async () => ({ rows: [row('1', '2026-01-01')], hasNextPage: false, endCursor: null }));
    await flushPromises();
    list().receive([row('1', '2026-01-01', 'FAILED')]);
    list().receiveNow([row('1', '2026-01-01', 'CANCELLED')]);
    expect(list().rows.value.map((r) => r.status)).toEqual(['CANCELLED']);
  });

  it('after new rows pushed older ones off, goes on after the last shown row it has a cursor for', async () => {
    vi.useFakeTimers();
    const asked: [string | null, number][] = [];
    const { list } = withList(async (after, first) => {
      asked.push([after, first]);
      if (after === null)
        return { rows: [row('2', '2026-01-02'), row('1', '2026-01-01')], cursors: ['c2', 'c1'], hasNextPage: false, endCursor: 'c1' };
      return { rows: [row('1', '2026-01-01'), row('0', '2025-12-31')], cursors: ['c1', 'c0'], hasNextPage: false, endCursor: 'c0' };
    });
    await flushPromises();
    expect(list().hasNextPage.value).toBe(false);
    list().receiveNow([row('3', '2026-01-03')]);
    expect(list().rows.value.map((r) => r.id)).toEqual(['3', '2']);
    expect(list().hasNextPage.value).toBe(true);
    await list().loadMore();
    expect(asked.at(-1)).toEqual(['c2', 2]);
    expect(list().rows.value.map((r) => r.id)).toEqual(['3', '2', '1', '0']);
    expect(list().hasNextPage.value).toBe(false);
  });

  it('holds new rows behind the bar while the reader is away, and shows them on request', async () => {
    vi.useFakeTimers();
    let away = true;
    const { list } = withList(
      async () => ({ rows: [row('1', '2026-01-01')], hasNextPage: false, endCursor: null }),
      ref('a'),
      () => away,
    );
    await flushPromises();
    list().receive([row('2', '2026-01-02'), row('3', '2026-01-03')]);
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(list().rows.value.map((r) => r.id)).toEqual(['1']);
    expect(list().waiting.value).toBe(2);
    away = false;
    expect(list().showWaiting()).toBe(false);
    expect(list().rows.value.map((r) => r.id)).toEqual(['3', '2', '1']);
    expect(list().waiting.value).toBe(0);
  });

  it('shows the error of a failed load', async () => {
    const { list } = withList(async () => {
      throw new Error('network down');
    });
    await flushPromises();
    expect(list().error.value).toBe('network down');
    expect(list().loading.value).toBe(false);
  });
});
