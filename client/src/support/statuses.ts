// The status values each list filters by, in the order a reader scans them.
export const RUN_STATUSES = [
  'QUEUED',
  'RUNNING',
  'CANCELLING',
  'SUCCEEDED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELLED',
  'ROLLED_BACK',
] as const;
export const RECORD_STATUSES = [
  'PENDING',
  'EXTRACTING',
  'IN_PROGRESS',
  'SUCCESS',
  'PARTIAL_SUCCESS',
  'PARTIALLY_FAILED',
  'FAILED',
  'EXTRACTION_FAILED',
  'SKIPPED',
  'RETRY_SCHEDULED',
  'DEAD_LETTERED',
  'DISCARDED',
  'CANCELLED',
] as const;
