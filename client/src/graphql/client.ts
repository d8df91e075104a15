// One Apollo client per API key: queries and mutations over HTTP, subscriptions over graphql-ws, both on /graphql.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

export function createApolloClient(apiKey: string, origin: string = window.location.origin): ApolloClient {
  const authorization = `Bearer ${apiKey}`;
  const http = new HttpLink({ uri: `${origin}/graphql`, headers: { authorization } });
  // graphql-ws is lazy: the socket opens with the first subscription and closes after the last one.
  const ws = new GraphQLWsLink(createClient({ url: `${origin.replace(/^http/, 'ws')}/graphql`, connectionParams: { authorization } }));
  return new ApolloClient({
    link: ApolloLink.split((operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
    cache: new InMemoryCache(),
  });
}
