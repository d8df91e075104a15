// A retry run's records are attempts of original records: when attempts get a result, the originals
// take it (status, attempt number, retry schedule, history) and their runs' counts follow.
import type { EntityManager } from 'typeorm';
import type { RecordOperation, RecordStatus } from '../domain/enums.js';
import { SyncRun } from '../entities/SyncRun.js';
import type { EventInput } from '../events/event-log.js';
import { ARCHIVE_PREVIOUS_ATTEMPTS_SQL, FOLLOW_ATTEMPTS_SQL, LOCK_ORIGINALS_SQL } from './record-ingest.sql.js';
import { applyCounts, deltasByRun } from './run-counts.js';
import { recordsEvent } from './run-events.js';
import type { RunProgress } from './run-progress.js';

export interface AttemptKey {
  entityType: string;
  sourceId: string;
}

/** Moves the originals of these attempts of retry run `retryRunId`; returns the events to announce. */
export async function followAttempts(
  manager: EntityManager,
  progress: RunProgress,
  retryRunId: string,
  attempts: AttemptKey[],
): Promise<EventInput[]> {
  if (attempts.length === 0) return [];
  const params = [retryRunId, attempts.map((a) => a.entityType), attempts.map((a) => a.sourceId)];
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
