// The checkbox column of a record table that picks rows (RecordsTable, the Failures tab's FailuresTable): checked ids
// survive live changes and refreshes (they are ids, not rows). Our own column: naive-ui's leaves its checkboxes
// without a name; these say which record they pick.
import { computed, h, type Ref } from 'vue';
import type { RecordRowFragment } from '../graphql/generated/graphql';
import type { GridColumn } from './grid-row';

// Native checkboxes, named for the record they pick: a live list draws fifty of them several times a second.
const checkbox = (checked: boolean, label: string, onChange: (on: boolean) => void, indeterminate = false) =>
  h('input', {
    type: 'checkbox',
    class: 'row-check',
    checked,
    indeterminate,
    'aria-label': label,
    onChange: (event: Event) => onChange((event.target as HTMLInputElement).checked),
  });

export function selectionColumn(rows: () => RecordRowFragment[], checked: Ref<string[]>): GridColumn {
  const checkedSet = computed(() => new Set(checked.value));
  const allChecked = computed(() => rows().length > 0 && rows().every((r) => checkedSet.value.has(r.id)));
  const someChecked = computed(() => !allChecked.value && rows().some((r) => checkedSet.value.has(r.id)));
  const toggle = (id: string, on: boolean) => {
    checked.value = on ? [...checked.value, id] : checked.value.filter((c) => c !== id);
  };
  const toggleAll = (on: boolean) => {
    checked.value = on ? rows().map((r) => r.id) : [];
  };
  return {
    key: 'select',
    width: 36,
    title: () => checkbox(allChecked.value, 'Select all shown records', toggleAll, someChecked.value),
    render: (r) => checkbox(checkedSet.value.has(r.id), `Select ${r.entityType} ${r.sourceId}`, (on) => toggle(r.id, on)),
  };
}
