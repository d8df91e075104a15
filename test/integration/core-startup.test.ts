// Starting on a database: migrations on every start, the first admin key on an empty one, ADMIN_API_KEY ensured.
import { afterEach, beforeAll, expect, it } from 'vitest';
import { createTestDatabase } from '../support/database.js';
import { createPipeline } from '../support/fixtures.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let databaseUrl: string;
let running: TestServer | null = null;

beforeAll(async () => {
  databaseUrl = await createTestDatabase('startup');
});
afterEach(async () => {
  await running?.stop();
  running = null;
});

/** Starts on the shared database, without background jobs; ADMIN_API_KEY unset unless given. */
async function start(adminApiKey = ''): Promise<TestServer> {
  running = await startTestServer({ ADMIN_API_KEY: adminApiKey }, { databaseUrl, jobs: false });
  return running;
}

const role = async (server: TestServer, secret: string) => {
  const result = await new GraphQLClient(server.graphqlUrl, secret).request<{ me: { role: string; tenantId: string | null } }>(
    '{ me { role tenantId } }',
  );
  return result.data?.me ?? result.errors?.[0].extensions?.code;
};

let firstKey: string;
let pipelineId: string;

it('creates an admin key on the first start of an empty database', async () => {
  const server = await start();
  expect(server.instance.firstAdminKey).toEqual(expect.any(String));
  firstKey = server.instance.firstAdminKey as string;
  expect(await role(server, firstKey)).toEqual({ role: 'ADMIN', tenantId: null });
  pipelineId = (await createPipeline(new GraphQLClient(server.graphqlUrl, firstKey), { name: 'survives restarts' })).id;
});

it('keeps its data and creates no second key when started again', async () => {
  const server = await start();
  expect(server.instance.firstAdminKey).toBeNull();
  const client = new GraphQLClient(server.graphqlUrl, firstKey);
  const { pipeline } = await client.ok<{ pipeline: { name: string } | null }>('query($id: ID!) { pipeline(id: $id) { name } }', {
    id: pipelineId,
  });
  expect(pipeline?.name).toBe('survives restarts');
});

it('ensures an admin key with the secret of ADMIN_API_KEY, and never un-revokes it', async () => {
  const secret = 'ensured-admin-secret-0001';
  let server = await start(secret);
  expect(server.instance.firstAdminKey).toBeNull();
  expect(await role(server, secret)).toEqual({ role: 'ADMIN', tenantId: null });
  const client = new GraphQLClient(server.graphqlUrl, secret);
  const { me } = await client.ok<{ me: { id: string } }>('{ me { id } }');
  await new GraphQLClient(server.graphqlUrl, firstKey).ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: me.id });
  expect(await role(server, secret)).toBe('UNAUTHENTICATED');
  await server.stop();

  // A revoked secret stays revoked: starting with it again must not bring it back.
  server = await start(secret);
  expect(await role(server, secret)).toBe('UNAUTHENTICATED');
});
