// The pipelines the key sees, read once per session and shared by the filter bar, Trigger sync and the Pipelines page.
import { type Ref, ref } from 'vue';
import { errorMessage } from '../graphql/errors';
import type { PipelinesQuery } from '../graphql/generated/graphql';
import { pipelinesQuery } from '../graphql/operations';
import { type Session, useSession } from './useApolloClient';

export type PipelineItem = PipelinesQuery['pipelines'][number];

interface PipelineStore {
  pipelines: Ref<PipelineItem[]>;
  loading: Ref<boolean>;
  error: Ref<string | null>;
  reload(): Promise<void>;
}

const stores = new WeakMap<Session, PipelineStore>();

export function usePipelines(): PipelineStore {
  const session = useSession();
  let store = stores.get(session);
  if (!store) {
    const pipelines = ref<PipelineItem[]>([]);
    const loading = ref(true);
    const error = ref<string | null>(null);
    const reload = async () => {
      loading.value = true;
      try {
        const { data } = await session.client.query({ query: pipelinesQuery });
        pipelines.value = data?.pipelines ?? [];
        error.value = null;
      } catch (failure) {
        error.value = errorMessage(failure as Error);
      } finally {
        loading.value = false;
      }
    };
    store = { pipelines, loading, error, reload };
    stores.set(session, store);
    void reload();
  }
  return store;
}
