// Retention: old finished runs go, with their records, attempts and events (whole days of records by partition first). Each purge is itself
// recorded as a CLEANUP run per pipeline it touched, so the history shows what was removed.
// Runs go in batches, each one transaction that also brings the purge's CLEANUP runs up to date: a purge
// stopped between batches (a shutdown, a crash) leaves on record exactly what it removed.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import { RunStatus, SyncMode } from '../../domain/enums.js';
import { badInput, unavailable } from '../../domain/errors.js';
import { ACTIVE_RUN_STATUSES } from '../../domain/run-lifecycle.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents } from '../../events/event-log.js';
import { PIPELINE_TENANT_SQL } from '../../sql/pipelines.js';
import { PURGE_RUNS_SQL } from '../../sql/retention.js';
import type { AuditService } from '../access/audit.service.js';
import { runEvent } from '../runs/run-events.js';
import type { PartitionMaintenance } from './partitions.js';

const RUNS_PER_TRANSACTION = 200;

export interface PurgeOutcome {
  runsDeleted: number;
  recordsDeleted: number;
}

/** One purge under way: what it removed so far, its CLEANUP run per pipeline, and whether a shutdown cut it short. */
interface Purge extends PurgeOutcome {
  days: number;
  by: string;
  cleanupRuns: Map<string, SyncRun>;
  interrupted: boolean;
}

/** What one committed batch removed, and its CLEANUP runs as it left them. */
interface Batch {
  runs: number;
  records: number;
  cleanupRuns: SyncRun[];
}

