// Pipelines: defaults on create, and what an update keeps when the input leaves a field out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../server/domain/enums.js';
import { startRun } from '../support/fixtures.js';
import type { GraphQLClient } from '../support/graphql-client.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PIPELINE_FIELDS = `id name sourceSystem targetSystem direction tenantId config createdAt
  retryPolicy { maxAttempts initialDelaySeconds backoffFactor maxDelaySeconds nonRetryableErrorCodes }`;

interface PipelineFull {
  id: string;
  name: string;
  sourceSystem: string;
  targetSystem: string;
  direction: string;
  tenantId: string | null;
  config: unknown;
  createdAt: string;
  retryPolicy: Record<string, unknown>;
}

let server: TestServer;
let admin: GraphQLClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = server.admin;
});
afterAll(() => server?.stop());

const create = async (input: Record<string, unknown>) =>
  (
    await admin.ok<{ createPipeline: PipelineFull }>(
      `mutation($input: PipelineInput!) { createPipeline(input: $input) { ${PIPELINE_FIELDS} } }`,
      { input },
    )
  ).createPipeline;

const update = async (id: string, input: Record<string, unknown>, client = admin) =>
  (
    await client.ok<{ updatePipeline: PipelineFull }>(
      `mutation($id: ID!, $input: PipelineInput!) { updatePipeline(id: $id, input: $input) { ${PIPELINE_FIELDS} } }`,
      { id, input },
    )
  ).updatePipeline;

describe('createPipeline', () => {
  it('fills the documented defaults', async () => {
    const pipeline = await create({ name: '  Billing → CRM  ', sourceSystem: 'Billing', targetSystem: 'CRM' });
    expect(pipeline).toMatchObject({
      name: 'Billing → CRM',
      direction: 'PUSH',
      tenantId: null,
      config: null,
      retryPolicy: { maxAttempts: 5, initialDelaySeconds: 30, backoffFactor: 2, maxDelaySeconds: 3600, nonRetryableErrorCodes: [] },
    });
    const { pipeline: read } = await admin.ok<{ pipeline: PipelineFull }>(`query($id: ID!) { pipeline(id: $id) { ${PIPELINE_FIELDS} } }`, {
      id: pipeline.id,
    });
    expect(read).toEqual(pipeline);
  });

  it('snapshots its config into each run', async () => {
    const pipeline = await create({ name: 'p', sourceSystem: 's', targetSystem: 't', config: { batchSize: 500, objects: ['Account'] } });
    const run = await startRun(admin, pipeline.id);
    const { run: read } = await admin.ok<{ run: { configSnapshot: unknown } }>('query($id: ID!) { run(id: $id) { configSnapshot } }', {
      id: run.id,
    });
    expect(read.configSnapshot).toEqual({ batchSize: 500, objects: ['Account'] });
  });
});

describe('updatePipeline', () => {
  it('keeps retry policy fields, direction, config and tenant that the input leaves out', async () => {
    const pipeline = await create({
      name: 'Leads',
      sourceSystem: 'Marketing',
      targetSystem: 'CRM',
      direction: 'PULL',
      tenantId: 'acme',
      config: { a: 1 },
      retryPolicy: { maxAttempts: 3, nonRetryableErrorCodes: ['E_INVALID'] },
    });
    const updated = await update(pipeline.id, {
      name: 'Leads (EU)',
      sourceSystem: 'Marketing',
      targetSystem: 'CRM',
      retryPolicy: { maxAttempts: 4 },
    });
    expect(updated).toEqual({
      ...pipeline,
      name: 'Leads (EU)',
      retryPolicy: { ...pipeline.retryPolicy, maxAttempts: 4 },
    });
  });

  it('renames a tenant’s pipeline that already has runs without moving it out of its tenant', async () => {
    const pipeline = await create({ name: 'Orders', sourceSystem: 'ERP', targetSystem: 'Shop', tenantId: 'acme' });
    await startRun(admin, pipeline.id);
    const updated = await update(pipeline.id, { name: 'Orders v2', sourceSystem: 'ERP', targetSystem: 'Shop' });
    expect(updated).toMatchObject({ name: 'Orders v2', tenantId: 'acme' });
    // The tenant's own keys still see it.
    const viewer = await server.clientFor(Role.VIEWER, 'acme');
    const { pipeline: seen } = await viewer.ok<{ pipeline: { name: string } | null }>('query($id: ID!) { pipeline(id: $id) { name } }', {
      id: pipeline.id,
    });
    expect(seen?.name).toBe('Orders v2');
  });

  it('takes an explicit null tenant and config to clear them, while the pipeline has no runs', async () => {
    const pipeline = await create({ name: 'Draft', sourceSystem: 'a', targetSystem: 'b', tenantId: 'acme', config: { x: 1 } });
    const updated = await update(pipeline.id, { name: 'Draft', sourceSystem: 'a', targetSystem: 'b', tenantId: null, config: null });
    expect(updated).toMatchObject({ tenantId: null, config: null });
  });

  it('by a tenant-bound admin keeps the pipeline in its tenant', async () => {
    const tenantAdmin = await server.clientFor(Role.ADMIN, 'globex');
    const { createPipeline } = await tenantAdmin.ok<{ createPipeline: PipelineFull }>(
      'mutation { createPipeline(input: { name: "g", sourceSystem: "a", targetSystem: "b" }) { id tenantId } }',
    );
    const updated = await update(createPipeline.id, { name: 'g2', sourceSystem: 'a', targetSystem: 'b' }, tenantAdmin);
    expect(updated).toMatchObject({ name: 'g2', tenantId: 'globex' });
  });
});
