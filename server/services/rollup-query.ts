// One aggregate over records in a window, cut into output buckets, answered from the cheapest source for each
// part: the smallest rollup cube that has the needed columns (with the deltas not folded into it yet) for whole
// days and hours, the records themselves for the minutes at the edges and for filters no rollup keeps.
// Everything is read in one snapshot, so a fold running meanwhile neither hides nor doubles a count.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import { intersect, type Segment, segments, type Window } from '../domain/analytics-range.js';
import type { RecordOperation, RecordStatus, SyncMode } from '../domain/enums.js';
import type { HistogramBin } from '../domain/latency-histogram.js';
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
  /** Also each row's latency histogram (records without a latency are counted but left out of it). */
  latency: boolean;
}

/** The records of one output bucket and group. */
export interface AggregateRow {
  bucket: Date;
  records: number;
  status?: RecordStatus;
  entity_type?: string;
  operation?: RecordOperation;
  mode?: SyncMode;
  /** With `latency`: how many records fell in each latency bucket, by the latency the bucket stands for. */
  latency?: HistogramBin[];
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
    const sums = new Sums(request.groupBy);
    if (rollupParts.length > 0) sums.add(await fromRollups(manager, request, cubeFor(neededColumns(request)), rollupParts));
    if (rawParts.length > 0) sums.add(await fromRecords(manager, request, rawParts));
    return sums.rows(request.latency ? await bucketValues(manager) : null);
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

async function fromRollups(manager: EntityManager, request: AggregateRequest, cube: Cube, parts: Segment[]): Promise<SourceRow[]> {
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
  if (!request.latency) {
    const sql = `SELECT ${[`${bucket} AS bucket`, ...groups].join(', ')}, sum(t.records)::bigint AS records
                 FROM ${source} GROUP BY ${[bucket, ...groups].join(', ')}`;
    return manager.query(sql, params.values);
  }
  // Histograms are added up here (Sums): unnesting thousands of arrays into rows cost PostgreSQL ten times as much.
  const sql = `SELECT ${[`${bucket} AS bucket`, ...groups].join(', ')}, t.records, array_to_string(t.latency_hist, ',') AS hist FROM ${source}`;
  return manager.query(sql, params.values);
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

/**
 * A row of either source: a count for a bucket and group, and with the latency measure either a rollup's whole
 * histogram (`hist`, comma-separated counts by latency bucket) or, from raw records, one latency bucket (`lb`).
 */
type SourceRow = Record<string, unknown> & { bucket: string | Date; records: string | number; hist?: string | null; lb?: number | null };

/** Adds up the rows of every source by output bucket and group: counts, and histograms as dense arrays. */
class Sums {
  private readonly groups = new Map<string, { row: SourceRow; records: number; counts: number[] }>();

  constructor(private readonly groupBy: readonly GroupColumn[]) {}

  add(rows: SourceRow[]): void {
    for (const row of rows) {
      const bucket = row.bucket instanceof Date ? row.bucket.getTime() : new Date(row.bucket).getTime();
      const key =
        this.groupBy.length === 0 ? String(bucket) : [bucket, ...this.groupBy.map((column) => String(row[column]))].join('\u0000');
      let sum = this.groups.get(key);
      if (!sum) {
        sum = { row, records: 0, counts: [] };
        this.groups.set(key, sum);
      }
      const records = Number(row.records);
      sum.records += records;
      if (row.lb != null) sum.counts[row.lb] = (sum.counts[row.lb] ?? 0) + records;
      if (row.hist) {
        const counts = row.hist.split(',');
        for (let i = 0; i < counts.length; i++) {
          const count = +counts[i];
          if (count !== 0) sum.counts[i] = (sum.counts[i] ?? 0) + count;
        }
      }
    }
  }

  /** One row per bucket and group with records; with `values`, its histogram by what each latency bucket stands for. */
  rows(values: number[] | null): AggregateRow[] {
    const result: AggregateRow[] = [];
    for (const { row, records, counts } of this.groups.values()) {
      if (records === 0) continue;
      const out: AggregateRow = { bucket: new Date(row.bucket), records };
      for (const column of this.groupBy) (out as unknown as Record<string, unknown>)[column] = row[column];
      if (values) {
        out.latency = [];
        counts.forEach((count, i) => {
          if (count) out.latency?.push({ value: values[i], count });
        });
      }
      result.push(out);
    }
    return result;
  }
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

async function fromRecords(manager: EntityManager, request: AggregateRequest, parts: Segment[]): Promise<SourceRow[]> {
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
  // NULL for records without a latency: counted, left out of the histogram.
  if (request.latency) query.addSelect('latency_bucket(t.latency_ms)', 'lb');
  query.addSelect('count(*)', 'records').groupBy('1');
  const groupCount = request.groupBy.length + (request.latency ? 1 : 0);
  for (let i = 0; i < groupCount; i++) query.addGroupBy(String(i + 2));
  return query.getRawMany();
}
