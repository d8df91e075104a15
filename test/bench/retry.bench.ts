// Operators' retries at scale: retryRecords on a filter matching 100,000 failed records (issue 4).
import { type BenchEnvironment, count, heading, printTable, type SummaryRow } from './support.js';

const RECORDS = 100_000;
const BATCH = 5_000;

export async function runRetryBench(env: BenchEnvironment): Promise<SummaryRow[]> {
  heading(`Retry: retryRecords on a filter matching ${count(RECORDS)} failed records`);
  const ingest = await env.clientFor('INGEST');
  const operator = await env.clientFor('OPERATOR');
  const { createPipeline } = await env.admin.ok<{ createPipeline: { id: string } }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id } }',
    { input: { name: 'retry bench', sourceSystem: 'erp', targetSystem: 'shop', retryPolicy: { nonRetryableErrorCodes: ['INVALID_ID'] } } },
  );
  const { startRun } = await ingest.ok<{ startRun: { id: string } }>(
    'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
    { input: { pipelineId: createPipeline.id, mode: 'SCHEDULED' } },
  );
  for (let offset = 0; offset < RECORDS; offset += BATCH) {
    const records = Array.from({ length: BATCH }, (_, i) => ({
      entityType: 'Product',
      sourceId: `SKU-${offset + i}`,
      operation: 'UPDATE',
      status: 'FAILED',
      errorCode: 'INVALID_ID',
      errorMessage: `product ${offset + i} has an invalid category id`,
    }));
    await ingest.ok('mutation($id: ID!, $r: [RecordReportInput!]!) { reportRecords(runId: $id, records: $r) { accepted } }', {
      id: startRun.id,
      r: records,
    });
  }
  await ingest.ok('mutation($id: ID!) { finishRun(runId: $id) { status } }', { id: startRun.id });

  const mutation = `mutation($f: RecordFilter, $dry: Boolean) {
    retryRecords(filter: $f, dryRun: $dry) { matched scheduled skipped retryRun { id counts { total } } } }`;
  const filter = { pipelineIds: [createPipeline.id], statuses: ['FAILED'], errorCode: 'INVALID_ID' };
  let started = performance.now();
  const dry = await operator.ok<{ retryRecords: { scheduled: number } }>(mutation, { f: filter, dry: true });
  const dryMs = performance.now() - started;
  started = performance.now();
  const real = await operator.ok<{ retryRecords: { scheduled: number; retryRun: { counts: { total: number } } } }>(mutation, { f: filter });
  const realMs = performance.now() - started;
  if (real.retryRecords.scheduled !== RECORDS || dry.retryRecords.scheduled !== RECORDS) {
    throw new Error(`retry bench: expected ${RECORDS} scheduled, got ${JSON.stringify({ dry, real })}`);
  }
  printTable(
    ['call', 'records', 'time'],
    [
      ['retryRecords dryRun', count(RECORDS), `${(dryMs / 1000).toFixed(2)} s`],
      ['retryRecords', count(real.retryRecords.retryRun.counts.total), `${(realMs / 1000).toFixed(2)} s`],
    ],
  );
  return [
    { measure: `retryRecords dryRun, ${count(RECORDS)} matched`, value: `${(dryMs / 1000).toFixed(2)} s` },
    {
      measure: `retryRecords, ${count(RECORDS)} scheduled`,
      value: `${(realMs / 1000).toFixed(2)} s`,
      target: '≤ a few s',
      met: realMs < 10_000,
    },
  ];
}

if (process.argv[1]?.endsWith('retry.bench.ts')) {
  const { startBenchEnvironment } = await import('./support.js');
  const env = await startBenchEnvironment();
  try {
    await runRetryBench(env);
  } finally {
    await env.stop();
  }
  process.exit(0);
}
