// Small builders over the public API for integration tests: pipelines, runs, record batches, paging.
import type { GraphQLClient } from './graphql-client.js';

export const RUN_FIELDS = `id status mode operationType tenantId correlationId triggeredBy startedAt endedAt error leaseExpiresAt
  pipeline { id name tenantId }
  counts { total created updated deleted skipped succeeded failed pending }`;

export const RECORD_FIELDS = `id entityType sourceId targetId operation status errorCode errorMessage retryable attempts
  startedAt endedAt latencyMs details run { id mode tenantId pipeline { id } }`;

export interface Counts {
  total: number;
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export interface RunView {
  id: string;
  status: string;
  mode: string;
  operationType: string | null;
  tenantId: string | null;
  correlationId: string | null;
  triggeredBy: string | null;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  leaseExpiresAt: string | null;
  pipeline: { id: string; name: string; tenantId: string | null };
  counts: Counts;
}

export interface RecordView {
  id: string;
  entityType: string;
  sourceId: string;
  targetId: string | null;
  operation: string;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  retryable: boolean;
  attempts: number;
  startedAt: string;
  endedAt: string | null;
  latencyMs: number | null;
  details: unknown;
  run: { id: string; mode: string; tenantId: string | null; pipeline: { id: string } };
}

export interface PipelineView {
  id: string;
  name: string;
  tenantId: string | null;
}

/** A record report as the API takes it; every field but the key ones optional. */
export interface RecordInput {
  entityType: string;
  sourceId: string;
  operation: string;
  status: string;
  targetId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  retryable?: boolean | null;
  startedAt?: string | null;
  endedAt?: string | null;
  latencyMs?: number | null;
  details?: unknown;
}

export interface ReportView {
  accepted: number;
  rejected: { index: number; reason: string }[];
  run: RunView;
}

let sequence = 0;
/** A name no other test in the run uses. */
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++sequence}-${Math.random().toString(36).slice(2, 7)}`;

export async function createPipeline(
  client: GraphQLClient,
  input: { name?: string; tenantId?: string | null; [key: string]: unknown } = {},
): Promise<PipelineView> {
  const { createPipeline } = await client.ok<{ createPipeline: PipelineView }>(
    'mutation($input: PipelineInput!) { createPipeline(input: $input) { id name tenantId } }',
    { input: { name: unique('pipeline'), sourceSystem: 'Billing', targetSystem: 'CRM', ...input } },
  );
  return createPipeline;
}

export async function startRun(
  client: GraphQLClient,
  pipelineId: string,
  input: { mode?: string; [key: string]: unknown } = {},
): Promise<RunView> {
  const { startRun } = await client.ok<{ startRun: RunView }>(
    `mutation($input: StartRunInput!) { startRun(input: $input) { ${RUN_FIELDS} } }`,
    {
      input: { pipelineId, mode: 'MANUAL', ...input },
    },
  );
  return startRun;
}

export async function reportRecords(client: GraphQLClient, runId: string, records: RecordInput[]): Promise<ReportView> {
  const { reportRecords } = await client.ok<{ reportRecords: ReportView }>(
    `mutation($runId: ID!, $records: [RecordReportInput!]!) {
      reportRecords(runId: $runId, records: $records) { accepted rejected { index reason } run { ${RUN_FIELDS} } }
    }`,
    { runId, records },
  );
  return reportRecords;
}

export async function finishRun(client: GraphQLClient, runId: string, input?: Record<string, unknown>): Promise<RunView> {
  const { finishRun } = await client.ok<{ finishRun: RunView }>(
    `mutation($runId: ID!, $input: FinishRunInput) { finishRun(runId: $runId, input: $input) { ${RUN_FIELDS} } }`,
    { runId, input },
  );
  return finishRun;
}

export async function triggerSync(client: GraphQLClient, pipelineId: string, operationType?: string): Promise<RunView> {
  const { triggerSync } = await client.ok<{ triggerSync: RunView }>(
    `mutation($pipelineId: ID!, $operationType: String) { triggerSync(pipelineId: $pipelineId, operationType: $operationType) { ${RUN_FIELDS} } }`,
    { pipelineId, operationType },
  );
  return triggerSync;
}

export async function getRun(client: GraphQLClient, id: string): Promise<RunView | null> {
  const { run } = await client.ok<{ run: RunView | null }>(`query($id: ID!) { run(id: $id) { ${RUN_FIELDS} } }`, { id });
  return run;
}

/** A successful CREATE of an Account unless told otherwise. */
export function recordInput(sourceId: string, overrides: Partial<RecordInput> = {}): RecordInput {
  return { entityType: 'Account', sourceId, operation: 'CREATE', status: 'SUCCESS', ...overrides };
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Follows endCursor until hasNextPage is false; returns every node in the order served, and the page count. */
/** A whole run of the pipeline: started, its records reported (if any), finished with `finish`. */
export async function reportedRun(client: GraphQLClient, pipelineId: string, records: RecordInput[], finish: Record<string, unknown> = {}) {
  const started = await startRun(client, pipelineId);
  if (records.length) await reportRecords(client, started.id, records);
  return finishRun(client, started.id, finish);
}

/** `n` succeeding records, source ids `<prefix>-0` on. */
export const successes = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => recordInput(`${prefix}-${i}`));

export async function walkPages<T>(fetchPage: (after: string | null) => Promise<Page<T>>): Promise<{ nodes: T[]; pages: number }> {
  const nodes: T[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page = await fetchPage(after);
    pages++;
    nodes.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return { nodes, pages };
    if (!page.pageInfo.endCursor) throw new Error('hasNextPage without an endCursor');
    if (pages > 10_000) throw new Error('paging does not end');
    after = page.pageInfo.endCursor;
  }
}

/** Every run matching the filter, in the server's order, page by page. */
export async function allRuns(
  client: GraphQLClient,
  filter: Record<string, unknown> | null = null,
  orderBy: Record<string, unknown> | null = null,
  first = 500,
  fields = RUN_FIELDS,
): Promise<RunView[]> {
  const { nodes } = await walkPages<RunView>(async (after) => {
    const { runs } = await client.ok<{ runs: Page<RunView> }>(
      `query($filter: RunFilter, $orderBy: RunOrder, $first: Int, $after: String) {
        runs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { edges { cursor node { ${fields} } } pageInfo { hasNextPage endCursor } }
      }`,
      { filter, orderBy, first, after },
    );
    return runs;
  });
  return nodes;
}

/** Every record matching the filter, in the server's order, page by page. */
export async function allRecords(
  client: GraphQLClient,
  filter: Record<string, unknown> | null = null,
  orderBy: Record<string, unknown> | null = null,
  first = 500,
  fields = RECORD_FIELDS,
): Promise<RecordView[]> {
  const { nodes } = await walkPages<RecordView>(async (after) => {
    const { records } = await client.ok<{ records: Page<RecordView> }>(
      `query($filter: RecordFilter, $orderBy: RecordOrder, $first: Int, $after: String) {
        records(filter: $filter, orderBy: $orderBy, first: $first, after: $after) { edges { cursor node { ${fields} } } pageInfo { hasNextPage endCursor } }
      }`,
      { filter, orderBy, first, after },
    );
    return records;
  });
  return nodes;
}

/** Polls until `check` gives a value (not undefined) or the deadline passes. For background work such as the lease sweep. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
