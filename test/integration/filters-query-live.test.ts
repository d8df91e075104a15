// Every field of RunFilter and RecordFilter as a query and as a subscription over the same data: both must pick
// the same runs and records (one definition of each filter, domain/filter-rules.ts, read by SQL and in memory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFingerprint } from '../../server/domain/error-text.js';
import {
  allRecords,
  allRuns,
  createPipeline,
  eventually,
  finishRun,
  type PipelineView,
  type RecordInput,
  recordInput,
  reportRecords,
  startRun,
  unique,
} from '../support/fixtures.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { LiveClient } from '../support/ws-client.js';

interface RunState {
  id: string;
  status: string;
  endedAt: string | null;
  counts: { total: number };
}
interface RunEventView {
  cursor: string;
  run: RunState;
}
interface RecordBatchView {
  cursor: string;
  runId: string;
  records: { id: string }[];
}

const RUN_STATE = 'id status endedAt counts { total }';
const RUN_UPDATED = `subscription($filter: RunFilter, $since: String) { runUpdated(filter: $filter, since: $since) { cursor run { ${RUN_STATE} } } }`;
const RECORDS_UPDATED = `subscription($filter: RecordFilter, $since: String) {
  recordsUpdated(filter: $filter, since: $since) { cursor runId records { id } }
}`;

const BASE = Date.parse('2026-10-01T00:00:00Z');
const at = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
const LOCKED = 'row 17 is locked by transaction 4711';

let server: TestServer;
let live: LiveClient;
let billing: PipelineView;
let erp: PipelineView;
let since: string;
/** The runs in the order written; `last` is written after all others and every case below matches it. */
const runs: Record<'r1' | 'r2' | 'r3' | 'r4' | 'last', RunState> = {} as never;
let finalRuns: Map<string, RunState>;
let recordIds: string[];

const stateKey = (run: RunState) => `${run.status}|${run.endedAt}|${run.counts.total}`;

beforeAll(async () => {
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' });
  const ingest = await server.clientFor('INGEST' as never);
  billing = await createPipeline(server.admin, { name: unique('Billing → CRM'), tenantId: 'acme' });
  erp = await createPipeline(server.admin, { name: unique('ERP → Warehouse'), tenantId: 'globex' });
  live = new LiveClient(server.graphqlUrl, server.admin.secret);

  // A cursor before any of the data: every subscription below replays from it.
  const before = server.instance.hub.openSubscriptions;
  const first = live.subscribe<RunEventView>(RUN_UPDATED, {});
  await eventually(async () => (server.instance.hub.openSubscriptions > before ? true : undefined), 'the subscription');
  const run = async (
    key: keyof typeof runs,
    pipeline: PipelineView,
    input: Record<string, unknown>,
    records: RecordInput[],
    finish: boolean,
  ) => {
    const started = await startRun(ingest, pipeline.id, input);
    if (key === 'r1') since = (await first.until((values) => values.length > 0, 'the first run'))[0].cursor;
    if (records.length > 0) await reportRecords(ingest, started.id, records);
    runs[key] = finish ? await finishRun(ingest, started.id) : started;
  };
  const failed = (sourceId: string, overrides: Partial<RecordInput>): RecordInput =>
    recordInput(sourceId, { status: 'FAILED', retryable: false, errorCode: 'LOCKED', errorMessage: LOCKED, ...overrides });

  await run(
    'r1',
    erp,
    { mode: 'SCHEDULED', operationType: 'Push', correlationId: 'hourly-1', startedAt: at(0) },
    [recordInput('L-1', { entityType: 'Lead', startedAt: at(1) })],
    true,
  );
  await run(
    'r2',
    billing,
    { mode: 'MANUAL', operationType: 'Pull', correlationId: 'hourly-2', startedAt: at(10) },
    [failed('acc-2', { operation: 'UPDATE', startedAt: at(11) }), recordInput('ÜBER-1', { startedAt: at(12) })],
    true,
  );
  await run(
    'r3',
    erp,
    { mode: 'ON_DEMAND', operationType: 'Pull', startedAt: at(20) },
    [failed('con-3', { entityType: 'Contact', operation: 'DELETE', errorCode: 'TIMEOUT', errorMessage: 'timed out', startedAt: at(21) })],
    false,
  ); // stays RUNNING
  await run(
    'r4',
    billing,
    { mode: 'REAL_TIME', operationType: 'Push', correlationId: 'Nightly-4', startedAt: at(30) },
    [recordInput('xacc-4', { operation: 'UPDATE', status: 'SKIPPED', startedAt: at(31) })],
    true,
  );
  await run(
    'last',
    billing,
    { mode: 'SCHEDULED', operationType: 'Pull', correlationId: 'NIGHTLY_LAST', startedAt: at(40) },
    [
      failed('ACC-ÜBER-last', { entityType: 'Contact', operation: 'UPDATE', startedAt: at(41) }),
      recordInput('über-last', { entityType: 'Account', startedAt: at(42) }),
    ],
    true,
  );

  finalRuns = new Map((await allRuns(server.admin, null, null, 500, RUN_STATE)).map((r) => [r.id, r as unknown as RunState]));
  recordIds = (await allRecords(server.admin, null, null, 500, 'id')).map((r) => r.id);
});
afterAll(async () => {
  await live?.dispose();
  await server?.stop();
});

