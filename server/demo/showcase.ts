// What a newcomer should find on a first start, beyond the history the backfill writes (issue 23): a CLEANUP run
// (a purge of a run older than the history), a resolved error group that comes back (resolved now; the next live
// failure of its kind regresses it), dead letters (a worker that retried by itself until the policy's attempts ran
// out), and alert rules, so the Alerts page has something to say. All through the API, as workers and an operator
// would do it; the tenant-bound pipeline and the re-run of failed sessions come from the catalog (catalog.ts).
import type { WorkerLogger } from '../sdk/index.js';
import type { DemoPipelineKey } from './catalog.js';
import { adminRequest } from './setup.js';

export interface ShowcaseOptions {
  url: string;
  adminKey: string;
  ingestKey: string;
  pipelineIds: Record<DemoPipelineKey, string>;
  /** Days of history the backfill wrote: the purged run is older than all of it. */
  historyDays: number;
  logger: WorkerLogger;
}

const DAY_MS = 86_400_000;

/** Sets up each feature in turn; one that fails is logged and the others still come. */
export async function showEveryFeature(options: ShowcaseOptions): Promise<void> {
  for (const [what, step] of [
    ['a clean-up run', showCleanup],
    ['a regressed error group', showRegression],
    ['dead letters', showDeadLetters],
    ['alert rules', showAlertRules],
  ] as const) {
    try {
      await step(options);
    } catch (error) {
      options.logger.warn(`demo: could not set up ${what}`, { error: (error as Error).message });
    }
  }
}

/** A billing run from before the history, then purged: the purge is recorded as a CLEANUP run in the history. */
async function showCleanup({ url, adminKey, ingestKey, pipelineIds, historyDays }: ShowcaseOptions): Promise<void> {
  const startedAt = Date.now() - (historyDays + 3) * DAY_MS;
  const { startRun } = await adminRequest<{ startRun: { id: string } }>(
    url,
    ingestKey,
    'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
    {
      input: {
        pipelineId: pipelineIds.billing,
        mode: 'MANUAL',
        operationType: 'Full sync',
        triggeredBy: 'ops@example.com',
        startedAt: new Date(startedAt).toISOString(),
      },
    },
  );
  await adminRequest(
    url,
    ingestKey,
    'mutation($id: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $id, records: $records) { accepted } }',
    {
      id: startRun.id,
      records: Array.from({ length: 20 }, (_, i) => ({
        entityType: 'Account',
        sourceId: `A${String(90_000_000 + i)}`,
        targetId: `001OLD${i}`,
        operation: 'UPDATE',
        status: 'SUCCESS',
        startedAt: new Date(startedAt + i * 1_000).toISOString(),
        latencyMs: 200,
      })),
    },
  );
  await adminRequest(
    url,
    ingestKey,
    'mutation($id: ID!, $endedAt: DateTime) { finishRun(runId: $id, input: { endedAt: $endedAt }) { id } }',
    {
      id: startRun.id,
      endedAt: new Date(startedAt + 60_000).toISOString(),
    },
  );
  await adminRequest(url, adminKey, 'mutation($days: Int!) { purgeHistory(olderThanDays: $days) { runsDeleted } }', {
    days: historyDays + 1,
  });
}

/** The billing pipeline's largest error group, resolved: its next failure (a minute or two of live sync) regresses it. */
async function showRegression({ url, adminKey, pipelineIds }: ShowcaseOptions): Promise<void> {
  const { errorGroups } = await adminRequest<{ errorGroups: { fingerprint: string }[] }>(
    url,
    adminKey,
    'query($filter: RecordFilter) { errorGroups(filter: $filter, first: 1) { fingerprint } }',
    { filter: { pipelineIds: [pipelineIds.billing], errorCode: 'ROW_LOCKED' } },
  );
  if (errorGroups.length === 0) return;
  await adminRequest(
    url,
    adminKey,
    'mutation($fingerprint: String!, $note: String) { resolveErrorGroup(fingerprint: $fingerprint, note: $note) { state } }',
    {
      fingerprint: errorGroups[0].fingerprint,
      note: 'CRM lock timeout raised to 60 s',
    },
  );
}

/**
 * An ERP run whose worker retried four products by itself, in the run, until the pipeline's attempts ran out: each
 * report of another outcome is a new attempt, and the last one leaves them dead letters at once (rather than after
 * the automatic retries' backoff, hours into the demo).
 */
async function showDeadLetters({ url, ingestKey, pipelineIds }: ShowcaseOptions): Promise<void> {
  const { startRun } = await adminRequest<{ startRun: { id: string } }>(
    url,
    ingestKey,
    'mutation($input: StartRunInput!) { startRun(input: $input) { id } }',
    { input: { pipelineId: pipelineIds.erp, mode: 'SCHEDULED', operationType: 'Sync inventory', triggeredBy: 'schedule' } },
  );
  const { pipeline } = await adminRequest<{ pipeline: { retryPolicy: { maxAttempts: number } } }>(
    url,
    ingestKey,
    'query($id: ID!) { pipeline(id: $id) { retryPolicy { maxAttempts } } }',
    { id: pipelineIds.erp },
  );
  const began = Date.now() - 60_000;
  for (let attempt = 1; attempt <= pipeline.retryPolicy.maxAttempts; attempt++) {
    const at = new Date(began + attempt * 5_000).toISOString();
    await adminRequest(
      url,
      ingestKey,
      'mutation($id: ID!, $records: [RecordReportInput!]!) { reportRecords(runId: $id, records: $records) { accepted } }',
      {
        id: startRun.id,
        records: [17, 18, 19, 20].map((n) => ({
          entityType: 'Product',
          sourceId: `SKU-0900${n}`,
          operation: 'UPDATE',
          status: 'FAILED',
          errorCode: 'TIMEOUT',
          errorMessage: `Web store API timed out after ${10 * attempt} s updating SKU-0900${n}`,
          startedAt: at,
          latencyMs: 10_000 * attempt,
        })),
      },
    );
  }
  await adminRequest(url, ingestKey, 'mutation($id: ID!) { finishRun(runId: $id) { id } }', { id: startRun.id });
}

/** Rules a newcomer would set first; they fire when the demo's data honestly meets them. */
async function showAlertRules({ url, adminKey, pipelineIds }: ShowcaseOptions): Promise<void> {
  const rules = [
    { name: 'A resolved error comes back', condition: 'ERROR_GROUP_REGRESSED', severity: 'WARNING' },
    { name: 'Dead letters piling up in the web store', condition: 'DEAD_LETTERS', threshold: 10, pipelineIds: [pipelineIds.erp] },
    { name: 'Marketing sync failed', condition: 'RUN_FAILED', severity: 'CRITICAL', pipelineIds: [pipelineIds.marketing] },
  ];
  for (const input of rules) {
    await adminRequest(url, adminKey, 'mutation($input: AlertRuleInput!) { createAlertRule(input: $input) { id } }', { input });
  }
}
