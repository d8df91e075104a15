// @vitest-environment happy-dom
// The history's table draws again only the row whose run changed: a live status change costs one row, not the
// table (a busy fleet changes a few runs of the shown page several times a second).
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import RunsTable from '../../../../client/src/components/RunsTable.vue';
import type { RunRowFragment } from '../../../../client/src/graphql/generated/graphql.js';

const run = (i: number, status = 'RUNNING'): RunRowFragment =>
  ({
    __typename: 'SyncRun',
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    tenantId: null,
    status,
    mode: 'SCHEDULED',
    operationType: null,
    entityTypes: ['Account'],
    triggeredBy: null,
    correlationId: null,
    startedAt: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(),
    endedAt: null,
    durationMs: null,
    expectedTotal: null,
    error: null,
    pipeline: { __typename: 'Pipeline', id: 'p', name: 'Billing → CRM' },
    counts: { __typename: 'RunCounts', total: i, created: i, updated: 0, deleted: 0, skipped: 0, succeeded: i, failed: 0, pending: 0 },
  }) as unknown as RunRowFragment;

describe('RunsTable', () => {
  it('draws again the one row whose run changed, not the others', async () => {
    const rowUpdates: string[] = [];
    const runs = Array.from({ length: 50 }, (_, i) => run(i));
    const wrapper = mount(RunsTable, {
      props: { runs, loading: false, canOperate: true },
      global: {
        // The failed count's download needs the signed-in viewer; its cell is not what this test watches.
        stubs: { RouterLink: { template: '<a><slot /></a>' }, FailedRecordsDownload: true },
        mixins: [
          {
            updated(this: { $: { type: { __name?: string } }; $props: { run?: RunRowFragment } }) {
              if (this.$.type.__name === 'RunRow') rowUpdates.push(this.$props.run?.id ?? '?');
            },
          },
        ],
      },
    });
    expect(wrapper.findAll('tr.run-row')).toHaveLength(50);

    const changed = runs.slice();
    changed[7] = run(7, 'SUCCEEDED');
    await wrapper.setProps({ runs: changed });
    await nextTick();
    expect(rowUpdates).toEqual([changed[7].id]);
    expect(wrapper.find(`tr[data-run-id="${changed[7].id}"]`).attributes('data-status')).toBe('SUCCEEDED');

    // A new run on top, the last falling off: no shown row is drawn again.
    rowUpdates.length = 0;
    await wrapper.setProps({ runs: [run(99), ...changed.slice(0, 49)] });
    await nextTick();
    expect(rowUpdates).toEqual([]);
    expect(wrapper.findAll('tr.run-row')[0].attributes('data-run-id')).toBe(run(99).id);
  });
});
