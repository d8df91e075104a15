// A query that stays in sync with the Apollo cache: our own small useQuery over client.watchQuery
// (@vue/apollo-composable does not work with Apollo Client 4).
import type { ErrorLike, OperationVariables, TypedDocumentNode } from '@apollo/client';
import { onScopeDispose, type Ref, ref, type ShallowRef, shallowRef, watch } from 'vue';
import { useApolloClient } from './useApolloClient';

export interface QueryState<TData, TVariables extends OperationVariables> {
  /** The latest complete result; kept while new variables load, so lists do not flash empty. */
  data: ShallowRef<TData | undefined>;
  error: ShallowRef<ErrorLike | undefined>;
  loading: Ref<boolean>;
  refetch(): Promise<unknown>;
  /** Fetches with other variables and merges the answer into the shown data (keyset "load more"). */
  fetchMore(variables: Partial<TVariables>, merge: (shown: TData, next: TData) => TData): Promise<unknown>;
}

export function useQuery<TData, TVariables extends OperationVariables>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: () => NoInfer<TVariables>,
): QueryState<TData, TVariables> {
  const client = useApolloClient();
  const data = shallowRef<TData>();
  const error = shallowRef<ErrorLike>();
  const loading = ref(true);

  const query = client.watchQuery<TData, TVariables>({ query: document, variables: variables(), notifyOnNetworkStatusChange: true });
  const subscription = query.subscribe((result) => {
    loading.value = result.loading;
    error.value = result.error;
    if (result.dataState === 'complete') data.value = result.data as TData;
  });
  // A failure also reaches the subscription above, which shows it; the promise needs no handling of its own.
  watch(variables, (next) => void query.reobserve({ variables: next }).catch(() => {}));
  onScopeDispose(() => subscription.unsubscribe());

  return {
    data,
    error,
    loading,
    refetch: () => query.refetch(),
    fetchMore: (more, merge) =>
      query.fetchMore({
        variables: more,
        updateQuery: (shown, { fetchMoreResult }) => merge(shown as TData, fetchMoreResult as TData) as never,
      }),
  };
}