/** The runs a subscription picked: those it delivered in their final state (a run's last event carries it). */
async function runsBySubscription(filter: Record<string, unknown>): Promise<string[]> {
  const events = live.subscribe<RunEventView>(RUN_UPDATED, { filter, since });
  const last = stateKey(finalRuns.get(runs.last.id) as RunState);
  // Events keep order and the last run's final event is the last one written: nothing can follow it.
  const values = await events.until((vs) => vs.some((e) => e.run.id === runs.last.id && stateKey(e.run) === last), 'the last run');
  const final = values.filter((e) => stateKey(e.run) === stateKey(finalRuns.get(e.run.id) as RunState));
  return [...new Set(final.map((e) => e.run.id))].sort();
}

async function recordsBySubscription(filter: Record<string, unknown>): Promise<string[]> {
  const batches = live.subscribe<RecordBatchView>(RECORDS_UPDATED, { filter, since });
  // The last run's batch is the last one written.
  const values = await batches.until((vs) => vs.some((b) => b.runId === runs.last.id), 'the last batch');
  return [...new Set(values.flatMap((b) => b.records.map((r) => r.id)))].sort();
}

type Case = [name: string, filter: () => Record<string, unknown>];

const RUN_CASES: Case[] = [
  ['pipelineIds', () => ({ pipelineIds: [billing.id] })],
  ['tenantIds', () => ({ tenantIds: ['acme', 'initech'] })],
  ['modes', () => ({ modes: ['SCHEDULED', 'MANUAL'] })],
  ['statuses', () => ({ statuses: ['COMPLETED_WITH_ERRORS'] })],
  ['operationTypes', () => ({ operationTypes: ['Pull'] })],
  ['startedAt', () => ({ startedAt: { from: at(20) } })],
  ['startedAt, both ends', () => ({ startedAt: { from: at(10), to: at(41) } })],
  ['endedAt', () => ({ endedAt: { from: runs.r2.endedAt } })],
  ['entityTypes', () => ({ entityTypes: ['Contact', 'Opportunity'] })],
  ['search: correlation id, any case', () => ({ search: ' nightly ' })],
  ['search: run id prefix, any case', () => ({ search: runs.last.id.slice(0, 8).toUpperCase() })],
  ['search: pipeline name', () => ({ search: 'billing' })],
  ['search: tenant', () => ({ search: 'CM' })],
  ['search: LIKE wildcards match literally', () => ({ search: 'NIGHTLY_' })],
  ['all together', () => ({ pipelineIds: [billing.id], statuses: ['COMPLETED_WITH_ERRORS', 'SUCCEEDED'], search: 'night' })],
];

