// How a record's status and operation count in its run's RunCounts.
import { RecordOperation, RecordStatus } from './enums.js';

export type CountBucket = 'succeeded' | 'failed' | 'pending' | 'skipped';

const BUCKETS: Record<RecordStatus, CountBucket> = {
  PENDING: 'pending',
  EXTRACTING: 'pending',
  IN_PROGRESS: 'pending',
  SUCCESS: 'succeeded',
  PARTIAL_SUCCESS: 'succeeded',
  PARTIALLY_FAILED: 'failed',
  FAILED: 'failed',
  EXTRACTION_FAILED: 'failed',
  RETRY_SCHEDULED: 'failed',
  DEAD_LETTERED: 'failed',
  DISCARDED: 'failed',
  SKIPPED: 'skipped',
  CANCELLED: 'skipped',
};

export function countBucket(status: RecordStatus): CountBucket {
  return BUCKETS[status];
}

/** Statuses of an attempt still under way (no result yet). */
export const PENDING_RECORD_STATUSES = (Object.keys(BUCKETS) as RecordStatus[]).filter((s) => BUCKETS[s] === 'pending');

/** Statuses that count as a failure of the record. */
export const FAILED_RECORD_STATUSES = (Object.keys(BUCKETS) as RecordStatus[]).filter((s) => BUCKETS[s] === 'failed');

/** Statuses a worker reports a failed attempt with. */
export const FAILURE_REPORT_STATUSES = [RecordStatus.FAILED, RecordStatus.EXTRACTION_FAILED, RecordStatus.PARTIALLY_FAILED];

/** Statuses the server sets, never a worker. */
export const SERVER_ONLY_STATUSES = [RecordStatus.RETRY_SCHEDULED, RecordStatus.DEAD_LETTERED, RecordStatus.DISCARDED];

export interface RunCountDelta {
  total: number;
  created: number;
  updated: number;
  deleted: number;
  skipped: number;
  succeeded: number;
  failed: number;
  pending: number;
}

export const emptyDelta = (): RunCountDelta => ({
  total: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  skipped: 0,
  succeeded: 0,
  failed: 0,
  pending: 0,
});

const OPERATION_COUNT = {
  CREATE: 'created',
  UPDATE: 'updated',
  DELETE: 'deleted',
} as const satisfies Record<RecordOperation, keyof RunCountDelta>;

/** Adds (sign 1) or removes (sign -1) one record's contribution to its run's counts. */
export function applyToCounts(delta: RunCountDelta, record: { status: RecordStatus; operation: RecordOperation }, sign: 1 | -1): void {
  const bucket = countBucket(record.status);
  delta.total += sign;
  delta[bucket] += sign;
  if (bucket === 'succeeded') delta[OPERATION_COUNT[record.operation]] += sign;
}
