// One aggregate over records in a window, cut into output buckets, answered from the cheapest source for each
// part: the smallest rollup cube that has the needed columns (with the deltas not folded into it yet) for whole
// days and hours, the records themselves for the minutes at the edges and for filters no rollup keeps.
// Everything is read in one snapshot, so a fold running meanwhile neither hides nor doubles a count.
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../../domain/actor.js';
import {
  type AggregatePlan,
  alignDown,
  type Bucketing,
  DAY_MS,
  intersect,
  planAggregate,
  type Window,
} from '../../domain/analytics-range.js';
import type { RecordOperation, RecordStatus, SyncMode } from '../../domain/enums.js';
import { checkRecordFilter } from '../../domain/filter-rules.js';
import type { HistogramBin } from '../../domain/latency-histogram.js';
import { type Cube, cubeFor, type RollupColumn } from '../../domain/rollup-cubes.js';
import {
  BUCKET_VALUES_SQL,
  ROLLUP_ALIAS,
  recordBucketsSql,
  rollupCellsSql,
  rollupCountsSql,
  rollupSumsSql,
  sourcesSql,
  unfoldedDeltasSql,
} from '../../sql/rollups.js';
import { preparedRecordConditions, preparedRollupConditions, RECORD_DIMENSIONS, type RecordFilter } from '../lists/filters.js';

/** Columns an aggregate may be grouped by besides its time bucket. */
export type GroupColumn = Extract<RollupColumn, 'status' | 'entity_type' | 'operation' | 'mode'>;

export interface AggregateRequest {
  actor: Actor;
  filter: RecordFilter | null | undefined;
  window: Window;
  /** Output buckets: `originMs + k × sizeMs`. */
  bucket: Bucketing;
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

/** Whether the rollups keep every field the filter names, so an aggregate over whole hours reads no records. */
export const rollupsKeep = (filter: RecordFilter | null | undefined): boolean =>
  !RAW_ONLY_FIELDS.some((field) => hasValue(filter?.[field]));

export async function aggregate(db: DataSource, request: AggregateRequest): Promise<AggregateRow[]> {
  checkRecordFilter(request.filter);
  const window = intersect(request.window, request.filter?.startedAt);
  if (!window) return [];
  const rawOnly = !rollupsKeep(request.filter);
  const plan = planAggregate(window, rawOnly ? [] : request.sources, request.bucket);
  const rows = await readPlan(db.manager, request, plan);
  const cells = new Map(plan.cells.map((cell) => [`${cell.tier}:${cell.start}`, cell.contributions]));
  const sums = new Sums(request.groupBy);
  sums.add(rows, (row) => {
    const at = row.at.getTime();
    // Records by the range they were read from.
    if (row.part != null) {
      const range = plan.raw[row.part];
      return range.own ? [{ bucket: at, sign: 1 }] : range.contributions;
    }
    // Rollups summed per output bucket and sign.
    if (row.tier == null) return [{ bucket: at, sign: Number(row.sign) }];
    // Rollups counted per cell: a folded row where the plan put its cell, a delta (an hour) where its hour and its day count.
    if (row.tier !== 'delta') return cells.get(`${row.tier}:${at}`) ?? [];
    return [...(cells.get(`hour:${at}`) ?? []), ...(cells.get(`day:${alignDown(at, DAY_MS)}`) ?? [])];
  });
  return sums.rows(request.latency ? await bucketValues(db.manager) : null);
}

/**
 * Every part of the plan in one statement: one snapshot (the fold moves deltas into rollups in a transaction of its
 * own, and a second statement could see a fold the first did not) without a transaction's three more round trips.
 */
async function readPlan(manager: EntityManager, request: AggregateRequest, plan: AggregatePlan): Promise<SourceRow[]> {
  const params = new Params();
  const cube = cubeFor(neededColumns(request));
  const rollups = plan.cells.length > 0 ? rollupRead(params, request, cube, plan.cells) : null;
  const records = plan.raw.length > 0 ? recordBuckets(params, request, plan.raw) : null;
  if (!rollups && !records) return [];
  const statement = (length: number) =>
    sourcesSql({ rollups: rollups?.(length) ?? null, records, groupBy: request.groupBy, latency: request.latency });
  if (!request.latency || !rollups) return readRows(manager, statement(histogramLength), params.values);
  // The statement names every histogram element it adds up, so it is written for a length; a longer histogram than
  // any met so far (slower records than ever) runs it again at that length, which then stays.
  for (;;) {
    const length = histogramLength;
    const rows = await readRows(manager, statement(length), params.values);
    const longest = Math.max(0, ...rows.map((row) => Number(row.hist_length ?? 0)));
    if (longest <= length) return rows;
    histogramLength = Math.max(histogramLength, Math.ceil(longest / 16) * 16);
  }
}

async function readRows(manager: EntityManager, sql: string, values: unknown[]): Promise<SourceRow[]> {
  const rows: SourceRow[] = await manager.query(sql, values);
  return rows.map((row) => ({ ...row, at: new Date(row.at), part: row.part == null ? null : Number(row.part) }));
}

const hasValue = (value: unknown) => value !== undefined && value !== null && value !== '';

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

/**
 * The statement reading the cells' rollup rows and the deltas not folded into them yet, for a histogram length. With
 * the latency measure, summed per output bucket and sign (a few hundred to a few thousand rows, each with a histogram,
 * become one a bucket and group); without, counted per cell, each mapped to its buckets afterwards.
 */
function rollupRead(
  params: Params,
  request: AggregateRequest,
  cube: Cube,
  cells: AggregatePlan['cells'],
): (histogramLength: number) => string {
  const dims = preparedRollupConditions(ROLLUP_ALIAS, request.actor, request.filter, { values: params.values }).conditions;
  const cubeName = params.add(cube.name);
  const branches = (group: readonly AggregatePlan['cells'][number][]): string[] => {
    const starts = { day: [] as Date[], hour: [] as Date[] };
    for (const cell of group) starts[cell.tier].push(new Date(cell.start));
    const result: string[] = [];
    for (const tier of ['day', 'hour'] as const) {
      if (starts[tier].length > 0) result.push(rollupCellsSql(tier, cubeName, params.add(starts[tier]), dims));
    }
    // Changes not folded yet, in every hour and day read.
    result.push(unfoldedDeltasSql(params.add(starts.hour), params.add(starts.day), dims));
    return result;
  };
  if (!request.latency) {
    const sql = rollupCountsSql(branches(cells), request.groupBy);
    return () => sql;
  }
  // The cells by where they count: a cell counted into two buckets is read for each.
  const byTarget = new Map<string, { bucket: number; sign: number; cells: AggregatePlan['cells'] }>();
  for (const cell of cells) {
    for (const { bucket, sign } of cell.contributions) {
      const key = `${bucket}:${sign}`;
      const target = byTarget.get(key) ?? { bucket, sign, cells: [] };
      target.cells.push(cell);
      byTarget.set(key, target);
    }
  }
  const reads = [...byTarget.values()].map(({ bucket, sign, cells: group }) => ({
    bucket: params.add(new Date(bucket)),
    sign: params.add(sign),
    branches: branches(group),
  }));
  return (histogramLength) => rollupSumsSql(reads, request.groupBy, histogramLength);
}

/**
 * How long the histograms summed are written for: buckets up to 4 s (latency_bucket 159), longer when a read meets
 * longer ones. Each element costs the statement a sum over every row it reads, so it is not made longer than needed.
 */
let histogramLength = 160;

/** What each latency bucket stands for, as latency_bucket_value says (the rule lives in SQL); read once. */
let bucketValueTable: Promise<number[]> | null = null;
const MAX_BUCKET = 1023;

function bucketValues(manager: EntityManager): Promise<number[]> {
  bucketValueTable ??= manager
    .query(BUCKET_VALUES_SQL, [MAX_BUCKET])
    .then((rows: { v: number[] }[]) => rows[0].v.map(Number))
    .catch((error: unknown) => {
      bucketValueTable = null;
      throw error;
    });
  return bucketValueTable;
}

/**
 * A row of either source: a count at a time (`at`) and group. From rollups (`part` null) either counted per cell (its
 * `tier`, `at` its start) or, with the latency measure, summed per output bucket and `sign` (added or taken off) with
 * their histograms added up (`hist`, comma-separated counts by latency bucket). From records: a record's bucket and
 * the raw range it was read from (`part`), with the latency measure one latency bucket (`lb`).
 */
type SourceRow = Record<string, unknown> & {
  at: Date;
  tier?: 'day' | 'hour' | 'delta' | null;
  sign?: number | null;
  records: string | number;
  hist?: string | null;
  hist_length?: number | null;
  lb?: number | null;
  part?: number | null;
};

/** Adds up the rows of every source by output bucket and group: counts, and histograms as dense arrays. */
class Sums {
  private readonly groups = new Map<string, { bucket: number; row: SourceRow; records: number; counts: number[] }>();

