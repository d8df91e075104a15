import { describe, expect, it } from 'vitest';
import { RunStatus } from '../../../server/domain/enums.js';
import {
  checkExpectedInterval,
  DEGRADED_ERROR_RATE,
  duration,
  every,
  type HealthFacts,
  MAX_EXPECTED_INTERVAL_SECONDS,
  PipelineHealthStatus,
  pipelineHealth,
} from '../../../server/domain/pipeline-health.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const NEVER_RAN: HealthFacts = {
  lastRunAt: null,
  lastFinished: null,
  lastSuccessAt: null,
  recentRecords: 0,
  recentFailed: 0,
  deadLetters: 0,
};
const SUCCEEDED: HealthFacts = {
  lastRunAt: minutesAgo(6),
  lastFinished: { status: RunStatus.SUCCEEDED, endedAt: minutesAgo(5), error: null },
  lastSuccessAt: minutesAgo(5),
  recentRecords: 100,
  recentFailed: 2,
  deadLetters: 0,
};
const pipeline = (expectedIntervalSeconds: number | null = null, createdAt = minutesAgo(60 * 24 * 30)) => ({
  createdAt,
  expectedIntervalSeconds,
});

describe('pipelineHealth', () => {
  it('is IDLE when the pipeline never ran and has no expectation', () => {
    expect(pipelineHealth(pipeline(), NEVER_RAN, NOW)).toEqual({
      status: PipelineHealthStatus.IDLE,
      reason: 'never ran',
      lastRunAt: null,
      lastSuccessAt: null,
      errorRate24h: null,
      deadLetters: 0,
    });
  });

  it('is HEALTHY after a recent success with few failures, and says when it succeeded', () => {
    const health = pipelineHealth(pipeline(3600), SUCCEEDED, NOW);
    expect(health).toMatchObject({ status: PipelineHealthStatus.HEALTHY, reason: 'last success 5 minutes ago', errorRate24h: 0.02 });
  });

  it('is FAILING when the last finished run failed, with its error, whatever succeeded before', () => {
    const facts: HealthFacts = {
      ...SUCCEEDED,
      lastRunAt: minutesAgo(13),
      lastFinished: { status: RunStatus.FAILED, endedAt: minutesAgo(12), error: 'worker lost' },
    };
    expect(pipelineHealth(pipeline(), facts, NOW)).toMatchObject({
      status: PipelineHealthStatus.FAILING,
      reason: 'last run failed 12 minutes ago: worker lost',
    });
  });

  it('quotes only the first line of a long error, cut to 200 characters', () => {
    const error = `${'x'.repeat(300)}\n    at stack frame`;
    const facts: HealthFacts = { ...SUCCEEDED, lastFinished: { status: RunStatus.FAILED, endedAt: minutesAgo(1), error } };
    expect(pipelineHealth(pipeline(), facts, NOW).reason).toBe(`last run failed 1 minute ago: ${'x'.repeat(199)}…`);
  });

  it('counts a rolled back run as a failure', () => {
    const facts: HealthFacts = { ...SUCCEEDED, lastFinished: { status: RunStatus.ROLLED_BACK, endedAt: minutesAgo(180), error: null } };
    expect(pipelineHealth(pipeline(), facts, NOW)).toMatchObject({
      status: PipelineHealthStatus.FAILING,
      reason: 'last run was rolled back 3 hours ago',
    });
  });

  it('is DEGRADED from the threshold error rate on, not below it', () => {
    const at = (failed: number) => pipelineHealth(pipeline(), { ...SUCCEEDED, recentRecords: 1000, recentFailed: failed }, NOW);
    expect(at(DEGRADED_ERROR_RATE * 1000)).toMatchObject({
      status: PipelineHealthStatus.DEGRADED,
      reason: "10 % of the last 24 hours' records failed (100 of 1000)",
      errorRate24h: 0.1,
    });
    expect(at(DEGRADED_ERROR_RATE * 1000 - 1).status).toBe(PipelineHealthStatus.HEALTHY);
  });

  it('is DEGRADED while dead letters wait, even with a low error rate', () => {
    expect(pipelineHealth(pipeline(), { ...SUCCEEDED, deadLetters: 1 }, NOW)).toMatchObject({
      status: PipelineHealthStatus.DEGRADED,
      reason: '1 dead letter waits',
    });
    expect(pipelineHealth(pipeline(), { ...SUCCEEDED, deadLetters: 3 }, NOW).reason).toBe('3 dead letters wait');
  });

  it('is STALE past twice the expected interval since the last success, not before', () => {
    const facts = { ...SUCCEEDED, lastSuccessAt: minutesAgo(61), lastFinished: { ...SUCCEEDED.lastFinished!, endedAt: minutesAgo(61) } };
    expect(pipelineHealth(pipeline(30 * 60), facts, NOW)).toMatchObject({
      status: PipelineHealthStatus.STALE,
      reason: 'no success for 1 hour (expected every 30 minutes)',
    });
    expect(pipelineHealth(pipeline(31 * 60), facts, NOW).status).toBe(PipelineHealthStatus.HEALTHY);
    expect(pipelineHealth(pipeline(null), facts, NOW).status).toBe(PipelineHealthStatus.HEALTHY);
  });

  it('counts staleness from creation when nothing ever succeeded: STALE wins over IDLE once overdue', () => {
    expect(pipelineHealth(pipeline(3600, minutesAgo(180)), NEVER_RAN, NOW)).toMatchObject({
      status: PipelineHealthStatus.STALE,
      reason: 'no success since it was created 3 hours ago (expected every hour)',
    });
    expect(pipelineHealth(pipeline(3600, minutesAgo(100)), NEVER_RAN, NOW).status).toBe(PipelineHealthStatus.IDLE);
  });

  it('ranks FAILING over STALE over DEGRADED and names every finding, the deciding one first', () => {
    const all: HealthFacts = {
      lastRunAt: minutesAgo(200),
      lastFinished: { status: RunStatus.FAILED, endedAt: minutesAgo(190), error: 'connection reset' },
      lastSuccessAt: minutesAgo(60 * 5),
      recentRecords: 10,
      recentFailed: 5,
      deadLetters: 2,
    };
    expect(pipelineHealth(pipeline(3600), all, NOW)).toMatchObject({
      status: PipelineHealthStatus.FAILING,
      reason:
        "last run failed 3 hours ago: connection reset; no success for 5 hours (expected every hour); 50 % of the last 24 hours' records failed (5 of 10); 2 dead letters wait",
    });
    const notFailing = { ...all, lastFinished: { ...all.lastFinished!, status: RunStatus.COMPLETED_WITH_ERRORS } };
    expect(pipelineHealth(pipeline(3600), notFailing, NOW).status).toBe(PipelineHealthStatus.STALE);
    expect(pipelineHealth(pipeline(null), notFailing, NOW).status).toBe(PipelineHealthStatus.DEGRADED);
  });

  it('is HEALTHY while a first run is under way, and says none has completed', () => {
    const running: HealthFacts = { ...NEVER_RAN, lastRunAt: minutesAgo(2), recentRecords: 5 };
    expect(pipelineHealth(pipeline(3600, minutesAgo(10)), running, NOW)).toMatchObject({
      status: PipelineHealthStatus.HEALTHY,
      reason: 'no run has completed yet; the last one started 2 minutes ago',
      errorRate24h: 0,
    });
  });
});

