// One Apollo client per API key, for queries and mutations over HTTP. Live updates go through graphql/live.ts.
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';

export function createApolloClient(apiKey: string, origin: string = window.location.origin): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: `${origin}/graphql`, headers: { authorization: `Bearer ${apiKey}` } }),
    cache: new InMemoryCache({
      // Counts and policies have no id: a newer one replaces the older, nothing to merge.
      typePolicies: { RunCounts: { merge: false }, RetryPolicy: { merge: false } },
    }),
    // Every page keeps its own state (live rows, pages): answers skip the normalised cache, which only cost time
    // (writing a page of runs into it took longer than the request on a busy machine).
    defaultOptions: { query: { fetchPolicy: 'no-cache' }, mutate: { fetchPolicy: 'no-cache' } },
  });
}
