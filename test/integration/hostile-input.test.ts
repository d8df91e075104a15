// Hostile requests against both doors: each limit of the execution policy (graphql/policy.ts) answers
// with a coded error (HTTP) or an error message / close (WebSocket), and the server answers the next
// normal request right after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { LIMITS } from '../../server/graphql/policy.js';
import { CLOSE } from '../../server/sdk/close-codes.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

const BODY_LIMIT = 256 * 1024;
const SOCKETS_PER_KEY = 20;
let server: TestServer;
let viewer: GraphQLClient;
let viewerSecret: string;

beforeAll(async () => {
  server = await startTestServer({ MAX_BODY_BYTES: String(BODY_LIMIT), WS_MAX_SOCKETS_PER_KEY: String(SOCKETS_PER_KEY) });
  viewer = await server.clientFor(Role.VIEWER);
  viewerSecret = viewer.secret as string;
});
afterAll(async () => {
  await server?.stop();
});

const aliasBomb = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;
const directiveFlood = (n: number) => `{ __typename ${'@include(if: true) '.repeat(n)} }`;
const deep = (levels: number) => {
  // pipelines → runs → pipeline → runs ... each hop one level.
  let inner = 'id';
  for (let i = 0; i < levels - 1; i++) inner = i % 2 === 0 ? `pipeline { ${inner} }` : `runs(first: 1) { edges { node { ${inner} } } }`;
  return `{ runs(first: 1) { edges { node { ${inner} } } } }`;
};
/** Fragments that each spread the next twice: a few hundred bytes that expand to 2^n fields. */
const fragmentFanOut = (n: number) => {
  const fragments = Array.from({ length: n }, (_, i) =>
    i === n - 1 ? `fragment F${i} on Query { __typename }` : `fragment F${i} on Query { ...F${i + 1} ... on Query { ...F${i + 1} } }`,
  );
  return `{ ...F0 } ${fragments.join(' ')}`;
};

/** The server still answers a normal request. */
async function answersNormally() {
  const { me } = await viewer.ok<{ me: { role: string } }>('{ me { role } }');
  expect(me.role).toBe('VIEWER');
}

async function httpRefusal(client: GraphQLClient, query: string, variables?: Record<string, unknown>) {
  const result = await client.request(query, variables);
  expect(result.data ?? null).toBeNull();
  expect(result.errors?.length).toBeGreaterThan(0);
  return { status: result.status, code: result.errors?.[0].extensions?.code, limit: result.errors?.[0].extensions?.limit };
}

