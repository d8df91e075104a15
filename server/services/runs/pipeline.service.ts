import type { DataSource } from 'typeorm';
import { type Actor, seenTenant, sees, tenantFor } from '../../domain/actor.js';
import type { SyncDirection } from '../../domain/enums.js';
import { conflict, notFound } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { checkExpectedInterval } from '../../domain/pipeline-health.js';
import { type RetryPolicyPatch, resolveRetryPolicy } from '../../domain/retry-policy.js';
import { optionalText, requiredText } from '../../domain/text-limits.js';
import { Pipeline } from '../../entities/Pipeline.js';
import { PIPELINE_HAS_RUNS_SQL } from '../../sql/pipelines.js';
import type { AuditService } from '../access/audit.service.js';
import { entitiesByIds } from '../lists/hydrate.js';

export interface PipelineInput {
  name: string;
  sourceSystem: string;
  targetSystem: string;
  direction?: SyncDirection | null;
  tenantId?: string | null;
  config?: unknown;
  retryPolicy?: RetryPolicyPatch | null;
  expectedIntervalSeconds?: number | null;
}

export class PipelineService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  list(actor: Actor): Promise<Pipeline[]> {
    return this.db.getRepository(Pipeline).find({ where: seenTenant(actor), order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The pipeline if it exists and the actor may see it. */
  async find(actor: Actor, id: string): Promise<Pipeline | null> {
    if (!isUuid(id)) return null;
    const pipeline = await this.db.getRepository(Pipeline).findOneBy({ id });
    if (!pipeline || !sees(actor, pipeline.tenantId)) return null;
    return pipeline;
  }

  async get(actor: Actor, id: string): Promise<Pipeline> {
    const pipeline = await this.find(actor, id);
    if (!pipeline) throw notFound('pipeline', id);
    return pipeline;
  }

  /** Pipelines by id for DataLoader, in the order asked, unscoped: callers already hold a visible child. */
  async byIds(ids: readonly string[]): Promise<(Pipeline | null)[]> {
    return entitiesByIds(this.db, Pipeline, ids);
  }

  async create(actor: Actor, input: PipelineInput): Promise<Pipeline> {
    const values = this.validate(actor, input, undefined);
    return this.db.transaction(async (manager) => {
      const pipeline = manager.create(Pipeline, values);
      await manager.save(pipeline);
      await this.audit.write(manager, actor, 'createPipeline', `pipeline:${pipeline.id}`, { input }, pipeline.tenantId);
      return pipeline;
    });
  }

  async update(actor: Actor, id: string, input: PipelineInput): Promise<Pipeline> {
    const existing = await this.get(actor, id);
    const values = this.validate(actor, input, existing);
    return this.db.transaction(async (manager) => {
      if (values.tenantId !== existing.tenantId) {
        // Runs and records carry the tenant for scoping; moving history between tenants is not supported.
        const [{ exists }] = await manager.query(PIPELINE_HAS_RUNS_SQL, [id]);
        if (exists) throw conflict('a pipeline with runs cannot move to another tenant');
      }
      Object.assign(existing, values, { updatedAt: new Date() });
      await manager.save(existing);
      await this.audit.write(manager, actor, 'updatePipeline', `pipeline:${id}`, { input }, existing.tenantId);
      return existing;
    });
  }

  private validate(actor: Actor, input: PipelineInput, existing: Pipeline | undefined): Partial<Pipeline> {
    return {
      name: requiredText(input.name, 'input.name'),
      sourceSystem: requiredText(input.sourceSystem, 'input.sourceSystem'),
      targetSystem: requiredText(input.targetSystem, 'input.targetSystem'),
      direction: input.direction ?? existing?.direction,
      // Omitted keeps the pipeline's tenant, like direction and config; only an explicit null clears it.
      tenantId: tenantFor(actor, input.tenantId === undefined ? existing?.tenantId : optionalText(input.tenantId, 'input.tenantId')),
      config: input.config === undefined ? existing?.config : input.config,
      retryPolicy: resolveRetryPolicy(input.retryPolicy, existing?.retryPolicy),
      // Omitted keeps the current expectation (none on create); an explicit null clears it.
      expectedIntervalSeconds:
        input.expectedIntervalSeconds === undefined
          ? (existing?.expectedIntervalSeconds ?? null)
          : checkExpectedInterval(input.expectedIntervalSeconds, 'input.expectedIntervalSeconds'),
    };
  }
}
