// One run, read by id and kept current by runUpdated. Its counts move while its records come in (their batches
// arrive on their own subscription) and again when retries are scheduled or settle: those change its records'
// statuses without a batch of this run's, and `onRetriesMoved` says so (the page reads its records again).
import { ref, watch } from 'vue';
import { errorMessage } from '../graphql/errors';
import type { RunDetailQuery } from '../graphql/generated/graphql';
import { runDetailQuery, runUpdatedSubscription } from '../graphql/operations';
import { useApolloClient } from './useApolloClient';
import { useLiveSubscription } from './useLiveSubscription';

export type RunDetail = NonNullable<RunDetailQuery['run']>;
type RunChange = Partial<Omit<RunDetail, 'pipeline'>>;

export function useRun(runId: () => string, onRetriesMoved: () => void) {
  const client = useApolloClient();
  const run = ref<RunDetail | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(true);

  async function load() {
    try {
      const { data } = await client.query({ query: runDetailQuery, variables: { id: runId() } });
      run.value = data?.run ?? null;
      error.value = null;
    } catch (failure) {
      error.value = errorMessage(failure as Error);
    } finally {
      loading.value = false;
    }
  }
  watch(runId, load, { immediate: true });

  /** A newer state of the run (live, or a mutation's answer); the detail fields it lacks are kept. */
  function update(changed: RunChange) {
    if (run.value) run.value = { ...run.value, ...changed, pipeline: run.value.pipeline };
  }

  useLiveSubscription(
    runUpdatedSubscription,
    () => ({ filter: { search: runId() } }),
    (data) => data.runUpdated.cursor,
    {
      next: (data) => {
        const updated = data.runUpdated.run;
        if (updated.id !== runId() || !run.value) return;
        const before = run.value.counts;
        // Statuses moved among the same records: retries, not a reported batch.
        const retriesMoved = updated.counts.total === before.total && JSON.stringify(updated.counts) !== JSON.stringify(before);
        update(updated);
        if (retriesMoved) onRetriesMoved();
      },
      expired: () => void load(),
    },
  );

  return { run, error, loading, update };
}
