// The run state machine (docs/architecture.md, "The run state machine"), as pure rules.
import { RunStatus } from './enums.js';

/** Runs not finished yet: queued or with a worker. */
export const ACTIVE_RUN_STATUSES = [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING];
/** Runs a worker holds under a lease: they take work (records, heartbeats, finish) and end when the lease lapses. */
export const LEASED_RUN_STATUSES = [RunStatus.RUNNING, RunStatus.CANCELLING];
/** Runs that did their work to the end, with or without failed records: a pipeline's "last success". */
export const COMPLETED_RUN_STATUSES = [RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS];
export const FINAL_RUN_STATUSES = [
  RunStatus.SUCCEEDED,
  RunStatus.COMPLETED_WITH_ERRORS,
  RunStatus.FAILED,
  RunStatus.CANCELLED,
  RunStatus.ROLLED_BACK,
];

/** Statuses a worker may finish a RUNNING run with. */
const FINISH_STATUSES = new Set([
  RunStatus.SUCCEEDED,
  RunStatus.COMPLETED_WITH_ERRORS,
  RunStatus.FAILED,
  RunStatus.ROLLED_BACK,
  RunStatus.CANCELLED,
]);

export function isFinal(status: RunStatus): boolean {
  return FINAL_RUN_STATUSES.includes(status);
}

/** Whether a worker may report records, heartbeat or finish a run in this status. */
export function acceptsWork(status: RunStatus): boolean {
  return LEASED_RUN_STATUSES.includes(status);
}

/**
 * The status a finishRun ends in, or an explanation of why it may not.
 * Without a requested status: any failed record makes COMPLETED_WITH_ERRORS, else SUCCEEDED;
 * a CANCELLING run always ends CANCELLED unless the worker reports a failure of the session.
 */
export function finishStatus(
  current: RunStatus,
  requested: RunStatus | null | undefined,
  failedRecords: number,
): { status: RunStatus } | { refused: string } {
  if (!acceptsWork(current)) return { refused: `run is ${current}; only a RUNNING or CANCELLING run can be finished` };
  if (requested) {
    if (!FINISH_STATUSES.has(requested)) {
      return { refused: `a run cannot be finished as ${requested}` };
    }
    if (current === RunStatus.CANCELLING && requested !== RunStatus.CANCELLED && requested !== RunStatus.FAILED) {
      return { refused: `run is CANCELLING; finish it as CANCELLED (or FAILED)` };
    }
    return { status: requested };
  }
  if (current === RunStatus.CANCELLING) return { status: RunStatus.CANCELLED };
  return { status: failedRecords > 0 ? RunStatus.COMPLETED_WITH_ERRORS : RunStatus.SUCCEEDED };
}

/** What cancelRun does to a run in this status. */
export function cancelTransition(current: RunStatus): { status: RunStatus } | { refused: string } {
  if (current === RunStatus.QUEUED) return { status: RunStatus.CANCELLED };
  if (current === RunStatus.RUNNING) return { status: RunStatus.CANCELLING };
  if (current === RunStatus.CANCELLING) return { refused: 'run is already CANCELLING' };
  return { refused: `run is ${current}; a finished run cannot be cancelled` };
}

/** What a lapsed lease does to a run. */
export function leaseLapseStatus(current: RunStatus): RunStatus | null {
  if (current === RunStatus.RUNNING) return RunStatus.FAILED;
  if (current === RunStatus.CANCELLING) return RunStatus.CANCELLED;
  return null;
}
