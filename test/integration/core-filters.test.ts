// Every field of RunFilter and RecordFilter, alone and combined with AND, checked against the full history read back unfiltered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorFingerprint, truncateErrorMessage } from '../../server/domain/error-text.js';
import { allRecords, allRuns, type RecordView, type RunView, recordInput, reportRecords, startRun } from '../support/fixtures.js';
import { BASE_TIME, type SeededHistory, seedHistory } from '../support/history-seed.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let history: SeededHistory;
let runs: RunView[];
let records: RecordView[];

beforeAll(async () => {
  server = await startTestServer();
  history = await seedHistory(server.admin);
  runs = await allRuns(server.admin);
  records = await allRecords(
    server.admin,
    null,
    null,
    500,
    `id entityType sourceId operation status errorCode errorMessage startedAt
    run { id mode tenantId pipeline { id } }`,
  );
});
afterAll(() => server?.stop());

const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id).sort();
const time = (minutes: number) => new Date(BASE_TIME + minutes * 60_000).toISOString();
const within = (value: string | null, from?: string, to?: string) =>
  value !== null && (!from || Date.parse(value) >= Date.parse(from)) && (!to || Date.parse(value) < Date.parse(to));

/** The server's answer to a filter is exactly what the predicate picks from the whole history, and is neither all nor none. */
async function expectRuns(filter: Record<string, unknown>, pick: (run: RunView) => boolean, allowEmpty = false) {
  const expected = runs.filter(pick);
  if (!allowEmpty) expect(expected.length, 'the case must select something').toBeGreaterThan(0);
  expect(expected.length, 'the case must leave something out').toBeLessThan(runs.length);
  const served = await allRuns(server.admin, filter, null, 500, 'id');
  expect(ids(served)).toEqual(ids(expected));
  const { runs: counted } = await server.admin.ok<{ runs: { totalCount: number } }>(
    'query($filter: RunFilter) { runs(filter: $filter, first: 1) { totalCount } }',
    { filter },
  );
  expect(counted.totalCount).toBe(expected.length);
}

async function expectRecords(filter: Record<string, unknown>, pick: (record: RecordView) => boolean) {
  const expected = records.filter(pick);
  expect(expected.length, 'the case must select something').toBeGreaterThan(0);
  expect(expected.length, 'the case must leave something out').toBeLessThan(records.length);
  const served = await allRecords(server.admin, filter, null, 500, 'id');
  expect(ids(served)).toEqual(ids(expected));
  const { records: counted } = await server.admin.ok<{ records: { totalCount: number } }>(
    'query($filter: RecordFilter) { records(filter: $filter, first: 1) { totalCount } }',
    { filter },
  );
  expect(counted.totalCount).toBe(expected.length);
}

it('reads back the whole seeded history unfiltered', () => {
  expect(runs).toHaveLength(history.runIds.length + history.queuedRunIds.length);
  expect(records).toHaveLength(history.recordCount);
  expect(new Set(runs.map((r) => r.status)).size).toBeGreaterThanOrEqual(7);
});

