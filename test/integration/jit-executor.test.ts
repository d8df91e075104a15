// Queries and mutations over HTTP run on graphql-jit from a document's second request on (graphql/jit-executor.ts);
// the first runs on graphql-js. Each document here is sent several times: every answer, errors with their
// locations, paths and codes included, must be the one graphql-js gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { createPipeline, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let admin: GraphQLClient;
let viewer: GraphQLClient;
let runId: string;

beforeAll(async () => {
  server = await startTestServer({}, { jobs: false });
  admin = server.admin;
  viewer = await server.clientFor(Role.VIEWER);
  const pipeline = await createPipeline(admin);
  const run = await startRun(admin, pipeline.id, { startedAt: '2026-11-20T10:00:00Z' });
  runId = run.id;
  await reportRecords(admin, run.id, [
    recordInput('jit-1'),
    recordInput('jit-2', { status: 'FAILED', retryable: false }),
    recordInput('jit-3', { status: 'FAILED', retryable: true }),
  ]);
});
afterAll(() => server?.stop());

/** The same request three times: the first answer (graphql-js), then the compiled document's, all equal. */
async function sameAnswers(client: GraphQLClient, query: string, variables?: Record<string, unknown>) {
  const first = await client.request(query, variables);
  for (let i = 0; i < 2; i++) expect(await client.request(query, variables)).toEqual(first);
  return first;
}

const PAGE = `query Page($statuses: [RecordStatus!], $withRun: Boolean!, $skipCursor: Boolean!, $since: DateTime) {
  __typename
  records(filter: { statuses: $statuses, startedAt: { from: $since } }, first: 2) {
    totalCount
    edges { cursor @skip(if: $skipCursor) node { ...Record } }
    pageInfo { hasNextPage endCursor }
  }
  other: records(first: 1) { edges { node { sourceId, alias: id } } }
}
fragment Record on SyncRecord {
  __typename id entityType sourceId status startedAt
  ... on SyncRecord { retryable attempts }
  run @include(if: $withRun) { id status startedAt pipeline { id name } }
}`;

describe('graphql-jit answers as graphql-js', () => {
  it('a page with variables, fragments, aliases, @include and @skip, nested objects and custom scalars', async () => {
    for (const variables of [
      { statuses: ['FAILED'], withRun: true, skipCursor: false, since: '2026-11-01T00:00:00+02:00' },
      { statuses: null, withRun: false, skipCursor: true },
    ]) {
      const answer = await sameAnswers(admin, PAGE, variables);
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
    }
    const answer = await admin.request<{ records: { edges: { node: { run?: { id: string } } }[] } }>(PAGE, {
      statuses: ['FAILED'],
      withRun: true,
      skipCursor: false,
    });
    expect(answer.data?.records.edges.map((edge) => edge.node.run?.id)).toEqual([runId, runId]);
  });

  it('introspection', async () => {
    // Under the depth limit (12): the full introspection query nests deeper.
    const query = `{
      __schema { queryType { name } mutationType { name } types { name kind description specifiedByURL
        fields(includeDeprecated: true) { name args { name defaultValue type { name kind ofType { name kind } } } type { name kind ofType { name kind } } }
        enumValues { name description } } }
      __type(name: "SyncRecord") { name fields { name } }
    }`;
    const answer = await sameAnswers(admin, query);
    expect(answer.errors).toBeUndefined();
  });

  it('a refused mutation: its path, code and null data', async () => {
    const query = 'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }';
    const answer = await sameAnswers(viewer, query, { input: { name: 'refused', sourceSystem: 'A', targetSystem: 'B' } });
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]).toMatchObject({ path: ['createPipeline'], extensions: { code: 'FORBIDDEN' } });
  });

  it('a service error under a field: its path and code', async () => {
    const query = '{ records(first: 1, after: "not-a-cursor") { edges { node { id } } } }';
    const answer = await sameAnswers(admin, query);
    expect(answer.errors?.[0]).toMatchObject({ path: ['records'], extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('a variable that does not coerce, after the document ran: 400 and BAD_USER_INPUT as before', async () => {
    const query = 'query($since: DateTime) { records(filter: { startedAt: { from: $since } }, first: 1) { edges { node { id } } } }';
    const refused = await admin.request(query, { since: 'yesterday' });
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // The document now runs compiled; the same bad value is answered the same.
    await sameAnswers(admin, query, { since: '2026-11-01T00:00:00Z' });
    expect(await admin.request(query, { since: 'yesterday' })).toEqual(refused);
    expect(await admin.request(query, { since: 42 })).toMatchObject({ status: 400, errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });
});
