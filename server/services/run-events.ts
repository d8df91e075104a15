// The events a run's changes write to the event log.
import type { RunStatus, WorkerCommandType } from '../domain/enums.js';
import type { SyncRun } from '../entities/SyncRun.js';
import type { EventInput } from '../events/event-log.js';

export type RunChange = 'created' | 'status' | 'progress' | 'lease';

export function runEvent(run: SyncRun, change: RunChange, previousStatus: RunStatus | null): EventInput {
  return {
    kind: 'run',
    runId: run.id,
    pipelineId: run.pipelineId,
    tenantId: run.tenantId,
    payload: { change, status: run.status, previousStatus },
  };
}

export function commandEvent(run: SyncRun, type: WorkerCommandType): EventInput {
  return { kind: 'command', runId: run.id, pipelineId: run.pipelineId, tenantId: run.tenantId, payload: { type } };
}
