// Alerts: the rule of each condition, what a rule must carry to mean something, and the delivery schedule
// (DESIGN.md, "Alerts"). Pure: the evaluator (services/alerts/alert-evaluator.ts) reads facts and asks these.
import { badInput } from './errors.js';
import { PipelineHealthStatus } from './pipeline-health.js';

export enum AlertCondition {
  RUN_FAILED = 'RUN_FAILED',
  ERROR_RATE = 'ERROR_RATE',
  PIPELINE_HEALTH = 'PIPELINE_HEALTH',
  ERROR_GROUP_NEW = 'ERROR_GROUP_NEW',
  ERROR_GROUP_REGRESSED = 'ERROR_GROUP_REGRESSED',
  DEAD_LETTERS = 'DEAD_LETTERS',
  RUN_DURATION = 'RUN_DURATION',
}

export enum AlertSeverity {
  WARNING = 'WARNING',
  CRITICAL = 'CRITICAL',
}

export enum AlertState {
  FIRING = 'FIRING',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
  RESOLVED = 'RESOLVED',
}

export enum ChannelKind {
  WEBHOOK = 'WEBHOOK',
  SLACK = 'SLACK',
}

export enum DeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}

/** What a notification says happened: the envelope's `type`. */
export type AlertEventType = 'alert.fired' | 'alert.resolved' | 'alert.test';

/** Version of the webhook envelope; a receiver can tell a future shape from this one. */
export const ENVELOPE_VERSION = 1;

/** Conditions whose target is an error group (a fingerprint) rather than a pipeline. */
export const ERROR_GROUP_CONDITIONS: readonly AlertCondition[] = [AlertCondition.ERROR_GROUP_NEW, AlertCondition.ERROR_GROUP_REGRESSED];

/** An error group alert resolves when no failure with its fingerprint came for this long, unless the rule says. */
export const DEFAULT_QUIET_SECONDS = 3600;
/** A window below a minute measures noise; above 30 days it is not an alert any more. */
export const MIN_WINDOW_SECONDS = 60;
export const MAX_WINDOW_SECONDS = 30 * 86_400;
/** Repeats more often than a minute are a flood. */
export const MIN_REPEAT_SECONDS = 60;

/** A rule as it is stored: the parameters its condition reads, the others null. */
export interface RuleParameters {
  threshold: number | null;
  windowSeconds: number | null;
  healthStates: PipelineHealthStatus[] | null;
  repeatIntervalSeconds: number;
}

export interface RuleParameterInput {
  condition: AlertCondition;
  threshold?: number | null;
  windowSeconds?: number | null;
  healthStates?: PipelineHealthStatus[] | null;
  repeatIntervalSeconds?: number | null;
}

const isWhole = (value: number) => Number.isInteger(value);

/**
 * Checks the parameters of a rule for its condition; a missing, senseless or inapplicable one is BAD_USER_INPUT
 * naming the field (`input.threshold`, …). Returns them with defaults filled and inapplicable ones null.
 */
