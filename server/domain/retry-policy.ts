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
}

export const DEFAULT_RETRY_POLICY: RetryPolicyValues = {
  maxAttempts: 5,
  initialDelaySeconds: 30,
  backoffFactor: 2,
  maxDelaySeconds: 3600,
  nonRetryableErrorCodes: [],
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
  policy.nonRetryableErrorCodes = [...new Set(policy.nonRetryableErrorCodes)];
  return policy;
}
