// CSV exports through the real server and real HTTP: jobs, counts, signed links, the file's bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neutraliseCell } from '../../server/domain/csv-cells.js';
import { Role } from '../../server/domain/enums.js';
import { parseCsv } from '../support/csv.js';
import { databaseState, withDatabase } from '../support/db-state.js';
import { createPipeline, eventually, finishRun, type RecordInput, reportRecords, startRun, unique } from '../support/fixtures.js';
import { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const RECORD_HEADER = [
  'run id',
  'pipeline',
  'tenant',
  'mode',
  'entity type',
  'source id',
  'target id',
  'operation',
  'status',
  'error code',
  'error message',
  'attempts',
  'started',
  'ended',
  'latency ms',
];
const RUN_HEADER = [
  'id',
  'pipeline',
  'tenant',
  'mode',
  'operation type',
  'status',
  'triggered by',
  'started',
  'ended',
  'duration ms',
  'total',
  'created',
  'updated',
  'deleted',
  'skipped',
  'succeeded',
  'failed',
  'pending',
];
const JOB_FIELDS = 'id status rowCount downloadUrl expiresAt createdAt';
const BULK = 100_000;
const BASE = Date.UTC(2026, 9, 1, 0, 0, 0);

interface Job {
  id: string;
  status: string;
  rowCount: number | null;
  downloadUrl: string | null;
  expiresAt: string | null;
  createdAt: string;
}

let server: TestServer;
let operator: GraphQLClient;
let worker: GraphQLClient;

beforeAll(async () => {
  // No background jobs here: the housekeeping test starts an instance that runs them.
  server = await startTestServer({}, { jobs: false });
  operator = await server.clientFor(Role.OPERATOR);
  worker = await server.clientFor(Role.INGEST);
});
afterAll(() => server?.stop());

async function exportRecords(client: GraphQLClient, filter: Record<string, unknown> | null, limit?: number): Promise<Job> {
  const { exportRecords } = await client.ok<{ exportRecords: Job }>(
    `mutation($filter: RecordFilter, $limit: Int) { exportRecords(filter: $filter, limit: $limit) { ${JOB_FIELDS} } }`,
    { filter, limit },
  );
  return exportRecords;
}

async function exportRuns(client: GraphQLClient, filter: Record<string, unknown> | null, limit?: number): Promise<Job> {
  const { exportRuns } = await client.ok<{ exportRuns: Job }>(
    `mutation($filter: RunFilter, $limit: Int) { exportRuns(filter: $filter, limit: $limit) { ${JOB_FIELDS} } }`,
    { filter, limit },
  );
  return exportRuns;
}

async function exportJob(client: GraphQLClient, id: string): Promise<Job | null> {
  const { exportJob } = await client.ok<{ exportJob: Job | null }>(`query($id: ID!) { exportJob(id: $id) { ${JOB_FIELDS} } }`, { id });
  return exportJob;
}

/** Polls the job until it is prepared. */
function ready(client: GraphQLClient, id: string): Promise<Job> {
  return eventually(async () => {
    const job = await exportJob(client, id);
    if (job?.status === 'FAILED') throw new Error(`export ${id} failed`);
    return job?.status === 'READY' ? job : undefined;
  }, `export ${id} to be READY`);
}

async function download(url: string, base = server.url): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(`${base}${url}`);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

/** Downloads a READY job and parses it: the header row, then the rows. */
async function csvOf(job: Job): Promise<{ header: (string | null)[]; rows: (string | null)[][] }> {
  if (!job.downloadUrl) throw new Error('job has no downloadUrl');
  const { status, body, type } = await download(job.downloadUrl);
  expect(status).toBe(200);
  expect(type).toMatch(/^text\/csv; charset=utf-8/);
  const [header, ...rows] = parseCsv(body);
  return { header, rows };
}

const iso = (ms: number) => new Date(ms).toISOString();
/** A time as the export writes it: RFC 3339 in UTC, fractional seconds without trailing zeros. */
const csvTime = (ms: number) => iso(ms).replace(/\.?0+Z$/, 'Z');

describe('asking for an export', () => {
  it('refuses bad input with BAD_USER_INPUT and creates nothing', async () => {
    const before = await databaseState(server.databaseUrl);
    for (const [query, variables] of [
      ['mutation { exportRecords(limit: 0) { id } }', {}],
      ['mutation { exportRuns(limit: -5) { id } }', {}],
      ['mutation($f: RecordFilter) { exportRecords(filter: $f) { id } }', { f: { pipelineIds: ['not-a-uuid'] } }],
      ['mutation($f: RecordFilter) { exportRecords(filter: $f) { id } }', { f: { startedAt: { from: iso(BASE + 1), to: iso(BASE) } } }],
      ['mutation($f: RunFilter) { exportRuns(filter: $f) { id } }', { f: { search: 'a\u0000b' } }],
    ] as const) {
      expect(await operator.errorCode(query, variables), query).toBe('BAD_USER_INPUT');
    }
    expect(await databaseState(server.databaseUrl)).toEqual(before);
  });

  it('is for operators and admins; any reader can follow a job', async () => {
    const viewer = await server.clientFor(Role.VIEWER);
    expect(await viewer.errorCode('mutation { exportRecords { id } }')).toBe('FORBIDDEN');
    expect(await viewer.errorCode('mutation { exportRuns { id } }')).toBe('FORBIDDEN');
    const job = await exportRuns(server.admin, null);
    expect((await exportJob(viewer, job.id))?.id).toBe(job.id);
    expect(await exportJob(viewer, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await exportJob(viewer, 'nonsense')).toBeNull();
  });
});

describe(`a ${BULK.toLocaleString('en-US')}-record export`, () => {
  let pipeline: { id: string; name: string };
  let runId: string;
  const tenant = unique('bulk-tenant');
  const STATUSES = ['SUCCESS', 'SUCCESS', 'FAILED', 'SKIPPED'];
  const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'];

  const input = (i: number): RecordInput => {
    const status = STATUSES[i % STATUSES.length];
    const failed = status === 'FAILED';
    return {
      entityType: i % 2 ? 'Account' : 'Contact',
      sourceId: `ACC-${String(i).padStart(6, '0')}`,
      targetId: failed ? null : `crm-${i}`,
      operation: OPERATIONS[i % OPERATIONS.length],
      status,
      retryable: false,
      errorCode: failed ? 'E_LOCKED' : null,
      errorMessage: failed ? `Row ${i} is locked` : null,
      startedAt: iso(BASE + i * 1000),
      endedAt: iso(BASE + i * 1000 + (i % 997)),
      latencyMs: i % 997,
    };
  };
  const expectedRow = (i: number) => {
    const r = input(i);
    return [
      runId,
      pipeline.name,
      tenant,
      'MANUAL',
      r.entityType,
      r.sourceId,
      r.targetId,
      r.operation,
      r.status,
      r.errorCode,
      r.errorMessage,
      '1',
      csvTime(BASE + i * 1000),
      csvTime(BASE + i * 1000 + (i % 997)),
      String(r.latencyMs),
    ];
  };

  beforeAll(async () => {
    pipeline = await createPipeline(server.admin, { name: unique('Bulk → CRM'), tenantId: tenant });
    runId = (await startRun(worker, pipeline.id, { startedAt: iso(BASE) })).id;
    for (let start = 0; start < BULK; start += 5000) {
      const batch = Array.from({ length: 5000 }, (_, k) => input(start + k));
      expect((await reportRecords(worker, runId, batch)).accepted).toBe(5000);
    }
  }, 300_000);

  it('counts its rows, is audited, and downloads every row with the header, newest first', async () => {
    const asked = await exportRecords(operator, { pipelineIds: [pipeline.id] });
    expect(['PENDING', 'RUNNING', 'READY']).toContain(asked.status);
    const job = await ready(operator, asked.id);
    expect(job.rowCount).toBe(BULK);
    expect(job.downloadUrl).toMatch(new RegExp(`^/exports/${job.id}\\.csv\\?expires=\\d+&sig=[\\w-]+$`));
    expect(Date.parse(job.expiresAt as string) - Date.parse(job.createdAt)).toBe(900_000);

    const { header, rows } = await csvOf(job);
    expect(header).toEqual(RECORD_HEADER);
    expect(rows).toHaveLength(BULK);
    // Newest first, as the records query lists them: record i is row BULK - 1 - i.
    for (let i = 0; i < BULK; i++) {
      const row = rows[BULK - 1 - i];
      if (row[5] !== input(i).sourceId || i % 1000 === 0) expect(row, `record ${i}`).toEqual(expectedRow(i));
    }

    const { auditLog } = await server.admin.ok<{ auditLog: { edges: { node: { action: string; target: string; details: unknown } }[] } }>(
      'query { auditLog(first: 20) { edges { node { action target details } } } }',
    );
    const entry = auditLog.edges.find((e) => e.node.target === `export:${job.id}`)?.node;
    expect(entry).toEqual({
      action: 'export.records',
      target: `export:${job.id}`,
      details: { filter: { pipelineIds: [pipeline.id] }, limit: null },
    });
  });

  it('keeps to its limit: the newest rows, as the records list shows them first', async () => {
    const job = await ready(operator, (await exportRecords(operator, { pipelineIds: [pipeline.id], statuses: ['FAILED'] }, 25)).id);
    expect(job.rowCount).toBe(25);
    const { rows } = await csvOf(job);
    const { records } = await operator.ok<{ records: { edges: { node: { sourceId: string } }[] } }>(
      'query($f: RecordFilter) { records(filter: $f, first: 25) { edges { node { sourceId } } } }',
      { f: { pipelineIds: [pipeline.id], statuses: ['FAILED'] } },
    );
    expect(rows.map((row) => row[5])).toEqual(records.edges.map((e) => e.node.sourceId));
    expect(rows.every((row) => row[8] === 'FAILED')).toBe(true);
  });

  it('holds no record reported after it was asked for, so the file matches the count', async () => {
    const job = await ready(operator, (await exportRecords(operator, { pipelineIds: [pipeline.id], entityTypes: ['Lead'] })).id);
    expect(job.rowCount).toBe(0);
    await reportRecords(worker, runId, [{ entityType: 'Lead', sourceId: 'LEA-late', operation: 'CREATE', status: 'SUCCESS' }]);
    const { header, rows } = await csvOf(job);
    expect(header).toEqual(RECORD_HEADER);
    expect(rows).toEqual([]);
  });
});

describe('cell contents', () => {
  it('quotes commas, quotes and line breaks, keeps non-ASCII text, and neutralises formula cells', async () => {
    const name = `=HYPERLINK("http://evil.example","Ünïcødé, ""quoted""") ${unique('p')}`;
    const tenant = unique('+tenant');
    const pipeline = await createPipeline(server.admin, { name, tenantId: tenant });
    const run = await startRun(worker, pipeline.id, { startedAt: iso(BASE), operationType: '@SUM(1,2)' });
    const messages = [
      'plain, with a comma',
      'a "quoted" word',
      'two\nlines\r\nand CRLF',
      '日本語のエラー — ✓ émoji 🚀',
      '=1+1',
      '+cmd|" /C calc"!A0',
      '-2',
      '@SUM(A1)',
      '\tstarts with a tab',
      '\rstarts with a carriage return',
      "'already quoted",
      ' =leading space is text',
      'ends with a comma,',
    ];
    const records: RecordInput[] = messages.map((message, i) => ({
      entityType: i === 0 ? '=Account' : 'Account',
      sourceId: `-SRC-${i}`,
      targetId: message,
      operation: 'UPDATE',
      status: 'FAILED',
      retryable: false,
      errorCode: '@E',
      errorMessage: message,
      startedAt: iso(BASE + i * 1000),
    }));
    await reportRecords(worker, run.id, records);
    await finishRun(worker, run.id, { endedAt: iso(BASE + 60_000) });

    const job = await ready(operator, (await exportRecords(operator, { runIds: [run.id] })).id);
    const { rows } = await csvOf(job);
    expect(rows).toHaveLength(messages.length);
    const byMessage = [...rows].reverse();
    messages.forEach((message, i) => {
      const row = byMessage[i];
      expect(row[1], 'pipeline').toBe(`'${name}`);
      expect(row[2], 'tenant').toBe(`'${tenant}`);
      expect(row[4], 'entity type').toBe(i === 0 ? "'=Account" : 'Account');
      expect(row[5], 'source id').toBe(`'-SRC-${i}`);
      expect(row[6], 'target id').toBe(neutraliseCell(message));
      expect(row[9], 'error code').toBe("'@E");
      expect(row[10], 'error message').toBe(neutraliseCell(message));
    });
    // Every trigger really was neutralised, and nothing else was touched.
    expect(byMessage.map((row) => row[10]?.startsWith("'") && !messages.includes(row[10] as string))).toEqual(
      messages.map((m) => /^[=+\-@\t\r]/.test(m)),
    );

    const runsJob = await ready(operator, (await exportRuns(operator, { pipelineIds: [pipeline.id] })).id);
    const runs = await csvOf(runsJob);
    expect(runs.rows[0][4], 'operation type').toBe("'@SUM(1,2)");
  });

  it('writes the file as UTF-8 bytes', async () => {
    const pipeline = await createPipeline(server.admin, { name: unique('Grüße') });
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [{ entityType: 'Kontakt', sourceId: 'ÄÖÜ-ß-€', operation: 'CREATE', status: 'SUCCESS' }]);
    const job = await ready(operator, (await exportRecords(operator, { runIds: [run.id] })).id);
    const bytes = Buffer.from(await (await fetch(`${server.url}${job.downloadUrl}`)).arrayBuffer());
    expect(bytes.includes(Buffer.from('ÄÖÜ-ß-€', 'utf8'))).toBe(true);
    expect(bytes.includes(Buffer.from('ÄÖÜ-ß-€', 'latin1'))).toBe(false);
  });
});

describe('filters', () => {
  it('mean what the records query means, quotes, wildcards, backslashes and dates included', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    const ids = ["O'Brien_100%", "O'Brien_1000", 'back\\slash', 'plain-1', 'ÜBER-1'];
    await reportRecords(
      worker,
      run.id,
      ids.map((sourceId, i) => ({
        entityType: 'Account',
        sourceId,
        operation: 'CREATE',
        status: 'SUCCESS',
        startedAt: iso(BASE + i * 60_000),
      })),
    );
    for (const filter of [
      { sourceId: "o'brien_100%" },
      { sourceId: '\\' },
      { sourceId: 'ÜBER' },
      { startedAt: { from: iso(BASE + 60_000), to: iso(BASE + 180_000) } },
      { statuses: ['SUCCESS', 'FAILED'], entityTypes: ['Account'] },
    ]) {
      const scoped = { ...filter, runIds: [run.id] };
      const { records } = await operator.ok<{ records: { edges: { node: { sourceId: string } }[] } }>(
        'query($f: RecordFilter) { records(filter: $f, first: 50) { edges { node { sourceId } } } }',
        { f: scoped },
      );
      const job = await ready(operator, (await exportRecords(operator, scoped)).id);
      const { rows } = await csvOf(job);
      const listed = records.edges.map((e) => e.node.sourceId);
      expect(listed.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect({ filter, count: job.rowCount, rows: rows.map((row) => row[5]) }).toEqual({ filter, count: listed.length, rows: listed });
    }
  });
});

describe('runs', () => {
  it('exports the runs a filter lists, with each count, newest first', async () => {
    const pipeline = await createPipeline(server.admin, { name: unique('Runs export') });
    const first = await startRun(worker, pipeline.id, { mode: 'SCHEDULED', operationType: 'Pull updates', startedAt: iso(BASE) });
    await reportRecords(worker, first.id, [
      { entityType: 'Lead', sourceId: 'L-1', operation: 'CREATE', status: 'SUCCESS' },
      { entityType: 'Lead', sourceId: 'L-2', operation: 'UPDATE', status: 'FAILED', retryable: false },
      { entityType: 'Lead', sourceId: 'L-3', operation: 'DELETE', status: 'SKIPPED' },
      { entityType: 'Lead', sourceId: 'L-4', operation: 'CREATE', status: 'PENDING' },
    ]);
    await finishRun(worker, first.id, { endedAt: iso(BASE + 90_500) });
    const second = await startRun(worker, pipeline.id, { startedAt: iso(BASE + 3_600_000) });

    const job = await ready(operator, (await exportRuns(operator, { pipelineIds: [pipeline.id] })).id);
    expect(job.rowCount).toBe(2);
    const { header, rows } = await csvOf(job);
    expect(header).toEqual(RUN_HEADER);
    const adminName = rows[0][6];
    expect(rows).toEqual([
      [
        second.id,
        pipeline.name,
        null,
        'MANUAL',
        null,
        'RUNNING',
        adminName,
        csvTime(BASE + 3_600_000),
        null,
        null,
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
        '0',
      ],
      [
        first.id,
        pipeline.name,
        null,
        'SCHEDULED',
        'Pull updates',
        'COMPLETED_WITH_ERRORS',
        adminName,
        csvTime(BASE),
        csvTime(BASE + 90_500),
        '90500',
        '4',
        '1',
        '0',
        '0',
        '1',
        '1',
        '1',
        '1',
      ],
    ]);
    const limited = await ready(operator, (await exportRuns(operator, { pipelineIds: [pipeline.id] }, 1)).id);
    expect(limited.rowCount).toBe(1);
    expect((await csvOf(limited)).rows.map((row) => row[0])).toEqual([second.id]);
  });
});

describe('tenants', () => {
  it('a tenant key exports only its tenant’s rows, whatever the filter asks, and sees only its own jobs', async () => {
    const acme = unique('acme');
    const globex = unique('globex');
    for (const tenant of [acme, globex]) {
      const pipeline = await createPipeline(server.admin, { tenantId: tenant });
      const run = await startRun(worker, pipeline.id);
      await reportRecords(
        worker,
        run.id,
        Array.from({ length: tenant === acme ? 3 : 5 }, (_, i) => ({
          entityType: 'Account',
          sourceId: `${tenant}-${i}`,
          operation: 'CREATE',
          status: 'SUCCESS',
        })),
      );
    }
    const acmeOperator = await server.clientFor(Role.OPERATOR, acme);
    const own = await ready(acmeOperator, (await exportRecords(acmeOperator, null)).id);
    expect(own.rowCount).toBe(3);
    const { rows } = await csvOf(own);
    expect(rows.map((row) => row[2])).toEqual([acme, acme, acme]);

    const other = await ready(acmeOperator, (await exportRecords(acmeOperator, { tenantIds: [globex] })).id);
    expect(other.rowCount).toBe(0);
    expect((await csvOf(other)).rows).toEqual([]);
    const runs = await ready(acmeOperator, (await exportRuns(acmeOperator, null)).id);
    expect(runs.rowCount).toBe(1);
    expect((await csvOf(runs)).rows[0][2]).toBe(acme);

    // Jobs of another tenant, or of an unbound key, are not there for a tenant key.
    const globexOperator = await server.clientFor(Role.OPERATOR, globex);
    const globexJob = await exportRecords(globexOperator, null);
    const allJob = await exportRecords(operator, null);
    expect(await exportJob(acmeOperator, globexJob.id)).toBeNull();
    expect(await exportJob(acmeOperator, allJob.id)).toBeNull();
    expect((await exportJob(acmeOperator, own.id))?.id).toBe(own.id);
    expect((await exportJob(operator, globexJob.id))?.id).toBe(globexJob.id);
  });
});

describe('signed links', () => {
  let job: Job;
  let other: TestServer;

  beforeAll(async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [{ entityType: 'Account', sourceId: 'SECRET-ROW', operation: 'CREATE', status: 'SUCCESS' }]);
    job = await ready(operator, (await exportRecords(operator, { runIds: [run.id] })).id);
    // A second instance on the same database with a short link life.
    other = await startTestServer({ EXPORT_URL_TTL_SECONDS: '3' }, { databaseUrl: server.databaseUrl, jobs: false });
  });
  afterAll(() => other?.stop());

  it('any instance serves a link another handed out', async () => {
    const { status, body } = await download(job.downloadUrl as string, other.url);
    expect(status).toBe(200);
    expect(body).toContain('SECRET-ROW');
    const head = await fetch(`${other.url}${job.downloadUrl}`, { method: 'HEAD' });
    expect({ status: head.status, type: head.headers.get('content-type'), body: await head.text() }).toEqual({
      status: 200,
      type: 'text/csv; charset=utf-8',
      body: '',
    });
  });

  it('refuses a tampered link with 403 and a body that says nothing more', async () => {
    const url = new URL(job.downloadUrl as string, server.url);
    const sig = url.searchParams.get('sig') as string;
    const expires = Number(url.searchParams.get('expires'));
    const otherId = '00000000-0000-4000-8000-000000000000';
    const tampered = [
      `/exports/${job.id}.csv?expires=${expires}&sig=${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`,
      `/exports/${job.id}.csv?expires=${expires + 3600}&sig=${sig}`,
      `/exports/${otherId}.csv?expires=${expires}&sig=${sig}`,
      `/exports/${job.id}.csv?expires=${expires}`,
      `/exports/${job.id}.csv?sig=${sig}`,
      `/exports/${job.id}.csv`,
      `/exports/${job.id}.json?expires=${expires}&sig=${sig}`,
      `/exports/nonsense.csv?expires=${expires}&sig=${sig}`,
      `/exports/${job.id}.csv?expires=${expires}&expires=${expires}&sig=${sig}`,
    ];
    for (const path of tampered) {
      const { status, body } = await download(path);
      expect({ path, status, body }).toEqual({ path, status: 403, body: 'forbidden' });
    }
  });

  it('refuses an expired link with 403, and the job stops offering it', async () => {
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    await reportRecords(worker, run.id, [{ entityType: 'Account', sourceId: 'SHORT-LIVED', operation: 'CREATE', status: 'SUCCESS' }]);
    const asked = await exportRecords(new GraphQLClient(other.graphqlUrl, operator.secret), {
      runIds: [run.id],
    });
    const expiresAt = Date.parse(asked.expiresAt as string);
    expect(expiresAt - Date.parse(asked.createdAt)).toBe(3000);
    const url = await eventually(async () => {
      const seen = await exportJob(operator, asked.id);
      return seen?.downloadUrl ?? (seen?.status === 'READY' || seen?.status === 'FAILED' ? null : undefined);
    }, 'the short-lived export to be READY');
    await eventually(async () => (Date.now() > expiresAt + 1000 ? true : undefined), 'the link to expire');
    expect(url).not.toBeNull();
    const { status, body } = await download(url as string);
    expect({ status, body }).toEqual({ status: 403, body: 'forbidden' });
    const expired = await exportJob(operator, asked.id);
    expect(expired).toMatchObject({ status: 'READY', rowCount: 1, downloadUrl: null });
  });

  it('refuses the link once the key that asked for it is revoked', async () => {
    const { createApiKey } = await server.admin.ok<{ createApiKey: { secret: string; key: { id: string } } }>(
      'mutation { createApiKey(input: { name: "short-lived operator", role: OPERATOR }) { secret key { id } } }',
    );
    const leaving = new GraphQLClient(server.graphqlUrl, createApiKey.secret);
    const revokedJob = await ready(leaving, (await exportRuns(leaving, null, 1)).id);
    expect((await download(revokedJob.downloadUrl as string)).status).toBe(200);
    await server.admin.ok('mutation($id: ID!) { revokeApiKey(id: $id) }', { id: createApiKey.key.id });
    expect(await download(revokedJob.downloadUrl as string)).toMatchObject({ status: 403, body: 'forbidden' });
  });
});

