// reportRecords: validates each entry, upserts the batch with set-based statements, and moves the
// run's counts, lease and events in the same transaction. In a RETRY run the original records follow.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import { badInput, conflict } from '../../domain/errors.js';
import { emptyDelta, type RunCountDelta } from '../../domain/record-outcome.js';
import { MAX_RECORDS_PER_REPORT, type NormalizedReport, normalizeReport, type RecordReport } from '../../domain/record-report.js';
import { holdsAttempts } from '../../domain/retry-policy.js';
import { acceptsWork } from '../../domain/run-lifecycle.js';
import { SyncRun } from '../../entities/SyncRun.js';
import { appendEvents, type EventInput } from '../../events/event-log.js';
import { RETRY_RUN_KEYS_SQL, UPSERT_RECORDS_SQL } from '../../sql/ingest.js';
import { keyBoundsOf } from '../../sql/record-partitions.js';
import { followAttempts } from '../retries/retry-attempts.js';
import { applyCounts, deltaOfGroups, type RecordChangeGroup } from './run-counts.js';
import { recordsEvent } from './run-events.js';
import type { RunLifecycleService } from './run-lifecycle.service.js';
import type { RunProgress } from './run-progress.js';

export interface ReportOutcome {
  accepted: number;
  rejected: { index: number; reason: string }[];
  run: SyncRun;
}

type ChangeGroup = RecordChangeGroup & { ids: string[] };

export class RecordIngestService {
  constructor(
    private readonly db: DataSource,
    private readonly runs: RunLifecycleService,
    private readonly progress: RunProgress,
    private readonly leaseSeconds: number,
  ) {}

  async report(actor: Actor, runId: string, entries: RecordReport[], leaseToken?: string | null): Promise<ReportOutcome> {
    if (entries.length > MAX_RECORDS_PER_REPORT) {
      throw badInput(`records: at most ${MAX_RECORDS_PER_REPORT} records per call, got ${entries.length}; send them in batches`);
    }
    const { valid, rejected } = validate(entries);
    return this.db.transaction(async (manager) => {
      const run = await this.runs.lockHeldRun(manager, actor, runId, leaseToken);
      if (!acceptsWork(run.status)) {
        throw conflict(`run is ${run.status}; records can only be reported into a RUNNING or CANCELLING run`);
      }
      const attemptsOnly = holdsAttempts(run);
      const accepted = attemptsOnly ? await this.onlyRetryAttempts(manager, run, valid, rejected) : valid.map((v) => v.report);
      const events: EventInput[] = [];
      const recordIds = new Set<string>();
      const delta = emptyDelta();
      const [keyFrom, keyTo] = keyBoundsOf([run.createdAt]);
      // A record reported twice in one batch is applied twice, in order, as if in two batches.
      for (const wave of waves(accepted)) {
        const groups: ChangeGroup[] = await manager.query(UPSERT_RECORDS_SQL, [runId, batchJson(wave), keyFrom, keyTo]);
        addDelta(delta, deltaOfGroups(groups));
        for (const group of groups) for (const id of group.ids) recordIds.add(id);
        if (attemptsOnly) events.push(...(await followAttempts(manager, this.progress, run, wave)));
      }
      await applyCounts(manager, runId, delta, this.leaseSeconds);
      if (recordIds.size > 0) events.unshift(recordsEvent(run, [...recordIds]));
      events.push(...(await this.progress.moved(manager, [runId])));
      await appendEvents(manager, events);
      const updated = await manager.findOneByOrFail(SyncRun, { id: runId });
      return { accepted: accepted.length, rejected, run: updated };
    });
  }

  /** A retry run takes results only for the records it hands out; another entity is rejected by index. */
  private async onlyRetryAttempts(
    manager: EntityManager,
    run: SyncRun,
    valid: IndexedReport[],
    rejected: Rejection[],
  ): Promise<NormalizedReport[]> {
    const known: { entity_type: string; source_id: string }[] = await manager.query(RETRY_RUN_KEYS_SQL, [
      run.id,
      valid.map((v) => v.report.entityType),
      valid.map((v) => v.report.sourceId),
      ...keyBoundsOf([run.createdAt]),
    ]);
    const inRun = new Set(known.map((k) => keyOf(k.entity_type, k.source_id)));
    const attempts = valid.filter((v) => inRun.has(keyOf(v.report.entityType, v.report.sourceId)));
    for (const { index } of valid.filter((v) => !inRun.has(keyOf(v.report.entityType, v.report.sourceId)))) {
      rejected.push({ index, reason: 'not one of the records this retry run hands out (entityType and sourceId of its records)' });
    }
    rejected.sort((a, b) => a.index - b.index);
    return attempts.map((v) => v.report);
  }
}

type Rejection = { index: number; reason: string };
type IndexedReport = { index: number; report: NormalizedReport };
const keyOf = (entityType: string, sourceId: string) => `${entityType}\u0000${sourceId}`;

/** The batch as the JSON array the upsert reads with jsonb_to_recordset (times in epoch ms, details as JSON text). */
function batchJson(reports: NormalizedReport[]): string {
  return JSON.stringify(
    reports.map((r) => ({
      entity_type: r.entityType,
      source_id: r.sourceId,
      target_id: r.targetId,
      operation: r.operation,
      status: r.status,
      error_code: r.errorCode,
      error_message: r.errorMessage,
      error_fingerprint: r.errorFingerprint,
      retryable: r.retryable,
      started_ms: r.startedAt?.getTime() ?? null,
      ended_ms: r.endedAt?.getTime() ?? null,
      latency_ms: r.latencyMs,
      details: r.details,
    })),
  );
}

/** Splits entries into valid ones, in order, and rejections by index. */
function validate(entries: RecordReport[]): { valid: IndexedReport[]; rejected: Rejection[] } {
  const valid: IndexedReport[] = [];
  const rejected: Rejection[] = [];
  entries.forEach((entry, index) => {
    const result = normalizeReport(entry);
    if ('reason' in result) rejected.push({ index, reason: result.reason });
    else valid.push({ index, report: result });
  });
  return { valid, rejected };
}

/** The batch in statements that each touch a record once: the n-th report of every record goes in wave n. */
function waves(reports: NormalizedReport[]): NormalizedReport[][] {
  const seen = new Map<string, number>();
  const result: NormalizedReport[][] = [];
  for (const report of reports) {
    const key = keyOf(report.entityType, report.sourceId);
    const wave = seen.get(key) ?? 0;
    seen.set(key, wave + 1);
    if (wave === result.length) result.push([]);
    result[wave].push(report);
  }
  return result;
}

function addDelta(total: RunCountDelta, delta: RunCountDelta): void {
  for (const key of Object.keys(total) as (keyof RunCountDelta)[]) total[key] += delta[key];
}
