// The history's filters as flags, turned into the API's RunFilter and RecordFilter (names of pipelines become ids).
import type { ParseArgsConfig } from 'node:util';
import type { GraphQLHttpClient } from '../sdk/graphql-client.js';
import { usage } from './errors.js';
import { PipelinesDocument, type RecordFilter, type RunFilter } from './generated/graphql.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags runs and records share (FILTER_HELP's first two lines). */
const SHARED_FILTER_OPTIONS = {
  pipeline: { type: 'string', multiple: true },
  status: { type: 'string', multiple: true },
  mode: { type: 'string', multiple: true },
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  tenant: { type: 'string', multiple: true },
} as const satisfies Options;

export const RUN_FILTER_OPTIONS = {
  ...SHARED_FILTER_OPTIONS,
  search: { type: 'string' },
  'entity-type': { type: 'string', multiple: true },
} as const satisfies Options;

export const RECORD_FILTER_OPTIONS = {
  ...SHARED_FILTER_OPTIONS,
  run: { type: 'string', multiple: true },
  'entity-type': { type: 'string', multiple: true },
  'error-code': { type: 'string' },
  'source-id': { type: 'string' },
  search: { type: 'string' },
  fingerprint: { type: 'string' },
} as const satisfies Options;

export const FILTER_HELP = `Filters (repeat a flag or separate values with commas for several):
  --pipeline NAME|ID   --status S   --mode M   --tenant T
  --since 30m|24h|7d   --from TIME  --to TIME (RFC 3339)
  runs: --search TEXT (run id prefix, correlation id, tenant, pipeline name)  --entity-type T
  records: --run ID  --entity-type T  --error-code C  --source-id TEXT (also --search)  --fingerprint F`;

type Values = Record<string, string | boolean | string[] | undefined>;

const list = (value: unknown): string[] | undefined => {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value
    .flatMap((v: string) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
};
/** Enum values (statuses, modes, states): repeated or comma-separated, any case, `-` for `_`. */
export const upper = (value: unknown) => list(value)?.map((v) => v.toUpperCase().replace(/-/g, '_'));

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const DURATION = /^(\d+(?:\.\d+)?)([smhdw])$/;

export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw usage(`--since takes a duration like 30m, 24h or 7d, not "${text}"`);
  return Number(match[1]) * UNITS[match[2]];
}

function time(text: string, flag: string, takes = 'an RFC 3339 time such as 2026-12-01T00:00:00Z'): string {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw usage(`${flag} takes ${takes}, not "${text}"`);
  return new Date(ms).toISOString();
}

/** A time ahead (`alerts mute --until`): a duration from now (2h, 7d) or an RFC 3339 time. */
export function until(text: string, flag: string, now = Date.now()): string {
  if (DURATION.test(text.trim())) return new Date(now + parseDuration(text)).toISOString();
  return time(text, flag, 'a duration like 2h or 7d, or an RFC 3339 time');
}

function range(values: Values, now = Date.now()) {
  const since = values.since as string | undefined;
  const from = values.from as string | undefined;
  const to = values.to as string | undefined;
  if (since && from) throw usage('--since and --from are two ways to say the same: give one');
  if (!since && !from && !to) return undefined;
  return {
    from: since ? new Date(now - parseDuration(since)).toISOString() : from ? time(from, '--from') : null,
    to: to ? time(to, '--to') : null,
  };
}

/** Pipeline names or ids to ids: a value that is a pipeline's name stands for its id; anything else is taken as an id. */
async function pipelineIds(http: GraphQLHttpClient, values: unknown): Promise<string[] | undefined> {
  const wanted = list(values);
  if (!wanted) return undefined;
  const { pipelines } = await http.request(PipelinesDocument, {}, { retries: 2 });
  return wanted.flatMap((value) => {
    const named = pipelines.filter((p) => p.name === value);
    return named.length ? named.map((p) => p.id) : [value];
  });
}

const clean = <T extends object>(filter: T): T =>
  Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined && v !== null && v !== '')) as T;

export async function runFilter(http: GraphQLHttpClient, values: Values): Promise<RunFilter> {
  return clean({
    pipelineIds: await pipelineIds(http, values.pipeline),
    statuses: upper(values.status) as RunFilter['statuses'],
    modes: upper(values.mode) as RunFilter['modes'],
    tenantIds: list(values.tenant),
    search: values.search as string | undefined,
    entityTypes: list(values['entity-type']),
    startedAt: range(values),
  });
}

export async function recordFilter(http: GraphQLHttpClient, values: Values): Promise<RecordFilter> {
  return clean({
    pipelineIds: await pipelineIds(http, values.pipeline),
    statuses: upper(values.status) as RecordFilter['statuses'],
    modes: upper(values.mode) as RecordFilter['modes'],
    tenantIds: list(values.tenant),
    runIds: list(values.run),
    entityTypes: list(values['entity-type']),
    errorCode: values['error-code'] as string | undefined,
    sourceId: (values['source-id'] ?? values.search) as string | undefined,
    errorFingerprint: values.fingerprint as string | undefined,
    startedAt: range(values),
  });
}

/** Whether any filter flag was given (a bulk action without one would touch everything). */
export const hasFilter = (filter: object) => Object.keys(filter).length > 0;
