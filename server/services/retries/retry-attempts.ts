// A retry run's records are attempts of original records: when attempts get a result, the originals
// take it (status, attempt number, retry schedule, history) and their runs' counts follow.
import type { EntityManager } from 'typeorm';
import type { RecordOperation, RecordStatus } from '../../domain/enums.js';
import { errorFingerprint } from '../../domain/error-text.js';
import { emptyDelta } from '../../domain/record-outcome.js';
import { holdsAttempts } from '../../domain/retry-policy.js';
import { SyncRun } from '../../entities/SyncRun.js';
import type { EventInput } from '../../events/event-log.js';
import { ARCHIVE_PREVIOUS_ATTEMPTS_SQL, FOLLOW_ATTEMPTS_SQL, LOCK_ORIGINALS_SQL } from '../../sql/attempts.js';
import { keyBoundsOf } from '../../sql/record-partitions.js';
import { CANCEL_UNREPORTED_SQL, FAIL_UNREPORTED_SQL } from '../../sql/retries.js';
import { applyCounts, deltasByRun } from '../runs/run-counts.js';
import { recordsEvent } from '../runs/run-events.js';
import type { RunProgress } from '../runs/run-progress.js';

export interface AttemptKey {
  entityType: string;
  sourceId: string;
}

/** Moves the originals of these attempts of retry run `retryRun`; returns the events to announce. */
export async function followAttempts(
  manager: EntityManager,
  progress: RunProgress,
  retryRun: SyncRun,
  attempts: AttemptKey[],
): Promise<EventInput[]> {
  if (attempts.length === 0) return [];
  const params = [retryRun.id, attempts.map((a) => a.entityType), attempts.map((a) => a.sourceId), ...keyBoundsOf([retryRun.createdAt])];
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
  // In id order: two retry runs moving the same original runs lock them in the same order, so never deadlock.
  for (const [originalRunId, delta] of [...originalRuns].sort(([a], [b]) => a.localeCompare(b))) {
    await applyCounts(manager, originalRunId, delta);
    const originalRun = await manager.findOneByOrFail(SyncRun, { id: originalRunId });
    events.push(
      recordsEvent(
        originalRun,
        changes.filter((c) => c.run_id === originalRunId).map((c) => c.id),
      ),
    );
  }
  events.push(...(await progress.moved(manager, [...originalRuns.keys()])));
  return events;
}

/** Error code of an attempt its retry run ended without reporting. */
const NOT_REPORTED = 'NOT_REPORTED';
const NOT_REPORTED_MESSAGE = 'the retry run ended without a result for this record';

/**
 * Called in the transaction that ends a RETRY run, before its status is set: the attempts it never reported
 * go back to their originals (cancelled run) or count as failed attempts (any other end). Returns the events.
 */
export async function settleUnreported(
  manager: EntityManager,
  progress: RunProgress,
  run: SyncRun,
  cancelled: boolean,
): Promise<EventInput[]> {
  if (!holdsAttempts(run)) return [];
  if (cancelled) {
    const rows: { id: string }[] = await manager.query(CANCEL_UNREPORTED_SQL, [run.id]);
    if (rows.length === 0) return [];
    await applyCounts(manager, run.id, { ...emptyDelta(), pending: -rows.length, skipped: rows.length });
    return [
      recordsEvent(
        run,
        rows.map((row) => row.id),
      ),
    ];
  }
  const rows: { id: string; entity_type: string; source_id: string }[] = await manager.query(FAIL_UNREPORTED_SQL, [
    run.id,
    NOT_REPORTED,
    NOT_REPORTED_MESSAGE,
    errorFingerprint(NOT_REPORTED, NOT_REPORTED_MESSAGE),
  ]);
  if (rows.length === 0) return [];
  await applyCounts(manager, run.id, { ...emptyDelta(), pending: -rows.length, failed: rows.length });
  const attempts = rows.map((row) => ({ entityType: row.entity_type, sourceId: row.source_id }));
  return [
    recordsEvent(
      run,
      rows.map((row) => row.id),
    ),
    ...(await followAttempts(manager, progress, run, attempts)),
  ];
}