describe('words', () => {
  it('rounds spans down to their largest unit', () => {
    expect([30_000, 60_000, 12 * 60_000 + 59_000, 3_600_000, 47 * 3_600_000, 49 * 3_600_000].map(duration)).toEqual([
      'less than a minute',
      '1 minute',
      '12 minutes',
      '1 hour',
      '47 hours',
      '2 days',
    ]);
  });

  it('says intervals in the largest unit that divides them', () => {
    expect([1, 90, 60, 1800, 3600, 7200, 86_400].map(every)).toEqual([
      'every second',
      'every 90 seconds',
      'every minute',
      'every 30 minutes',
      'every hour',
      'every 2 hours',
      'every day',
    ]);
  });
});

describe('checkExpectedInterval', () => {
  it('takes whole seconds from 1 to a year, and null', () => {
    expect(checkExpectedInterval(1, 'x')).toBe(1);
    expect(checkExpectedInterval(MAX_EXPECTED_INTERVAL_SECONDS, 'x')).toBe(MAX_EXPECTED_INTERVAL_SECONDS);
    expect(checkExpectedInterval(null, 'x')).toBeNull();
  });

  it.each([0, -5, 1.5, MAX_EXPECTED_INTERVAL_SECONDS + 1])('refuses %s as BAD_USER_INPUT', (value) => {
    expect(() => checkExpectedInterval(value, 'input.expectedIntervalSeconds')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringContaining('input.expectedIntervalSeconds') }),
    );
  });
});