export function checkRuleParameters(input: RuleParameterInput, prefix = 'input'): RuleParameters {
  const { condition } = input;
  const field = (name: string) => `${prefix}.${name}`;
  const threshold = input.threshold ?? null;
  const windowSeconds = input.windowSeconds ?? null;
  const healthStates = input.healthStates ?? null;
  const refuse = (name: string, why: string) => badInput(`${field(name)} ${why}`, { field: field(name) });
  const notApplicable = (name: string, value: unknown) => {
    if (value !== null) throw refuse(name, `does not apply to ${condition} rules; leave it out`);
  };
  if (threshold !== null && !Number.isFinite(threshold)) throw refuse('threshold', 'must be a finite number');

  const repeat = input.repeatIntervalSeconds ?? 0;
  if (!isWhole(repeat) || repeat < 0 || (repeat > 0 && repeat < MIN_REPEAT_SECONDS) || repeat > MAX_WINDOW_SECONDS) {
    throw refuse(
      'repeatIntervalSeconds',
      `must be 0 (never repeat) or whole seconds from ${MIN_REPEAT_SECONDS} to ${MAX_WINDOW_SECONDS}, got ${repeat}`,
    );
  }
  const checkWindow = (required: boolean): number | null => {
    if (windowSeconds === null) {
      if (required) throw refuse('windowSeconds', `is required for ${condition} rules (seconds, at least ${MIN_WINDOW_SECONDS})`);
      return null;
    }
    if (!isWhole(windowSeconds) || windowSeconds < MIN_WINDOW_SECONDS || windowSeconds > MAX_WINDOW_SECONDS) {
      throw refuse('windowSeconds', `must be whole seconds from ${MIN_WINDOW_SECONDS} to ${MAX_WINDOW_SECONDS}, got ${windowSeconds}`);
    }
    return windowSeconds;
  };
  const wholeAtLeastOne = (what: string, fallback: number | null): number => {
    const value = threshold ?? fallback;
    if (value === null) throw refuse('threshold', `is required for ${condition} rules (${what}, at least 1)`);
    if (!isWhole(value) || value < 1) throw refuse('threshold', `must be a whole number of ${what}, at least 1, got ${value}`);
    return value;
  };
  const base = { repeatIntervalSeconds: repeat };

  switch (condition) {
    case AlertCondition.RUN_FAILED:
      notApplicable('windowSeconds', windowSeconds);
      notApplicable('healthStates', healthStates);
      return { ...base, threshold: wholeAtLeastOne('consecutive failed runs', 1), windowSeconds: null, healthStates: null };
    case AlertCondition.ERROR_RATE: {
      if (threshold === null) throw refuse('threshold', 'is required for ERROR_RATE rules (a fraction above 0, at most 1)');
      if (!(threshold > 0 && threshold <= 1)) throw refuse('threshold', `must be a fraction above 0 and at most 1, got ${threshold}`);
      notApplicable('healthStates', healthStates);
      return { ...base, threshold, windowSeconds: checkWindow(true), healthStates: null };
    }
    case AlertCondition.PIPELINE_HEALTH: {
      notApplicable('threshold', threshold);
      notApplicable('windowSeconds', windowSeconds);
      if (!healthStates || healthStates.length === 0) {
        throw refuse('healthStates', 'is required for PIPELINE_HEALTH rules: the states that fire (e.g. FAILING, STALE)');
      }
      if (healthStates.includes(PipelineHealthStatus.HEALTHY))
        throw refuse('healthStates', 'must not include HEALTHY: a healthy pipeline is no alert');
      return { ...base, threshold: null, windowSeconds: null, healthStates: [...new Set(healthStates)] };
    }
    case AlertCondition.ERROR_GROUP_NEW:
    case AlertCondition.ERROR_GROUP_REGRESSED:
      notApplicable('threshold', threshold);
      notApplicable('healthStates', healthStates);
      return { ...base, threshold: null, windowSeconds: checkWindow(false), healthStates: null };
    case AlertCondition.DEAD_LETTERS:
      notApplicable('windowSeconds', windowSeconds);
      notApplicable('healthStates', healthStates);
      return { ...base, threshold: wholeAtLeastOne('waiting dead letters', null), windowSeconds: null, healthStates: null };
    case AlertCondition.RUN_DURATION:
      notApplicable('windowSeconds', windowSeconds);
      notApplicable('healthStates', healthStates);
      return { ...base, threshold: wholeAtLeastOne('seconds', null), windowSeconds: null, healthStates: null };
  }
}

/** Whether a FIRING alert is due a reminder: repeats on, not acknowledged, the last notice older than the interval. */
export function repeatDue(state: AlertState, repeatIntervalSeconds: number, lastNotifiedAt: Date, now: Date): boolean {
  return (
    state === AlertState.FIRING && repeatIntervalSeconds > 0 && now.getTime() - lastNotifiedAt.getTime() >= repeatIntervalSeconds * 1000
  );
}

/** Whether a rule tells people now: not muted, or its mute has run out. */
export const isMuted = (mutedUntil: Date | null, now: Date): boolean => mutedUntil !== null && mutedUntil > now;

/** Waits after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; a failure after the last is final. */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** When to try again after `attempts` failed attempts, or null when the delivery has FAILED for good. */
export function nextAttemptAt(attempts: number, now: Date, delays: readonly number[] = RETRY_DELAYS_MS): Date | null {
  const delay = delays[attempts - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay);
}

/** A channel whose deliveries fail for this long without one success is disabled. */
export const CHANNEL_FAILING_DISABLE_MS = 5 * 86_400_000;
/** After a rotation the old secret still signs beside the new one for this long. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;

/** A channel URL: absolute http(s), no credentials in it; Slack wants https. */
export function checkChannelUrl(raw: string, kind: ChannelKind, field = 'input.url'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput(`${field} must be an absolute http or https URL`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(`${field} must be an http or https URL`, { field });
  if (url.username || url.password) throw badInput(`${field} must not carry a user name or password`, { field });
  if (raw.length > 2000) throw badInput(`${field} must be at most 2,000 characters`, { field });
  if (kind === ChannelKind.SLACK && url.protocol !== 'https:')
    throw badInput(`${field}: Slack incoming webhooks are https URLs`, { field });
  return url;
}

/** How a channel's URL shows to those who may not read it (a URL is a secret): scheme and host only. */
export function maskedTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/…`;
  } catch {
    return '…';
  }
}
