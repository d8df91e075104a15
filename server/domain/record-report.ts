// Checks and normalises one reported record; a bad entry is rejected by index, the rest go in.
import { type RecordOperation, RecordStatus } from './enums.js';
import { errorFingerprint, truncateErrorMessage } from './error-text.js';
import { FAILURE_REPORT_STATUSES, SERVER_ONLY_STATUSES } from './record-outcome.js';

export const MAX_RECORDS_PER_REPORT = 5000;
const MAX_ID_LENGTH = 512;
const MAX_DETAILS_BYTES = 64 * 1024;

export interface RecordReport {
  entityType: string;
  sourceId: string;
  targetId?: string | null;
  operation: RecordOperation;
  status: RecordStatus;
  errorCode?: string | null;
  errorMessage?: string | null;
  retryable?: boolean | null;
  startedAt?: Date | null;
  endedAt?: Date | null;
  latencyMs?: number | null;
  details?: unknown;
}

export interface NormalizedReport {
  entityType: string;
  sourceId: string;
  targetId: string | null;
  operation: RecordOperation;
  status: RecordStatus;
  errorCode: string | null;
  errorMessage: string | null;
  errorFingerprint: string | null;
  /** The worker's word; the pipeline's non-retryable codes are applied in SQL. */
  retryable: boolean;
  startedAt: Date | null;
  endedAt: Date | null;
  latencyMs: number | null;
  details: string | null;
}

const validDate = (d: Date | null | undefined) => d == null || !Number.isNaN(d.getTime());

export function normalizeReport(entry: RecordReport): NormalizedReport | { reason: string } {
  const entityType = entry.entityType.trim();
  const sourceId = entry.sourceId.trim();
  if (!entityType) return { reason: 'entityType must not be empty' };
  if (!sourceId) return { reason: 'sourceId must not be empty' };
  if (entityType.length > 200) return { reason: 'entityType must be at most 200 characters' };
  if (sourceId.length > MAX_ID_LENGTH) return { reason: `sourceId must be at most ${MAX_ID_LENGTH} characters` };
  if (entry.targetId != null && entry.targetId.length > MAX_ID_LENGTH) {
    return { reason: `targetId must be at most ${MAX_ID_LENGTH} characters` };
  }
  if (SERVER_ONLY_STATUSES.includes(entry.status)) {
    return { reason: `status ${entry.status} is set by syncwatch, not reported by workers` };
  }
  if (entry.latencyMs != null && (!Number.isInteger(entry.latencyMs) || entry.latencyMs < 0)) {
    return { reason: 'latencyMs must not be negative' };
  }
  if (!validDate(entry.startedAt) || !validDate(entry.endedAt)) return { reason: 'startedAt and endedAt must be valid times' };
  if (entry.startedAt && entry.endedAt && entry.endedAt < entry.startedAt) {
    return { reason: 'endedAt must not be before startedAt' };
  }
  if (entry.errorCode != null && entry.errorCode.length > 200) return { reason: 'errorCode must be at most 200 characters' };
  let details: string | null = null;
  if (entry.details !== undefined && entry.details !== null) {
    details = JSON.stringify(entry.details);
    if (Buffer.byteLength(details) > MAX_DETAILS_BYTES) return { reason: 'details must be at most 64 KiB of JSON' };
  }
  const failed = FAILURE_REPORT_STATUSES.includes(entry.status);
  const errorCode = entry.errorCode?.trim() || null;
  const errorMessage = entry.errorMessage ? truncateErrorMessage(entry.errorMessage) : null;
  const latencyMs = entry.latencyMs ?? (entry.startedAt && entry.endedAt ? entry.endedAt.getTime() - entry.startedAt.getTime() : null);
  return {
    entityType,
    sourceId,
    targetId: entry.targetId ?? null,
    operation: entry.operation,
    status: entry.status,
    errorCode,
    errorMessage,
    errorFingerprint: failed || errorCode || errorMessage ? errorFingerprint(errorCode, errorMessage) : null,
    retryable: failed && entry.retryable !== false,
    startedAt: entry.startedAt ?? null,
    endedAt: entry.endedAt ?? null,
    latencyMs,
    details,
  };
}
