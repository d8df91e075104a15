import { describe, expect, it } from 'vitest';
import { RunStatus } from '../../../server/domain/enums.js';
import { acceptsWork, cancelTransition, finishStatus, isFinal, leaseLapseStatus } from '../../../server/domain/run-lifecycle.js';

const ALL = Object.values(RunStatus);
const FINAL = [RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS, RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.ROLLED_BACK];

describe('finishStatus', () => {
  it('derives SUCCEEDED without failed records and COMPLETED_WITH_ERRORS with any', () => {
    expect(finishStatus(RunStatus.RUNNING, null, 0)).toEqual({ status: RunStatus.SUCCEEDED });
    expect(finishStatus(RunStatus.RUNNING, undefined, 1)).toEqual({ status: RunStatus.COMPLETED_WITH_ERRORS });
    expect(finishStatus(RunStatus.RUNNING, null, 10_000)).toEqual({ status: RunStatus.COMPLETED_WITH_ERRORS });
  });

  it('derives CANCELLED for a CANCELLING run, failures or not', () => {
    expect(finishStatus(RunStatus.CANCELLING, null, 0)).toEqual({ status: RunStatus.CANCELLED });
    expect(finishStatus(RunStatus.CANCELLING, null, 3)).toEqual({ status: RunStatus.CANCELLED });
  });

  it.each(FINAL)('takes an explicit %s for a RUNNING run', (status) => {
    expect(finishStatus(RunStatus.RUNNING, status, 0)).toEqual({ status });
  });

  it('lets a CANCELLING run end only CANCELLED or FAILED', () => {
    expect(finishStatus(RunStatus.CANCELLING, RunStatus.CANCELLED, 0)).toEqual({ status: RunStatus.CANCELLED });
    expect(finishStatus(RunStatus.CANCELLING, RunStatus.FAILED, 0)).toEqual({ status: RunStatus.FAILED });
    for (const status of [RunStatus.SUCCEEDED, RunStatus.COMPLETED_WITH_ERRORS, RunStatus.ROLLED_BACK]) {
      expect(finishStatus(RunStatus.CANCELLING, status, 0)).toHaveProperty('refused');
    }
  });

  it.each([RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING])('refuses %s as an end status', (status) => {
    expect(finishStatus(RunStatus.RUNNING, status, 0)).toHaveProperty('refused', expect.stringContaining(status));
  });

  it.each([RunStatus.QUEUED, ...FINAL])('refuses to finish a %s run', (current) => {
    expect(finishStatus(current, null, 0)).toHaveProperty('refused', expect.stringContaining(current));
    expect(finishStatus(current, RunStatus.SUCCEEDED, 0)).toHaveProperty('refused');
  });
});

describe('cancelTransition', () => {
  it('ends a QUEUED run at once and asks a RUNNING one to stop', () => {
    expect(cancelTransition(RunStatus.QUEUED)).toEqual({ status: RunStatus.CANCELLED });
    expect(cancelTransition(RunStatus.RUNNING)).toEqual({ status: RunStatus.CANCELLING });
  });

  it.each([RunStatus.CANCELLING, ...FINAL])('refuses to cancel a %s run', (current) => {
    expect(cancelTransition(current)).toHaveProperty('refused');
  });
});

describe('leaseLapseStatus', () => {
  it('fails a RUNNING run and cancels a CANCELLING one', () => {
    expect(leaseLapseStatus(RunStatus.RUNNING)).toBe(RunStatus.FAILED);
    expect(leaseLapseStatus(RunStatus.CANCELLING)).toBe(RunStatus.CANCELLED);
  });

  it.each([RunStatus.QUEUED, ...FINAL])('leaves a %s run alone', (current) => {
    expect(leaseLapseStatus(current)).toBeNull();
  });
});

describe('acceptsWork and isFinal', () => {
  it('split the statuses into active and final', () => {
    expect(ALL.filter(acceptsWork)).toEqual([RunStatus.RUNNING, RunStatus.CANCELLING]);
    expect(ALL.filter(isFinal).sort()).toEqual([...FINAL].sort());
  });
});
