// The status cards' counts, from the server for the page's filters: records by status (syncSummary.byStatus, as
// sync logs show them) or runs by status (one capped runs COUNT per card, as the overview's runs toggle shows them).
// Each applies only the answer of its latest request; read again when `key` changes or on refresh().
import { type Ref, ref, shallowRef, watch } from 'vue';
import { errorMessage } from '../graphql/errors';
import type { RecordFilter, RunFilter } from '../graphql/generated/graphql';
import { recordStatusCountsQuery, runStatusCountsQuery } from '../graphql/health-operations';
import type { RunFilterShape } from '../support/filters';
import { runCardFilters, runStatusCards, type StatusCards, statusCards, type Window } from '../support/health';
import { useApolloClient } from './useApolloClient';

interface Counts<T> {
  cards: Ref<T | null>;
  failure: Ref<string | null>;
  refresh: () => Promise<void>;
}

function useLatest<T>(read: () => Promise<T>, key: () => unknown, enabled: () => boolean = () => true): Counts<T> {
  const cards = shallowRef<T | null>(null);
  const failure = ref<string | null>(null);
  let latest = 0;
  async function refresh(): Promise<void> {
    if (!enabled()) return;
    const mine = ++latest;
    try {
      const answer = await read();
      if (mine !== latest) return;
      cards.value = answer;
      failure.value = null;
    } catch (error) {
      if (mine === latest) failure.value = errorMessage(error as Error);
    }
  }
  watch([key, enabled], () => void refresh(), { immediate: true });
  return { cards, failure, refresh };
}

/** Records by status for the filter within the window (every status the filter lets through). */
export function useRecordStatusCards(filter: () => RecordFilter, window: () => Window, key: () => unknown): Counts<StatusCards> {
  const client = useApolloClient();
  return useLatest(async () => {
    const { data } = await client.query({ query: recordStatusCountsQuery, variables: { filter: filter(), range: window() } });
    return statusCards(data!.syncSummary.byStatus);
  }, key);
}

/** Runs by status for the filter, read only while `enabled` (the toggle shows runs). */
export function useRunStatusCards(
  filter: () => RunFilterShape,
  key: () => unknown,
  enabled: () => boolean,
): Counts<StatusCards & { exact: boolean }> {
  const client = useApolloClient();
  return useLatest(
    async () => {
      const cards = runCardFilters(filter());
      const variables = {
        total: cards.total as RunFilter,
        success: cards.success as RunFilter,
        partial: cards.partial as RunFilter,
        failed: cards.failed as RunFilter,
      };
      const { data } = await client.query({ query: runStatusCountsQuery, variables });
      return runStatusCards(data!);
    },
    key,
    enabled,
  );
}
