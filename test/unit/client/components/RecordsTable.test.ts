// @vitest-environment happy-dom
// The record tables draw again only the row whose record changed: a busy run's batches replace a few rows of the
// shown page several times a second, and the table used to draw all of them each time.
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import RecordsTable from '../../../../client/src/components/RecordsTable.vue';
import type { RecordRowFragment } from '../../../../client/src/graphql/generated/graphql.js';

const record = (i: number, status = 'SUCCEEDED'): RecordRowFragment =>
  ({
    __typename: 'SyncRecord',
    id: `r-${i}`,
    entityType: 'Account',
    sourceId: `acct-${i}`,
    targetId: null,
    operation: 'UPDATE',
    status,
    errorCode: status === 'FAILED' ? 'INVALID' : null,
    errorMessage: status === 'FAILED' ? 'account is closed' : null,
    retryable: true,
    attempts: 1,
    nextRetryAt: null,
    startedAt: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(),
    endedAt: null,
    latencyMs: 12,
    run: {
      __typename: 'SyncRun',
      id: 'run-1',
      mode: 'SCHEDULED',
      triggeredBy: null,
      pipeline: { __typename: 'Pipeline', id: 'p', name: 'Billing → CRM' },
    },
  }) as unknown as RecordRowFragment;

describe('RecordsTable', () => {
  it('draws again the one row whose record changed; selection and details still work', async () => {
    const updates: string[] = [];
    const rows = Array.from({ length: 50 }, (_, i) => record(i));
    const wrapper = mount(RecordsTable, {
      props: { rows, loading: false, selectable: true, showRun: true, label: 'Records', emptyText: 'None' },
      global: {
        stubs: { RouterLink: { template: '<a><slot /></a>' }, RecordDetail: { template: '<div class="detail-stub" />' } },
        mixins: [
          {
            updated(this: { $: { type: { name?: string } }; $props: { record?: RecordRowFragment } }) {
              if (this.$.type.name === 'GridRow') updates.push(this.$props.record?.id ?? '?');
            },
          },
        ],
      },
    });
    expect(wrapper.findAll('tr.record-row')).toHaveLength(50);

    const changed = rows.slice();
    changed[3] = record(3, 'FAILED');
    await wrapper.setProps({ rows: changed });
    await nextTick();
    expect(updates).toEqual(['r-3']);
    const row = wrapper.find('tr[data-record-id="r-3"]');
    expect(row.attributes('data-status')).toBe('FAILED');
    // The error cell is cut to one line and keeps the whole text on hover.
    expect(row.findAll('td.ellipsis').at(-1)?.attributes('title')).toBe('INVALID: account is closed');

    // Checking a record names it in the model; opening one shows its details row.
    await row.find('input.row-check').setValue(true);
    expect(wrapper.emitted('update:checked')?.at(-1)).toEqual([['r-3']]);
    await row.find('button.source-toggle').trigger('click');
    expect(wrapper.find('tr.details-row .detail-stub').exists()).toBe(true);
  });
});
