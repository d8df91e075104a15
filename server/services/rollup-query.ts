// One aggregate over records in a window, cut into output buckets, answered from the cheapest source for each
// part: the smallest rollup cube that has the needed columns (with the deltas not folded into it yet) for whole
// days and hours, the records themselves for the minutes at the edges and for filters no rollup keeps.
// Everything is read in one snapshot, so a fold running meanwhile neither hides nor doubles a count.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { intersect, type Segment, segments, type Window } from '../domain/analytics-range.js';
import type { RecordOperation, RecordStatus, SyncMode } from '../domain/enums.js';
import { SyncRecord } from '../entities/SyncRecord.js';
import { applyRecordFilter, checkRecordFilterInput, RECORD_DIMENSIONS, type RecordFilter, visibleTo } from './filters.js';
import { type Cube, cubeFor, ROLLUP_COLUMNS, type RollupColumn } from './rollup-cubes.js';

/** Columns an aggregate may be grouped by besides its time bucket. */
export type GroupColumn = Extract<RollupColumn, 'status' | 'entity_type' | 'operation' | 'mode'>;

export interface AggregateRequest {
  actor: Actor;
  filter: RecordFilter | null | undefined;
  window: Window;
  /** Output buckets: `originMs + k × sizeMs`. Rollups are used only where no rollup row straddles two buckets. */
  bucket: { sizeMs: number; originMs: number };
  /** The rollup tiers that may answer, coarsest first; none means raw records only (MINUTE series). */
  sources: readonly ('day' | 'hour')[];
  groupBy: readonly GroupColumn[];
  /** `records`: how many. `latency`: how many in each latency bucket (records without a latency left out). */
  measure: 'records' | 'latency';
}

export interface AggregateRow {
  bucket: Date;
  records: number;
  status?: RecordStatus;
  entity_type?: string;
  operation?: RecordOperation;
  mode?: SyncMode;
  /** With the latency measure: the latency the histogram bucket stands for, in ms. */
  latency?: number;
}

/** RecordFilter fields no rollup keeps: a filter with any of them reads the records. */
const RAW_ONLY_FIELDS = ['ids', 'runIds', 'sourceId', 'errorCode', 'errorFingerprint'] as const;

export async function aggregate(db: DataSource, request: AggregateRequest): Promise<AggregateRow[]> {
  checkRecordFilterInput(request.filter);
  const window = intersect(request.window, request.filter?.startedAt);
  if (!window) return [];
  const rawOnly = RAW_ONLY_FIELDS.some((field) => hasValue(request.filter?.[field]));
  const parts = segments(window, rawOnly ? [] : request.sources, bucketEdges(window, request.bucket));
  const rollupParts = parts.filter((part) => part.source !== 'raw');
  const rawParts = parts.filter((part) => part.source === 'raw');
  // One snapshot for every part: the fold moves deltas into rollups in one transaction of its own.
  return db.transaction('REPEATABLE READ', async (manager) => {
    const rows: AggregateRow[] = [];
    if (rollupParts.length > 0) rows.push(...(await fromRollups(manager, request, cubeFor(neededColumns(request)), rollupParts)));
    if (rawParts.length > 0) rows.push(...(await fromRecords(manager, request, rawParts)));
    return merge(rows, request.groupBy);
  });
}

const hasValue = (value: unknown) => value !== undefined && value !== null && value !== '';

function bucketEdges(window: Window, bucket: AggregateRequest['bucket']): number[] {
  const edges: number[] = [];
  const first = bucket.originMs + Math.ceil((window.from.getTime() - bucket.originMs) / bucket.sizeMs) * bucket.sizeMs;
  for (let edge = first; edge < window.to.getTime(); edge += bucket.sizeMs) edges.push(edge);
  return edges;
}

/** The columns a request filters or groups by: the cube it reads must keep them all. */
function neededColumns(request: AggregateRequest): Set<RollupColumn> {
  const needed = new Set<RollupColumn>(request.groupBy);
  for (const [field, column] of RECORD_DIMENSIONS) if (request.filter?.[field] != null) needed.add(column);
  if (request.actor.tenantId !== null) needed.add('tenant_id');
  return needed;
}

/** Collects bind parameters for hand-written SQL. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

async function fromRollups(manager: EntityManager, request: AggregateRequest, cube: Cube, parts: Segment[]): Promise<AggregateRow[]> {
  const params = new Params();
  const dims = dimensionConditions(request, params);
  const cubeName = params.add(cube.name);
  const within = (column: string, list: Segment[]) =>
    `(${list.map((part) => `(${column} >= ${params.add(new Date(part.from))} AND ${column} < ${params.add(new Date(part.to))})`).join(' OR ')})`;
  const columns = `${ROLLUP_COLUMNS.join(', ')}, records, latency_hist`;
  const branches: string[] = [];
  for (const tier of ['day', 'hour'] as const) {
    const list = parts.filter((part) => part.source === tier);
    if (list.length === 0) continue;
    branches.push(
      `SELECT bucket_start AS at, ${columns} FROM record_rollups WHERE tier = '${tier}' AND cube = ${cubeName} AND ${within('bucket_start', list)}${dims}`,
    );
  }
  // Changes not folded yet, for every rolled-up part.
  branches.push(`SELECT hour AS at, ${columns} FROM record_rollup_deltas WHERE ${within('hour', parts)}${dims}`);
  const bucket = `date_bin(${params.add(`${request.bucket.sizeMs} milliseconds`)}::interval, t.at, ${params.add(new Date(request.bucket.originMs))}::timestamptz)`;
  const groups = request.groupBy.map((column) => `t.${column}`);
  const source = `(${branches.join('\n UNION ALL ')}) t`;
  if (request.measure === 'records') {
    const sql = `SELECT ${[`${bucket} AS bucket`, ...groups].join(', ')}, sum(t.records)::bigint AS records
                 FROM ${source} GROUP BY ${[bucket, ...groups].join(', ')}`;
    return (await manager.query(sql, params.values)).map(toRow);
  }
  // Histograms are added up here: unnesting thousands of arrays into rows cost PostgreSQL ten times as much.
  const sql = `SELECT ${[`${bucket} AS bucket`, ...groups].join(', ')}, array_to_string(t.latency_hist, ',') AS hist
               FROM ${source} WHERE t.latency_hist IS NOT NULL`;
  const rows: (Record<string, unknown> & { hist: string })[] = await manager.query(sql, params.values);
  return histogramRows(rows, request.groupBy, await bucketValues(manager));
}

/** What each latency bucket stands for, as latency_bucket_value says (the rule lives in SQL); read once. */
let bucketValueTable: Promise<number[]> | null = null;
const MAX_BUCKET = 1023;

