// A keyset-paged list that keeps going ("Load more"), reloads when its key changes, and lets live events change
// its rows in place. Changes that arrive while a reload is on the wire are applied again to its answer.
import { ref, shallowRef, watch } from 'vue';
import { errorMessage } from '../graphql/errors';
import { appendUnique, type Identified } from '../support/live-list';

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export function usePagedList<T extends Identified>(
  load: (after: string | null, first: number) => Promise<Page<T>>,
  key: () => unknown,
  pageSize = 50,
) {
  const rows = shallowRef<T[]>([]);
  const loading = ref(true);
  const loadingMore = ref(false);
  const error = ref<string | null>(null);
  const hasNextPage = ref(false);
  let endCursor: string | null = null;
  let generation = 0;
  /** Live changes seen during the current reload, replayed onto its answer. */
  let duringReload: ((shown: T[]) => T[])[] | null = null;

  /** Loads the first page again; `silent` keeps the shown rows on screen (and as many as are shown). */
  async function reload(silent = false): Promise<void> {
    const mine = ++generation;
    if (!silent) loading.value = true;
    duringReload = [];
    try {
      const page = await load(null, silent ? Math.min(500, Math.max(pageSize, rows.value.length)) : pageSize);
      if (mine !== generation) return;
      let next = page.rows;
      for (const change of duringReload ?? []) next = change(next);
      rows.value = next;
      hasNextPage.value = page.hasNextPage;
      endCursor = page.endCursor;
      error.value = null;
    } catch (failure) {
      if (mine === generation) error.value = errorMessage(failure as Error);
    } finally {
      if (mine === generation) {
        loading.value = false;
        duringReload = null;
      }
    }
  }

  async function loadMore(): Promise<void> {
    if (!hasNextPage.value || loadingMore.value) return;
    const mine = generation;
    loadingMore.value = true;
    try {
      const page = await load(endCursor, pageSize);
      if (mine !== generation) return;
      rows.value = appendUnique(rows.value, page.rows);
      hasNextPage.value = page.hasNextPage;
      endCursor = page.endCursor;
    } catch (failure) {
      if (mine === generation) error.value = errorMessage(failure as Error);
    } finally {
      loadingMore.value = false;
    }
  }

  /** A live change of the shown rows. */
  function change(update: (shown: T[]) => T[]): void {
    duringReload?.push(update);
    rows.value = update(rows.value);
  }

  watch(key, () => void reload(), { immediate: true, deep: true });

  return { rows, loading, loadingMore, error, hasNextPage, reload, refresh: () => reload(true), loadMore, change };
}
