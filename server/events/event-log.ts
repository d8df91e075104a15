// Appends to the ordered event table inside the caller's transaction. Readers are woken after
// that transaction commits (events/commit-signal.ts), never by a NOTIFY inside it.
import type { EntityManager } from 'typeorm';
import type { RunStatus, WorkerCommandType } from '../domain/enums.js';
import { APPEND_EVENTS_SQL } from '../sql/events.js';
import { commitSignalOf } from './commit-signal.js';

/**
 * A run as one event saw it (dates as ISO text). Subscribers are sent this state, so an event replayed
 * with `since` shows the run as it was then, not as it is now.
 */
export interface RunState {
  status: RunStatus;
  startedAt: string | null;
  endedAt: string | null;
  leaseExpiresAt: string | null;
  error: string | null;
  expectedTotal: number | null;
  retryOfId: string | null;
  counts: Record<string, number>;
}

/** What a run event says changed: created, status, progress (counts) or lease. */
export type RunChange = 'created' | 'status' | 'progress' | 'lease';

export type EventInput =
  | {
      kind: 'run';
      runId: string;
      pipelineId: string;
      tenantId: string | null;
      payload: {
        change: RunChange;
        status: RunStatus;
        previousStatus: RunStatus | null;
        /** Absent on events written before states were kept: those show the run as re-read. */
        state?: RunState;
      };
    }
  | {
      kind: 'records';
      runId: string;
      pipelineId: string;
      tenantId: string | null;
      payload: { recordIds: string[] };
    }
  | {
      kind: 'command';
      runId: string;
      pipelineId: string;
      tenantId: string | null;
      payload: { type: WorkerCommandType };
    }
  | {
      /** An alert opened, was acknowledged or resolved; tenantId is its rule's (who may see it). */
      kind: 'alert';
      runId: string | null;
      pipelineId: string | null;
      tenantId: string | null;
      payload: { alertId: string; state: string };
    };

export async function appendEvents(manager: EntityManager, events: EventInput[]): Promise<void> {
  if (events.length === 0) return;
  await manager.query(APPEND_EVENTS_SQL, [
    events.map((e) => e.kind),
    events.map((e) => e.runId),
    events.map((e) => e.pipelineId),
    events.map((e) => e.tenantId),
    events.map((e) => JSON.stringify(e.payload)),
  ]);
  commitSignalOf(manager.connection).appended(manager);
}
