// What each run and record status means, and what the seed products call it (issue 23 item 8), shown where a status
// is: on hover over its badge. A status the API adds and this misses fails the type check.
import type { RecordStatus, RunStatus } from '../graphql/generated/graphql.js';

const MEANINGS: Record<RunStatus | RecordStatus, string> = {
  QUEUED: 'A run waiting for a worker to claim it.',
  RUNNING: 'A run a worker is doing now (seed 002: "In Process").',
  CANCELLING: 'A run asked to stop; its worker is finishing.',
  SUCCEEDED: 'A run that ended with every record written or skipped (seed 000: "Finished"; seed 002: "Succeeded").',
  COMPLETED_WITH_ERRORS:
    'A run that ended with one or more failed records, retried by the pipeline’s policy (seed 000: "Finished with Errors"; seed 002: "Incomplete").',
  FAILED:
    'A run: ended early by a system failure or a lost worker, re-run whole when its pipeline says so (seed 000: "Failure"). A record: not written to the target.',
  CANCELLED: 'Stopped on purpose (a run), or not done because its run was cancelled (a record).',
  ROLLED_BACK: 'A run whose changes were reverted in the target (seed 002: "Cleaned up").',
  PENDING: 'A record waiting to be synced.',
  EXTRACTING: 'A record being read from the source.',
  IN_PROGRESS: 'A record being written to the target.',
  SUCCESS: 'A record written to the target without error (seed 003: "Success", and its alternate "Completed").',
  PARTIAL_SUCCESS: 'A record written, with a dependent step (image, metafield) only partly done.',
  PARTIALLY_FAILED: 'A record some of whose steps failed; the main record may be in the target.',
  EXTRACTION_FAILED: 'A record that could not be read from the source.',
  SKIPPED: 'A record with nothing to do.',
  RETRY_SCHEDULED: 'A failed record whose automatic retry is planned.',
  DEAD_LETTERED: 'A failed record out of automatic attempts: replay or discard it.',
  DISCARDED: 'A dead letter an operator closed.',
};

/** The meaning of a status, with the seeds' names for it; the status itself for a value this does not know. */
export function statusMeaning(status: string): string {
  return MEANINGS[status as RunStatus | RecordStatus] ?? status;
}
