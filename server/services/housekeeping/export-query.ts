// What an export selects: the CSV columns of records and runs, over the list queries' own filters
// (filters.ts), so an export holds exactly the rows the same filter lists, newest first as the lists show them.
import pg from 'pg';
import type { Actor } from '../../domain/actor.js';
import { neutraliseCellSql as text } from '../../domain/csv-cells.js';
import { Role } from '../../domain/enums.js';
import { ExportJob, ExportKind } from '../../entities/ExportJob.js';
import { exportRowsSql } from '../../sql/exports.js';
import { preparedRecordConditions, preparedRunConditions, type RecordFilter, type RunFilter } from '../lists/filters.js';

/**
 * A time in UTC as RFC 3339 / ISO 8601, e.g. 2026-11-30T17:46:52.12Z (fractional digits as stored, trailing zeros
 * dropped). PostgreSQL's own timestamp output, reshaped: to_char cost a third of the export's speed.
 */
const iso = (column: string) => `replace((${column} AT TIME ZONE 'UTC')::text, ' ', 'T') || 'Z'`;

type Columns = readonly (readonly [header: string, expression: string])[];

const RECORD_COLUMNS: Columns = [
  ['run id', 'rec.run_id'],
  ['pipeline', text('p.name')],
  ['tenant', text('rec.tenant_id')],
  ['mode', 'rec.mode'],
  ['entity type', text('rec.entity_type')],
  ['source id', text('rec.source_id')],
  ['target id', text('rec.target_id')],
  ['operation', 'rec.operation'],
  ['status', 'rec.status'],
  ['error code', text('rec.error_code')],
  ['error message', text('rec.error_message')],
  ['attempts', 'rec.attempts'],
  ['started', iso('rec.started_at')],
  ['ended', iso('rec.ended_at')],
  ['latency ms', 'rec.latency_ms'],
];

const RUN_COLUMNS: Columns = [
  ['id', 'r.id'],
  ['pipeline', text('p.name')],
  ['tenant', text('r.tenant_id')],
  ['mode', 'r.mode'],
  ['operation type', text('r.operation_type')],
  ['status', 'r.status'],
  ['triggered by', text('r.triggered_by')],
  ['started', iso('r.started_at')],
  ['ended', iso('r.ended_at')],
  // As SyncRun.durationMs: whole milliseconds from start to end, null until both are known.
  ['duration ms', "(extract(epoch FROM date_trunc('milliseconds', r.ended_at) - date_trunc('milliseconds', r.started_at)) * 1000)::bigint"],
  ['total', 'r.count_total'],
  ['created', 'r.count_created'],
  ['updated', 'r.count_updated'],
  ['deleted', 'r.count_deleted'],
  ['skipped', 'r.count_skipped'],
  ['succeeded', 'r.count_succeeded'],
  ['failed', 'r.count_failed'],
  ['pending', 'r.count_pending'],
];

/** The scope an export job froze when it was asked for. */
export interface ExportScope {
  kind: ExportKind;
  filter: RecordFilter | RunFilter | null;
  limit: number | null;
  tenantId: string | null;
  /** Records: none above this id. */
  maxRecordId: string | null;
  /** Runs: none created after this. */
  createdBefore: Date;
}

/** The filter as stored (JSON) back into the shape filters.ts takes: date ranges become dates again. */
export function thawFilter(json: Record<string, unknown> | null): RecordFilter | RunFilter | null {
  if (!json) return null;
  const filter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const range = value as { from?: string | null; to?: string | null };
      filter[key] = { from: range.from ? new Date(range.from) : null, to: range.to ? new Date(range.to) : null };
    } else {
      filter[key] = value;
    }
  }
  return filter;
}

export function scopeOf(job: ExportJob): ExportScope {
  return {
    kind: job.kind,
    filter: thawFilter(job.filter),
    limit: job.rowLimit,
    tenantId: job.tenantId,
    maxRecordId: job.maxRecordId,
    createdBefore: job.createdAt,
  };
}

/** The filter's conditions take an actor; an export acts with the tenant its key had. */
const scopeActor = (tenantId: string | null): Actor => ({ keyId: '', name: 'export', role: Role.VIEWER, tenantId });

/** An export's statement and its values ($1…). */
export interface ExportStatement {
  sql: string;
  values: unknown[];
}

/**
 * The rows of an export, filtered and bounded; `withColumns` adds the CSV columns and the lists' order. A bad filter
 * throws BAD_USER_INPUT.
 */
export function exportStatement(scope: ExportScope, withColumns: boolean): ExportStatement {
  const records = scope.kind === ExportKind.RECORDS;
  const alias = records ? 'rec' : 'r';
  const actor = scopeActor(scope.tenantId);
  const { conditions, values } = records
    ? preparedRecordConditions(alias, actor, scope.filter as RecordFilter | null)
    : preparedRunConditions(alias, actor, scope.filter as RunFilter | null);
  if (records) {
    values.push(scope.maxRecordId ?? '0');
    conditions.push(`rec.id <= $${values.length}`);
  } else {
    values.push(scope.createdBefore);
    conditions.push(`r.created_at <= $${values.length}`);
  }
  const columns = withColumns ? (records ? RECORD_COLUMNS : RUN_COLUMNS) : null;
  // Newest first. With a limit, in the lists' own order, so the file holds the rows a list shows first. Without
  // one, records go newest reported first (id): sorting millions of rows by start time halved the export's speed,
  // while the primary key is read backwards at no cost.
  const order = !records
    ? ['r.started_sort DESC', 'r.id DESC']
    : scope.limit === null
      ? ['rec.id DESC']
      : ['rec.started_at DESC', 'rec.id DESC'];
  const sql = exportRowsSql({
    table: records ? 'records' : 'runs',
    alias,
    columns: columns?.map(([header, expression]) => `${expression} AS "${header}"`) ?? null,
    conditions,
    order,
    limit: scope.limit,
  });
  return { sql, values };
}

/**
 * A bind parameter as the SQL literal of the text pg would send for it (COPY takes no parameters): an untyped
 * literal that PostgreSQL casts as it would the parameter. Arrays use PostgreSQL's array text form.
 */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return pg.escapeLiteral(parameterText(value));
}

function parameterText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => (item == null ? 'NULL' : `"${parameterText(item).replace(/[\\"]/g, (c) => `\\${c}`)}"`));
    return `{${items.join(',')}}`;
  }
  throw new Error(`export query parameter of unexpected type ${typeof value}`);
}

/** `COPY (<the export's rows>) TO STDOUT` as CSV with a header row; parameters inlined as escaped literals. */
export function copyStatement(scope: ExportScope): string {
  const { sql, values } = exportStatement(scope, true);
  const inlined = sql.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
  return `COPY (${inlined}) TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`;
}