  constructor(private readonly groupBy: readonly GroupColumn[]) {}

  /** Adds each row to the buckets `targets` names, negated where its sign is −1. */
  add<Row extends SourceRow>(rows: Row[], targets: (row: Row) => { bucket: number; sign: number }[]): void {
    for (const row of rows) {
      const records = Number(row.records);
      const counts = row.hist ? row.hist.split(',') : null;
      for (const { bucket, sign } of targets(row)) {
        let key = String(bucket);
        for (const column of this.groupBy) key += `\u0000${row[column]}`;
        let sum = this.groups.get(key);
        if (!sum) {
          sum = { bucket, row, records: 0, counts: [] };
          this.groups.set(key, sum);
        }
        sum.records += sign * records;
        if (row.lb != null) sum.counts[row.lb] = (sum.counts[row.lb] ?? 0) + sign * records;
        if (counts) {
          for (let i = 0; i < counts.length; i++) {
            const count = +counts[i];
            if (count !== 0) sum.counts[i] = (sum.counts[i] ?? 0) + sign * count;
          }
        }
      }
    }
  }

  /** One row per bucket and group with records; with `values`, its histogram by what each latency bucket stands for. */
  rows(values: number[] | null): AggregateRow[] {
    const result: AggregateRow[] = [];
    for (const { bucket, row, records, counts } of this.groups.values()) {
      if (records === 0) continue;
      const out: AggregateRow = { bucket: new Date(bucket), records };
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

/** The statement counting the records of the plan's raw ranges. */
function recordBuckets(params: Params, request: AggregateRequest, ranges: AggregatePlan['raw']): string {
  const { conditions } = preparedRecordConditions('t', request.actor, request.filter, { values: params.values });
  return recordBucketsSql({
    size: params.add(`${request.bucket.sizeMs} milliseconds`),
    origin: params.add(new Date(request.bucket.originMs)),
    conditions,
    // Which range a record was read from: the plan says where its records count.
    ranges: ranges.map((range) => ({ from: params.add(new Date(range.from)), to: params.add(new Date(range.to)) })),
    groupBy: request.groupBy,
    latency: request.latency,
  });
}