describe('the HTTP door', () => {
  it('refuses a document over the token limit before validating it', async () => {
    const query = `{ ${'__typename '.repeat(LIMITS.maxTokens + 10)} }`;
    expect(await httpRefusal(viewer, query)).toEqual({ status: 400, code: 'BAD_USER_INPUT', limit: 'tokens' });
    await answersNormally();
  });

  it('refuses alias bombs, directive floods, deep nesting and fragment fan-out', async () => {
    expect(await httpRefusal(viewer, aliasBomb(LIMITS.maxAliases + 1))).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'aliases' });
    expect(await httpRefusal(viewer, directiveFlood(LIMITS.maxDirectives + 1))).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'directives',
    });
    expect(await httpRefusal(viewer, deep(LIMITS.maxDepth + 2))).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'depth' });
    expect(await httpRefusal(viewer, fragmentFanOut(30))).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'fields' });
    await answersNormally();
    // At the limits, still answered.
    expect((await viewer.request(aliasBomb(LIMITS.maxAliases))).errors).toBeUndefined();
  });

  it('prices totalCount: aliased counts add up to the cost limit', async () => {
    const counts = Math.floor(LIMITS.maxCost / LIMITS.countCost) + 1;
    const query = `{ ${Array.from({ length: Math.min(counts, LIMITS.maxAliases) }, (_, i) => `c${i}: runs(first: 1) { totalCount }`).join(' ')} }`;
    expect(counts).toBeLessThanOrEqual(LIMITS.maxAliases);
    expect(await httpRefusal(viewer, query)).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost' });
    await answersNormally();
  });

  it('answers application/json clients 200 for a refused document (GraphQL-over-HTTP)', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${viewerSecret}` },
      body: JSON.stringify({ query: aliasBomb(LIMITS.maxAliases + 1) }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a request without a valid key before parsing; introspection stays open', async () => {
    const anonymous = new (viewer.constructor as typeof GraphQLClient)(server.graphqlUrl, null);
    expect(await httpRefusal(anonymous, '{ runs(first: 1) { totalCount } }')).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
      limit: undefined,
    });
    // A key-less document gets a smaller token budget.
    expect(await httpRefusal(anonymous, `{ ${'__typename '.repeat(LIMITS.maxTokensWithoutKey + 1)} }`)).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'tokens',
    });
    const forged = new (viewer.constructor as typeof GraphQLClient)(server.graphqlUrl, 'not-a-key');
    expect(await httpRefusal(forged, `{ ${'__typename '.repeat(LIMITS.maxTokens * 2)} }`)).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
      limit: undefined,
    });
    const introspection = await anonymous.request<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(introspection.data?.__schema.queryType.name).toBe('Query');
    await answersNormally();
  });

  it('refuses a body over the limit and huge variables with a code', async () => {
    const big = await httpRefusal(viewer, '{ me { role } }', { pad: 'x'.repeat(BODY_LIMIT) });
    expect(big).toMatchObject({ status: 413, code: 'BAD_REQUEST' });
    // A variable nested thousands deep where a list of enums belongs: refused by coercion, not by a crash.
    const depth = 20_000;
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${viewerSecret}` },
      body: `{"query":"query($f: RunFilter) { runs(first: 1, filter: $f) { totalCount } }","variables":{"f":{"statuses":${'['.repeat(depth)}"FAILED"${']'.repeat(depth)}}}}`,
    });
    const coerced = { status: response.status, ...((await response.json()) as { errors: { extensions: { code: string } }[] }) };
    expect(coerced.status).toBe(400);
    expect(coerced.errors[0].extensions.code).toMatch(/^(BAD_USER_INPUT|BAD_REQUEST)$/);
    // Many values within the body limit: a list of 20,000 statuses is coerced and answered, or refused with a code.
    const many = await viewer.request('query($f: RunFilter) { runs(first: 1, filter: $f) { totalCount } }', {
      f: { statuses: Array.from({ length: 20_000 }, () => 'FAILED') },
    });
    expect(many.errors?.[0]?.extensions?.code ?? 'answered').toMatch(/answered|BAD_USER_INPUT/);
    await answersNormally();
  });
});

describe('forged cursors', () => {
  const forge = (field: string, value: unknown, id: string) => Buffer.from(JSON.stringify([field, value, id])).toString('base64url');
  const uuid = '6f1c1c8e-0000-4000-8000-000000000001';

  it('are BAD_USER_INPUT, never an internal error', async () => {
    for (const after of [
      forge('STARTED_AT', '2026-02-30 10:00:00+00', uuid),
      forge('STARTED_AT', 'yesterday', uuid),
      forge('STARTED_AT', 12, uuid),
      'not base64 at all ***',
    ]) {
      expect(await httpRefusal(viewer, 'query($a: String) { runs(first: 1, after: $a) { edges { cursor } } }', { a: after })).toMatchObject(
        {
          code: 'BAD_USER_INPUT',
        },
      );
    }
    expect(
      await httpRefusal(
        viewer,
        'query($a: String) { records(first: 1, after: $a, orderBy: { field: LATENCY, direction: ASC }) { edges { cursor } } }',
        { a: forge('LATENCY', '99999999999', uuid) },
      ),
    ).toMatchObject({ code: 'BAD_USER_INPUT' });
    await answersNormally();
  });

  it('to resume a subscription are BAD_USER_INPUT (EVENTS_EXPIRED)', async () => {
    const client = new LiveClient(server.graphqlUrl, viewerSecret);
    try {
      const since = Buffer.from(`ev:${'9'.repeat(20)}:${'9'.repeat(19)}`).toString('base64url');
      const [error] = await client.subscribe('subscription($s: String) { runUpdated(since: $s) { cursor } }', { s: since }).failure();
      expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EVENTS_EXPIRED' });
    } finally {
      await client.dispose();
    }
  });
});

describe('bulk operator mutations', () => {
  it('take at most 1,000 ids, and an error repeats only a few of them', async () => {
    const operator = await server.clientFor(Role.OPERATOR);
    const tooMany = Array.from({ length: 1_001 }, (_, i) => String(i + 1));
    const result = await operator.request('mutation($ids: [ID!]) { retryRecords(ids: $ids) { __typename } }', { ids: tooMany });
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = Array.from({ length: 1_000 }, (_, i) => `nope-${'x'.repeat(200)}-${i}`);
    const missing = await operator.request('mutation($ids: [ID!]) { discardDeadLetters(ids: $ids) { __typename } }', { ids: unknown });
    expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0].message.length).toBeLessThan(1_100);
    expect(missing.errors?.[0].message).toMatch(/and 990 more/);
  });
});

