// The contract's RunFilter and RecordFilter as SQL conditions on a TypeORM query builder.
// All conditions combine with AND; each one is served by an index of the first migration.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { type RecordOperation, type RecordStatus, type RunStatus, SyncMode } from '../domain/enums.js';
import { badInput } from '../domain/errors.js';
import { checkIds, isSerialId, isUuid } from '../domain/ids.js';
import { checkFilterText } from '../domain/text-limits.js';

export interface DateRange {
  from?: Date | null;
  to?: Date | null;
}

export interface RunFilter {
  pipelineIds?: string[] | null;
  tenantIds?: string[] | null;
  modes?: SyncMode[] | null;
  statuses?: RunStatus[] | null;
  operationTypes?: string[] | null;
  startedAt?: DateRange | null;
  endedAt?: DateRange | null;
  search?: string | null;
  entityTypes?: string[] | null;
}

export interface RecordFilter {
  runIds?: string[] | null;
  pipelineIds?: string[] | null;
  tenantIds?: string[] | null;
  modes?: SyncMode[] | null;
  entityTypes?: string[] | null;
  operations?: RecordOperation[] | null;
  statuses?: RecordStatus[] | null;
  sourceId?: string | null;
  errorCode?: string | null;
  errorFingerprint?: string | null;
  startedAt?: DateRange | null;
  /** Internal: only records with these ids. */
  ids?: string[] | null;
}

/** Escapes LIKE wildcards so user text matches literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
export const likeContains = (text: string) => `%${escapeLike(text)}%`;
export const likePrefix = (text: string) => `${escapeLike(text)}%`;

let uniqueParam = 0;
/** A parameter name that cannot clash with another condition on the same query. */
const param = (name: string) => `${name}_${++uniqueParam}`;

function inList<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  values: readonly unknown[] | null | undefined,
): void {
  if (values == null) return;
  if (values.length === 0) {
    query.andWhere('false');
    return;
  }
  const name = param('list');
  query.andWhere(`${column} IN (:...${name})`, { [name]: values });
}

/** An array column sharing any of the values (served by a GIN index). */
function overlaps<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  values: readonly string[] | null | undefined,
): void {
  if (values == null) return;
  if (values.length === 0) {
    query.andWhere('false');
    return;
  }
  const name = param('any');
  query.andWhere(`${column} && :${name}::text[]`, { [name]: values });
}

function range<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  value: DateRange | null | undefined,
  argument: string,
): void {
  if (!value) return;
  if (value.from && value.to && value.from > value.to) {
    throw badInput(`${argument}: "from" must not be after "to"`);
  }
  if (value.from) {
    const name = param('from');
    query.andWhere(`${column} >= :${name}`, { [name]: value.from });
  }
  if (value.to) {
    const name = param('to');
    query.andWhere(`${column} < :${name}`, { [name]: value.to });
  }
}

/** A tenant-bound key sees only its tenant, whatever the filter asks. */
export function visibleTo<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, actor: Actor): void {
  if (actor.tenantId === null) return;
  const name = param('tenant');
  query.andWhere(`${alias}.tenant_id = :${name}`, { [name]: actor.tenantId });
}

export function applyRunFilter<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  filter: RunFilter | null | undefined,
): void {
  if (!filter) return;
  checkFilterText(filter);
  checkIds(filter.pipelineIds, isUuid, 'filter.pipelineIds');
  inList(query, `${alias}.pipeline_id`, filter.pipelineIds);
  inList(query, `${alias}.tenant_id`, filter.tenantIds);
  inList(query, `${alias}.mode`, filter.modes);
  inList(query, `${alias}.status`, filter.statuses);
  inList(query, `${alias}.operation_type`, filter.operationTypes);
  range(query, `${alias}.started_at`, filter.startedAt, 'filter.startedAt');
  range(query, `${alias}.ended_at`, filter.endedAt, 'filter.endedAt');
  overlaps(query, `${alias}.entity_types`, filter.entityTypes);
  const search = filter.search?.trim();
  if (search) {
    // A run id by its beginning (dashboards show shortened ids); the other fields by any part.
    const idPrefix = param('prefix');
    const like = param('like');
    query.andWhere(
      `(${alias}.id::text LIKE :${idPrefix} OR ${alias}.correlation_id ILIKE :${like} OR ${alias}.tenant_id ILIKE :${like}
        OR EXISTS (SELECT 1 FROM pipelines sp WHERE sp.id = ${alias}.pipeline_id AND sp.name ILIKE :${like}))`,
      { [idPrefix]: likePrefix(search.toLowerCase()), [like]: likeContains(search) },
    );
  }
}

/**
 * A retry run's records are attempts of original records, which carry the current state and the whole history.
 * Lists show each record once, by its original, unless the filter names records, runs or the RETRY mode.
 */
export function asksForAttempts(filter: RecordFilter | null | undefined): boolean {
  return !!(filter?.ids?.length || filter?.runIds?.length || filter?.modes?.includes(SyncMode.RETRY));
}

/**
 * The RecordFilter fields that name values of a plain column of the record, each matching any of its values.
 * Rollups keep the same columns, so the analytics read these fields with the same meaning.
 */
export const RECORD_DIMENSIONS = [
  ['pipelineIds', 'pipeline_id'],
  ['tenantIds', 'tenant_id'],
  ['modes', 'mode'],
  ['entityTypes', 'entity_type'],
  ['operations', 'operation'],
  ['statuses', 'status'],
] as const satisfies readonly (readonly [keyof RecordFilter, string])[];

/** Refuses a malformed record filter before anything runs. */
export function checkRecordFilterInput(filter: RecordFilter | null | undefined): void {
  if (!filter) return;
  checkFilterText(filter);
  checkIds(filter.runIds, isUuid, 'filter.runIds');
  checkIds(filter.pipelineIds, isUuid, 'filter.pipelineIds');
  checkIds(filter.ids, isSerialId, 'ids');
  const range = filter.startedAt;
  if (range?.from && range.to && range.from > range.to) throw badInput('filter.startedAt: "from" must not be after "to"');
}

export function applyRecordFilter<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  filter: RecordFilter | null | undefined,
): void {
  if (!asksForAttempts(filter)) query.andWhere(`${alias}.origin_record_id IS NULL`);
  if (!filter) return;
  checkRecordFilterInput(filter);
  inList(query, `${alias}.id`, filter.ids);
  inList(query, `${alias}.run_id`, filter.runIds);
  for (const [field, column] of RECORD_DIMENSIONS) inList(query, `${alias}.${column}`, filter[field]);
  if (filter.sourceId) {
    const name = param('source');
    // Both sides folded by the database's lower(): JavaScript folds letters a C-locale database leaves as they are,
    // so a pattern lowered here missed even an exact-case match of a non-ASCII id ("ÜBER" for "ÜBER-1").
    query.andWhere(`lower(${alias}.source_id) LIKE lower(:${name})`, { [name]: likeContains(filter.sourceId) });
  }
  if (filter.errorCode != null) {
    const name = param('code');
    query.andWhere(`${alias}.error_code = :${name}`, { [name]: filter.errorCode });
  }
  if (filter.errorFingerprint != null) {
    const name = param('fingerprint');
    query.andWhere(`${alias}.error_fingerprint = :${name}`, { [name]: filter.errorFingerprint });
  }
  range(query, `${alias}.started_at`, filter.startedAt, 'filter.startedAt');
}