describe('housekeeping', () => {
  it('the leader removes expired export jobs and keeps the others', async () => {
    const kept = await exportRuns(operator, null, 1);
    const expired = await exportRuns(operator, null, 1);
    await withDatabase(server.databaseUrl, (sql) =>
      sql.query("UPDATE export_jobs SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.id]),
    );
    // An instance that runs the background jobs: it wins the leader lock and runs each job at once.
    const leader = await startTestServer({}, { databaseUrl: server.databaseUrl });
    try {
      await eventually(async () => ((await exportJob(operator, expired.id)) === null ? true : undefined), 'the expired job to go');
      expect((await exportJob(operator, kept.id))?.id).toBe(kept.id);
    } finally {
      await leader.stop();
    }
  });
});

describe('shutdown', () => {
  it('downloads in flight are capped per instance, and do not hold shutdown up: they are cut, and no COPY is left running', async () => {
    // A file far larger than every socket buffer between PostgreSQL and the client, so it cannot be in flight whole.
    const pipeline = await createPipeline(server.admin);
    const run = await startRun(worker, pipeline.id);
    await withDatabase(server.databaseUrl, (sql) =>
      sql.query(
        `INSERT INTO records (run_id, pipeline_id, mode, entity_type, source_id, operation, status, error_message, run_created_at)
         SELECT $1, $2, 'MANUAL', 'Account', 'BIG-' || g, 'CREATE', 'FAILED', repeat('x', 800), r.created_at
         FROM generate_series(1, 100000) g, runs r WHERE r.id = $1`,
        [run.id, pipeline.id],
      ),
    );
    const instance = await startTestServer({}, { databaseUrl: server.databaseUrl, jobs: false });
    let stopped = false;
    const copiesRunning = async () =>
      (
        await withDatabase(server.databaseUrl, (sql) =>
          sql.query(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'COPY (%' AND state = 'active'",
          ),
        )
      ).rows[0].n as number;
    try {
      const job = await ready(operator, (await exportRecords(operator, { runIds: [run.id] })).id);
      expect(job.rowCount).toBe(100_000);
      // Three downloads held mid-file by clients that stopped reading after the first bytes.
      const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${instance.url}${job.downloadUrl}`);
        expect(response.status).toBe(200);
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        expect((await reader.read()).done).toBe(false);
        readers.push(reader);
      }
      expect(await copiesRunning()).toBe(3); // the trap is set: the server is mid-file three times
      // Each holds a database connection: a fourth waits its turn, told so, rather than starving the API.
      const fourth = await fetch(`${instance.url}${job.downloadUrl}`);
      expect(fourth.status).toBe(503);
      expect(fourth.headers.get('retry-after')).toBe('5');
      await fourth.body?.cancel();

      await instance.stop();
      stopped = true;
      // The rest never arrives whole: reading on ends in an error, not in a complete file.
      for (const reader of readers) {
        const rest = (async () => {
          for (;;) if ((await reader.read()).done) return 'complete';
        })();
        await expect(rest).rejects.toThrow();
      }
      await eventually(async () => ((await copiesRunning()) === 0 ? true : undefined), 'the COPYs to end');
    } finally {
      if (!stopped) await instance.stop();
    }
  });
});
