// reportRecords: validates each entry, upserts the batch with set-based statements, and moves the
// run's counts, lease and events in the same transaction. In a RETRY run the original records follow.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { type RecordOperation, type RecordStatus, SyncMode } from '../domain/enums.js';
import { badInput, conflict } from '../domain/errors.js';
import { emptyDelta } from '../domain/record-outcome.js';
import { MAX_RECORDS_PER_REPORT, type NormalizedReport, normalizeReport, type RecordReport } from '../domain/record-report.js';
import { acceptsWork } from '../domain/run-lifecycle.js';
import { SyncRun } from '../entities/SyncRun.js';
import { appendEvents, type EventInput } from '../events/event-log.js';
import {
  ARCHIVE_PREVIOUS_ATTEMPTS_SQL,
  FOLLOW_ATTEMPTS_SQL,
  LOCK_ORIGINALS_SQL,
  RETRY_RUN_KEYS_SQL,
  UPSERT_RECORDS_SQL,
} from './record-ingest.sql.js';
import { applyCounts, deltasByRun, type RecordChange } from './run-counts.js';
import type { RunLifecycleService } from './run-lifecycle.service.js';
import type { RunProgress } from './run-progress.js';

export interface ReportOutcome {
  accepted: number;
  rejected: { index: number; reason: string }[];
  run: SyncRun;
}

type Row = Omit<RecordChange, 'run_id'> & { id: string };

const column = <K extends keyof NormalizedReport>(rows: NormalizedReport[], key: K) => rows.map((r) => r[key]);

export class RecordIngestService {
  constructor(
    private readonly db: DataSource,
    private readonly runs: RunLifecycleService,
    private readonly progress: RunProgress,
    private readonly leaseSeconds: number,
  ) {}

  async report(actor: Actor, runId: string, entries: RecordReport[]): Promise<ReportOutcome> {
    if (entries.length > MAX_RECORDS_PER_REPORT) {
      throw badInput(`records: at most ${MAX_RECORDS_PER_REPORT} records per call, got ${entries.length}; send them in batches`);
    }
    const { valid, rejected } = validate(entries);
    return this.db.transaction(async (manager) => {
      const run = await this.runs.lockRun(manager, actor, runId);
      if (!acceptsWork(run.status)) {
        throw conflict(`run is ${run.status}; records can only be reported into a RUNNING or CANCELLING run`);
      }
      const accepted =
        run.mode === SyncMode.RETRY ? await this.onlyRetryAttempts(manager, runId, valid, rejected) : valid.map((v) => v.report);
      const events: EventInput[] = [];
      if (accepted.length === 0) {
        await applyCounts(manager, runId, emptyDelta(), this.leaseSeconds);
      } else {
        const rows: Row[] = await manager.query(UPSERT_RECORDS_SQL, [
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
        const delta = deltasByRun(rows.map((row) => ({ ...row, run_id: runId }))).get(runId) ?? emptyDelta();
        await applyCounts(manager, runId, delta, this.leaseSeconds);
        events.push(
          recordsEvent(
            run,
            rows.map((r) => r.id),
          ),
        );
        if (run.mode === SyncMode.RETRY) events.push(...(await this.followOriginals(manager, runId, accepted)));
      }
      events.push(...(await this.progress.moved(manager, [runId])));
      await appendEvents(manager, events);
      const updated = await manager.findOneByOrFail(SyncRun, { id: runId });
      return { accepted: accepted.length, rejected, run: updated };
    });
  }

  /** A retry run takes results only for the records it hands out; another entity is rejected by index. */
  private async onlyRetryAttempts(
    manager: EntityManager,
    runId: string,
    valid: IndexedReport[],
    rejected: Rejection[],
  ): Promise<NormalizedReport[]> {
    const known: { entity_type: string; source_id: string }[] = await manager.query(RETRY_RUN_KEYS_SQL, [
      runId,
      valid.map((v) => v.report.entityType),
      valid.map((v) => v.report.sourceId),
    ]);
    const inRun = new Set(known.map((k) => keyOf(k.entity_type, k.source_id)));
    const attempts = valid.filter((v) => inRun.has(keyOf(v.report.entityType, v.report.sourceId)));
    for (const { index } of valid.filter((v) => !inRun.has(keyOf(v.report.entityType, v.report.sourceId)))) {
      rejected.push({ index, reason: 'not one of the records this retry run hands out (entityType and sourceId of its records)' });
    }
    rejected.sort((a, b) => a.index - b.index);
    return attempts.map((v) => v.report);
  }

  /** Moves the original records of a retry run's batch, and their runs' counts; returns the events to announce. */
  private async followOriginals(manager: EntityManager, runId: string, batch: NormalizedReport[]): Promise<EventInput[]> {
    const params = [runId, column(batch, 'entityType'), column(batch, 'sourceId')];
    const before: { id: string; run_id: string; prev_status: RecordStatus; prev_operation: RecordOperation }[] = await manager.query(
      LOCK_ORIGINALS_SQL,
      params,
    );
    await manager.query(ARCHIVE_PREVIOUS_ATTEMPTS_SQL, params);
    const after: { id: string; status: RecordStatus; operation: RecordOperation }[] = await manager.query(FOLLOW_ATTEMPTS_SQL, params);
    const afterById = new Map(after.map((row) => [row.id, row]));
    const changes = before.flatMap((row) => {
      const now = afterById.get(row.id);
      return now ? [{ ...row, ...now }] : [];
    });
    const events: EventInput[] = [];
    const originalRuns = deltasByRun(changes);
    for (const [originalRunId, delta] of originalRuns) {
      await applyCounts(manager, originalRunId, delta);
      const originalRun = await manager.findOneByOrFail(SyncRun, { id: originalRunId });
      const ids = changes.filter((c) => c.run_id === originalRunId).map((c) => c.id);
      events.push(recordsEvent(originalRun, ids));
    }
    events.push(...(await this.progress.moved(manager, [...originalRuns.keys()])));
    return events;
  }
}

function recordsEvent(run: SyncRun, recordIds: string[]): EventInput {
  return { kind: 'records', runId: run.id, pipelineId: run.pipelineId, tenantId: run.tenantId, payload: { recordIds } };
}

type Rejection = { index: number; reason: string };
type IndexedReport = { index: number; report: NormalizedReport };
const keyOf = (entityType: string, sourceId: string) => `${entityType}\u0000${sourceId}`;

/** Splits entries into valid ones and rejections; a key reported twice in one batch keeps its last entry. */
function validate(entries: RecordReport[]): { valid: IndexedReport[]; rejected: Rejection[] } {
  const rejected: Rejection[] = [];
  const byKey = new Map<string, IndexedReport>();
  entries.forEach((entry, index) => {
    const result = normalizeReport(entry);
    if ('reason' in result) {
      rejected.push({ index, reason: result.reason });
      return;
    }
    const key = keyOf(result.entityType, result.sourceId);
    const earlier = byKey.get(key);
    if (earlier) {
      rejected.push({ index: earlier.index, reason: `superseded by index ${index}, which reports the same entityType and sourceId` });
      byKey.delete(key);
    }
    byKey.set(key, { index, report: result });
  });
  rejected.sort((a, b) => a.index - b.index);
  return { valid: [...byKey.values()], rejected };
}
