// Whether a pipeline does its job now, from a few facts about its runs: the rule of docs/analytics.md's "Pipeline health and error groups".
import { RunStatus } from './enums.js';
import { badInput } from './errors.js';

export enum PipelineHealthStatus {
  HEALTHY = 'HEALTHY',
  DEGRADED = 'DEGRADED',
  FAILING = 'FAILING',
  STALE = 'STALE',
  IDLE = 'IDLE',
}

/**
 * A pipeline whose records of the last 24 hours fail at 10 % or more is DEGRADED. Below that, failures are the
 * everyday noise of sync targets (locked rows, timeouts) that automatic retries absorb; from one in ten on, a
 * target or a mapping is broken for a whole kind of record, and an operator should look today.
 */
export const DEGRADED_ERROR_RATE = 0.1;

/** The error rate is measured over the records of the runs started in this window. */
export const ERROR_RATE_WINDOW_HOURS = 24;

/** STALE when no run succeeded within this many expected intervals: one late run is not yet an alarm. */
export const STALE_AFTER_INTERVALS = 2;

/** The longest expected interval: a yearly job (366 days). Beyond it a number is a mistake (milliseconds?). */
export const MAX_EXPECTED_INTERVAL_SECONDS = 366 * 24 * 3600;

/** Run statuses that end a pipeline's session in failure: the data did not get through. */
const FAILED_RUN_STATUSES = new Set([RunStatus.FAILED, RunStatus.ROLLED_BACK]);

/** What the database tells about a pipeline's runs; runs of mode CLEANUP (syncwatch's housekeeping) are left out. */
export interface HealthFacts {
  /** Start of its latest run; null when no run ever started. */
  lastRunAt: Date | null;
  /** Its latest finished run, CANCELLED ones left out (a cancel says nothing about the pipeline). */
  lastFinished: { status: RunStatus; endedAt: Date; error: string | null } | null;
  /** End of its latest run that completed (SUCCEEDED or COMPLETED_WITH_ERRORS). */
  lastSuccessAt: Date | null;
  /** Records of the runs started within ERROR_RATE_WINDOW_HOURS (RETRY runs' attempts not counted twice), and how many failed. */
  recentRecords: number;
  recentFailed: number;
  /** Records waiting as DEAD_LETTERED. */
  deadLetters: number;
}

export interface PipelineHealthView {
  status: PipelineHealthStatus;
  reason: string;
  lastRunAt: Date | null;
  lastSuccessAt: Date | null;
  errorRate24h: number | null;
  deadLetters: number;
}

interface Finding {
  status: PipelineHealthStatus;
  reason: string;
}

/**
 * The health of a pipeline. Precedence: FAILING, then STALE, then DEGRADED, then IDLE, else HEALTHY. A failed
 * session is the most urgent; a pipeline that stopped succeeding is worse than one succeeding with errors (and dead
 * letters can wait for days: they must not hide that it stopped). A pipeline that never ran but should have (older
 * than twice its expected interval) is STALE, not IDLE. The reason names the deciding finding first, then any other.
 */
export function pipelineHealth(
  pipeline: { createdAt: Date; expectedIntervalSeconds: number | null },
  facts: HealthFacts,
  now: Date,
): PipelineHealthView {
  const errorRate = facts.recentRecords > 0 ? facts.recentFailed / facts.recentRecords : null;
  const findings: Finding[] = [];

  const last = facts.lastFinished;
  if (last && FAILED_RUN_STATUSES.has(last.status)) {
    const what = last.status === RunStatus.ROLLED_BACK ? 'was rolled back' : 'failed';
    const why = last.error ? `: ${gist(last.error)}` : '';
    findings.push({ status: PipelineHealthStatus.FAILING, reason: `last run ${what} ${ago(last.endedAt, now)}${why}` });
  }

  const interval = pipeline.expectedIntervalSeconds;
  if (interval != null) {
    const since = facts.lastSuccessAt ?? pipeline.createdAt;
    if (now.getTime() - since.getTime() > STALE_AFTER_INTERVALS * interval * 1000) {
      const what = facts.lastSuccessAt
        ? `no success for ${duration(now.getTime() - since.getTime())}`
        : `no success since it was created ${ago(since, now)}`;
      findings.push({ status: PipelineHealthStatus.STALE, reason: `${what} (expected ${every(interval)})` });
    }
  }

  if (errorRate !== null && errorRate >= DEGRADED_ERROR_RATE) {
    findings.push({
      status: PipelineHealthStatus.DEGRADED,
      reason: `${percent(errorRate)} of the last ${ERROR_RATE_WINDOW_HOURS} hours' records failed (${facts.recentFailed} of ${facts.recentRecords})`,
    });
  }
  if (facts.deadLetters > 0) {
    const wait = facts.deadLetters === 1 ? '1 dead letter waits' : `${facts.deadLetters} dead letters wait`;
    findings.push({ status: PipelineHealthStatus.DEGRADED, reason: wait });
  }

  if (facts.lastRunAt === null && findings.length === 0) {
    findings.push({ status: PipelineHealthStatus.IDLE, reason: 'never ran' });
  }

  const healthy = facts.lastSuccessAt
    ? `last success ${ago(facts.lastSuccessAt, now)}`
    : `no run has completed yet; the last one started ${ago(facts.lastRunAt ?? now, now)}`;
  return {
    status: findings[0]?.status ?? PipelineHealthStatus.HEALTHY,
    reason: findings.length > 0 ? findings.map((f) => f.reason).join('; ') : healthy,
    lastRunAt: facts.lastRunAt,
    lastSuccessAt: facts.lastSuccessAt,
    errorRate24h: errorRate,
    deadLetters: facts.deadLetters,
  };
}

/** An expected interval as the API takes it: null (no expectation) or whole seconds from 1 to a year. */
export function checkExpectedInterval(value: number | null, argument: string): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_EXPECTED_INTERVAL_SECONDS) {
    throw badInput(`${argument} must be whole seconds from 1 to ${MAX_EXPECTED_INTERVAL_SECONDS} (366 days), or null for no expectation`);
  }
  return value;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** A past span in words, rounded down: "less than a minute", "12 minutes", "3 hours", "2 days". */
export function duration(ms: number): string {
  if (ms < MINUTE) return 'less than a minute';
  if (ms < HOUR) return plural(Math.floor(ms / MINUTE), 'minute');
  if (ms < 2 * DAY) return plural(Math.floor(ms / HOUR), 'hour');
  return plural(Math.floor(ms / DAY), 'day');
}

const ago = (at: Date, now: Date) => `${duration(Math.max(0, now.getTime() - at.getTime()))} ago`;

/** An interval in seconds in words, in the largest unit that divides it: "every hour", "every 90 seconds". */
export function every(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  const [size, unit] = units.find(([size]) => seconds % size === 0) ?? [1, 'second'];
  const n = seconds / size;
  return n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
}

/** A run's error as a reason quotes it: its first line, at most 200 characters (errors may hold 8 KiB of stack). */
function gist(error: string): string {
  const line = error.trim().split('\n', 1)[0].trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

const percent = (fraction: number) => `${Math.round(fraction * 1000) / 10} %`;
