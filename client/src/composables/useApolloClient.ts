// The Apollo client of the current API key, handed from ApiSession to every component under it.
import type { ApolloClient } from '@apollo/client';
import { type InjectionKey, inject, provide } from 'vue';

const APOLLO_CLIENT: InjectionKey<ApolloClient> = Symbol('apollo client');

export function provideApolloClient(client: ApolloClient): void {
  provide(APOLLO_CLIENT, client);
}

export function useApolloClient(): ApolloClient {
  const client = inject(APOLLO_CLIENT);
  if (!client) throw new Error('useApolloClient() needs an ApiSession above it');
  return client;
}
