// What a key's role may do in the console; the server enforces the same, this only hides what would be refused.
// Roles and statuses are the schema's (the generated types), so a renamed one fails the type check here.
import type { RecordStatus, Role, RunStatus } from '../graphql/generated/graphql.js';

export type { Role };

/** Retry, cancel, trigger syncs, handle dead letters. */
export function canOperate(role: Role | null | undefined): boolean {
  return role === 'OPERATOR' || role === 'ADMIN';
}

/** Export the records of one run (the server keeps bulk exports to operators; worker keys export nothing). */
export function canExportRun(role: Role | null | undefined): boolean {
  return role === 'VIEWER' || canOperate(role);
}

/** Pipelines and API keys. */
export function canAdminister(role: Role | null | undefined): boolean {
  return role === 'ADMIN';
}

/** Runs that may still be cancelled. */
export function isCancellable(status: RunStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}

/** Run statuses that still change. */
export function isActive(status: RunStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING' || status === 'CANCELLING';
}

/** Record statuses a retry takes. */
export const RETRYABLE_STATUSES = [
  'FAILED',
  'EXTRACTION_FAILED',
  'PARTIALLY_FAILED',
  'DEAD_LETTERED',
] as const satisfies readonly RecordStatus[];
