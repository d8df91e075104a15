// A table's chosen columns, remembered per browser (localStorage) under the table's id: the history, the records
// tables. The chooser (ColumnChooser.vue) edits `hidden`; the table asks `shown(key)`.
import { ref, watch } from 'vue';
import { type ChoosableColumn, columnsStorageKey, hiddenColumnsFrom } from '../support/columns';

export function useColumnChoice(tableId: string, columns: () => readonly ChoosableColumn[], hiddenByDefault: readonly string[]) {
  const storageKey = columnsStorageKey(tableId);
  const hidden = ref<string[]>(hiddenColumnsFrom(localStorage.getItem(storageKey), columns(), hiddenByDefault));
  watch(hidden, (keys) => localStorage.setItem(storageKey, JSON.stringify(keys)));
  const shown = (key: string) => !hidden.value.includes(key);
  return { hidden, shown };
}
