// A key revoked on one instance is refused by every instance at once (NOTIFY), not after the key
// cache's 5 s, and its open sockets there are closed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { CLOSE } from '../../server/sdk/close-codes.js';
import { eventually } from '../support/fixtures.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer();
  b = await startTestServer({}, { databaseUrl: a.databaseUrl });
});
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});

describe('revoking a key', () => {
  it('reaches the other instance well inside its cache time', async () => {
    const viewer = await a.clientFor(Role.VIEWER);
    const onB = new GraphQLClient(b.graphqlUrl, viewer.secret);
    const { me } = await onB.ok<{ me: { id: string } }>('{ me { id } }'); // now in B's cache
    const live = new LiveClient(b.graphqlUrl, viewer.secret);
    try {
      live.subscribe('subscription { runUpdated { cursor } }');
      await new Promise<void>((resolve) => live.client.on('connected', () => resolve()));
      await a.admin.ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: me.id });
      // The cache keeps a key 5 s and sockets are re-checked every 5 s: 2 s tells NOTIFY from either.
      await eventually(
        async () => ((await onB.request('{ me { id } }')).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED' ? true : undefined),
        'B refusing the key',
        2_000,
        50,
      );
      expect((await live.closed).code).toBe(CLOSE.REVOKED.code);
    } finally {
      await live.dispose();
    }
  });
});
