// A keyset-paged list that keeps going ("Load more"), reloads when its key changes, and, when it is live, takes
// live states at any rate: they are collected and applied at most every BATCH_MS in one change (the latest state of
// each row wins), new rows wait behind a "N new" bar while the reader is away from the top, and the list keeps its
// size. States that arrive while a reload is on the wire are applied to its answer.
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { errorMessage } from '../graphql/errors';
import { type Identified, LiveRows, type SortKey } from '../support/live-list';

/** How often live states are applied at most: a few times a second, whatever the rate of events. */
export const BATCH_MS = 250;

export interface Page<T> {
  rows: T[];
  /** Each row's cursor (same order), so the list can go on after any row it still shows once newer ones pushed it. */
  cursors?: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A connection's page as a list takes it. */
export function pageOf<T>(connection: {
  edges: { cursor?: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}): Page<T> {
  const { edges, pageInfo } = connection;
  return {
    rows: edges.map((edge) => edge.node),
    cursors: edges.every((edge) => edge.cursor) ? edges.map((edge) => edge.cursor as string) : undefined,
    hasNextPage: pageInfo.hasNextPage,
    endCursor: pageInfo.endCursor ?? null,
  };
}

export interface LiveOptions<T> {
  /** The time the list is sorted by, newest first. */
  sortKey: SortKey<T>;
  /** The reader is away from the top (scrolled down, or something selected): new rows wait behind the bar. */
  away?: () => boolean;
}

export function usePagedList<T extends Identified>(
  load: (after: string | null, first: number) => Promise<Page<T>>,
  key: () => unknown,
  pageSize = 50,
  live: LiveOptions<T> = { sortKey: () => null },
) {
  const model = new LiveRows<T>(live.sortKey, pageSize);
  const rows = shallowRef<T[]>([]);
  const waiting = ref(0);
  const waitingCapped = ref(false);
  const loading = ref(true);
  const loadingMore = ref(false);
  const error = ref<string | null>(null);
  const morePages = ref(false);
  const trimmed = ref(false);
  let endCursor: string | null = null;
  const cursors = new Map<string, string>();
  let generation = 0;
  let reloading = false;
  /** Live states not applied yet, the latest per id. */
  let pending = new Map<string, T>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastApplied = 0;

  function publish(): void {
    rows.value = model.rows;
    waiting.value = model.waiting;
    waitingCapped.value = model.waitingCapped;
    trimmed.value = model.trimmed;
    // The cursors of rows that fell off are dropped now and then: memory follows what is shown.
    if (cursors.size > 2 * model.rows.length + pageSize) {
      const shown = new Set(model.rows.map((row) => row.id));
      for (const id of cursors.keys()) if (!shown.has(id)) cursors.delete(id);
    }
  }

  function remember(page: Page<T>): void {
    page.cursors?.forEach((cursor, at) => {
      cursors.set(page.rows[at].id, cursor);
    });
    morePages.value = page.hasNextPage;
    endCursor = page.endCursor;
  }

  /** Applies what is pending in one change (not while a reload is on the wire: its answer takes them). */
  function applyPending(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (reloading || pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    lastApplied = Date.now();
    model.apply(batch, live.away?.() ?? false);
    publish();
  }

  /** Live states of rows, in order: applied within BATCH_MS, together with every other state until then. */
  function receive(items: readonly T[]): void {
    for (const item of items) {
      pending.delete(item.id); // the latest state goes last, as it came
      pending.set(item.id, item);
    }
    if (!timer && !reloading) timer = setTimeout(applyPending, Math.max(0, lastApplied + BATCH_MS - Date.now()));
  }

  /** A state the reader caused (a mutation's answer): shown at once. */
  function receiveNow(items: readonly T[]): void {
    receive(items);
    applyPending();
  }

  /** Loads the first page again; `silent` keeps the shown rows on screen (and as many as are shown). */
  async function reload(silent = false): Promise<void> {
    const mine = ++generation;
    if (!silent) loading.value = true;
    reloading = true;
    try {
      const page = await load(null, silent ? Math.min(500, Math.max(pageSize, rows.value.length)) : pageSize);
      if (mine !== generation) return;
      cursors.clear();
      remember(page);
      model.reset(page.rows);
      error.value = null;
    } catch (failure) {
      if (mine === generation) error.value = errorMessage(failure as Error);
    } finally {
      if (mine === generation) {
        loading.value = false;
        reloading = false;
        publish();
        applyPending();
      }
    }
  }

  /** The page after the last shown row the server gave a cursor for (rows shown only live have none). */
  function nextPageRequest(): { after: string | null; first: number } {
    if (!model.trimmed) return { after: endCursor, first: pageSize };
    const shown = model.rows;
    for (let at = shown.length - 1; at >= 0; at--) {
      const cursor = cursors.get(shown[at].id);
      if (cursor) return { after: cursor, first: shown.length - 1 - at + pageSize };
    }
    return { after: null, first: shown.length + pageSize };
  }

  async function loadMore(): Promise<void> {
    if (!hasNextPage.value || loadingMore.value) return;
    const mine = generation;
    loadingMore.value = true;
    try {
      const { after, first } = nextPageRequest();
      const page = await load(after, first);
      if (mine !== generation) return;
      remember(page);
      model.append(page.rows);
      publish();
    } catch (failure) {
      if (mine === generation) error.value = errorMessage(failure as Error);
    } finally {
      loadingMore.value = false;
    }
  }

  /** The rows waiting behind the bar, on top; true when they replaced the list (the reader goes to the top). */
  function showWaiting(): boolean {
    applyPending();
    const replaces = model.waitingReplaces;
    model.showWaiting();
    publish();
    return replaces;
  }

  const hasNextPage = computed(() => morePages.value || trimmed.value);
  watch(key, () => void reload(), { immediate: true, deep: true });
  onScopeDispose(() => timer && clearTimeout(timer));

  return {
    rows,
    loading,
    loadingMore,
    error,
    hasNextPage,
    /** Distinct new rows waiting behind the bar. */
    waiting,
    /** The waiting count reached its cap ("N+"). */
    waitingCapped,
    reload,
    refresh: () => reload(true),
    loadMore,
    receive,
    receiveNow,
    showWaiting,
  };
}
