// RunFilter and RecordFilter, one home: what each field means and when a filter is refused.
// Two interpreters read these tables and nothing else: SQL conditions for queries, exports and
// operators' selections (services/lists/filters.ts) and the in-memory match of live subscriptions
// (events/live-filters.ts). A field is added here, once, and both follow.
import { RecordOperation, RecordStatus, RunStatus, SyncMode } from './enums.js';
import { badInput } from './errors.js';
import { checkIds, isSerialId, isUuid } from './ids.js';
import { checkFilterText } from './text-limits.js';

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

/** The run fields a RunFilter reads (a SyncRun is one), with its pipeline's name for `search`. */
export interface RunSubject {
  run: {
    id: string;
    pipelineId: string;
    tenantId: string | null;
    mode: string;
    status: string;
    operationType: string | null;
    correlationId: string | null;
    startedAt: Date | null;
    endedAt: Date | null;
    entityTypes: readonly string[];
  };
  pipelineName: string | null;
}

/** The record fields a RecordFilter reads (a SyncRecord is one). */
export interface RecordSubject {
  id: string;
  runId: string;
  pipelineId: string;
  tenantId: string | null;
  mode: string;
  entityType: string;
  operation: string;
  status: string;
  sourceId: string;
  errorCode: string | null;
  errorFingerprint: string | null;
  startedAt: Date | null;
}

/** A column in SQL (`{a}` stands for the table's alias) and the same value on a delivered object. */
export interface FilterColumn<S, V> {
  column: string;
  value: (subject: S) => V;
}

/**
 * The kinds of match. Every given field must match (AND); an absent or null field matches all.
 * - anyOf: the column is one of the values; an empty list matches nothing, a null column never matches. `closed`: the
 *   column's only values (an enum), which a statement may name as they are.
 * - overlaps: the array column shares at least one of the values; an empty list matches nothing.
 * - during: `from` inclusive, `to` exclusive; a null column never matches a bounded range.
 * - equals: exactly the text, case kept.
 * - contains: the column contains the text, ASCII letters folded (an empty text matches all).
 * - search: the trimmed text (empty matches all) begins the `prefix` column or is contained in one of `contains`, all
 *   of them rows of `table` (a `contains` column of another table comes with the `join` that reaches it).
 * Case folding is the database's lower(): in the C locale (the embedded database's) it folds ASCII letters only, in
 * a UTF-8 locale (PostgreSQL's Docker image, most servers) every letter. A live filter folds as its database does
 * (`caseFoldOf`).
 */
export type FilterRule<F, S> =
  | ({ field: keyof F; kind: 'anyOf'; closed?: readonly string[] } & FilterColumn<S, string | null>)
  | ({ field: keyof F; kind: 'equals' | 'contains' } & FilterColumn<S, string | null>)
  | ({ field: keyof F; kind: 'overlaps' } & FilterColumn<S, readonly string[]>)
  | ({ field: keyof F; kind: 'during' } & FilterColumn<S, Date | null>)
  | {
      field: keyof F;
      kind: 'search';
      table: string;
      prefix: FilterColumn<S, string | null>;
      contains: (FilterColumn<S, string | null> & { join?: string })[];
    };

/** Lower-cases text as the database's lower() does. */
export type CaseFold = (text: string) => string;

/** ASCII letters only, as lower() in the C locale ("ÜBER" stays "ÜBER"). */
export const foldAscii: CaseFold = (text) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** Every letter, as lower() in a UTF-8 locale ("ÜBER" becomes "über"). */
const foldUnicode: CaseFold = (text) => text.toLowerCase();

/** The fold of a database whose lower() does (`true`) or does not fold letters beyond ASCII. */
export const caseFoldOf = (foldsBeyondAscii: boolean): CaseFold => (foldsBeyondAscii ? foldUnicode : foldAscii);

