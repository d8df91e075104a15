// The HTTP surface besides GraphQL POST: health, metrics, and GraphQL-over-HTTP's GET rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SECRET, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe('operational endpoints', () => {
  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ status: 'ready' });
  });

  it('serves Prometheus metrics with runs by status', async () => {
    const { createPipeline } = await server.admin.ok<{ createPipeline: { id: string } }>(
      'mutation { createPipeline(input: { name: "m", sourceSystem: "a", targetSystem: "b" }) { id } }',
    );
    await server.admin.ok('mutation($p: ID!) { triggerSync(pipelineId: $p) { id } }', { p: createPipeline.id });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('syncwatch_runs{status="QUEUED"} 1');
    expect(text).toContain('syncwatch_process_cpu_seconds_total');
  });
});

describe('GraphQL over HTTP', () => {
  const auth = { authorization: `Bearer ${ADMIN_SECRET}` };

  it('runs a query sent with GET', async () => {
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ me { role } }')}`, {
      headers: { ...auth, accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json');
    // Every answer depends on the caller's key: no cache may keep it (and a GET is cacheable by default).
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ data: { me: { role: 'ADMIN' } } });
  });

  it('refuses a mutation sent with GET and changes nothing', async () => {
    const mutation = 'mutation { createPipeline(input: { name: "via GET", sourceSystem: "a", targetSystem: "b" }) { id } }';
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent(mutation)}`, {
      headers: { ...auth, 'apollo-require-preflight': 'true' },
    });
    expect(response.status).toBe(405);
    const { pipelines } = await server.admin.ok<{ pipelines: { name: string }[] }>('{ pipelines { name } }');
    expect(pipelines.map((p) => p.name)).not.toContain('via GET');
  });

  it('answers a request that is not GraphQL with 400', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: '{ me { role ' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers a body that is not JSON with 400 in the media type asked for', async () => {
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', accept },
        body: '{"query": ',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain(accept);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]).toMatchObject({ message: expect.stringMatching(/not valid JSON/), extensions: { code: 'BAD_REQUEST' } });
    }
  });
});
