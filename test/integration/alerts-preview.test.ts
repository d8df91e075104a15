// alertRulePreview against real reported data: each of the seven conditions previews the targets the leader's
// evaluation would fire for (and not those it would not), in the key's tenant scope, checked as rule creation is,
// and writing nothing: no rule, no alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { errorFingerprint } from '../../server/domain/error-text.js';
import {
  createPipeline,
  eventually,
  finishRun,
  type RecordInput,
  recordInput,
  reportedRun,
  startRun,
  successes,
  unique,
} from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

interface Target {
  pipelineId: string | null;
  pipelineName: string | null;
  runId: string | null;
  fingerprint: string | null;
  summary: string;
  value: number | null;
}

const PREVIEW = `query($input: AlertRuleInput!) {
  alertRulePreview(input: $input) { pipelineId pipelineName runId fingerprint summary value }
}`;

let server: TestServer;
let admin: GraphQLClient;
let ingest: GraphQLClient;
let operator: GraphQLClient;

beforeAll(async () => {
  // The leader evaluates nothing here (there are no rules), and seldom: what a preview answers is its own work.
  server = await startTestServer({ ALERT_EVALUATION_MS: '30000', PROGRESS_INTERVAL_MS: '0' });
  admin = server.admin;
  ingest = await server.clientFor(Role.INGEST);
  operator = await server.clientFor(Role.OPERATOR);
});
afterAll(async () => {
  await server?.stop();
});

async function preview(input: Record<string, unknown>, client = operator): Promise<Target[]> {
  const { alertRulePreview } = await client.ok<{ alertRulePreview: Target[] }>(PREVIEW, { input: { name: '', ...input } });
  return alertRulePreview;
}

const run = (pipelineId: string, records: RecordInput[], finish: Record<string, unknown> = {}) =>
  reportedRun(ingest, pipelineId, records, finish);

