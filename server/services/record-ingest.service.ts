// reportRecords: validates each entry, upserts the batch with one set-based statement, and moves
// the run's counts, lease and events in the same transaction.
import type { DataSource } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import type { RecordOperation, RecordStatus } from '../domain/enums.js';
import { badInput, conflict } from '../domain/errors.js';
import { applyToCounts, emptyDelta, type RunCountDelta } from '../domain/record-outcome.js';
import { MAX_RECORDS_PER_REPORT, type NormalizedReport, normalizeReport, type RecordReport } from '../domain/record-report.js';
import { acceptsWork } from '../domain/run-lifecycle.js';
import { SyncRun } from '../entities/SyncRun.js';
import { appendEvents } from '../events/event-log.js';
import { type RunLifecycleService, runEvent } from './run-lifecycle.service.js';

export interface ReportOutcome {
  accepted: number;
  rejected: { index: number; reason: string }[];
  run: SyncRun;
}

interface UpsertedRow {
  id: string;
  status: RecordStatus;
  operation: RecordOperation;
  prev_status: RecordStatus | null;
  prev_operation: RecordOperation | null;
}

// One statement for the whole batch: `previous` reads the rows as they were before the upsert,
// so the count deltas are exact. started_at keeps its first value when a re-report gives none
// (now() is the transaction's start, so it marks "not given").
const UPSERT_SQL = `
WITH input AS (
  SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::record_operation[], $6::record_status[],
                       $7::text[], $8::text[], $9::text[], $10::boolean[], $11::timestamptz[], $12::timestamptz[],
                       $13::integer[], $14::jsonb[])
    AS t(entity_type, source_id, target_id, operation, status, error_code, error_message, error_fingerprint,
         retryable, started_at, ended_at, latency_ms, details)
),
run AS (
  SELECT r.id, r.pipeline_id, r.tenant_id, r.mode, p.non_retryable_error_codes
  FROM runs r JOIN pipelines p ON p.id = r.pipeline_id WHERE r.id = $1
),
previous AS (
  SELECT rec.entity_type, rec.source_id, rec.status, rec.operation
  FROM records rec JOIN input i USING (entity_type, source_id) WHERE rec.run_id = $1
),
upserted AS (
  INSERT INTO records AS rec (run_id, pipeline_id, tenant_id, mode, entity_type, source_id, target_id, operation, status,
                              error_code, error_message, error_fingerprint, retryable, started_at, ended_at, latency_ms, details)
  SELECT run.id, run.pipeline_id, run.tenant_id, run.mode, i.entity_type, i.source_id, i.target_id, i.operation, i.status,
         i.error_code, i.error_message, i.error_fingerprint,
         i.retryable AND NOT (i.error_code IS NOT NULL AND i.error_code = ANY(run.non_retryable_error_codes)),
         COALESCE(i.started_at, now()), i.ended_at, i.latency_ms, i.details
  FROM input i CROSS JOIN run
  ON CONFLICT (run_id, entity_type, source_id) DO UPDATE SET
    target_id = COALESCE(EXCLUDED.target_id, rec.target_id),
    operation = EXCLUDED.operation,
    status = EXCLUDED.status,
    error_code = EXCLUDED.error_code,
    error_message = EXCLUDED.error_message,
    error_fingerprint = EXCLUDED.error_fingerprint,
    retryable = EXCLUDED.retryable,
    started_at = CASE WHEN EXCLUDED.started_at = now() THEN rec.started_at ELSE EXCLUDED.started_at END,
    ended_at = EXCLUDED.ended_at,
    latency_ms = EXCLUDED.latency_ms,
    details = COALESCE(EXCLUDED.details, rec.details),
    updated_at = now()
  RETURNING rec.id, rec.entity_type, rec.source_id, rec.status, rec.operation
)
SELECT u.id, u.status, u.operation, p.status AS prev_status, p.operation AS prev_operation
FROM upserted u LEFT JOIN previous p USING (entity_type, source_id)`;

