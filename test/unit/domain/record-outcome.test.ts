import { describe, expect, it } from 'vitest';
import { RecordOperation, RecordStatus } from '../../../server/domain/enums.js';
import { applyToCounts, countBucket, emptyDelta, FAILED_RECORD_STATUSES } from '../../../server/domain/record-outcome.js';

describe('countBucket', () => {
  it.each([
    [RecordStatus.SUCCESS, 'succeeded'],
    [RecordStatus.PARTIAL_SUCCESS, 'succeeded'],
    [RecordStatus.FAILED, 'failed'],
    [RecordStatus.PARTIALLY_FAILED, 'failed'],
    [RecordStatus.EXTRACTION_FAILED, 'failed'],
    [RecordStatus.RETRY_SCHEDULED, 'failed'],
    [RecordStatus.DEAD_LETTERED, 'failed'],
    [RecordStatus.DISCARDED, 'failed'],
    [RecordStatus.PENDING, 'pending'],
    [RecordStatus.EXTRACTING, 'pending'],
    [RecordStatus.IN_PROGRESS, 'pending'],
    [RecordStatus.SKIPPED, 'skipped'],
    [RecordStatus.CANCELLED, 'skipped'],
  ])('%s counts as %s', (status, bucket) => {
    expect(countBucket(status)).toBe(bucket);
  });

  it('covers every status', () => {
    for (const status of Object.values(RecordStatus)) expect(countBucket(status)).toBeDefined();
    expect(FAILED_RECORD_STATUSES).toContain(RecordStatus.FAILED);
    expect(FAILED_RECORD_STATUSES).not.toContain(RecordStatus.SKIPPED);
  });
});

describe('applyToCounts', () => {
  it('counts successes by operation, other buckets without', () => {
    const delta = emptyDelta();
    applyToCounts(delta, { status: RecordStatus.SUCCESS, operation: RecordOperation.CREATE }, 1);
    applyToCounts(delta, { status: RecordStatus.PARTIAL_SUCCESS, operation: RecordOperation.UPDATE }, 1);
    applyToCounts(delta, { status: RecordStatus.SUCCESS, operation: RecordOperation.DELETE }, 1);
    applyToCounts(delta, { status: RecordStatus.FAILED, operation: RecordOperation.CREATE }, 1);
    applyToCounts(delta, { status: RecordStatus.SKIPPED, operation: RecordOperation.UPDATE }, 1);
    applyToCounts(delta, { status: RecordStatus.PENDING, operation: RecordOperation.DELETE }, 1);
    expect(delta).toEqual({ total: 6, created: 1, updated: 1, deleted: 1, skipped: 1, succeeded: 3, failed: 1, pending: 1 });
  });

  it('moves a re-reported record between buckets: remove the old state, add the new one', () => {
    const delta = emptyDelta();
    applyToCounts(delta, { status: RecordStatus.FAILED, operation: RecordOperation.CREATE }, -1);
    applyToCounts(delta, { status: RecordStatus.SUCCESS, operation: RecordOperation.UPDATE }, 1);
    expect(delta).toEqual({ total: 0, created: 0, updated: 1, deleted: 0, skipped: 0, succeeded: 1, failed: -1, pending: 0 });
  });

  it('adds and removes the same record to nothing', () => {
    const delta = emptyDelta();
    for (const status of Object.values(RecordStatus)) {
      for (const operation of Object.values(RecordOperation)) {
        applyToCounts(delta, { status, operation }, 1);
        applyToCounts(delta, { status, operation }, -1);
      }
    }
    expect(delta).toEqual(emptyDelta());
  });
});