export const RUN_FILTER_RULES: readonly FilterRule<RunFilter, RunSubject>[] = [
  { field: 'pipelineIds', kind: 'anyOf', column: '{a}.pipeline_id', value: (s) => s.run.pipelineId },
  { field: 'tenantIds', kind: 'anyOf', column: '{a}.tenant_id', value: (s) => s.run.tenantId },
  { field: 'modes', kind: 'anyOf', column: '{a}.mode', value: (s) => s.run.mode, closed: Object.values(SyncMode) },
  { field: 'statuses', kind: 'anyOf', column: '{a}.status', value: (s) => s.run.status, closed: Object.values(RunStatus) },
  { field: 'operationTypes', kind: 'anyOf', column: '{a}.operation_type', value: (s) => s.run.operationType },
  { field: 'startedAt', kind: 'during', column: '{a}.started_at', value: (s) => s.run.startedAt },
  { field: 'endedAt', kind: 'during', column: '{a}.ended_at', value: (s) => s.run.endedAt },
  { field: 'entityTypes', kind: 'overlaps', column: '{a}.entity_types', value: (s) => s.run.entityTypes },
  {
    field: 'search',
    kind: 'search',
    table: 'runs',
    // A run id by its beginning (dashboards show shortened ids); the other fields by any part.
    prefix: { column: '{a}.id::text', value: (s) => s.run.id },
    contains: [
      { column: '{a}.correlation_id', value: (s) => s.run.correlationId },
      { column: '{a}.tenant_id', value: (s) => s.run.tenantId },
      { column: 'sp.name', join: 'JOIN pipelines sp ON sp.id = {a}.pipeline_id', value: (s) => s.pipelineName },
    ],
  },
];

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

/** The dimensions whose column is an enum, with its values. */
const RECORD_DIMENSION_ENUMS: Partial<Record<(typeof RECORD_DIMENSIONS)[number][0], readonly string[]>> = {
  modes: Object.values(SyncMode),
  operations: Object.values(RecordOperation),
  statuses: Object.values(RecordStatus),
};

const RECORD_DIMENSION_VALUES: Record<(typeof RECORD_DIMENSIONS)[number][0], (r: RecordSubject) => string | null> = {
  pipelineIds: (r) => r.pipelineId,
  tenantIds: (r) => r.tenantId,
  modes: (r) => r.mode,
  entityTypes: (r) => r.entityType,
  operations: (r) => r.operation,
  statuses: (r) => r.status,
};

export const RECORD_FILTER_RULES: readonly FilterRule<RecordFilter, RecordSubject>[] = [
  { field: 'ids', kind: 'anyOf', column: '{a}.id', value: (r) => r.id },
  { field: 'runIds', kind: 'anyOf', column: '{a}.run_id', value: (r) => r.runId },
  ...RECORD_DIMENSIONS.map(
    ([field, column]): FilterRule<RecordFilter, RecordSubject> => ({
      field,
      kind: 'anyOf',
      column: `{a}.${column}`,
      value: RECORD_DIMENSION_VALUES[field],
      closed: RECORD_DIMENSION_ENUMS[field],
    }),
  ),
  // lower(source_id) is what the trigram index holds.
  { field: 'sourceId', kind: 'contains', column: '{a}.source_id', value: (r) => r.sourceId },
  { field: 'errorCode', kind: 'equals', column: '{a}.error_code', value: (r) => r.errorCode },
  { field: 'errorFingerprint', kind: 'equals', column: '{a}.error_fingerprint', value: (r) => r.errorFingerprint },
  { field: 'startedAt', kind: 'during', column: '{a}.started_at', value: (r) => r.startedAt },
];

function checkRange(range: DateRange | null | undefined, argument: string): void {
  if (range?.from && range.to && range.from > range.to) throw badInput(`${argument}: "from" must not be after "to"`);
}

/** Refuses a malformed run filter before anything runs, query or subscription. */
export function checkRunFilter(filter: RunFilter | null | undefined): void {
  if (!filter) return;
  checkFilterText(filter);
  checkIds(filter.pipelineIds, isUuid, 'filter.pipelineIds');
  checkRange(filter.startedAt, 'filter.startedAt');
  checkRange(filter.endedAt, 'filter.endedAt');
}

/** Refuses a malformed record filter before anything runs, query or subscription. */
export function checkRecordFilter(filter: RecordFilter | null | undefined): void {
  if (!filter) return;
  checkFilterText(filter);
  checkIds(filter.runIds, isUuid, 'filter.runIds');
  checkIds(filter.pipelineIds, isUuid, 'filter.pipelineIds');
  checkIds(filter.ids, isSerialId, 'ids');
  checkRange(filter.startedAt, 'filter.startedAt');
}

/**
 * A retry run's records are attempts of original records, which carry the current state and the whole history.
 * Lists show each record once, by its original, unless the filter names records, runs or the RETRY mode.
 */
export function asksForAttempts(filter: RecordFilter | null | undefined): boolean {
  return !!(filter?.ids?.length || filter?.runIds?.length || filter?.modes?.includes(SyncMode.RETRY));
}
