// A varied run history for filter and paging tests: three pipelines (two tenants and none), runs in every mode and
// end state, records of every kind, with deliberate ties in every sort key so the id tie breaker matters.
import { createPipeline, finishRun, type PipelineView, type RecordInput, reportRecords, startRun, triggerSync } from './fixtures.js';
import type { GraphQLClient } from './graphql-client.js';

export const BASE_TIME = Date.UTC(2026, 10, 1, 8, 0, 0);
const at = (minutes: number) => new Date(BASE_TIME + minutes * 60_000).toISOString();

const MODES = ['REAL_TIME', 'MANUAL', 'SCHEDULED', 'ON_DEMAND'];
const OPERATION_TYPES = ['Pull updates', 'Full load', null];
const ENDINGS = ['SUCCEEDED', 'DERIVED', 'FAILED', 'ROLLED_BACK', 'CANCELLED', 'RUNNING'] as const;
const ENTITY_TYPES = ['Account', 'Contact', 'Invoice'];
const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'];
const STATUSES = ['SUCCESS', 'SUCCESS', 'FAILED', 'SKIPPED', 'PARTIAL_SUCCESS', 'EXTRACTION_FAILED', 'PENDING'];
const ERRORS: [string, string][] = [
  ['E_LOCKED', 'Row 123 is locked by another transaction'],
  ['E_LOCKED', 'Row 98765 is locked by another transaction'],
  ['E_INVALID_ACCOUNT', 'Account "ACME-77" does not exist in CRM'],
  ['E_TIMEOUT', 'Timed out after 30000 ms'],
];

export interface SeededHistory {
  pipelines: PipelineView[];
  runIds: string[];
  queuedRunIds: string[];
  recordCount: number;
}

/** Builds the history through the public API with the given (admin) client. */
export async function seedHistory(admin: GraphQLClient, runCount = 24, recordsPerRun = 9): Promise<SeededHistory> {
  const pipelines = [
    await createPipeline(admin, { name: 'Billing → CRM accounts', tenantId: 'acme-corp' }),
    await createPipeline(admin, { name: 'Marketing LEADS pull', tenantId: 'globex' }),
    await createPipeline(admin, { name: 'ERP → web store', tenantId: null }),
  ];
  const runIds: string[] = [];
  let recordCount = 0;
  for (let i = 0; i < runCount; i++) {
    // Every fourth run starts at the same minute as the one before: ties on STARTED_AT.
    const startMinute = i % 4 === 3 ? (i - 1) * 60 : i * 60;
    const run = await startRun(admin, pipelines[i % 3].id, {
      mode: MODES[i % MODES.length],
      operationType: OPERATION_TYPES[i % OPERATION_TYPES.length],
      correlationId: i % 2 ? `Batch-${i}-NIGHTLY` : `batch-${i}-hourly`,
      startedAt: at(startMinute),
    });
    runIds.push(run.id);
    const records: RecordInput[] = [];
    for (let j = 0; j < recordsPerRun; j++) {
      const n = i * recordsPerRun + j;
      const status = STATUSES[n % STATUSES.length];
      const failed = status.includes('FAILED');
      const [errorCode, errorMessage] = ERRORS[n % ERRORS.length];
      // Ties: records of one run share start times in pairs; latency repeats and is sometimes missing; some never end.
      const started = startMinute + Math.floor(j / 2);
      const latency = j % 5 === 4 ? null : (n % 6) * 100;
      records.push({
        entityType: ENTITY_TYPES[n % ENTITY_TYPES.length],
        sourceId: n % 10 === 7 ? `acc_${n}` : `${n % 2 ? 'ACC' : 'acc'}-${String(n).padStart(4, '0')}`,
        operation: OPERATIONS[n % OPERATIONS.length],
        status,
        retryable: false,
        errorCode: failed ? errorCode : null,
        errorMessage: failed ? errorMessage : null,
        startedAt: at(started),
        endedAt: j % 4 === 3 ? null : at(started + (n % 3)),
        latencyMs: latency,
      });
    }
    recordCount += (await reportRecords(admin, run.id, records)).accepted;
    const ending = ENDINGS[i % ENDINGS.length];
    const endedAt = at(startMinute + 10 * ((i % 3) + 1));
    if (ending === 'RUNNING') continue;
    if (ending === 'CANCELLED') {
      await admin.ok('mutation($id: ID!) { cancelRun(runId: $id, reason: "seed") { id } }', { id: run.id });
      await finishRun(admin, run.id, { endedAt });
    } else if (ending === 'DERIVED') {
      await finishRun(admin, run.id, { endedAt });
    } else {
      await finishRun(admin, run.id, { status: ending, endedAt, error: ending === 'FAILED' ? 'CRM down' : null });
    }
  }
  const queuedRunIds = [(await triggerSync(admin, pipelines[0].id, 'Pull updates')).id, (await triggerSync(admin, pipelines[2].id)).id];
  const cancelledQueued = await triggerSync(admin, pipelines[1].id, 'Full load');
  await admin.ok('mutation($id: ID!) { cancelRun(runId: $id) { id } }', { id: cancelledQueued.id });
  runIds.push(cancelledQueued.id);
  return { pipelines, runIds, queuedRunIds, recordCount };
}
