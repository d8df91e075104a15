// One Apollo client per API key, for queries and mutations over HTTP. Live updates go through graphql/live.ts.
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';

export function createApolloClient(apiKey: string, origin: string = window.location.origin): ApolloClient {
  return new ApolloClient({
    link: new HttpLink({ uri: `${origin}/graphql`, headers: { authorization: `Bearer ${apiKey}` } }),
    cache: new InMemoryCache({
      // Counts and policies have no id: a newer one replaces the older, nothing to merge.
      typePolicies: { RunCounts: { merge: false }, RetryPolicy: { merge: false } },
    }),
    // The lists keep their own state (live rows, pages); the cache only serves small, stable reads.
    defaultOptions: { query: { fetchPolicy: 'network-only' }, watchQuery: { fetchPolicy: 'cache-and-network' } },
  });
}