describe('the WebSocket door', () => {
  const live = () => new LiveClient(server.graphqlUrl, viewerSecret);

  it('applies the same limits to subscriptions, with coded errors', async () => {
    const client = live();
    try {
      const cases: [string, string][] = [
        [
          `subscription { ${Array.from({ length: LIMITS.maxAliases + 1 }, (_, i) => `a${i}: runUpdated { cursor }`).join(' ')} }`,
          'aliases',
        ],
        [`subscription { runUpdated { cursor ${'@include(if: true) '.repeat(LIMITS.maxDirectives + 1)} } }`, 'directives'],
        [`subscription { runUpdated { ${'cursor '.repeat(LIMITS.maxTokens + 1)} } }`, 'tokens'],
      ];
      for (const [query, limit] of cases) {
        const [error] = await client.subscribe(query).failure();
        expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', limit });
      }
      const [invalid] = await client.subscribe('subscription { runUpdated { noSuchField } }').failure();
      expect(invalid.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const [badValue] = await client.subscribe('subscription { runUpdated(filter: { statuses: [NOPE] }) { cursor } }').failure();
      expect(badValue.extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await client.dispose();
    }
    await answersNormally();
  });

  it('carries subscriptions only: queries and mutations go over HTTP', async () => {
    const client = live();
    try {
      const [error] = await client.subscribe('{ me { role } }').failure();
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'transport' });
      const [mutation] = await client.subscribe('mutation { purgeHistory(before: "2000-01-01T00:00:00Z") }').failure();
      expect(mutation.extensions?.limit).toBe('transport');
    } finally {
      await client.dispose();
    }
  });

  it('checks every subscribe message, even one whose document it has checked before', async () => {
    const client = live();
    try {
      // An invalid document is refused each time (only valid ones are kept).
      for (let n = 0; n < 2; n++) {
        const [invalid] = await client.subscribe('subscription { runUpdated { noSuchField } }').failure();
        expect(invalid.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
      // One text holding a subscription and a query: kept once valid as the subscription, still refused as the query.
      const both = 'subscription Live { runUpdated { cursor } } query Me { me { role } }';
      client.subscribe(both, {}, 'Live');
      const [query] = await client.subscribe(both, {}, 'Me').failure();
      expect(query.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'transport' });
    } finally {
      await client.dispose();
    }
  });

  it('closes a socket that sends a message over the payload limit (1009)', async () => {
    const client = live();
    try {
      client.subscribe(`subscription { runUpdated { cursor } } # ${'x'.repeat(BODY_LIMIT)}`);
      expect((await client.closed).code).toBe(1009);
    } finally {
      await client.dispose();
    }
    await answersNormally();
  });

  it('caps subscriptions per socket with an error, the socket and its others staying open', async () => {
    const client = live();
    try {
      const open = Array.from({ length: LIMITS.maxSubscriptionsPerSocket }, () =>
        client.subscribe('subscription { runUpdated { cursor } }'),
      );
      const [error] = await client.subscribe('subscription { runUpdated { cursor } }').failure();
      expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'subscriptions' });
      expect(open.every((received) => received.errors === null)).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('caps sockets per key with CLOSE.TOO_MANY_SOCKETS; another key still connects', async () => {
    const clients = Array.from({ length: SOCKETS_PER_KEY }, () => live());
    try {
      // Each socket is acknowledged once its first subscription answers (or at least is accepted).
      await Promise.all(clients.map((client) => new Promise<void>((resolve) => client.client.on('connected', () => resolve()))));
      const extra = live();
      clients.push(extra);
      expect(await extra.closed).toEqual({ code: CLOSE.TOO_MANY_SOCKETS.code, reason: CLOSE.TOO_MANY_SOCKETS.reason });
      const other = new LiveClient(server.graphqlUrl, (await server.clientFor(Role.VIEWER)).secret);
      clients.push(other);
      await new Promise<void>((resolve) => other.client.on('connected', () => resolve()));
    } finally {
      await Promise.all(clients.map((client) => client.dispose()));
    }
    await answersNormally();
  });
});

describe('security headers', () => {
  it('are on every response: CSP (scripts from self, no framing), nosniff, referrer policy', async () => {
    for (const path of ['/graphql?query=%7B__typename%7D', '/healthz', '/', '/no-such-page']) {
      const response = await fetch(`${server.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toMatch(/script-src 'self'(;|$)/);
      expect(csp, path).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      await response.arrayBuffer();
    }
  });
});
