// Error groups: failures grouped by fingerprint over the API; resolve, regress on a new failure, reopen; audit rows;
// tenant scoping of resolutions; bad input that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import { databaseState } from '../support/db-state.js';
import {
  allRecords,
  createPipeline,
  finishRun,
  type RecordInput,
  recordInput,
  reportRecords,
  startRun,
  unique,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Group {
  fingerprint: string;
  errorCode: string | null;
  sampleMessage: string;
  count: number;
  runCount: number;
  retryable: boolean;
  firstSeen: string;
  lastSeen: string;
  state: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
}

const GROUP = 'fingerprint errorCode sampleMessage count runCount retryable firstSeen lastSeen state resolvedAt resolvedBy resolutionNote';
const GROUPS = `query($range: DateRange, $filter: RecordFilter, $first: Int, $states: [ErrorGroupState!]) {
  errorGroups(range: $range, filter: $filter, first: $first, states: $states) { ${GROUP} }
}`;
const RESOLVE = `mutation($fingerprint: String!, $note: String) { resolveErrorGroup(fingerprint: $fingerprint, note: $note) { ${GROUP} } }`;
const REOPEN = `mutation($fingerprint: String!) { reopenErrorGroup(fingerprint: $fingerprint) { ${GROUP} } }`;

let server: TestServer;
let admin: GraphQLClient;
let ingest: GraphQLClient;
let operator: GraphQLClient;

beforeAll(async () => {
  // No background jobs: refused actions are checked to change nothing in the whole database.
  server = await startTestServer({}, { jobs: false });
  admin = server.admin;
  ingest = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
});
afterAll(() => server?.stop());

const groups = async (client: GraphQLClient, variables: Record<string, unknown>) =>
  (await client.ok<{ errorGroups: Group[] }>(GROUPS, variables)).errorGroups;
const resolve = async (client: GraphQLClient, fingerprint: string, note?: string) =>
  (await client.ok<{ resolveErrorGroup: Group }>(RESOLVE, { fingerprint, note })).resolveErrorGroup;
const reopen = async (client: GraphQLClient, fingerprint: string) =>
  (await client.ok<{ reopenErrorGroup: Group }>(REOPEN, { fingerprint })).reopenErrorGroup;

/** A finished run of the pipeline holding these records. */
async function runWith(pipelineId: string, records: RecordInput[], client = ingest) {
  const run = await startRun(client, pipelineId);
  await reportRecords(client, run.id, records);
  return finishRun(client, run.id);
}

/** Failures of one kind: the code is unique to the test, the message varies only in what normalising removes. */
function failureKind(code: string, retryable: boolean) {
  const message = (n: number) => `Unable to lock row ${n} of table "accounts"`;
  return {
    code,
    fingerprint: errorFingerprint(code, message(1)) as string,
    record: (sourceId: string, n: number, overrides: Partial<RecordInput> = {}) =>
      recordInput(sourceId, { status: 'FAILED', errorCode: code, errorMessage: message(n), retryable, ...overrides }),
  };
}

describe('errorGroups', () => {
  it('groups the failures by the fingerprint their records carry, with counts, runs, retryable and times', async () => {
    const pipeline = await createPipeline(admin);
    const locked = failureKind(unique('E_LOCKED'), true);
    const invalid = failureKind(unique('E_INVALID'), false);
    const first = await runWith(pipeline.id, [
      locked.record('a-1', 17),
      locked.record('a-2', 18),
      locked.record('a-3', 19),
      invalid.record('a-4', 1),
      invalid.record('a-5', 2),
      recordInput('a-6'),
      recordInput('a-7', { status: 'SKIPPED' }),
    ]);
    const second = await runWith(pipeline.id, [locked.record('b-1', 4242, { entityType: 'Contact' }), recordInput('b-2')]);

    const found = await groups(admin, { filter: { pipelineIds: [pipeline.id] } });
    const records = await allRecords(admin, { pipelineIds: [pipeline.id], statuses: ['FAILED'] }, null, 500, 'id startedAt');
    expect(records).toHaveLength(6);
    const lockedRecords = await allRecords(admin, { errorFingerprint: locked.fingerprint }, null, 500, 'id startedAt run { id }');
    expect(lockedRecords).toHaveLength(4);
    const times = lockedRecords.map((r) => r.startedAt).sort();
    expect(found).toEqual([
      {
        fingerprint: locked.fingerprint,
        errorCode: locked.code,
        sampleMessage: 'Unable to lock row 4242 of table "accounts"',
        count: 4,
        runCount: 2,
        retryable: true,
        firstSeen: times[0],
        lastSeen: times[3],
        state: 'OPEN',
        resolvedAt: null,
        resolvedBy: null,
        resolutionNote: null,
      },
      expect.objectContaining({ fingerprint: invalid.fingerprint, errorCode: invalid.code, count: 2, runCount: 1, retryable: false }),
    ]);
    expect(new Set(lockedRecords.map((r) => r.run.id))).toEqual(new Set([first.id, second.id]));

    // Filters mean what they mean for records.
    const contacts = await groups(admin, { filter: { pipelineIds: [pipeline.id], entityTypes: ['Contact'] } });
    expect(contacts.map((g) => [g.fingerprint, g.count])).toEqual([[locked.fingerprint, 1]]);
    const oneRun = await groups(admin, { filter: { runIds: [first.id] } });
    expect(oneRun.map((g) => [g.fingerprint, g.count])).toEqual([
      [locked.fingerprint, 3],
      [invalid.fingerprint, 2],
    ]);
    expect(await groups(admin, { filter: { pipelineIds: [pipeline.id] }, first: 1 })).toHaveLength(1);
    // The range: failures that started in it; an old window holds none.
    const lastWeek = {
      from: new Date(Date.now() - 14 * 86_400_000).toISOString(),
      to: new Date(Date.now() - 7 * 86_400_000).toISOString(),
    };
    expect(await groups(admin, { filter: { pipelineIds: [pipeline.id] }, range: lastWeek })).toEqual([]);
    const sinceSecond = await groups(admin, { filter: { pipelineIds: [pipeline.id] }, range: { from: times[3] } });
    expect(sinceSecond.map((g) => [g.fingerprint, g.count])).toEqual([[locked.fingerprint, 1]]);
  });

  it('counts each failure once, by its original: a retry attempt that fails again adds nothing, one that succeeds leaves', async () => {
    const pipeline = await createPipeline(admin);
    const locked = failureKind(unique('E_RETRY'), true);
    const run = await runWith(pipeline.id, [locked.record('r-1', 1), locked.record('r-2', 2)]);
    const { retryRun } = await operator.ok<{ retryRun: { retryRun: { id: string } } }>(
      'mutation($id: ID!) { retryRun(runId: $id) { retryRun { id } } }',
      { id: run.id },
    );
    const { claimRun } = await ingest.ok<{ claimRun: { id: string } }>(
      'mutation($p: ID!) { claimRun(pipelineId: $p, workerId: "w") { id } }',
      {
        p: pipeline.id,
      },
    );
    expect(claimRun.id).toBe(retryRun.retryRun.id);
    await reportRecords(ingest, claimRun.id, [locked.record('r-1', 3), recordInput('r-2')]);
    await finishRun(ingest, claimRun.id);

    const [group] = await groups(admin, { filter: { pipelineIds: [pipeline.id] } });
    expect(group).toMatchObject({
      fingerprint: locked.fingerprint,
      count: 1,
      runCount: 1,
      sampleMessage: 'Unable to lock row 3 of table "accounts"',
    });
    // Asked for the retry run itself, its attempts are what is counted, as in records.
    const attempts = await groups(admin, { filter: { runIds: [claimRun.id] } });
    expect(attempts.map((g) => [g.fingerprint, g.count])).toEqual([[locked.fingerprint, 1]]);
  });
});

describe('resolving error groups', () => {
  it('resolves, regresses on a new failure (shown first), reopens; each action audited', async () => {
    const pipeline = await createPipeline(admin);
    const big = failureKind(unique('E_BIG'), true);
    const small = failureKind(unique('E_SMALL'), false);
    await runWith(pipeline.id, [big.record('x-1', 1), big.record('x-2', 2), big.record('x-3', 3), small.record('x-4', 4)]);
    const list = () => groups(admin, { filter: { pipelineIds: [pipeline.id] } });
    expect((await list()).map((g) => g.fingerprint)).toEqual([big.fingerprint, small.fingerprint]);

    const resolved = await resolve(operator, small.fingerprint, 'fixed the mapping of account emails');
    expect(resolved).toMatchObject({
      fingerprint: small.fingerprint,
      state: 'RESOLVED',
      resolvedBy: expect.stringMatching(/^operator-/),
      resolutionNote: 'fixed the mapping of account emails',
      count: 1,
    });
    expect(Date.parse(resolved.resolvedAt as string)).toBeGreaterThan(Date.parse(resolved.lastSeen));
    expect(await list()).toEqual([expect.objectContaining({ fingerprint: big.fingerprint, state: 'OPEN' }), resolved]);
    expect(await groups(admin, { filter: { pipelineIds: [pipeline.id] }, states: ['RESOLVED'] })).toEqual([resolved]);

    // A failure with that fingerprint after the resolution: REGRESSED, and first although smaller.
    await runWith(pipeline.id, [small.record('y-1', 99)]);
    const [regressed, other] = await list();
    expect(regressed).toMatchObject({
      fingerprint: small.fingerprint,
      state: 'REGRESSED',
      count: 2,
      resolvedAt: resolved.resolvedAt,
      resolutionNote: resolved.resolutionNote,
    });
    expect(other.fingerprint).toBe(big.fingerprint);
    expect(await groups(admin, { filter: { pipelineIds: [pipeline.id] }, states: ['OPEN'] })).toEqual([other]);
    // Even a view that leaves the new failure out shows the regression.
    const before = { to: new Date(Date.parse(resolved.resolvedAt as string)).toISOString() };
    const [earlier] = await groups(admin, { filter: { pipelineIds: [pipeline.id] }, range: before, states: ['REGRESSED'] });
    expect(earlier).toMatchObject({ fingerprint: small.fingerprint, count: 1 });

    const reopened = await reopen(operator, small.fingerprint);
    expect(reopened).toMatchObject({ state: 'OPEN', resolvedAt: null, resolvedBy: null, resolutionNote: null, count: 2 });

    const { auditLog } = await admin.ok<{
      auditLog: { edges: { node: { actor: string; action: string; target: string; details: unknown } }[] };
    }>('{ auditLog(first: 10) { edges { node { actor action target details } } } }');
    const entries = auditLog.edges.map((e) => e.node).filter((n) => n.target === `error-group:${small.fingerprint}`);
    expect(entries).toEqual([
      {
        actor: resolved.resolvedBy,
        action: 'reopenErrorGroup',
        target: `error-group:${small.fingerprint}`,
        details: { resolvedAt: resolved.resolvedAt, resolvedBy: resolved.resolvedBy, note: resolved.resolutionNote },
      },
      {
        actor: resolved.resolvedBy,
        action: 'resolveErrorGroup',
        target: `error-group:${small.fingerprint}`,
        details: { note: resolved.resolutionNote },
      },
    ]);
  });

  it('keeps resolutions per tenant scope: one tenant’s resolution changes nothing another sees', async () => {
    const kind = failureKind(unique('E_SHARED'), true);
    const acme = await createPipeline(admin, { tenantId: 'eg-acme' });
    const globex = await createPipeline(admin, { tenantId: 'eg-globex' });
    await runWith(acme.id, [kind.record('a-1', 1), kind.record('a-2', 2)]);
    await runWith(globex.id, [kind.record('g-1', 3)]);
    const acmeOperator = await server.clientFor(Role.OPERATOR, 'eg-acme');
    const acmeViewer = await server.clientFor(Role.VIEWER, 'eg-acme');
    const globexViewer = await server.clientFor(Role.VIEWER, 'eg-globex');
    const only = { filter: { errorFingerprint: kind.fingerprint } };

    const resolved = await resolve(acmeOperator, kind.fingerprint, 'acme fixed its lock timeouts');
    expect(resolved).toMatchObject({ state: 'RESOLVED', count: 2 });
    expect(await groups(acmeViewer, only)).toEqual([resolved]);
    expect(await groups(globexViewer, only)).toEqual([expect.objectContaining({ state: 'OPEN', count: 1, resolvedAt: null })]);
    expect(await groups(admin, only)).toEqual([expect.objectContaining({ state: 'OPEN', count: 3, resolvedAt: null })]);

    // Another tenant's new failure does not regress acme's resolution.
    await runWith(globex.id, [kind.record('g-2', 4)]);
    expect((await groups(acmeViewer, only))[0].state).toBe('RESOLVED');
    await runWith(acme.id, [kind.record('a-3', 5)]);
    expect((await groups(acmeViewer, only))[0].state).toBe('REGRESSED');

    // A fingerprint only another tenant has is unknown to this key.
    const theirs = failureKind(unique('E_THEIRS'), true);
    await runWith(globex.id, [theirs.record('g-3', 1)]);
    const state = await databaseState(server.databaseUrl);
    expect(await acmeOperator.errorCode(RESOLVE, { fingerprint: theirs.fingerprint })).toBe('NOT_FOUND');
    expect(await acmeOperator.errorCode(REOPEN, { fingerprint: theirs.fingerprint })).toBe('NOT_FOUND');
    expect(await databaseState(server.databaseUrl)).toEqual(state);
  });
});

describe('bad input changes nothing', () => {
  it('refuses malformed, unknown and open fingerprints, bad pages, ranges and notes, and readers', async () => {
    const pipeline = await createPipeline(admin);
    const kind = failureKind(unique('E_BAD'), true);
    await runWith(pipeline.id, [kind.record('z-1', 1)]);
    const viewer = await server.clientFor(Role.VIEWER);
    const before = await databaseState(server.databaseUrl);

    expect(await operator.errorCode(RESOLVE, { fingerprint: 'not-a-fingerprint' })).toBe('BAD_USER_INPUT');
    expect(await operator.errorCode(RESOLVE, { fingerprint: '0123456789abcdef' })).toBe('NOT_FOUND');
    expect(await operator.errorCode(RESOLVE, { fingerprint: kind.fingerprint, note: 'x'.repeat(2001) })).toBe('BAD_USER_INPUT');
    expect(await operator.errorCode(REOPEN, { fingerprint: kind.fingerprint })).toBe('CONFLICT');
    expect(await viewer.errorCode(RESOLVE, { fingerprint: kind.fingerprint })).toBe('FORBIDDEN');
    expect(await ingest.errorCode(REOPEN, { fingerprint: kind.fingerprint })).toBe('FORBIDDEN');
    expect(await viewer.errorCode(GROUPS, { first: 0 })).toBe('BAD_USER_INPUT');
    expect(await viewer.errorCode(GROUPS, { first: 501 })).toBe('BAD_USER_INPUT');
    const backwards = { from: new Date().toISOString(), to: new Date(Date.now() - 1000).toISOString() };
    expect(await viewer.errorCode(GROUPS, { range: backwards })).toBe('BAD_USER_INPUT');
    expect(await viewer.errorCode(GROUPS, { filter: { pipelineIds: ['nope'] } })).toBe('BAD_USER_INPUT');

    expect(await databaseState(server.databaseUrl)).toEqual(before);
    // Readers of every role may list.
    expect((await groups(viewer, { filter: { pipelineIds: [pipeline.id] } })).map((g) => g.fingerprint)).toEqual([kind.fingerprint]);
  });
});
