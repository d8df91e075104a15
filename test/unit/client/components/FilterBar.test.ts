// @vitest-environment happy-dom
// The filter bar: shows the fields a page asks for, starts from the address's filters, Apply puts the draft into
// the address (other parameters stay), Reset clears it. Its drop-downs' choices come from the session's client,
// here one answering the two queries it asks (pipelines, facets).
import { flushPromises, mount } from '@vue/test-utils';
import { NSelect } from 'naive-ui';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import FilterBar from '../../../../client/src/components/FilterBar.vue';
import { provideSession, type Session } from '../../../../client/src/composables/useApolloClient.js';
import { RUN_FILTER_FIELDS } from '../../../../client/src/support/filters.js';
import { RUN_STATUSES } from '../../../../client/src/support/statuses.js';

const answers = {
  Pipelines: { pipelines: [{ id: 'p1', name: 'Billing → CRM' }] },
  Facets: { facets: { entityTypes: ['Account'], operationTypes: ['Pull updates'], tenantIds: ['acme'], errorCodes: ['INVALID'] } },
};
/** The pipelines each facets query asked for, in order. */
const facetRequests: (string[] | null)[] = [];
const client = {
  async query({
    query,
    variables,
  }: {
    query: { definitions: { name?: { value: string } }[] };
    variables?: { pipelineIds?: string[] | null };
  }) {
    const name = query.definitions[0].name?.value ?? '';
    if (name === 'Facets') {
      facetRequests.push(variables?.pipelineIds ?? null);
      if (variables?.pipelineIds?.includes('p1')) return { data: { facets: { ...answers.Facets.facets, entityTypes: ['Invoice'] } } };
    }
    return { data: answers[name as keyof typeof answers] };
  },
};

async function mountBar(path: string, fields = RUN_FILTER_FIELDS) {
  const Page = defineComponent({
    setup() {
      provideSession({ client, live: {} } as unknown as Session);
      return () => h(FilterBar, { fields, statuses: RUN_STATUSES, searchLabel: 'Run id' });
    },
  });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/runs', component: Page }] });
  await router.push(path);
  const wrapper = mount(defineComponent({ render: () => h(RouterView) }), { global: { plugins: [router] } });
  await router.isReady();
  await flushPromises();
  return { wrapper, router };
}

describe('FilterBar', () => {
  it('shows the fields the page asks for, and only those', async () => {
    const { wrapper } = await mountBar('/runs', ['statuses', 'search']);
    expect(wrapper.find('[data-filter="statuses"]').exists()).toBe(true);
    expect(wrapper.find('[data-filter="modes"]').exists()).toBe(false);
    expect(wrapper.find('input[name="search"]').exists()).toBe(true);
  });

  it('starts from the address, applies the draft into it keeping other parameters, and resets it', async () => {
    const { wrapper, router } = await mountBar('/runs?q=acme&sort=ended');
    const search = wrapper.find('input[name="search"]');
    expect((search.element as HTMLInputElement).value).toBe('acme');
    await search.setValue('globex');
    // Nothing moves until Apply.
    expect(router.currentRoute.value.query.q).toBe('acme');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(router.currentRoute.value.query).toMatchObject({ q: 'globex', sort: 'ended' });
    const reset = wrapper.findAll('button').find((button) => button.text() === 'Reset');
    await reset?.trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({ sort: 'ended' });
  });

  it('narrows the object choices as soon as a pipeline is picked, before Apply (seed 003)', async () => {
    facetRequests.length = 0;
    const { wrapper, router } = await mountBar('/runs');
    const objects = () => wrapper.findAllComponents(NSelect).find((select) => select.attributes('data-filter') === 'entityTypes');
    const pipelines = wrapper.findAllComponents(NSelect).find((select) => select.attributes('data-filter') === 'pipelineIds');
    expect(objects()?.props('options')).toEqual([{ label: 'Account', value: 'Account' }]);
    pipelines?.vm.$emit('update:value', ['p1']);
    await flushPromises();
    expect(facetRequests).toEqual([null, ['p1']]);
    expect(objects()?.props('options')).toEqual([{ label: 'Invoice', value: 'Invoice' }]);
    // Only the choices moved: the address waits for Apply.
    expect(router.currentRoute.value.query.pipeline).toBeUndefined();
  });
});
