// Bad input gets a clear error with the right extensions.code and changes nothing in the database.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { databaseState } from '../support/db-state.js';
import { createPipeline, type PipelineView, RUN_FIELDS, type RunView, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MAX_BODY_BYTES = 2 * 1024 * 1024;
const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

let server: TestServer;
let admin: GraphQLClient;
let pipeline: PipelineView;
let run: RunView;

beforeAll(async () => {
  // No background jobs: "bad input changes nothing" compares the whole database before and after.
  server = await startTestServer({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) }, { jobs: false });
  admin = server.admin;
  pipeline = await createPipeline(admin);
  run = await startRun(admin, pipeline.id, { startedAt: '2026-11-20T10:00:00Z' });
  await reportRecords(admin, run.id, [recordInput('seed-1'), recordInput('seed-2', { status: 'FAILED', retryable: false })]);
});
afterAll(() => server?.stop());

// Every test here proves the database is exactly as before it, unless it says it adds something on purpose.
let stateBefore: Awaited<ReturnType<typeof databaseState>>;
let changesData = false;
beforeEach(async () => {
  changesData = false;
  stateBefore = await databaseState(server.databaseUrl);
});
afterEach(async () => {
  if (!changesData) expect(await databaseState(server.databaseUrl)).toEqual(stateBefore);
});

/** The request fails with `code` and a message. */
async function expectRefused(code: string, query: string, variables?: Record<string, unknown>, client = admin): Promise<string> {
  const result = await client.request(query, variables);
  expect(result.errors?.length, JSON.stringify(result.data)).toBeGreaterThan(0);
  const [error] = result.errors ?? [];
  expect(error.extensions?.code, error.message).toBe(code);
  expect(error.message.length).toBeGreaterThan(0);
  return error.message;
}

const START = 'mutation($input: StartRunInput!) { startRun(input: $input) { id } }';
const REPORT = 'mutation($runId: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $runId, records: $records) { accepted } }';

