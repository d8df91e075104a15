// @vitest-environment happy-dom
// Filters live in the address: Apply pushes them (Back returns to the previous ones), other parameters stay.
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import { useQueryParam, useRouteFilters } from '../../../../client/src/composables/useRouteFilters.js';
import { emptyFilters } from '../../../../client/src/support/filters.js';

async function setup(path: string) {
  let state!: ReturnType<typeof useRouteFilters> & { sort: ReturnType<typeof useQueryParam<'started' | 'ended'>> };
  const Page = defineComponent({
    setup() {
      state = { ...useRouteFilters(), sort: useQueryParam('sort', 'started', ['started', 'ended'] as const) };
      return () => h('p');
    },
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/runs', component: Page }] });
  await router.push(path);
  mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [router] } });
  await router.isReady();
  return { router, state: () => state };
}

describe('useRouteFilters', () => {
  it('reads the filters of the address', async () => {
    const { state } = await setup('/runs?status=FAILED&status=RUNNING&q=acme&sort=ended');
    expect(state().filters.value.statuses).toEqual(['FAILED', 'RUNNING']);
    expect(state().filters.value.search).toBe('acme');
    expect(state().sort.value).toBe('ended');
  });

  it('applies into the address, keeping other parameters, and Back restores the previous filters', async () => {
    const { router, state } = await setup('/runs?status=FAILED&sort=ended');
    await state().apply({ ...emptyFilters(), modes: ['MANUAL'], timeframe: '24h' });
    expect(router.currentRoute.value.query).toEqual({ sort: 'ended', mode: ['MANUAL'], tf: '24h' });
    expect(state().filters.value.statuses).toEqual([]);
    router.back();
    await flushPromises();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(state().filters.value.statuses).toEqual(['FAILED']);
  });

  it('Reset clears the filters only', async () => {
    const { router, state } = await setup('/runs?status=FAILED&pipeline=p1&sort=ended');
    await state().reset();
    expect(router.currentRoute.value.query).toEqual({ sort: 'ended' });
  });

  it('leaves a page parameter at its default out of the address', async () => {
    const { router, state } = await setup('/runs?sort=ended');
    state().sort.value = 'started';
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({});
  });
});
