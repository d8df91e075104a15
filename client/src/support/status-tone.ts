// One colour family per outcome, shared by run and record statuses.

export type StatusTone = 'ok' | 'warn' | 'bad' | 'active' | 'muted';

const TONES: Record<string, StatusTone> = {
  SUCCEEDED: 'ok',
  SUCCESS: 'ok',
  COMPLETED_WITH_ERRORS: 'warn',
  PARTIAL_SUCCESS: 'warn',
  PARTIALLY_FAILED: 'warn',
  RETRY_SCHEDULED: 'warn',
  FAILED: 'bad',
  EXTRACTION_FAILED: 'bad',
  DEAD_LETTERED: 'bad',
  ROLLED_BACK: 'bad',
  RUNNING: 'active',
  QUEUED: 'active',
  CANCELLING: 'active',
  PENDING: 'active',
  EXTRACTING: 'active',
  IN_PROGRESS: 'active',
};

/** The tone of a run or record status; statuses that need no attention (skipped, cancelled, discarded) are muted. */
export function statusTone(status: string): StatusTone {
  return TONES[status] ?? 'muted';
}
