// Writers commit without NOTIFY (issue 25 item 4): PostgreSQL serialises the commits of every transaction that
// notified, so the wake-up for live readers is sent after the commit, on a statement of its own. This test watches
// every statement the server's data source runs, per connection, during each writing mutation, and LISTENs for the
// wake-up as every other instance does.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { COALESCE_MS, EVENTS_CHANNEL } from '../../server/events/commit-signal.js';
import {
  createPipeline,
  eventually,
  finishRun,
  type PipelineView,
  recordInput,
  reportRecords,
  startRun,
  triggerSync,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { type LoggedStatement, statementsDuring, watchStatements } from '../support/statement-log.js';
import { LiveClient } from '../support/ws-client.js';

const NOTIFY = /\bpg_notify\b|^\s*NOTIFY\b/i;
const BEGIN = /^\s*(START TRANSACTION|BEGIN)\b/i;
const END = /^\s*(COMMIT|ROLLBACK)\b/i;

let server: TestServer;
let pipeline: PipelineView;
let worker: GraphQLClient;
let operator: GraphQLClient;
let listener: pg.Client;
let wakeUps = 0;

beforeAll(async () => {
  // No background jobs: every statement seen is the mutation's, or the signal after it.
  server = await startTestServer({ PROGRESS_INTERVAL_MS: '0' }, { jobs: false });
  pipeline = await createPipeline(server.admin);
  worker = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
  listener = new pg.Client({ connectionString: server.databaseUrl });
  await listener.connect();
  listener.on('notification', () => wakeUps++);
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end();
  await server?.stop();
});

interface Observed {
  /** Statements that notified while their connection was inside a transaction. */
  notifiesInTransaction: string[];
  /** Transactions that appended to the event table. */
  eventTransactions: number;
}

/** Runs `work`, then waits for the wake-up it should send to listeners, and says what notified where. */
async function observe(work: () => Promise<unknown>): Promise<Observed> {
  const statements: LoggedStatement[] = [];
  const stop = watchStatements(server.instance.db, (statement) => statements.push(statement));
  const wakeUpsBefore = wakeUps;
  try {
    await work();
    await eventually(async () => (wakeUps > wakeUpsBefore ? true : undefined), 'a wake-up', 5_000, COALESCE_MS);
  } finally {
    stop();
  }
  return inTransactions(statements);
}

/** What notified inside a transaction, and how many transactions appended events. */
function inTransactions(statements: LoggedStatement[]): Observed {
  const open = new Map<unknown, { events: boolean }>();
  const observed: Observed = { notifiesInTransaction: [], eventTransactions: 0 };
  for (const { query, runner } of statements) {
    const transaction = runner === undefined ? undefined : open.get(runner);
    if (BEGIN.test(query)) open.set(runner, { events: false });
    else if (END.test(query)) {
      if (transaction?.events) observed.eventTransactions++;
      open.delete(runner);
    } else if (NOTIFY.test(query)) {
      if (transaction) observed.notifiesInTransaction.push(query.trim());
    } else if (transaction && /INSERT INTO events\b/i.test(query)) transaction.events = true;
  }
  return observed;
}

/** The mutation appended events in a transaction and none of its transactions notified (observe waited for the wake-up). */
function expectSignalledAfterCommit(observed: Observed): void {
  expect(observed.eventTransactions).toBeGreaterThanOrEqual(1);
  expect(observed.notifiesInTransaction).toEqual([]);
}

describe('writing mutations commit without NOTIFY and wake the readers after', () => {
  it('startRun, reportRecords, finishRun', async () => {
    let runId = '';
    expectSignalledAfterCommit(
      await observe(async () => {
        runId = (await startRun(worker, pipeline.id)).id;
      }),
    );
    expectSignalledAfterCommit(
      await observe(() =>
        reportRecords(worker, runId, [recordInput('SIG-1'), recordInput('SIG-2', { status: 'FAILED', errorCode: 'ROW_LOCKED' })]),
      ),
    );
    expectSignalledAfterCommit(await observe(() => finishRun(worker, runId)));
  });

  it('cancelRun and retryRecords', async () => {
    const queued = await triggerSync(operator, pipeline.id);
    expectSignalledAfterCommit(
      await observe(() => operator.ok('mutation($runId: ID!) { cancelRun(runId: $runId) { id status } }', { runId: queued.id })),
    );

    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [recordInput('SIG-3', { status: 'FAILED', errorCode: 'ROW_LOCKED' })]);
    await finishRun(worker, run.id);
    const { records } = await operator.ok<{ records: { edges: { node: { id: string } }[] } }>(
      'query($f: RecordFilter) { records(filter: $f) { edges { node { id } } } }',
      { f: { runIds: [run.id] } },
    );
    const ids = records.edges.map((edge) => edge.node.id);
    const retried = await observe(() => operator.ok('mutation($ids: [ID!]) { retryRecords(ids: $ids) { scheduled } }', { ids }));
    expectSignalledAfterCommit(retried);
  });

  it('revokeApiKey notifies the other instances after its commit', async () => {
    const { createApiKey } = await server.admin.ok<{ createApiKey: { key: { id: string } } }>(
      'mutation($input: ApiKeyInput!) { createApiKey(input: $input) { key { id } } }',
      { input: { name: 'to revoke', role: 'VIEWER' } },
    );
    const statements = await statementsDuring(server.instance.db, () =>
      server.admin.ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: createApiKey.key.id }),
    );
    expect(inTransactions(statements).notifiesInTransaction).toEqual([]);
    expect(statements.some((statement) => NOTIFY.test(statement.query))).toBe(true);
  });

  it('a live subscriber still sees the change', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    const live = new LiveClient(server.graphqlUrl, viewer.secret ?? null);
    try {
      const received = live.subscribe<{ run: { id: string; status: string } }>(
        'subscription($filter: RunFilter) { runUpdated(filter: $filter) { run { id status } } }',
        { filter: { pipelineIds: [pipeline.id] } },
      );
      await eventually(async () => (server.instance.hub.openSubscriptions >= 1 ? true : undefined), 'the subscription');
      const run = await startRun(worker, pipeline.id);
      await finishRun(worker, run.id);
      await received.until(
        (events) => events.some((event) => event.run.id === run.id && event.run.status === 'SUCCEEDED'),
        'the finished run',
      );
    } finally {
      await live.dispose();
    }
  });
});