describe('alertRulePreview', () => {
  it('RUN_FAILED: the pipelines whose last `threshold` runs failed, with the failed run', async () => {
    const failing = await createPipeline(admin, { name: unique('failing') });
    const fine = await createPipeline(admin);
    const failed = await run(failing.id, [], { status: 'FAILED' });
    await run(fine.id, successes(1));
    const pipelineIds = [failing.id, fine.id];
    const targets = await preview({ condition: 'RUN_FAILED', pipelineIds });
    expect(targets).toEqual([
      {
        pipelineId: failing.id,
        pipelineName: failing.name,
        runId: failed.id,
        fingerprint: null,
        summary: `the last run of ${failing.name} failed`,
        value: 1,
      },
    ]);
    expect(await preview({ condition: 'RUN_FAILED', threshold: 2, pipelineIds })).toEqual([]);
  });

  it('ERROR_RATE: the failed fraction over the window against the threshold', async () => {
    const pipeline = await createPipeline(admin);
    const failures = Array.from({ length: 5 }, (_, i) =>
      recordInput(`f-${i}`, { status: 'FAILED', errorCode: 'E_RATE', retryable: false }),
    );
    await run(pipeline.id, [...successes(5), ...failures]);
    const [target] = await preview({ condition: 'ERROR_RATE', threshold: 0.3, windowSeconds: 600, pipelineIds: [pipeline.id] });
    expect(target).toMatchObject({ pipelineId: pipeline.id, runId: null });
    expect(target.value).toBeCloseTo(0.5);
    expect(target.summary).toContain('50 %');
    expect(await preview({ condition: 'ERROR_RATE', threshold: 0.6, windowSeconds: 600, pipelineIds: [pipeline.id] })).toEqual([]);
  });

  it('PIPELINE_HEALTH: the pipelines in the chosen states, with why', async () => {
    const stale = await createPipeline(admin, { expectedIntervalSeconds: 1 });
    const [target] = await eventually(async () => {
      const targets = await preview({ condition: 'PIPELINE_HEALTH', healthStates: ['STALE'], pipelineIds: [stale.id] });
      return targets.length ? targets : undefined;
    }, 'the pipeline STALE in the preview');
    expect(target.summary).toContain('is STALE');
    expect(await preview({ condition: 'PIPELINE_HEALTH', healthStates: ['FAILING'], pipelineIds: [stale.id] })).toEqual([]);
  });

  it('DEAD_LETTERS: the pipelines with at least `threshold` dead letters waiting', async () => {
    const pipeline = await createPipeline(admin, { retryPolicy: { maxAttempts: 1 } });
    const dead = (id: string) => recordInput(id, { status: 'FAILED', errorCode: 'E_DEAD', retryable: true });
    await run(pipeline.id, [dead('d-1'), dead('d-2')]);
    const [target] = await preview({ condition: 'DEAD_LETTERS', threshold: 2, pipelineIds: [pipeline.id] });
    expect(target).toMatchObject({ pipelineId: pipeline.id, value: 2 });
    expect(await preview({ condition: 'DEAD_LETTERS', threshold: 3, pipelineIds: [pipeline.id] })).toEqual([]);
  });

  it('RUN_DURATION: a run running longer than the limit', async () => {
    const pipeline = await createPipeline(admin);
    const long = await startRun(ingest, pipeline.id);
    const [target] = await eventually(async () => {
      const targets = await preview({ condition: 'RUN_DURATION', threshold: 1, pipelineIds: [pipeline.id] });
      return targets.length ? targets : undefined;
    }, 'the long run in the preview');
    expect(target).toMatchObject({ pipelineId: pipeline.id, runId: long.id });
    expect(await preview({ condition: 'RUN_DURATION', threshold: 3600, pipelineIds: [pipeline.id] })).toEqual([]);
    await finishRun(ingest, long.id);
  });

  it('ERROR_GROUP_NEW and ERROR_GROUP_REGRESSED: a new fingerprint, not once resolved, and its regression after that', async () => {
    const pipeline = await createPipeline(admin);
    const code = unique('E_PREVIEW');
    const fingerprint = errorFingerprint(code, 'Account 1 rejected') as string;
    const failing = (id: string) =>
      recordInput(id, { status: 'FAILED', errorCode: code, errorMessage: 'Account 1 rejected', retryable: false });
    const first = await run(pipeline.id, [failing('a'), failing('b')]);
    const pipelineIds = [pipeline.id];
    const fresh = await preview({ condition: 'ERROR_GROUP_NEW', pipelineIds });
    expect(fresh).toEqual([
      {
        pipelineId: pipeline.id,
        pipelineName: pipeline.name,
        runId: first.id,
        fingerprint,
        summary: 'new error: Account 1 rejected',
        value: 2,
      },
    ]);
    expect(await preview({ condition: 'ERROR_GROUP_REGRESSED', pipelineIds })).toEqual([]);

    await operator.ok('mutation($f: String!) { resolveErrorGroup(fingerprint: $f) { state } }', { f: fingerprint });
    // Resolved after it appeared: its alert would have cleared.
    expect(await preview({ condition: 'ERROR_GROUP_NEW', pipelineIds })).toEqual([]);
    // Resolution times come from the database's clock and start times from the worker's: a later start for the return.
    const again = await run(pipeline.id, [{ ...failing('c'), startedAt: new Date(Date.now() + 1000).toISOString() }]);
    const [regressed] = await preview({ condition: 'ERROR_GROUP_REGRESSED', pipelineIds });
    expect(regressed).toMatchObject({ fingerprint, runId: again.id, summary: 'error regressed after it was resolved: Account 1 rejected' });
  });

  it('covers only what the key sees: a tenant-bound operator previews its tenant’s pipelines', async () => {
    const acme = await createPipeline(admin, { tenantId: 'acme-preview' });
    const other = await createPipeline(admin, { tenantId: 'other-preview' });
    await run(acme.id, [], { status: 'FAILED' });
    await run(other.id, [], { status: 'FAILED' });
    const acmeOperator = await server.clientFor(Role.OPERATOR, 'acme-preview');
    const targets = await preview({ condition: 'RUN_FAILED' }, acmeOperator);
    expect(targets.map((t) => t.pipelineId)).toEqual([acme.id]);
    const all = (await preview({ condition: 'RUN_FAILED' })).map((t) => t.pipelineId);
    expect(all).toEqual(expect.arrayContaining([acme.id, other.id]));
    // Another tenant's pipeline is refused, as in createAlertRule.
    const refused = await acmeOperator.request(PREVIEW, { input: { name: '', condition: 'RUN_FAILED', pipelineIds: [other.id] } });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.pipelineIds' });
  });

  it('is checked as rule creation is, is for operators, and writes nothing', async () => {
    const bad = await operator.request(PREVIEW, { input: { name: '', condition: 'ERROR_RATE', windowSeconds: 600 } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.threshold' });
    const viewer = await server.clientFor(Role.VIEWER);
    expect(await viewer.errorCode(PREVIEW, { input: { name: '', condition: 'RUN_FAILED' } })).toBe('FORBIDDEN');
    const { alertRules, alerts } = await admin.ok<{ alertRules: unknown[]; alerts: { edges: unknown[] } }>(
      '{ alertRules { id } alerts(first: 10) { edges { cursor } } }',
    );
    expect(alertRules).toEqual([]);
    expect(alerts.edges).toEqual([]);
  });
});