export class RetentionService {
  private stopped = false;
  /** Backends running a purge batch now (cancelled at shutdown). */
  private readonly batchBackends = new Set<number>();
  /** Purges under way (waited for at shutdown). */
  private readonly purging = new Set<Promise<unknown>>();

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly partitions: PartitionMaintenance,
  ) {}

  /**
   * ADMIN's purgeHistory; a tenant-bound admin purges only its tenant's history. Audited with what it removed.
   * Cut short by a shutdown, it audits what it removed until then and answers SERVICE_UNAVAILABLE: run it again.
   */
  async purge(actor: Actor, olderThanDays: number): Promise<PurgeOutcome> {
    if (!Number.isInteger(olderThanDays) || olderThanDays < 1) throw badInput('olderThanDays must be at least 1');
    const purge = await this.purgeOlderThan(olderThanDays, actor.tenantId, actor.name);
    const outcome = { runsDeleted: purge.runsDeleted, recordsDeleted: purge.recordsDeleted };
    await this.db.transaction((manager) =>
      this.audit.write(manager, actor, 'purgeHistory', 'history', {
        olderThanDays,
        ...outcome,
        ...(purge.interrupted && { interrupted: 'the server shut down before the purge finished; the runs not counted here were kept' }),
      }),
    );
    if (purge.interrupted) {
      throw unavailable(
        `the server is shutting down: the purge stopped after ${outcome.runsDeleted} runs (${outcome.recordsDeleted} records); run it again for the rest`,
        outcome,
      );
    }
    return outcome;
  }

  /**
   * The background job's retention (RETENTION_DAYS), over every tenant. Whole days of records go first, by partition
   * (PartitionMaintenance.dropExpiredRecordDays); the runs go row-wise after, theirs with no records left to delete,
   * so each pipeline's CLEANUP run counts them all from the runs, as before. Runs outside a dropped day (one with a run
   * still active or ended later, the default partition's strays) have their records deleted with them.
   */
  async purgeExpired(retentionDays: number): Promise<PurgeOutcome> {
    await this.partitions.dropExpiredRecordDays(retentionDays);
    const { runsDeleted, recordsDeleted } = await this.purgeOlderThan(retentionDays, null, 'syncwatch (retention)');
    return { runsDeleted, recordsDeleted };
  }

  /**
   * Shutdown: no batch starts any more, the batch running now is cancelled (its transaction rolls back: none of
   * it is removed), and each purge under way ends with the batches it committed, on record.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.batchBackends].map((pid) => this.db.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined)));
    await Promise.allSettled([...this.purging]);
  }

  /** Purges runs of one tenant, or of all when tenantId is null. */
  private purgeOlderThan(days: number, tenantId: string | null, by: string): Promise<Purge> {
    const purging = this.purgeInBatches(days, tenantId, by).finally(() => this.purging.delete(purging));
    this.purging.add(purging);
    return purging;
  }

  private async purgeInBatches(days: number, tenantId: string | null, by: string): Promise<Purge> {
    const purge: Purge = { days, by, runsDeleted: 0, recordsDeleted: 0, cleanupRuns: new Map(), interrupted: false };
    const runner = this.db.createQueryRunner();
    let pid: number | null = null;
    try {
      await runner.connect();
      [{ pid }] = await runner.query('SELECT pg_backend_pid() AS pid');
      this.batchBackends.add(pid as number);
      for (;;) {
        if (this.stopped) {
          purge.interrupted = true;
          break;
        }
        let batch: Batch;
        await runner.startTransaction();
        try {
          batch = await this.purgeBatch(runner.manager, purge, tenantId);
          await runner.commitTransaction();
        } catch (error) {
          await runner.rollbackTransaction().catch(() => {});
          if (!this.stopped) throw error;
          purge.interrupted = true; // cancelled by stop(): this batch rolled back, the committed ones stay
          break;
        }
        // Counted once committed only.
        purge.runsDeleted += batch.runs;
        purge.recordsDeleted += batch.records;
        for (const run of batch.cleanupRuns) purge.cleanupRuns.set(run.pipelineId, run);
        if (batch.runs < RUNS_PER_TRANSACTION) break;
      }
    } finally {
      if (pid !== null) this.batchBackends.delete(pid);
      await runner.release();
    }
    return purge;
  }

  /** One batch, in the caller's transaction: deletes up to RUNS_PER_TRANSACTION runs and brings their CLEANUP runs up to date. */
  private async purgeBatch(manager: EntityManager, purge: Purge, tenantId: string | null): Promise<Batch> {
    const deleted: { pipeline_id: string; runs: number; records: number }[] = await manager.query(PURGE_RUNS_SQL, [
      purge.days,
      tenantId,
      RUNS_PER_TRANSACTION,
      ACTIVE_RUN_STATUSES,
    ]);
    const batch: Batch = { runs: 0, records: 0, cleanupRuns: [] };
    const events = [];
    for (const row of deleted) {
      batch.runs += row.runs;
      batch.records += row.records;
      // A copy: the purge's own keeps what was committed, should this batch roll back.
      const earlier = purge.cleanupRuns.get(row.pipeline_id);
      const run = earlier ? manager.create(SyncRun, { ...earlier }) : await this.newCleanupRun(manager, row.pipeline_id, purge);
      const before = run.configSnapshot as { runsDeleted: number; recordsDeleted: number };
      const records = before.recordsDeleted + row.records;
      run.expectedTotal = records;
      run.counts = { ...run.counts, total: records, deleted: records };
      run.configSnapshot = { retentionDays: purge.days, runsDeleted: before.runsDeleted + row.runs, recordsDeleted: records };
      await manager.save(run);
      events.push(runEvent(run, earlier ? 'progress' : 'created', null));
      batch.cleanupRuns.push(run);
    }
    if (events.length > 0) await appendEvents(manager, events);
    return batch;
  }

  private async newCleanupRun(manager: EntityManager, pipelineId: string, purge: Purge): Promise<SyncRun> {
    const [{ tenant_id: tenantId }] = await manager.query(PIPELINE_TENANT_SQL, [pipelineId]);
    const now = new Date();
    return manager.create(SyncRun, {
      pipelineId,
      tenantId,
      mode: SyncMode.CLEANUP,
      operationType: `Retention: runs ended over ${purge.days} days ago`,
      status: RunStatus.SUCCEEDED,
      triggeredBy: purge.by,
      startedAt: now,
      endedAt: now,
      expectedTotal: 0,
      counts: { total: 0, deleted: 0, created: 0, updated: 0, skipped: 0, succeeded: 0, failed: 0, pending: 0 },
      configSnapshot: { retentionDays: purge.days, runsDeleted: 0, recordsDeleted: 0 },
    });
  }
}
