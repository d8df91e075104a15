// The console's filters: one shape for every page, kept in the URL query (shareable, survives reload and back),
// and turned into the API's RunFilter / RecordFilter. Pure: unit-tested in test/unit/client/support/filters.test.ts.

export type Timeframe = 'any' | '1h' | '24h' | '7d' | '30d' | 'custom';

export interface ConsoleFilters {
  timeframe: Timeframe;
  /** Custom range bounds (ISO), used when timeframe is custom. */
  start: string | null;
  end: string | null;
  modes: string[];
  /** Entity types ("objects"), e.g. Account. */
  entityTypes: string[];
  statuses: string[];
  /** Record operations: CREATE, UPDATE, DELETE. */
  operations: string[];
  /** Run operation types, e.g. "Pull updates". */
  operationTypes: string[];
  pipelineIds: string[];
  tenantIds: string[];
  /** Records: one error code, e.g. ROW_LOCKED. */
  errorCode: string;
  /** Runs: run id, correlation id, tenant or pipeline name. Records: source id. */
  search: string;
}

export const TIMEFRAMES: { value: Timeframe; label: string; ms?: number }[] = [
  { value: 'any', label: 'Any time' },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { value: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { value: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { value: 'custom', label: 'Custom range' },
];

export function emptyFilters(): ConsoleFilters {
  return {
    timeframe: 'any',
    start: null,
    end: null,
    modes: [],
    entityTypes: [],
    statuses: [],
    operations: [],
    operationTypes: [],
    pipelineIds: [],
    tenantIds: [],
    errorCode: '',
    search: '',
  };
}

/** URL parameter of each list filter: short, readable names. */
const LIST_PARAMS = {
  modes: 'mode',
  entityTypes: 'object',
  statuses: 'status',
  operations: 'op',
  operationTypes: 'optype',
  pipelineIds: 'pipeline',
  tenantIds: 'tenant',
} as const satisfies Partial<Record<keyof ConsoleFilters, string>>;

type ListField = keyof typeof LIST_PARAMS;
export const LIST_FIELDS = Object.keys(LIST_PARAMS) as ListField[];

/** Every URL parameter the filters own; other parameters (sort, a page's own state) are left alone. */
export const FILTER_PARAMS = ['tf', 'from', 'to', 'q', 'error', ...Object.values(LIST_PARAMS)];

type QueryValue = string | null | undefined | (string | null)[];
export type QueryLike = Record<string, QueryValue>;

function list(value: QueryValue): string[] {
  const values = Array.isArray(value) ? value : value == null ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

function single(value: QueryValue): string | null {
  const [first] = list(value);
  return first ?? null;
}

function validIso(value: string | null): string | null {
  return value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null;
}

/** The filters a URL query holds; unknown or malformed values fall back to "no filter". */
export function filtersFromQuery(query: QueryLike): ConsoleFilters {
  const filters = emptyFilters();
  const timeframe = single(query.tf);
  if (TIMEFRAMES.some((t) => t.value === timeframe)) filters.timeframe = timeframe as Timeframe;
  filters.start = validIso(single(query.from));
  filters.end = validIso(single(query.to));
  if (filters.timeframe === 'custom' && !filters.start && !filters.end) filters.timeframe = 'any';
  if (filters.timeframe !== 'custom') {
    filters.start = null;
    filters.end = null;
  }
  for (const field of LIST_FIELDS) filters[field] = [...new Set(list(query[LIST_PARAMS[field]]))];
  filters.errorCode = single(query.error) ?? '';
  filters.search = single(query.q) ?? '';
  return filters;
}

/** The URL query of these filters: only what differs from no filter, so addresses stay short. */
export function filtersToQuery(filters: ConsoleFilters): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  if (filters.timeframe !== 'any') query.tf = filters.timeframe;
  if (filters.timeframe === 'custom') {
    if (filters.start) query.from = filters.start;
    if (filters.end) query.to = filters.end;
  }
  for (const field of LIST_FIELDS) if (filters[field].length > 0) query[LIST_PARAMS[field]] = [...filters[field]];
  if (filters.errorCode.trim()) query.error = filters.errorCode.trim();
  if (filters.search.trim()) query.q = filters.search.trim();
  return query;
}

/** The window the timeframe stands for at `now`; null for any time. */
export function timeWindow(filters: ConsoleFilters, now: number): { from?: string; to?: string } | null {
  if (filters.timeframe === 'any') return null;
  if (filters.timeframe === 'custom') {
    const range: { from?: string; to?: string } = {};
    if (filters.start) range.from = filters.start;
    if (filters.end) range.to = filters.end;
    return range.from || range.to ? range : null;
  }
  const ms = TIMEFRAMES.find((t) => t.value === filters.timeframe)?.ms ?? 0;
  return { from: new Date(now - ms).toISOString() };
}

function nonEmpty<T>(values: T[]): T[] | undefined {
  return values.length > 0 ? values : undefined;
}

/** Drops undefined fields: the API reads an explicit null list as a filter of its own. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface RunFilterShape {
  entityTypes?: string[];
  pipelineIds?: string[];
  tenantIds?: string[];
  modes?: string[];
  statuses?: string[];
  operationTypes?: string[];
  startedAt?: { from?: string; to?: string };
  search?: string;
}

/** The API's RunFilter: runs that moved any of the entity types; record operations are not run filters. */
export function toRunFilter(filters: ConsoleFilters, now: number): RunFilterShape {
  return compact({
    entityTypes: nonEmpty(filters.entityTypes),
    pipelineIds: nonEmpty(filters.pipelineIds),
    tenantIds: nonEmpty(filters.tenantIds),
    modes: nonEmpty(filters.modes),
    statuses: nonEmpty(filters.statuses),
    operationTypes: nonEmpty(filters.operationTypes),
    startedAt: timeWindow(filters, now) ?? undefined,
    search: filters.search.trim() || undefined,
  });
}

export interface RecordFilterShape {
  runIds?: string[];
  pipelineIds?: string[];
  tenantIds?: string[];
  modes?: string[];
  entityTypes?: string[];
  operations?: string[];
  statuses?: string[];
  sourceId?: string;
  errorCode?: string;
  startedAt?: { from?: string; to?: string };
}

/** The API's RecordFilter; the search box looks up a source id. */
export function toRecordFilter(filters: ConsoleFilters, now: number): RecordFilterShape {
  return compact({
    pipelineIds: nonEmpty(filters.pipelineIds),
    tenantIds: nonEmpty(filters.tenantIds),
    modes: nonEmpty(filters.modes),
    entityTypes: nonEmpty(filters.entityTypes),
    operations: nonEmpty(filters.operations),
    statuses: nonEmpty(filters.statuses),
    sourceId: filters.search.trim() || undefined,
    errorCode: filters.errorCode.trim() || undefined,
    startedAt: timeWindow(filters, now) ?? undefined,
  });
}

/** Which filter-bar fields each kind of list understands. */
export type FilterField = 'timeframe' | ListField | 'errorCode' | 'search';
export const RUN_FILTER_FIELDS: FilterField[] = [
  'timeframe',
  'modes',
  'entityTypes',
  'statuses',
  'operationTypes',
  'pipelineIds',
  'tenantIds',
  'search',
];
export const RECORD_FILTER_FIELDS: FilterField[] = [
  'timeframe',
  'modes',
  'entityTypes',
  'statuses',
  'operations',
  'pipelineIds',
  'tenantIds',
  'errorCode',
  'search',
];

/** How many filters are set, for a compact "3 filters" hint. */
export function activeFilterCount(filters: ConsoleFilters): number {
  return Object.keys(filtersToQuery(filters)).filter((key) => key !== 'from' && key !== 'to').length;
}
