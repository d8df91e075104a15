// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, ref } from 'vue';
import { type Page, usePagedList } from '../../../../client/src/composables/usePagedList.js';
import { upsertLive } from '../../../../client/src/support/live-list.js';

interface Row {
  id: string;
  startedAt: string | null;
  status: string;
}

function withList(load: (after: string | null, first: number) => Promise<Page<Row>>, key = ref('a')) {
  let list!: ReturnType<typeof usePagedList<Row>>;
  mount(
    defineComponent({
      setup() {
        list = usePagedList<Row>(load, () => key.value, 2);
        return () => h('div');
      },
    }),
  );
  return { list: () => list, key };
}

const row = (id: string, startedAt: string, status = 'RUNNING'): Row => ({ id, startedAt, status });

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
    list().change((rows) => upsertLive(rows, row('2', '2026-01-02', 'SUCCEEDED'), (r) => r.startedAt));
    answer({ rows: [row('2', '2026-01-02', 'RUNNING'), row('1', '2026-01-01')], hasNextPage: false, endCursor: null });
    await flushPromises();
    expect(list().rows.value.map((r) => [r.id, r.status])).toEqual([
      ['2', 'SUCCEEDED'],
      ['1', 'RUNNING'],
    ]);
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
