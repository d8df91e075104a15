// The retry policy of a pipeline: defaults and validation. The schedule it sets has one home, the SQL
// functions retry_status and retry_due_at (server/db/migrations/1700000000000-Init.ts), which every statement
// storing a failure calls: next retry = initial delay × factor^(attempt − 1), capped at the maximum delay.
import { badInput } from './errors.js';

export interface RetryPolicyValues {
  maxAttempts: number;
  initialDelaySeconds: number;
  backoffFactor: number;
  maxDelaySeconds: number;
  nonRetryableErrorCodes: string[];
  /** Times a run that ended FAILED is re-run whole, as a RETRY run linked to it (seed 000); 0: never. */
  maxRunReruns: number;
}

/** The most re-runs of one failed session a policy may ask for. */
export const MAX_RUN_RERUNS = 10;

export const DEFAULT_RETRY_POLICY: RetryPolicyValues = {
  maxAttempts: 5,
  initialDelaySeconds: 30,
  backoffFactor: 2,
  maxDelaySeconds: 3600,
  nonRetryableErrorCodes: [],
  maxRunReruns: 0,
};

/** Merges a partial policy onto a base one and checks the result. */
export type RetryPolicyPatch = { [K in keyof RetryPolicyValues]?: RetryPolicyValues[K] | null };

export function resolveRetryPolicy(
  input: RetryPolicyPatch | null | undefined,
  base: RetryPolicyValues = DEFAULT_RETRY_POLICY,
): RetryPolicyValues {
  const policy = { ...base };
  for (const key of Object.keys(policy) as (keyof RetryPolicyValues)[]) {
    const value = input?.[key];
    if (value !== undefined && value !== null) Object.assign(policy, { [key]: value });
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1 || policy.maxAttempts > 100) {
    throw badInput('retryPolicy.maxAttempts must be from 1 to 100');
  }
  if (policy.initialDelaySeconds < 0 || policy.initialDelaySeconds > 7 * 86400) {
    throw badInput('retryPolicy.initialDelaySeconds must be from 0 to 604800 (7 days)');
  }
  if (!(policy.backoffFactor >= 1 && policy.backoffFactor <= 10)) {
    throw badInput('retryPolicy.backoffFactor must be from 1 to 10');
  }
  if (policy.maxDelaySeconds < policy.initialDelaySeconds || policy.maxDelaySeconds > 7 * 86400) {
    throw badInput('retryPolicy.maxDelaySeconds must be at least initialDelaySeconds and at most 604800 (7 days)');
  }
  if (policy.nonRetryableErrorCodes.some((code) => code.trim() === '')) {
    throw badInput('retryPolicy.nonRetryableErrorCodes must not contain empty codes');
  }
  if (!Number.isInteger(policy.maxRunReruns) || policy.maxRunReruns < 0 || policy.maxRunReruns > MAX_RUN_RERUNS) {
    throw badInput(`retryPolicy.maxRunReruns must be from 0 to ${MAX_RUN_RERUNS}`);
  }
  policy.nonRetryableErrorCodes = [...new Set(policy.nonRetryableErrorCodes)];
  return policy;
}

/**
 * Whether a run that just ended re-runs its whole session (seed 000: "if the session fails, the entire session is
 * re-run"): only a FAILED one (a cancelled run was stopped on purpose), not a RETRY run of records (its records have
 * their own attempts), and only while the session's re-runs stay within the pipeline's maxRunReruns. `rerun` is the
 * ended run's own number (null: the first run of the session). Returns the number of the re-run to queue, or null.
 */
export function nextRunRerun(ended: { status: string; mode: string; rerun: number | null }, maxRunReruns: number): number | null {
  if (ended.status !== 'FAILED') return null;
  if (holdsAttempts(ended)) return null;
  const next = (ended.rerun ?? 0) + 1;
  return next <= maxRunReruns ? next : null;
}

/**
 * Whether a run's records are attempts of other runs' records, which follow them: a RETRY run of records. A re-run
 * of a failed session is a RETRY run too, but reports records of its own, as the run it repeats did.
 */
export function holdsAttempts(run: { mode: string; rerun: number | null }): boolean {
  return run.mode === 'RETRY' && run.rerun === null;
}