function bucketValues(manager: EntityManager): Promise<number[]> {
  bucketValueTable ??= manager
    .query(`SELECT array_agg(latency_bucket_value(b) ORDER BY b) AS v FROM generate_series(0, ${MAX_BUCKET}) b`)
    .then((rows: { v: number[] }[]) => rows[0].v.map(Number))
    .catch((error: unknown) => {
      bucketValueTable = null;
      throw error;
    });
  return bucketValueTable;
}

/** Adds up the histograms of rows of one bucket and group, and gives a row per latency bucket with records in it. */
function histogramRows(
  rows: (Record<string, unknown> & { hist: string })[],
  groupBy: readonly GroupColumn[],
  values: number[],
): AggregateRow[] {
  const sums = new Map<string, { row: Record<string, unknown>; counts: number[] }>();
  for (const row of rows) {
    const key = [new Date(row.bucket as string).getTime(), ...groupBy.map((column) => String(row[column]))].join('\u0000');
    let sum = sums.get(key);
    if (!sum) {
      sum = { row, counts: [] };
      sums.set(key, sum);
    }
    const counts = row.hist.split(',');
    for (let i = 0; i < counts.length; i++) sum.counts[i] = (sum.counts[i] ?? 0) + Number(counts[i]);
  }
  const result: AggregateRow[] = [];
  for (const { row, counts } of sums.values()) {
    const { hist: _hist, ...rest } = row;
    counts.forEach((count, i) => {
      if (count !== 0) result.push({ ...toRow({ ...rest, records: count }), latency: values[i] });
    });
  }
  return result;
}

function dimensionConditions(request: AggregateRequest, params: Params): string {
  const conditions: string[] = [];
  for (const [field, column] of RECORD_DIMENSIONS) {
    const values = request.filter?.[field];
    if (values != null) conditions.push(`${column}::text = ANY(${params.add(values)}::text[])`);
  }
  if (request.actor.tenantId !== null) conditions.push(`tenant_id = ${params.add(request.actor.tenantId)}`);
  return conditions.map((condition) => ` AND ${condition}`).join('');
}

async function fromRecords(manager: EntityManager, request: AggregateRequest, parts: Segment[]): Promise<AggregateRow[]> {
  const query = manager
    .createQueryBuilder(SyncRecord, 't')
    .select('date_bin(CAST(:size AS interval), t.started_at, CAST(:origin AS timestamptz))', 'bucket')
    .setParameters({ size: `${request.bucket.sizeMs} milliseconds`, origin: new Date(request.bucket.originMs) })
    // Each record once, by its original: attempts in retry runs are counted through the originals they update.
    .where('t.origin_record_id IS NULL');
  applyRecordFilter(query, 't', request.filter);
  visibleTo(query, 't', request.actor);
  const ranges = parts.map((_, i) => `(t.started_at >= :from_${i} AND t.started_at < :to_${i})`).join(' OR ');
  query.andWhere(
    `(${ranges})`,
    Object.fromEntries(
      parts.flatMap((part, i) => [
        [`from_${i}`, new Date(part.from)],
        [`to_${i}`, new Date(part.to)],
      ]),
    ),
  );
  for (const column of request.groupBy) query.addSelect(`t.${column}`, column);
  if (request.measure === 'latency') {
    query.addSelect('latency_bucket_value(latency_bucket(t.latency_ms))', 'latency').andWhere('t.latency_ms IS NOT NULL');
  }
  query.addSelect('count(*)', 'records').groupBy('1');
  const groupCount = request.groupBy.length + (request.measure === 'latency' ? 1 : 0);
  for (let i = 0; i < groupCount; i++) query.addGroupBy(String(i + 2));
  return (await query.getRawMany()).map(toRow);
}

function toRow(raw: Record<string, unknown>): AggregateRow {
  const row: AggregateRow = { ...(raw as object), bucket: new Date(raw.bucket as string | Date), records: Number(raw.records) };
  if ('latency' in raw) row.latency = Number(raw.latency);
  return row;
}

/** Adds up rows of the same bucket and group that came from different sources. */
function merge(rows: AggregateRow[], groupBy: readonly GroupColumn[]): AggregateRow[] {
  const keyColumns: (keyof AggregateRow)[] = [...groupBy, 'latency'];
  const merged = new Map<string, AggregateRow>();
  for (const row of rows) {
    const key = [row.bucket.getTime(), ...keyColumns.map((column) => String(row[column]))].join('\u0000');
    const existing = merged.get(key);
    if (existing) existing.records += row.records;
    else merged.set(key, { ...row });
  }
  return [...merged.values()].filter((row) => row.records !== 0);
}
