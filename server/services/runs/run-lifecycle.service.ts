// The run state machine: start, claim, heartbeat, finish, cancel, trigger, and leases that lapse.
import type { DataSource, EntityManager } from 'typeorm';
import { type Actor, sees } from '../../domain/actor.js';
import { RunStatus, SyncMode, WorkerCommandType } from '../../domain/enums.js';
import { badInput, conflict, notFound } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import { hashLeaseToken, holderRefusal, newLeaseToken } from '../../domain/lease-token.js';
import { acceptsWork, cancelTransition, finishStatus, LEASED_RUN_STATUSES, leaseLapseStatus } from '../../domain/run-lifecycle.js';
import { optionalText, requiredText } from '../../domain/text-limits.js';
import { Pipeline } from '../../entities/Pipeline.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents, type EventInput } from '../../events/event-log.js';
import { DATABASE_NOW } from '../../sql/clock.js';
import { CLAIM_RUN_SQL, LAPSED_LEASES_SQL, RENEW_LEASE_SQL } from '../../sql/runs.js';
import type { AuditService } from '../access/audit.service.js';
import { settleUnreported } from '../retries/retry-attempts.js';
import { queueRunRerun } from '../retries/run-reruns.js';
import { commandEvent, runEvent } from './run-events.js';
import type { RunProgress } from './run-progress.js';

export interface StartRunInput {
  pipelineId: string;
  mode: SyncMode;
  operationType?: string | null;
  triggeredBy?: string | null;
  correlationId?: string | null;
  expectedTotal?: number | null;
  configSnapshot?: unknown;
  startedAt?: Date | null;
}

export interface FinishRunInput {
  status?: RunStatus | null;
  error?: string | null;
  endedAt?: Date | null;
}

/** Modes a worker or operator may start a run in; RETRY and CLEANUP runs are made by syncwatch itself. */
const STARTABLE_MODES = [SyncMode.REAL_TIME, SyncMode.MANUAL, SyncMode.SCHEDULED, SyncMode.ON_DEMAND];

