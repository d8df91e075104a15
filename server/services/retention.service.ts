// Retention: old finished runs go, with their records, attempts and events. Each purge is itself
// recorded as a CLEANUP run per pipeline it touched, so the history shows what was removed.
import type { DataSource } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { RunStatus, SyncMode } from '../domain/enums.js';
import { badInput } from '../domain/errors.js';
import { ACTIVE_RUN_STATUSES } from '../domain/run-lifecycle.js';
import { SyncRun } from '../entities/SyncRun.js';
import { appendEvents } from '../events/event-log.js';
import type { AuditService } from './audit.service.js';
import { runEvent } from './run-events.js';

const RUNS_PER_TRANSACTION = 200;

export interface PurgeOutcome {
  runsDeleted: number;
  recordsDeleted: number;
}

export class RetentionService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** ADMIN's purgeHistory; a tenant-bound admin purges only its tenant's history. */
  async purge(actor: Actor, olderThanDays: number): Promise<PurgeOutcome> {
    if (!Number.isInteger(olderThanDays) || olderThanDays < 1) throw badInput('olderThanDays must be at least 1');
    const outcome = await this.purgeOlderThan(olderThanDays, actor.tenantId, actor.name);
    await this.db.transaction((manager) => this.audit.write(manager, actor, 'purgeHistory', 'history', { olderThanDays, ...outcome }));
    return outcome;
  }

  /** The background job's retention (RETENTION_DAYS), over every tenant. */
  purgeExpired(retentionDays: number): Promise<PurgeOutcome> {
    return this.purgeOlderThan(retentionDays, null, 'syncwatch (retention)');
  }

  /** Purges runs of one tenant, or of all when tenantId is null. */
  private async purgeOlderThan(days: number, tenantId: string | null, by: string): Promise<PurgeOutcome> {
    const perPipeline = new Map<string, { runs: number; records: number }>();
    for (;;) {
      const deleted: { pipeline_id: string; runs: number; records: number }[] = await this.db.query(
        `WITH doomed AS (
           SELECT id, pipeline_id, count_total FROM runs
           WHERE ended_at < now() - make_interval(days => $1) AND NOT (status = ANY($4::run_status[]))
             AND ($2::text IS NULL OR tenant_id = $2)
           ORDER BY ended_at LIMIT $3 FOR UPDATE SKIP LOCKED
         ),
         gone_events AS (DELETE FROM events WHERE run_id IN (SELECT id FROM doomed)),
         gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING pipeline_id, count_total)
         SELECT pipeline_id, count(*)::int AS runs, sum(count_total)::int AS records FROM gone GROUP BY pipeline_id`,
        [days, tenantId, RUNS_PER_TRANSACTION, ACTIVE_RUN_STATUSES],
      );
      for (const row of deleted) {
        const total = perPipeline.get(row.pipeline_id) ?? { runs: 0, records: 0 };
        perPipeline.set(row.pipeline_id, { runs: total.runs + row.runs, records: total.records + row.records });
      }
      if (deleted.reduce((sum, row) => sum + row.runs, 0) < RUNS_PER_TRANSACTION) break;
    }
    await this.recordCleanupRuns(perPipeline, days, by);
    let runsDeleted = 0;
    let recordsDeleted = 0;
    for (const total of perPipeline.values()) {
      runsDeleted += total.runs;
      recordsDeleted += total.records;
    }
    return { runsDeleted, recordsDeleted };
  }

  private async recordCleanupRuns(perPipeline: Map<string, { runs: number; records: number }>, days: number, by: string): Promise<void> {
    if (perPipeline.size === 0) return;
    await this.db.transaction(async (manager) => {
      const now = new Date();
      for (const [pipelineId, total] of perPipeline) {
        const [{ tenant_id: tenantId }] = await manager.query('SELECT tenant_id FROM pipelines WHERE id = $1', [pipelineId]);
        const run = manager.create(SyncRun, {
          pipelineId,
          tenantId,
          mode: SyncMode.CLEANUP,
          operationType: `Retention: runs ended over ${days} days ago`,
          status: RunStatus.SUCCEEDED,
          triggeredBy: by,
          startedAt: now,
          endedAt: now,
          expectedTotal: total.records,
          counts: { total: total.records, deleted: total.records, created: 0, updated: 0, skipped: 0, succeeded: 0, failed: 0, pending: 0 },
          configSnapshot: { retentionDays: days, runsDeleted: total.runs, recordsDeleted: total.records },
        });
        await manager.save(run);
        await appendEvents(manager, [runEvent(run, 'created', null)]);
      }
    });
  }
}
