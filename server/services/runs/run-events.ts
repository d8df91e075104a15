// The events a run's changes write to the event log.
import type { RunStatus, WorkerCommandType } from '../../domain/enums.js';
import type { SyncRun } from '../../entities/SyncRun.js';
import type { EventInput, RunChange, RunState } from '../../events/event-log.js';

export function runEvent(run: SyncRun, change: RunChange, previousStatus: RunStatus | null): EventInput {
  return {
    kind: 'run',
    runId: run.id,
    pipelineId: run.pipelineId,
    tenantId: run.tenantId,
    payload: { change, status: run.status, previousStatus, state: stateOf(run) },
  };
}

const iso = (date: Date | string | null | undefined): string | null => (date == null ? null : new Date(date).toISOString());

/** What a run event keeps of the run: the fields a change can move. `run` must be as the change left it. */
function stateOf(run: SyncRun): RunState {
  return {
    status: run.status,
    startedAt: iso(run.startedAt),
    endedAt: iso(run.endedAt),
    leaseExpiresAt: iso(run.leaseExpiresAt),
    error: run.error ?? null,
    expectedTotal: run.expectedTotal ?? null,
    retryOfId: run.retryOfId ?? null,
    counts: { ...run.counts },
  };
}

export function recordsEvent(run: SyncRun, recordIds: string[]): EventInput {
  return { kind: 'records', runId: run.id, pipelineId: run.pipelineId, tenantId: run.tenantId, payload: { recordIds } };
}

export function commandEvent(run: SyncRun, type: WorkerCommandType): EventInput {
  return { kind: 'command', runId: run.id, pipelineId: run.pipelineId, tenantId: run.tenantId, payload: { type } };
}