const RECORD_CASES: Case[] = [
  ['runIds', () => ({ runIds: [runs.r2.id, runs.last.id] })],
  ['pipelineIds', () => ({ pipelineIds: [billing.id] })],
  ['tenantIds', () => ({ tenantIds: ['acme'] })],
  ['modes', () => ({ modes: ['SCHEDULED'] })],
  ['entityTypes', () => ({ entityTypes: ['Contact'] })],
  ['operations', () => ({ operations: ['UPDATE', 'DELETE'] })],
  ['statuses', () => ({ statuses: ['FAILED'] })],
  ['sourceId, ASCII letters in any case', () => ({ sourceId: 'acc' })],
  ['sourceId, a non-ASCII letter as written', () => ({ sourceId: 'ÜBER' })],
  ['sourceId, a non-ASCII letter in another case', () => ({ sourceId: 'über' })],
  ['errorCode', () => ({ errorCode: 'LOCKED' })],
  ['errorFingerprint', () => ({ errorFingerprint: errorFingerprint('LOCKED', LOCKED) })],
  ['startedAt', () => ({ startedAt: { from: at(12), to: at(42) } })],
  ['all together', () => ({ pipelineIds: [billing.id], statuses: ['FAILED', 'SUCCESS'], sourceId: 'ACC' })],
];

describe('RunFilter: the runs query and runUpdated pick the same runs', () => {
  it.each(RUN_CASES)('%s', async (_name, filter) => {
    const queried = (await allRuns(server.admin, filter(), null, 500, 'id')).map((r) => r.id).sort();
    expect(queried, 'the case must select something').not.toHaveLength(0);
    expect(queried.length, 'the case must leave something out').toBeLessThan(finalRuns.size);
    expect(await runsBySubscription(filter())).toEqual(queried);
  });

  it('covers every field of RunFilter', async () => {
    const { __type } = await server.admin.ok<{ __type: { inputFields: { name: string }[] } }>(
      '{ __type(name: "RunFilter") { inputFields { name } } }',
    );
    const covered = new Set(RUN_CASES.flatMap(([, filter]) => Object.keys(filter())));
    expect(__type.inputFields.map((f) => f.name).filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe('RecordFilter: the records query and recordsUpdated pick the same records', () => {
  it.each(RECORD_CASES)('%s', async (_name, filter) => {
    const queried = (await allRecords(server.admin, filter(), null, 500, 'id')).map((r) => r.id).sort();
    expect(queried, 'the case must select something').not.toHaveLength(0);
    expect(queried.length, 'the case must leave something out').toBeLessThan(recordIds.length);
    expect(await recordsBySubscription(filter())).toEqual(queried);
  });

  it('covers every field of RecordFilter', async () => {
    const { __type } = await server.admin.ok<{ __type: { inputFields: { name: string }[] } }>(
      '{ __type(name: "RecordFilter") { inputFields { name } } }',
    );
    const covered = new Set(RECORD_CASES.flatMap(([, filter]) => Object.keys(filter())));
    expect(__type.inputFields.map((f) => f.name).filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe('a malformed filter is refused alike by the query and the subscription', () => {
  const refused: [string, string, Record<string, unknown>][] = [
    ['RunFilter', 'a NUL in a text', { search: 'a\u0000b' }],
    ['RunFilter', 'a malformed pipeline id', { pipelineIds: ['nope'] }],
    ['RunFilter', 'from after to', { endedAt: { from: at(2), to: at(1) } }],
    ['RecordFilter', 'a NUL in a text', { sourceId: 'a\u0000b' }],
    ['RecordFilter', 'a NUL in a list', { entityTypes: ['a\u0000b'] }],
    ['RecordFilter', 'a malformed run id', { runIds: ['nope'] }],
    ['RecordFilter', 'from after to', { startedAt: { from: at(2), to: at(1) } }],
  ];
  it.each(refused)('%s: %s', async (type, _name, filter) => {
    const query =
      type === 'RunFilter'
        ? 'query($filter: RunFilter) { runs(filter: $filter) { totalCount } }'
        : 'query($filter: RecordFilter) { records(filter: $filter) { totalCount } }';
    const answer = await server.admin.request(query, { filter });
    const queryError = answer.errors?.[0];
    expect(queryError?.extensions?.code).toBe('BAD_USER_INPUT');
    const errors = await live.subscribe(type === 'RunFilter' ? RUN_UPDATED : RECORDS_UPDATED, { filter }).failure();
    expect(errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors[0].message).toBe(queryError?.message);
  });
});
