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

/** Largest latency the database keeps (a 32-bit integer of milliseconds). */
const MAX_LATENCY_MS = 2_147_483_647;

// Postgres text holds neither NUL nor half of a surrogate pair: a NUL is refused, a lone surrogate becomes U+FFFD.
const TEXT_FIELDS = ['entityType', 'sourceId', 'targetId', 'errorCode', 'errorMessage'] as const;
const storable = (text: string) => (text.isWellFormed() ? text : text.toWellFormed());
// JSON.stringify writes a NUL or a lone surrogate as a \u escape: without one, the text is fine as it is.
const SUSPECT_ESCAPE = /\\u(0000|d[89a-f])/i;

/** details as JSON text Postgres takes as jsonb; null when it holds a NUL or a key with broken Unicode. */
function detailsJson(details: unknown): string | null {
  const plain = JSON.stringify(details);
  if (!SUSPECT_ESCAPE.test(plain)) return plain;
  let storableJson = true;
  const json = JSON.stringify(details, (key: string, value: unknown) => {
    if (key.includes('\u0000') || !key.isWellFormed()) storableJson = false;
    if (typeof value !== 'string') return value;
    if (value.includes('\u0000')) storableJson = false;
    return value.toWellFormed();
  });
  return storableJson ? json : null;
}

export function normalizeReport(entry: RecordReport): NormalizedReport | { reason: string } {
  const unstorable = TEXT_FIELDS.find((field) => entry[field]?.includes('\u0000'));
  if (unstorable) return { reason: `${unstorable} must not contain NUL characters` };
  const entityType = storable(entry.entityType).trim();
  const sourceId = storable(entry.sourceId).trim();
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
    details = detailsJson(entry.details);
    if (details === null) return { reason: 'details must not contain NUL characters or keys with broken Unicode' };
    if (Buffer.byteLength(details) > MAX_DETAILS_BYTES) return { reason: 'details must be at most 64 KiB of JSON' };
  }
  const latencyMs = entry.latencyMs ?? (entry.startedAt && entry.endedAt ? entry.endedAt.getTime() - entry.startedAt.getTime() : null);
  if (latencyMs !== null && latencyMs > MAX_LATENCY_MS) {
    return { reason: 'startedAt to endedAt is longer than latencyMs can hold (about 24 days): give latencyMs' };
  }
  const failed = FAILURE_REPORT_STATUSES.includes(entry.status);
  const errorCode = entry.errorCode ? storable(entry.errorCode).trim() || null : null;
  const errorMessage = entry.errorMessage ? truncateErrorMessage(storable(entry.errorMessage)) : null;
  return {
    entityType,
    sourceId,
    targetId: entry.targetId == null ? null : storable(entry.targetId),
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