describe('RunFilter', () => {
  it('pipelineIds', async () => {
    const [a, , c] = history.pipelines;
    await expectRuns({ pipelineIds: [a.id] }, (r) => r.pipeline.id === a.id);
    await expectRuns({ pipelineIds: [a.id, c.id] }, (r) => [a.id, c.id].includes(r.pipeline.id));
  });

  it('tenantIds', async () => {
    await expectRuns({ tenantIds: ['globex'] }, (r) => r.tenantId === 'globex');
    await expectRuns({ tenantIds: ['globex', 'acme-corp'] }, (r) => r.tenantId !== null);
  });

  it('modes', async () => {
    await expectRuns({ modes: ['SCHEDULED'] }, (r) => r.mode === 'SCHEDULED');
    await expectRuns({ modes: ['REAL_TIME', 'ON_DEMAND'] }, (r) => ['REAL_TIME', 'ON_DEMAND'].includes(r.mode));
  });

  it('statuses', async () => {
    for (const status of ['QUEUED', 'RUNNING', 'SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELLED', 'ROLLED_BACK']) {
      await expectRuns({ statuses: [status] }, (r) => r.status === status);
    }
    await expectRuns({ statuses: ['FAILED', 'ROLLED_BACK'] }, (r) => ['FAILED', 'ROLLED_BACK'].includes(r.status));
    await expectRuns({ statuses: ['CANCELLING'] }, () => false, true);
  });

  it('operationTypes', async () => {
    await expectRuns({ operationTypes: ['Pull updates'] }, (r) => r.operationType === 'Pull updates');
    await expectRuns({ operationTypes: ['Pull updates', 'Full load'] }, (r) => r.operationType !== null);
  });

  it('startedAt: from inclusive, to exclusive, either end open', async () => {
    const from = time(5 * 60);
    const to = time(12 * 60);
    await expectRuns({ startedAt: { from, to } }, (r) => within(r.startedAt, from, to));
    await expectRuns({ startedAt: { from } }, (r) => within(r.startedAt, from));
    await expectRuns({ startedAt: { to } }, (r) => within(r.startedAt, undefined, to));
    // The boundaries themselves: a run starting exactly at `from` is in, exactly at `to` is out.
    expect(runs.some((r) => r.startedAt === from)).toBe(true);
    expect(runs.some((r) => r.startedAt === to)).toBe(true);
  });

  it('endedAt', async () => {
    const from = time(3 * 60);
    const to = time(15 * 60);
    await expectRuns({ endedAt: { from, to } }, (r) => within(r.endedAt, from, to));
    await expectRuns({ endedAt: { from: time(-60) } }, (r) => r.endedAt !== null);
  });

  describe('search', () => {
    it('matches a run id, whole or by its beginning, in any case', async () => {
      const target = runs[5];
      await expectRuns({ search: target.id }, (r) => r.id === target.id);
      await expectRuns({ search: target.id.toUpperCase() }, (r) => r.id === target.id);
      await expectRuns({ search: target.id.slice(0, 13) }, (r) => r.id.startsWith(target.id.slice(0, 13)));
      await expectRuns({ search: target.id.slice(9, 18) }, () => false, true);
    });

    it('matches part of the correlation id, case-insensitively', async () => {
      await expectRuns({ search: 'nightly' }, (r) => !!r.correlationId?.toLowerCase().includes('nightly'));
      await expectRuns({ search: 'BATCH-1' }, (r) => !!r.correlationId?.toLowerCase().includes('batch-1'));
    });

    it('matches part of the tenant id', async () => {
      await expectRuns({ search: 'ACME' }, (r) => r.tenantId === 'acme-corp');
    });

    it('matches part of the pipeline name', async () => {
      await expectRuns({ search: 'leads' }, (r) => r.pipeline.name === 'Marketing LEADS pull');
      await expectRuns({ search: 'web store' }, (r) => r.pipeline.name === 'ERP → web store');
    });

    it('takes LIKE wildcards literally', async () => {
      await expectRuns({ search: '%' }, () => false, true);
      await expectRuns({ search: 'batch_1' }, () => false, true);
    });
  });

  it('combines every field with AND', async () => {
    const [a] = history.pipelines;
    const filter = {
      pipelineIds: [a.id, history.pipelines[1].id],
      tenantIds: ['acme-corp'],
      modes: ['REAL_TIME', 'ON_DEMAND', 'MANUAL'],
      statuses: ['SUCCEEDED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'RUNNING'],
      operationTypes: ['Pull updates', 'Full load'],
      startedAt: { from: time(0), to: time(20 * 60) },
      search: 'batch',
    };
    await expectRuns(
      filter,
      (r) =>
        filter.pipelineIds.includes(r.pipeline.id) &&
        r.tenantId === 'acme-corp' &&
        filter.modes.includes(r.mode) &&
        filter.statuses.includes(r.status) &&
        filter.operationTypes.includes(r.operationType as string) &&
        within(r.startedAt, filter.startedAt.from, filter.startedAt.to),
    );
    // Adding a condition that excludes everything left empties the result.
    await expectRuns({ ...filter, endedAt: { to: time(-60) } }, () => false, true);
  });
});

describe('RecordFilter', () => {
  it('runIds', async () => {
    const [one, two] = history.runIds;
    await expectRecords({ runIds: [one] }, (r) => r.run.id === one);
    await expectRecords({ runIds: [one, two] }, (r) => [one, two].includes(r.run.id));
  });

  it('pipelineIds', async () => {
    const [, b] = history.pipelines;
    await expectRecords({ pipelineIds: [b.id] }, (r) => r.run.pipeline.id === b.id);
  });

  it('tenantIds', async () => {
    await expectRecords({ tenantIds: ['acme-corp'] }, (r) => r.run.tenantId === 'acme-corp');
  });

  it('modes (of the record’s run)', async () => {
    await expectRecords({ modes: ['MANUAL', 'SCHEDULED'] }, (r) => ['MANUAL', 'SCHEDULED'].includes(r.run.mode));
  });

  it('entityTypes', async () => {
    await expectRecords({ entityTypes: ['Invoice'] }, (r) => r.entityType === 'Invoice');
    await expectRecords({ entityTypes: ['Account', 'Contact'] }, (r) => r.entityType !== 'Invoice');
  });

  it('operations', async () => {
    await expectRecords({ operations: ['DELETE'] }, (r) => r.operation === 'DELETE');
  });

  it('statuses', async () => {
    for (const status of ['SUCCESS', 'FAILED', 'SKIPPED', 'PARTIAL_SUCCESS', 'EXTRACTION_FAILED', 'PENDING']) {
      await expectRecords({ statuses: [status] }, (r) => r.status === status);
    }
    await expectRecords({ statuses: ['FAILED', 'EXTRACTION_FAILED'] }, (r) => r.status.includes('FAILED'));
  });

  it('sourceId: a case-insensitive substring', async () => {
    await expectRecords({ sourceId: 'ACC-00' }, (r) => r.sourceId.toLowerCase().includes('acc-00'));
    await expectRecords({ sourceId: '01' }, (r) => r.sourceId.includes('01'));
    await expectRecords({ sourceId: 'c-0015' }, (r) => r.sourceId.toLowerCase().includes('c-0015'));
  });

  it('sourceId: LIKE wildcards match only themselves', async () => {
    await expectRecords({ sourceId: '_' }, (r) => r.sourceId.includes('_'));
    await expectRecords({ sourceId: 'c_1' }, (r) => r.sourceId.toLowerCase().includes('c_1'));
    const { records: none } = await server.admin.ok<{ records: { totalCount: number } }>(
      '{ records(filter: { sourceId: "%" }) { totalCount } }',
    );
    expect(none.totalCount).toBe(0);
  });

  it('errorCode: exactly', async () => {
    await expectRecords({ errorCode: 'E_LOCKED' }, (r) => r.errorCode === 'E_LOCKED');
    const { records: partial } = await server.admin.ok<{ records: { totalCount: number } }>(
      '{ records(filter: { errorCode: "E_LOCK" }) { totalCount } }',
    );
    expect(partial.totalCount).toBe(0);
  });

  it('errorFingerprint: failures whose messages differ only in numbers group together', async () => {
    const fingerprint = errorFingerprint('E_LOCKED', truncateErrorMessage('Row 1 is locked by another transaction'));
    expect(fingerprint).toBe(errorFingerprint('E_LOCKED', 'Row 98765 is locked by another transaction'));
    await expectRecords({ errorFingerprint: fingerprint }, (r) => r.errorCode === 'E_LOCKED');
    const account = errorFingerprint('E_INVALID_ACCOUNT', 'Account "ACME-77" does not exist in CRM');
    await expectRecords({ errorFingerprint: account }, (r) => r.errorCode === 'E_INVALID_ACCOUNT');
  });

  it('startedAt', async () => {
    const from = time(4 * 60 + 1);
    const to = time(9 * 60 + 3);
    await expectRecords({ startedAt: { from, to } }, (r) => within(r.startedAt, from, to));
    await expectRecords({ startedAt: { to } }, (r) => within(r.startedAt, undefined, to));
  });

  it('combines every field with AND', async () => {
    const [a, b] = history.pipelines;
    const filter = {
      runIds: history.runIds.slice(0, 15),
      pipelineIds: [a.id, b.id],
      tenantIds: ['acme-corp', 'globex'],
      modes: ['REAL_TIME', 'MANUAL', 'ON_DEMAND'],
      entityTypes: ['Account', 'Contact'],
      operations: ['CREATE', 'UPDATE'],
      statuses: ['FAILED', 'EXTRACTION_FAILED', 'SUCCESS'],
      sourceId: 'acc',
      startedAt: { from: time(0), to: time(14 * 60) },
    };
    const pick = (r: RecordView) =>
      filter.runIds.includes(r.run.id) &&
      filter.pipelineIds.includes(r.run.pipeline.id) &&
      filter.tenantIds.includes(r.run.tenantId as string) &&
      filter.modes.includes(r.run.mode) &&
      filter.entityTypes.includes(r.entityType) &&
      filter.operations.includes(r.operation) &&
      filter.statuses.includes(r.status) &&
      r.sourceId.toLowerCase().includes('acc') &&
      within(r.startedAt, filter.startedAt.from, filter.startedAt.to);
    await expectRecords(filter, pick);
    await expectRecords({ ...filter, errorCode: 'E_LOCKED' }, (r) => pick(r) && r.errorCode === 'E_LOCKED');
  });

  it('applies inside SyncRun.records too', async () => {
    const runId = history.runIds[2];
    const { run } = await server.admin.ok<{ run: { records: { totalCount: number; edges: { node: { id: string } }[] } } }>(
      'query($id: ID!) { run(id: $id) { records(filter: { statuses: [FAILED, EXTRACTION_FAILED] }, first: 500) { totalCount edges { node { id } } } } }',
      { id: runId },
    );
    const expected = records.filter((r) => r.run.id === runId && r.status.includes('FAILED'));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(run.records.edges.map((e) => e.node))).toEqual(ids(expected));
    expect(run.records.totalCount).toBe(expected.length);
  });
});

describe('sourceId beyond ASCII', () => {
  it('finds a non-ASCII source id by an exact-case part of it, and ASCII letters in any case', async () => {
    const run = await startRun(server.admin, history.pipelines[2].id);
    await reportRecords(server.admin, run.id, [recordInput('ÜBER-1'), recordInput('Straße-2'), recordInput('Ørsted-3')]);
    const find = async (sourceId: string) =>
      (await allRecords(server.admin, { runIds: [run.id], sourceId }, null, 10, 'sourceId')).map((r) => r.sourceId);
    expect(await find('ÜBER')).toEqual(['ÜBER-1']);
    expect(await find('BER-1')).toEqual(['ÜBER-1']);
    expect(await find('ber-1')).toEqual(['ÜBER-1']);
    expect(await find('straße')).toEqual(['Straße-2']);
    expect(await find('Ørsted')).toEqual(['Ørsted-3']);
  });
});
