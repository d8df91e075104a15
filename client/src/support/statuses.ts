// The status values each list filters by, in the order a reader scans them. The values are the schema's (the
// generated types); the compiler refuses a list that misses one, so a status added to the API shows up here.
import type { RecordStatus, RunStatus } from '../graphql/generated/graphql.js';

/** True only when `Listed` names every value of `All`. */
type Complete<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : { missing: Exclude<All, Listed> };

export const RUN_STATUSES = [
  'QUEUED',
  'RUNNING',
  'CANCELLING',
  'SUCCEEDED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
  'CANCELLED',
  'ROLLED_BACK',
] as const satisfies readonly RunStatus[];
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
] as const satisfies readonly RecordStatus[];

/** The statuses a run's failed count counts (server/domain/record-outcome.ts): its failed records are these. */
export const FAILED_COUNT_STATUSES = [
  'PARTIALLY_FAILED',
  'FAILED',
  'EXTRACTION_FAILED',
  'RETRY_SCHEDULED',
  'DEAD_LETTERED',
  'DISCARDED',
] as const satisfies readonly RecordStatus[];

const runStatusesComplete: Complete<RunStatus, (typeof RUN_STATUSES)[number]> = true;
const recordStatusesComplete: Complete<RecordStatus, (typeof RECORD_STATUSES)[number]> = true;
void [runStatusesComplete, recordStatusesComplete];
