// The session of the current API key (its Apollo client and live connection), handed from ApiSession to every
// component under it.
import type { ApolloClient } from '@apollo/client';
import { type InjectionKey, inject, provide } from 'vue';
import type { LiveConnection } from '../graphql/live';

export interface Session {
  client: ApolloClient;
  live: LiveConnection;
}

const SESSION: InjectionKey<Session> = Symbol('syncwatch session');

export function provideSession(session: Session): void {
  provide(SESSION, session);
}

export function useSession(): Session {
  const session = inject(SESSION);
  if (!session) throw new Error('useSession() needs an ApiSession above it');
  return session;
}

export function useApolloClient(): ApolloClient {
  return useSession().client;
}