describe('unknown ids', () => {
  it.each([UNKNOWN_UUID, 'not-an-id', '42'])('%s is NOT_FOUND for every mutation that takes one', async (id) => {
    await expectRefused('NOT_FOUND', START, { input: { pipelineId: id, mode: 'MANUAL' } });
    await expectRefused('NOT_FOUND', REPORT, { runId: id, records: [recordInput('x')] });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { heartbeat(runId: $id) { cancelRequested } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { finishRun(runId: $id) { id } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { cancelRun(runId: $id) { id } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { claimRun(pipelineId: $id, workerId: "w") { id } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { triggerSync(pipelineId: $id) { id } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { revokeApiKey(id: $id) }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { retryRun(runId: $id) { scheduled } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { retryRecords(ids: [$id]) { scheduled } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { replayDeadLetters(ids: [$id]) { scheduled } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!) { discardDeadLetters(ids: [$id]) { discarded } }', { id });
    await expectRefused('NOT_FOUND', 'mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { id } }', {
      id,
      input: { name: 'n', sourceSystem: 's', targetSystem: 't' },
    });
  });

  it('read by id as null', async () => {
    for (const id of [UNKNOWN_UUID, 'not-an-id', '999999999']) {
      const data = await admin.ok('query($id: ID!) { run(id: $id) { id } record(id: $id) { id } pipeline(id: $id) { id } }', { id });
      expect(data).toEqual({ run: null, record: null, pipeline: null });
    }
  });

  it('in a filter match nothing when well-formed, and are BAD_USER_INPUT when malformed', async () => {
    const data = await admin.ok<{ runs: { totalCount: number }; records: { totalCount: number } }>(
      'query($id: ID!) { runs(filter: { pipelineIds: [$id] }) { totalCount } records(filter: { runIds: [$id] }) { totalCount } }',
      { id: UNKNOWN_UUID },
    );
    expect(data).toEqual({ runs: { totalCount: 0 }, records: { totalCount: 0 } });
    expect(await expectRefused('BAD_USER_INPUT', '{ runs(filter: { pipelineIds: ["nope"] }) { totalCount } }')).toMatch(/pipelineIds/);
    expect(await expectRefused('BAD_USER_INPUT', '{ records(filter: { runIds: ["nope"] }) { totalCount } }')).toMatch(/runIds/);
    expect(await expectRefused('BAD_USER_INPUT', '{ records(filter: { pipelineIds: ["1"] }) { totalCount } }')).toMatch(/pipelineIds/);
  });
});

describe('invalid enum values', () => {
  it('as literals', async () => {
    await expectRefused('BAD_USER_INPUT', '{ runs(filter: { statuses: [DONE] }) { totalCount } }');
    await expectRefused('BAD_USER_INPUT', '{ records(filter: { operations: [UPSERT] }) { totalCount } }');
    await expectRefused('BAD_USER_INPUT', '{ runs(orderBy: { field: NAME, direction: ASC }) { totalCount } }');
    await expectRefused('BAD_USER_INPUT', `mutation { startRun(input: { pipelineId: "${pipeline.id}", mode: SOMETIMES }) { id } }`);
    await expectRefused('BAD_USER_INPUT', `mutation { triggerSync(pipelineId: "${pipeline.id}", mode: "MANUAL") { id } }`);
  });

  it('as variables', async () => {
    await expectRefused('BAD_USER_INPUT', 'query($s: [RunStatus!]) { runs(filter: { statuses: $s }) { totalCount } }', { s: ['DONE'] });
    await expectRefused('BAD_USER_INPUT', START, { input: { pipelineId: pipeline.id, mode: 'SOMETIMES' } });
    await expectRefused('BAD_USER_INPUT', REPORT, { runId: run.id, records: [recordInput('ok'), recordInput('bad', { status: 'GREAT' })] });
    await expectRefused('BAD_USER_INPUT', REPORT, { runId: run.id, records: [recordInput('bad', { operation: 'UPSERT' })] });
    await expectRefused('BAD_USER_INPUT', 'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }', {
      input: { name: 'k', role: 'ROOT' },
    });
  });

  it('a required variable that is missing or null', async () => {
    await expectRefused('BAD_USER_INPUT', 'mutation($id: ID!) { heartbeat(runId: $id) { cancelRequested } }', {});
    await expectRefused('BAD_USER_INPUT', 'mutation($id: ID!) { heartbeat(runId: $id) { cancelRequested } }', { id: null });
    await expectRefused('BAD_USER_INPUT', REPORT, {
      runId: run.id,
      records: [{ entityType: 'Account', sourceId: 'no-status', operation: 'CREATE' }],
    });
  });

  it('that exist but are not allowed here', async () => {
    expect(await expectRefused('BAD_USER_INPUT', START, { input: { pipelineId: pipeline.id, mode: 'RETRY' } })).toMatch(/RETRY/);
    await expectRefused('BAD_USER_INPUT', 'mutation($id: ID!) { triggerSync(pipelineId: $id, mode: CLEANUP) { id } }', { id: pipeline.id });
  });
});

describe('text Postgres cannot hold', () => {
  it('a NUL character in an argument or a filter is BAD_USER_INPUT', async () => {
    expect(
      await expectRefused('BAD_USER_INPUT', 'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }', {
        input: { name: 'bad\u0000name', sourceSystem: 'a', targetSystem: 'b' },
      }),
    ).toMatch(/NUL/);
    expect(
      await expectRefused('BAD_USER_INPUT', 'query($f: RecordFilter) { records(filter: $f) { totalCount } }', {
        f: { sourceId: 'x\u0000' },
      }),
    ).toMatch(/sourceId/);
    expect(
      await expectRefused('BAD_USER_INPUT', 'query($f: RunFilter) { runs(filter: $f) { totalCount } }', { f: { search: '\u0000' } }),
    ).toMatch(/search/);
  });
});

describe('malformed DateTime', () => {
  it('as a literal', async () => {
    await expectRefused('BAD_USER_INPUT', '{ runs(filter: { startedAt: { from: "yesterday" } }) { totalCount } }');
    await expectRefused('BAD_USER_INPUT', '{ records(filter: { startedAt: { to: "2026-13-45T00:00:00Z" } }) { totalCount } }');
  });

  it('as a variable', async () => {
    await expectRefused('BAD_USER_INPUT', REPORT, {
      runId: run.id,
      records: [recordInput('ok'), recordInput('t', { startedAt: 'not a time' })],
    });
    await expectRefused('BAD_USER_INPUT', START, { input: { pipelineId: pipeline.id, mode: 'MANUAL', startedAt: '2026-02-30T10:00:00Z' } });
    await expectRefused('BAD_USER_INPUT', 'query($r: DateRange) { runs(filter: { endedAt: $r }) { totalCount } }', { r: { from: 12 } });
  });

  it('a window that ends before it starts', async () => {
    const message = await expectRefused(
      'BAD_USER_INPUT',
      '{ runs(filter: { startedAt: { from: "2026-11-20T00:00:00Z", to: "2026-11-19T00:00:00Z" } }) { totalCount } }',
    );
    expect(message).toMatch(/from/);
  });
});

describe('sizes and numbers', () => {
  it('5,001 records in one call is BAD_USER_INPUT and stores none; 5,000 go in', async () => {
    const batch = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => recordInput(`${prefix}-${i}`));
    expect(await expectRefused('BAD_USER_INPUT', REPORT, { runId: run.id, records: batch(5_001, 'over') })).toMatch(/5,?000/);
    expect(await databaseState(server.databaseUrl)).toEqual(stateBefore);
    changesData = true;
    const fresh = await startRun(admin, pipeline.id);
    const report = await reportRecords(admin, fresh.id, batch(5_000, 'max'));
    expect(report.accepted).toBe(5_000);
    expect(report.run.counts.total).toBe(5_000);
  });

  it.each([0, 501, -1])('first: %i is BAD_USER_INPUT on every list', async (first) => {
    await expectRefused('BAD_USER_INPUT', 'query($first: Int) { runs(first: $first) { edges { cursor } } }', { first });
    await expectRefused('BAD_USER_INPUT', 'query($first: Int) { records(first: $first) { edges { cursor } } }', { first });
    await expectRefused('BAD_USER_INPUT', 'query($first: Int) { auditLog(first: $first) { edges { cursor } } }', { first });
    await expectRefused('BAD_USER_INPUT', 'query($id: ID!, $first: Int) { run(id: $id) { records(first: $first) { edges { cursor } } } }', {
      id: run.id,
      first,
    });
  });

  it('first: 500 and first: 1 are fine', async () => {
    for (const first of [1, 500]) {
      const result = await admin.request(
        'query($first: Int) { runs(first: $first) { edges { cursor } } records(first: $first) { edges { cursor } } }',
        {
          first,
        },
      );
      expect(result.errors).toBeUndefined();
    }
  });

  it('a first that is not an integer is BAD_USER_INPUT', async () => {
    await expectRefused('BAD_USER_INPUT', '{ runs(first: "ten") { totalCount } }');
    await expectRefused('BAD_USER_INPUT', 'query($first: Int) { runs(first: $first) { totalCount } }', { first: 2.5 });
  });

  it('a negative latency or an empty entityType is rejected by index and stores nothing', async () => {
    changesData = true;
    const fresh = await startRun(admin, pipeline.id);
    const before = await databaseState(server.databaseUrl);
    const report = await reportRecords(admin, fresh.id, [recordInput('neg', { latencyMs: -10 }), recordInput('empty', { entityType: '' })]);
    expect(report.accepted).toBe(0);
    expect(report.rejected).toEqual([
      { index: 0, reason: expect.stringMatching(/latencyMs/) },
      { index: 1, reason: expect.stringMatching(/entityType/) },
    ]);
    const after = await databaseState(server.databaseUrl);
    expect(after.records).toEqual(before.records);
    expect(after.record_attempts).toEqual(before.record_attempts);
  });

  it('a negative expectedTotal, an empty name or worker id, a bad retry policy are BAD_USER_INPUT', async () => {
    await expectRefused('BAD_USER_INPUT', START, { input: { pipelineId: pipeline.id, mode: 'MANUAL', expectedTotal: -1 } });
    await expectRefused('BAD_USER_INPUT', 'mutation($id: ID!) { claimRun(pipelineId: $id, workerId: "  ") { id } }', { id: pipeline.id });
    const create = 'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }';
    await expectRefused('BAD_USER_INPUT', create, { input: { name: ' ', sourceSystem: 'a', targetSystem: 'b' } });
    await expectRefused('BAD_USER_INPUT', create, {
      input: { name: 'p', sourceSystem: 'a', targetSystem: 'b', retryPolicy: { maxAttempts: 0 } },
    });
    await expectRefused('BAD_USER_INPUT', create, {
      input: { name: 'p', sourceSystem: 'a', targetSystem: 'b', retryPolicy: { initialDelaySeconds: 600, maxDelaySeconds: 60 } },
    });
    await expectRefused('BAD_USER_INPUT', 'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { secret } }', {
      input: { name: '', role: 'VIEWER' },
    });
  });

  it('a run cannot end before it started, nor start in the future', async () => {
    await expectRefused(
      'BAD_USER_INPUT',
      `mutation($id: ID!) { finishRun(runId: $id, input: { endedAt: "2026-11-19T00:00:00Z" }) { ${RUN_FIELDS} } }`,
      {
        id: run.id,
      },
    );
    await expectRefused('BAD_USER_INPUT', START, { input: { pipelineId: pipeline.id, mode: 'MANUAL', startedAt: '2099-01-01T00:00:00Z' } });
  });
});

describe('cursors', () => {
  it('that were not made by the list are BAD_USER_INPUT', async () => {
    await expectRefused('BAD_USER_INPUT', '{ runs(after: "garbage") { totalCount } }');
    await expectRefused('BAD_USER_INPUT', '{ records(after: "eyJub3QiOiJhIGN1cnNvciJ9") { totalCount } }');
    await expectRefused('BAD_USER_INPUT', '{ auditLog(after: "%%%") { edges { cursor } } }');
  });

  it('of another sort order or another list are BAD_USER_INPUT', async () => {
    const { runs } = await admin.ok<{ runs: { pageInfo: { endCursor: string } } }>('{ runs(first: 1) { pageInfo { endCursor } } }');
    const { records } = await admin.ok<{ records: { pageInfo: { endCursor: string } } }>(
      '{ records(first: 1) { pageInfo { endCursor } } }',
    );
    await expectRefused(
      'BAD_USER_INPUT',
      'query($after: String) { runs(orderBy: { field: ENDED_AT, direction: DESC }, after: $after) { totalCount } }',
      {
        after: runs.pageInfo.endCursor,
      },
    );
    // A record cursor holds a record id, which is no run id.
    await expectRefused('BAD_USER_INPUT', 'query($after: String) { runs(after: $after) { totalCount } }', {
      after: records.pageInfo.endCursor,
    });
    await expectRefused('BAD_USER_INPUT', 'query($after: String) { records(after: $after) { totalCount } }', {
      after: runs.pageInfo.endCursor,
    });
  });
});

describe('request limits', () => {
  it('a query nested too deep is refused with a clear error', async () => {
    const deep = `{ runs(first: 1) { edges { node { records(first: 1) { edges { node { run { records(first: 1) { edges { node {
      run { records(first: 1) { edges { node { id } } } } } } } } } } } } } } }`;
    const result = await admin.request(deep);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/deep/);
    expect(result.data ?? null).toBeNull();
  });

  it('fragments do not hide the depth', async () => {
    const deep = `
      query { runs(first: 1) { ...RunPart } }
      fragment RunPart on RunConnection { edges { node { records(first: 1) { ...RecordPart } } } }
      fragment RecordPart on RecordConnection { edges { node { run { records(first: 1) { ...Inner } } } } }
      fragment Inner on RecordConnection { edges { node { run { records(first: 1) { edges { node { run { id } } } } } } } }`;
    const result = await admin.request(deep);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/deep/);
  });

  it('a query too costly is refused with a clear error', async () => {
    const costly = '{ runs(first: 500) { edges { node { records(first: 500) { edges { node { id history { status } } } } } } } }';
    const result = await admin.request(costly);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0].message).toMatch(/complex/);
    expect(result.data ?? null).toBeNull();
  });

  it('the complexity counts `first` given as a variable', async () => {
    const result = await admin.request(
      'query($a: Int, $b: Int) { runs(first: $a) { edges { node { records(first: $b) { edges { node { id history { status } } } } } } } }',
      { a: 500, b: 500 },
    );
    expect(result.errors?.[0].message).toMatch(/complex/);
  });

  it('a body over the limit is refused before it is read, changing nothing', async () => {
    const before = await databaseState(server.databaseUrl);
    const records = Array.from({ length: 20_000 }, (_, i) => recordInput(`big-${i}`, { errorMessage: 'x'.repeat(100) }));
    const body = JSON.stringify({ query: REPORT, variables: { runId: run.id, records } });
    expect(body.length).toBeGreaterThan(MAX_BODY_BYTES);
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.secret}` },
      body,
    });
    expect(response.status).toBe(413);
    const answer = (await response.json()) as { errors: { message: string }[] };
    expect(answer.errors[0].message).toMatch(/larger than/);
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('a body that is not JSON is a clear error', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.secret}` },
      body: '{"query": "{ me { id } ',
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { errors: { message: string }[] };
    expect(answer.errors[0].message).toMatch(/JSON/);
  });
});

describe('roles on bad input', () => {
  it('a viewer is FORBIDDEN before its input is even looked at', async () => {
    changesData = true; // the viewer's key
    const viewer = await server.clientFor(Role.VIEWER);
    const before = await databaseState(server.databaseUrl);
    await expectRefused('FORBIDDEN', REPORT, { runId: run.id, records: [recordInput('v', { latencyMs: -1 })] }, viewer);
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });
});
