// A failed session is re-run (seed 000: "if the session fails, the entire session is re-run"): when a run ends
// FAILED (finishRun, or its lease lapsed), its pipeline's retryPolicy.maxRunReruns may queue it again whole, in the
// same transaction, as a QUEUED RETRY run linked to it (retryOf) and numbered (rerun). The rule is nextRunRerun
// (domain/retry-policy.ts); the failed run's records keep their own retries.
import type { EntityManager } from 'typeorm';
import { RunStatus, SyncMode, WorkerCommandType } from '../../domain/enums.js';
import { nextRunRerun } from '../../domain/retry-policy.js';
import { Pipeline } from '../../entities/Pipeline.js';
import { SyncRun } from '../../entities/SyncRun.js';
import type { EventInput } from '../../events/event-log.js';
import { commandEvent, runEvent } from '../runs/run-events.js';

/** triggeredBy of the re-runs queued here. */
const RERUN = 'syncwatch (re-run of a failed run)';

/**
 * Queues the re-run of a run that has just ended, when its pipeline's policy asks for one; returns the events that
 * announce it (none otherwise). The caller appends them with its own.
 */
export async function queueRunRerun(manager: EntityManager, ended: SyncRun): Promise<EventInput[]> {
  if (ended.status !== RunStatus.FAILED) return [];
  const pipeline = await manager.findOneBy(Pipeline, { id: ended.pipelineId });
  const rerun = pipeline && nextRunRerun(ended, pipeline.retryPolicy.maxRunReruns);
  if (!rerun) return [];
  const run = manager.create(SyncRun, {
    pipelineId: ended.pipelineId,
    tenantId: ended.tenantId,
    mode: SyncMode.RETRY,
    status: RunStatus.QUEUED,
    operationType: ended.operationType,
    triggeredBy: RERUN,
    correlationId: ended.correlationId,
    // The session as it was first run: a re-run repeats it, not whatever the pipeline says now.
    configSnapshot: ended.configSnapshot,
    retryOfId: ended.id,
    rerun,
  });
  await manager.save(run);
  const queued = await manager.findOneByOrFail(SyncRun, { id: run.id });
  return [runEvent(queued, 'created', null), commandEvent(queued, WorkerCommandType.RUN_QUEUED)];
}
