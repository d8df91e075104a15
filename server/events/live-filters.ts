// RunFilter and RecordFilter applied to one delivered object, with the same meaning as the
// SQL conditions of services/filters.ts: AND of every given field, a list matches any value,
// `from` inclusive, `to` exclusive, a null column never matches a range.
import { badInput } from '../domain/errors.js';
import { checkIds, isUuid } from '../domain/ids.js';
import type { SyncRecord } from '../entities/SyncRecord.js';
import type { SyncRun } from '../entities/SyncRun.js';
import type { DateRange, RecordFilter, RunFilter } from '../services/filters.js';

const inList = <T>(values: readonly T[] | null | undefined, value: T | null): boolean =>
  values == null || (value !== null && values.includes(value));

function inRange(range: DateRange | null | undefined, value: Date | null): boolean {
  if (!range || (!range.from && !range.to)) return true;
  if (!value) return false;
  if (range.from && value < range.from) return false;
  if (range.to && value >= range.to) return false;
  return true;
}

// A null column contains nothing: callers only ask with a non-empty part.
const containsIgnoringCase = (text: string | null, part: string): boolean => (text ?? '').toLowerCase().includes(part.toLowerCase());

function checkRange(range: DateRange | null | undefined, argument: string): void {
  if (range?.from && range.to && range.from > range.to) throw badInput(`${argument}: "from" must not be after "to"`);
}

/** Refuses a malformed filter up front, as the queries do. */
export function checkRunFilter(filter: RunFilter | null | undefined): void {
  if (!filter) return;
  checkIds(filter.pipelineIds, isUuid, 'filter.pipelineIds');
  checkRange(filter.startedAt, 'filter.startedAt');
  checkRange(filter.endedAt, 'filter.endedAt');
}

export function checkRecordFilter(filter: RecordFilter | null | undefined): void {
  if (!filter) return;
  checkIds(filter.runIds, isUuid, 'filter.runIds');
  checkIds(filter.pipelineIds, isUuid, 'filter.pipelineIds');
  checkRange(filter.startedAt, 'filter.startedAt');
}

export function runMatches(filter: RunFilter | null | undefined, run: SyncRun, pipelineName: string | null): boolean {
  if (!filter) return true;
  if (!inList(filter.pipelineIds, run.pipelineId)) return false;
  if (!inList(filter.tenantIds, run.tenantId)) return false;
  if (!inList(filter.modes, run.mode)) return false;
  if (!inList(filter.statuses, run.status)) return false;
  if (!inList(filter.operationTypes, run.operationType)) return false;
  if (filter.entityTypes && !filter.entityTypes.some((type) => run.entityTypes.includes(type))) return false;
  if (!inRange(filter.startedAt, run.startedAt)) return false;
  if (!inRange(filter.endedAt, run.endedAt)) return false;
  const search = filter.search?.trim();
  if (search) {
    return (
      run.id.startsWith(search.toLowerCase()) ||
      containsIgnoringCase(run.correlationId, search) ||
      containsIgnoringCase(run.tenantId, search) ||
      containsIgnoringCase(pipelineName, search)
    );
  }
  return true;
}

export function recordMatches(filter: RecordFilter | null | undefined, record: SyncRecord): boolean {
  if (!filter) return true;
  if (!inList(filter.ids, record.id)) return false;
  if (!inList(filter.runIds, record.runId)) return false;
  if (!inList(filter.pipelineIds, record.pipelineId)) return false;
  if (!inList(filter.tenantIds, record.tenantId)) return false;
  if (!inList(filter.modes, record.mode)) return false;
  if (!inList(filter.entityTypes, record.entityType)) return false;
  if (!inList(filter.operations, record.operation)) return false;
  if (!inList(filter.statuses, record.status)) return false;
  if (filter.sourceId && !containsIgnoringCase(record.sourceId, filter.sourceId)) return false;
  if (filter.errorCode != null && record.errorCode !== filter.errorCode) return false;
  if (filter.errorFingerprint != null && record.errorFingerprint !== filter.errorFingerprint) return false;
  return inRange(filter.startedAt, record.startedAt);
}