export class RunLifecycleService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly progress: RunProgress,
    private readonly leaseSeconds: number,
  ) {}

  /**
   * Starts or renews the run's lease from the database's clock, the one every lease is checked against
   * (expireLeases) and renewed by (reported records); a Node clock apart from it would shorten or stretch leases.
   */
  private async renewLease(manager: EntityManager, runId: string): Promise<Date> {
    const [{ lease_expires_at }]: { lease_expires_at: Date }[] = await manager.query(RENEW_LEASE_SQL, [runId, this.leaseSeconds]);
    return lease_expires_at;
  }

  /** Locks a run the actor may see for the rest of the transaction; NOT_FOUND otherwise (also across tenants). */
  async lockRun(manager: EntityManager, actor: Actor, runId: string): Promise<SyncRun> {
    const run = isUuid(runId)
      ? await manager.getRepository(SyncRun).createQueryBuilder('r').setLock('pessimistic_write').where('r.id = :runId', { runId }).getOne()
      : null;
    if (!run || !sees(actor, run.tenantId)) throw notFound('run', runId);
    return run;
  }

  /**
   * Locks a run for the worker that holds it (domain/lease-token.ts): the key that started or claimed it, or
   * a caller with its lease token; FORBIDDEN or CONFLICT for anyone else.
   */
  async lockHeldRun(manager: EntityManager, actor: Actor, runId: string, leaseToken: string | null | undefined): Promise<SyncRun> {
    const run = await this.lockRun(manager, actor, runId);
    const refusal = holderRefusal(run, actor.keyId, leaseToken);
    if (refusal) throw refusal;
    return run;
  }

  private async visiblePipeline(manager: EntityManager, actor: Actor, pipelineId: string): Promise<Pipeline> {
    const pipeline = isUuid(pipelineId) ? await manager.findOneBy(Pipeline, { id: pipelineId }) : null;
    if (!pipeline || !sees(actor, pipeline.tenantId)) throw notFound('pipeline', pipelineId);
    return pipeline;
  }

  async start(actor: Actor, input: StartRunInput): Promise<SyncRun> {
    if (!STARTABLE_MODES.includes(input.mode)) {
      throw badInput(`input.mode: runs of mode ${input.mode} are created by syncwatch, not started by workers`);
    }
    if (input.expectedTotal != null && input.expectedTotal < 0) throw badInput('input.expectedTotal must not be negative');
    if (input.startedAt && input.startedAt.getTime() > Date.now() + 60_000) throw badInput('input.startedAt must not be in the future');
    const values = {
      operationType: optionalText(input.operationType, 'input.operationType'),
      triggeredBy: optionalText(input.triggeredBy, 'input.triggeredBy') ?? actor.name,
      correlationId: optionalText(input.correlationId, 'input.correlationId', 500),
    };
    const leaseToken = newLeaseToken();
    return this.db.transaction(async (manager) => {
      const pipeline = await this.visiblePipeline(manager, actor, input.pipelineId);
      const run = manager.create(SyncRun, {
        ...values,
        holderKeyId: actor.keyId,
        leaseTokenHash: hashLeaseToken(leaseToken),
        pipelineId: pipeline.id,
        tenantId: pipeline.tenantId,
        mode: input.mode,
        status: RunStatus.RUNNING,
        startedAt: input.startedAt ?? new Date(),
        expectedTotal: input.expectedTotal ?? null,
        configSnapshot: input.configSnapshot === undefined ? pipeline.config : input.configSnapshot,
      });
      await manager.save(run);
      await this.renewLease(manager, run.id);
      const started = await manager.findOneByOrFail(SyncRun, { id: run.id });
      await appendEvents(manager, [runEvent(started, 'created', null)]);
      return Object.assign(started, { leaseToken });
    });
  }

  /** Hands the oldest QUEUED run of the pipeline to this worker; concurrent claimers get different runs or none. */
  async claim(actor: Actor, pipelineId: string, workerId: string, modes: SyncMode[] | null = null): Promise<SyncRun | null> {
    const worker = requiredText(workerId, 'workerId');
    const leaseToken = newLeaseToken();
    return this.db.transaction(async (manager) => {
      await this.visiblePipeline(manager, actor, pipelineId);
      const rows: { id: string }[] = await manager.query(CLAIM_RUN_SQL, [
        pipelineId,
        worker,
        this.leaseSeconds,
        modes,
        actor.keyId,
        hashLeaseToken(leaseToken),
      ]);
      if (rows.length === 0) return null;
      const run = await manager.findOneByOrFail(SyncRun, { id: rows[0].id });
      await appendEvents(manager, [runEvent(run, 'status', RunStatus.QUEUED)]);
      return Object.assign(run, { leaseToken });
    });
  }

  async heartbeat(actor: Actor, runId: string, leaseToken?: string | null): Promise<{ cancelRequested: boolean; leaseExpiresAt: Date }> {
    return this.db.transaction(async (manager) => {
      const run = await this.lockHeldRun(manager, actor, runId, leaseToken);
      if (!acceptsWork(run.status)) throw conflict(`run is ${run.status}; only a RUNNING or CANCELLING run takes heartbeats`);
      run.leaseExpiresAt = await this.renewLease(manager, run.id);
      await appendEvents(manager, [runEvent(run, 'lease', run.status)]);
      return { cancelRequested: run.status === RunStatus.CANCELLING, leaseExpiresAt: run.leaseExpiresAt };
    });
  }

  async finish(actor: Actor, runId: string, input: FinishRunInput | null | undefined, leaseToken?: string | null): Promise<SyncRun> {
    const error = optionalText(input?.error, 'input.error', 8192);
    return this.db.transaction(async (manager) => {
      const run = await this.lockHeldRun(manager, actor, runId, leaseToken);
      const allowed = finishStatus(run.status, input?.status, run.counts.failed);
      if ('refused' in allowed) throw conflict(allowed.refused);
      const endedAt = input?.endedAt ?? new Date();
      if (run.startedAt && endedAt < run.startedAt) throw badInput('input.endedAt must not be before the run started');
      const previous = run.status;
      // A retry run's unreported attempts settle first: as failures, they count in a derived status.
      const settled = await settleUnreported(manager, this.progress, run, allowed.status === RunStatus.CANCELLED);
      const failed = settled.length > 0 ? (await manager.findOneByOrFail(SyncRun, { id: run.id })).counts.failed : run.counts.failed;
      const outcome = finishStatus(run.status, input?.status, failed);
      if ('refused' in outcome) throw conflict(outcome.refused);
      await manager.update(
        SyncRun,
        { id: run.id },
        { status: outcome.status, endedAt, leaseExpiresAt: null, error: error ?? run.error, progressPending: false },
      );
      const finished = await manager.findOneByOrFail(SyncRun, { id: run.id });
      const rerun = await queueRunRerun(manager, finished);
      await appendEvents(manager, [...settled, runEvent(finished, 'status', previous), ...rerun]);
      return finished;
    });
  }

  async cancel(actor: Actor, runId: string, reason: string | null | undefined): Promise<SyncRun> {
    const why = optionalText(reason, 'reason', 2000);
    return this.db.transaction(async (manager) => {
      const run = await this.lockRun(manager, actor, runId);
      const outcome = cancelTransition(run.status);
      if ('refused' in outcome) throw conflict(outcome.refused);
      const previous = run.status;
      const ended = outcome.status === RunStatus.CANCELLED;
      await manager.update(
        SyncRun,
        { id: run.id },
        {
          status: outcome.status,
          error: why ?? `cancelled by ${actor.name}`,
          progressPending: false,
          ...(ended ? { endedAt: DATABASE_NOW, leaseExpiresAt: null } : {}),
        },
      );
      const settled = ended ? await settleUnreported(manager, this.progress, run, true) : [];
      const cancelled = await manager.findOneByOrFail(SyncRun, { id: run.id });
      const events = [...settled, runEvent(cancelled, 'status', previous)];
      if (!ended) events.push(commandEvent(cancelled, WorkerCommandType.CANCEL_RUN));
      await appendEvents(manager, events);
      await this.audit.write(
        manager,
        actor,
        'cancelRun',
        `run:${run.id}`,
        { reason: why, from: previous, to: outcome.status },
        run.tenantId,
      );
      return cancelled;
    });
  }

  /** Queues a run for the pipeline's workers, who learn of it from workerCommands. */
  async trigger(actor: Actor, pipelineId: string, mode: SyncMode, operationType: string | null | undefined): Promise<SyncRun> {
    if (!STARTABLE_MODES.includes(mode)) throw badInput(`mode: a sync cannot be triggered as ${mode}`);
    const operation = optionalText(operationType, 'operationType');
    return this.db.transaction(async (manager) => {
      const pipeline = await this.visiblePipeline(manager, actor, pipelineId);
      const run = manager.create(SyncRun, {
        pipelineId: pipeline.id,
        tenantId: pipeline.tenantId,
        mode,
        operationType: operation,
        status: RunStatus.QUEUED,
        triggeredBy: actor.name,
        configSnapshot: pipeline.config,
      });
      await manager.save(run);
      const queued = await manager.findOneByOrFail(SyncRun, { id: run.id });
      await appendEvents(manager, [runEvent(queued, 'created', null), commandEvent(queued, WorkerCommandType.RUN_QUEUED)]);
      await this.audit.write(
        manager,
        actor,
        'triggerSync',
        `run:${run.id}`,
        { pipelineId, mode, operationType: operation },
        pipeline.tenantId,
      );
      return queued;
    });
  }

  /** Ends runs whose worker stopped renewing its lease: RUNNING → FAILED, CANCELLING → CANCELLED. */
  async expireLeases(): Promise<number> {
    return this.db.transaction(async (manager) => {
      const lapsed: { id: string; status: RunStatus }[] = await manager.query(LAPSED_LEASES_SQL, [LEASED_RUN_STATUSES]);
      const events: EventInput[] = [];
      for (const { id, status } of lapsed) {
        const next = leaseLapseStatus(status);
        if (!next) continue;
        await manager.update(
          SyncRun,
          { id },
          {
            status: next,
            endedAt: DATABASE_NOW,
            leaseExpiresAt: null,
            progressPending: false,
            error: next === RunStatus.FAILED ? 'worker lost: lease expired' : 'cancelled: worker did not confirm before its lease expired',
          },
        );
        const ended = await manager.findOneByOrFail(SyncRun, { id });
        events.push(...(await settleUnreported(manager, this.progress, ended, next === RunStatus.CANCELLED)));
        events.push(runEvent(await manager.findOneByOrFail(SyncRun, { id }), 'status', status));
        events.push(...(await queueRunRerun(manager, ended)));
      }
      await appendEvents(manager, events);
      return events.length;
    });
  }
}