const column = <K extends keyof NormalizedReport>(rows: NormalizedReport[], key: K) => rows.map((r) => r[key]);

export class RecordIngestService {
  constructor(
    private readonly db: DataSource,
    private readonly runs: RunLifecycleService,
    private readonly leaseSeconds: number,
  ) {}

  async report(actor: Actor, runId: string, entries: RecordReport[]): Promise<ReportOutcome> {
    if (entries.length > MAX_RECORDS_PER_REPORT) {
      throw badInput(`records: at most ${MAX_RECORDS_PER_REPORT} records per call, got ${entries.length}; send them in batches`);
    }
    const { accepted, rejected } = this.validate(entries);
    return this.db.transaction(async (manager) => {
      const run = await this.runs.lockRun(manager, actor, runId);
      if (!acceptsWork(run.status)) throw conflict(`run is ${run.status}; records can only be reported into a RUNNING or CANCELLING run`);
      const delta = emptyDelta();
      let recordIds: string[] = [];
      if (accepted.length > 0) {
        const rows: UpsertedRow[] = await manager.query(UPSERT_SQL, [
          runId,
          column(accepted, 'entityType'),
          column(accepted, 'sourceId'),
          column(accepted, 'targetId'),
          column(accepted, 'operation'),
          column(accepted, 'status'),
          column(accepted, 'errorCode'),
          column(accepted, 'errorMessage'),
          column(accepted, 'errorFingerprint'),
          column(accepted, 'retryable'),
          column(accepted, 'startedAt'),
          column(accepted, 'endedAt'),
          column(accepted, 'latencyMs'),
          column(accepted, 'details'),
        ]);
        for (const row of rows) {
          if (row.prev_status && row.prev_operation) {
            applyToCounts(delta, { status: row.prev_status, operation: row.prev_operation }, -1);
          }
          applyToCounts(delta, row, 1);
        }
        recordIds = rows.map((r) => r.id);
      }
      await this.applyCounts(manager, runId, delta);
      const updated = await manager.findOneByOrFail(SyncRun, { id: runId });
      const events = [runEvent(updated, 'progress', updated.status)];
      if (recordIds.length > 0) {
        events.unshift({ kind: 'records', runId, pipelineId: run.pipelineId, tenantId: run.tenantId, payload: { recordIds } });
      }
      await appendEvents(manager, events);
      return { accepted: accepted.length, rejected, run: updated };
    });
  }

  /** Splits entries into valid ones and rejections; a key reported twice in one batch keeps its last entry. */
  private validate(entries: RecordReport[]): { accepted: NormalizedReport[]; rejected: { index: number; reason: string }[] } {
    const rejected: { index: number; reason: string }[] = [];
    const byKey = new Map<string, { index: number; report: NormalizedReport }>();
    entries.forEach((entry, index) => {
      const result = normalizeReport(entry);
      if ('reason' in result) {
        rejected.push({ index, reason: result.reason });
        return;
      }
      const key = `${result.entityType}\u0000${result.sourceId}`;
      const earlier = byKey.get(key);
      if (earlier) {
        rejected.push({ index: earlier.index, reason: `superseded by index ${index}, which reports the same entityType and sourceId` });
        byKey.delete(key);
      }
      byKey.set(key, { index, report: result });
    });
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: [...byKey.values()].map((v) => v.report), rejected };
  }

  private async applyCounts(manager: import('typeorm').EntityManager, runId: string, d: RunCountDelta): Promise<void> {
    await manager.query(
      `UPDATE runs SET
         count_total = count_total + $2, count_created = count_created + $3, count_updated = count_updated + $4,
         count_deleted = count_deleted + $5, count_skipped = count_skipped + $6, count_succeeded = count_succeeded + $7,
         count_failed = count_failed + $8, count_pending = count_pending + $9,
         lease_expires_at = now() + make_interval(secs => $10)
       WHERE id = $1`,
      [runId, d.total, d.created, d.updated, d.deleted, d.skipped, d.succeeded, d.failed, d.pending, this.leaseSeconds],
    );
  }
}
