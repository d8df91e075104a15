import type { DataSource } from 'typeorm';
import { type Actor, sees } from '../../domain/actor.js';
import { alignDown, alignUp, DAY_MS, HOUR_MS } from '../../domain/analytics-range.js';
import { RecordSortField, SortDirection } from '../../domain/enums.js';
import { groupBy } from '../../domain/group-by.js';
import { isSerialId, isUuid, MAX_IDS } from '../../domain/ids.js';
import { RecordAttempt } from '../../entities/RecordAttempt.js';
import { SyncRecord } from '../../entities/SyncRecord.js';
import { OLDEST_RECORD_SQL, RUNS_CREATED_SQL } from '../../sql/lists.js';
import { dayOfPartition } from '../../sql/partitions.js';
import {
  dayBoundsOf,
  inKeyBounds,
  inRunsPartitions,
  KEYS_STARTED_SINCE_SQL,
  keyBoundsOf,
  RECORD_PARTITION_KEY,
  RECORD_TABLES,
} from '../../sql/record-partitions.js';
import { aggregate, rollupsKeep } from '../analytics/rollup-query.js';
import { type BoundedCount, countOnce } from './bounded-count.js';
import { asksForAttempts, namesOnly, type PreparedConditions, preparedRecordConditions, type RecordFilter } from './filters.js';
import {
  keysetPage,
  keysetPageOfFew,
  keysetPages,
  type NarrowerRead,
  NEWEST_MARGIN,
  type Page,
  type PlanNode,
  plannedRowsByRelation,
  type SortKey,
} from './keyset.js';
import { inOneSnapshot, listStatement, type RunListStatement } from './list-statements.js';
import { RecordLayout } from './record-layout.js';

/** One page of one run's records, as SyncRun.records asks for it. */
export interface RunRecordsRequest {
  runId: string;
  filter: RecordFilter | null | undefined;
  first: number;
  after: string | null | undefined;
  /** The record properties to read (undefined: all of them). */
  columns?: readonly string[];
  /** When the run was created (its records' partition key), if the caller has it. */
  runCreatedAt?: Date;
}

export interface RecordOrder {
  field: RecordSortField;
  direction: SortDirection;
}

const SORT_KEYS: Record<RecordSortField, SortKey> = {
  STARTED_AT: { field: 'STARTED_AT', expression: 'rec.started_at', type: 'timestamptz' },
  ENDED_AT: { field: 'ENDED_AT', expression: 'rec.ended_sort', type: 'timestamptz' },
  LATENCY: { field: 'LATENCY', expression: 'rec.latency_sort', type: 'integer' },
};

export const DEFAULT_RECORD_ORDER: RecordOrder = { field: RecordSortField.STARTED_AT, direction: SortDirection.DESC };

/**
 * A source-id search's matches are read first when at most this many (keysetPageOfFew): found by the trigram index
 * and sorted, where a walk of each day's order index until that day's first match took 0.8 s at 10M records for a
 * search matching 5,000. Past it (a broad search, whose matches a walk finds at once) the walk reads the page.
 */
const FEW_MATCHES = 10_000;

/**
 * Whether a records list may be one of few matches: a source-id search with no other filter than pipelines and
 * tenants. Another filter (statuses, a time range, runs…) gives the walk an index of its own that finds the matches
 * soon: the matches read first took 40–80 ms there, against 10–25 ms for the walk at 10M records.
 */
const searchesFew = (filter: RecordFilter | null | undefined): boolean =>
  !!filter?.sourceId?.trim() && namesOnly(filter, ['sourceId', 'pipelineIds', 'tenantIds']);

/**
 * A search's newest matches, newest first (FewMatches.newest): the records started since the start of the newest
 * days that PostgreSQL expects to hold NEWEST_MARGIN pages of matches (its estimate per day of the search over
 * every day), in the days holding records started since then only (records_keys_started_since, read first with
 * `run`, in the snapshot the search then reads in: taken as values, they let PostgreSQL plan those days only). Null
 * when that takes every day, or records are not partitioned.
 */
async function newestDays(
  plan: PlanNode,
  wanted: number,
  next: number,
  keyless: boolean,
  run: RunListStatement,
): Promise<NarrowerRead | null> {
  const days = [...plannedRowsByRelation(plan)]
    .map(([partition, rows]) => ({ day: dayOfPartition(RECORD_TABLES.records, partition), rows }))
    .filter((estimate): estimate is { day: Date; rows: number } => estimate.day !== null)
    .sort((a, b) => b.day.getTime() - a.day.getTime());
  let expected = 0;
  for (const [i, { day, rows }] of days.entries()) {
    expected += rows;
    if (expected < NEWEST_MARGIN * wanted) continue;
    if (i === days.length - 1) return null;
    const [{ keys }] = await run(KEYS_STARTED_SINCE, [[day]]);
    const [key] = keys as unknown[];
    // 'infinity' (nothing started since) or '-infinity' (not partitioned) come back as numbers: no days to read.
    if (!(key instanceof Date)) return null;
    const inDays = inKeyBounds('rec', `$${next + 1}::timestamptz`, "'infinity'::timestamptz", keyless);
    return {
      conditions: [`rec.started_at >= $${next}::timestamptz`, inDays],
      rowConditions: [inDays],
      values: [day, key],
      shapeKey: `newest days|${keyless}`,
    };
  }
  return null;
}

/** KEYS_STARTED_SINCE_SQL as a list statement (newestDays and list() run it in the snapshot they then read in). */
const KEYS_STARTED_SINCE = listStatement('keys started since', () => KEYS_STARTED_SINCE_SQL);

/**
 * The bound records_keys_started_since gave, as a value to bind: 'infinity' (nothing started since) comes back as a
 * number, and bounds the read to no day; '-infinity' (records not partitioned) to none.
 */
function startedKeyOf(key: unknown): Date | undefined {
  if (key instanceof Date) return key;
  return key === Number.POSITIVE_INFINITY ? LAST_DATE : undefined;
}

/** The latest time a Date holds: a bound after every day (PostgreSQL's timestamps reach further). */
const LAST_DATE = new Date(8.64e15);

/** Reads records and their history, always within what the actor may see. */
export class RecordQueryService {
  private readonly layout: RecordLayout;

  constructor(private readonly db: DataSource) {
    this.layout = new RecordLayout(db);
  }

  async list(
    actor: Actor,
    filter: RecordFilter | null | undefined,
    order: RecordOrder | null | undefined,
    first: number,
    after?: string | null,
    /** Properties the caller reads (the id always comes); undefined: all. */
    columns?: readonly string[],
  ): Promise<Page<SyncRecord>> {
    const { field, direction } = order ?? DEFAULT_RECORD_ORDER;
    const [keyless, keyBounds] = await Promise.all([this.layout.keylessRows(), this.keyBoundsOfRuns(filter?.runIds)]);
    const sort = SORT_KEYS[field];
    const listOf = (startedKey?: Date) => ({
      db: this.db,
      entity: SyncRecord,
      alias: 'rec',
      where: preparedRecordConditions('rec', actor, filter, { keyless, keyBounds, startedKey }),
    });
    const since = filter?.startedAt?.from;
    // (Runs named by the filter bound the days already.)
    if (since && !keyBounds) {
      // The days holding records started since, read first and in the page's snapshot: a record of a long run's old
      // day committed in between is not left out of the page. (A source-id search with a time range is walked.)
      const page = await inOneSnapshot(this.db, async (run) => {
        const [{ keys }] = await run(KEYS_STARTED_SINCE, [[since]]);
        return keysetPage(listOf(startedKeyOf((keys as unknown[])[0])), sort, direction, first, after, isSerialId, columns, run);
      });
      return { ...page, count: countOnce(() => this.countPastCap(actor, filter, page.count)) };
    }
    const list = listOf();
    const few = searchesFew(filter)
      ? await keysetPageOfFew(list, sort, direction, first, after, isSerialId, columns, {
          cap: FEW_MATCHES,
          rowKey: keyless ? ['id'] : ['id', RECORD_PARTITION_KEY],
          newest:
            field === RecordSortField.STARTED_AT && direction === SortDirection.DESC
              ? (plan, wanted, next, run) => newestDays(plan, wanted, next, keyless, run)
              : undefined,
        })
      : null;
    const page = few ?? (await keysetPage(list, sort, direction, first, after, isSerialId, columns));
    return { ...page, count: countOnce(() => this.countPastCap(actor, filter, page.count)) };
  }

  /**
   * The partition key's bounds of the records of runs `runIds` (a filter's), read from the runs: one probe of their
   * index, against planning every day's ~20 indexes (docs/scaling.md). Undefined (no bounds: every day) unless every
   * id names a run found: one not found (unknown, or not yet on a lagging replica this read went to) must not narrow
   * the days of the others' read. A list the filter refuses (too many ids) is refused afterwards, as before.
   */
  private async keyBoundsOfRuns(runIds: readonly string[] | null | undefined): Promise<[Date, Date] | undefined> {
    const ids = new Set(runIds ?? []);
    if (ids.size === 0 || ids.size > MAX_IDS || ![...ids].every(isUuid)) return undefined;
    const runs: { created_at: Date }[] = await this.db.query(RUNS_CREATED_SQL, [[...ids]]);
    return runs.length === ids.size ? keyBoundsOf(runs.map((run) => run.created_at)) : undefined;
  }

  /**
   * Past the exact count's cap, the hourly rollups' count of the filter when they keep all it names (an estimate: they
   * also count records retention has purged since, and the records list's attempts are not in them); else "more than".
   */
  private async countPastCap(
    actor: Actor,
    filter: RecordFilter | null | undefined,
    exactly: () => Promise<BoundedCount>,
  ): Promise<BoundedCount> {
    if (!rollupsKeep(filter) || asksForAttempts(filter)) return exactly();
    // Where the history starts is read beside the exact count, not after it: one round trip fewer past the cap. It is
    // only waited for past the cap; under it, its failure is no count's.
    const history = this.db.query(OLDEST_RECORD_SQL) as Promise<{ at: Date | null }[]>;
    history.catch(() => {});
    const counted = await exactly();
    if (counted.exact) return counted;
    const [oldest] = await history;
    if (!oldest.at) return counted;
    // Whole hours, from the oldest record's to a day past now (a worker's clock ahead of ours reports records that
    // start in the future): the rollups alone answer, in one statement, with no records read at the edges.
    const window = { from: new Date(alignDown(oldest.at.getTime(), HOUR_MS)), to: new Date(alignUp(Date.now() + DAY_MS, HOUR_MS)) };
    const rows = await aggregate(this.db, {
      actor,
      filter,
      window,
      bucket: { sizeMs: window.to.getTime() - window.from.getTime(), originMs: window.from.getTime() },
      sources: ['day', 'hour'],
      groupBy: [],
      latency: false,
    });
    const estimate = rows.reduce((sum, row) => sum + Number(row.records), 0);
    return { value: Math.max(counted.value, estimate), exact: false };
  }

  /**
   * Pages of many runs' records (SyncRun.records under a list of runs): one query for all the runs that ask with the
   * same filter and page size, each run continuing after its own cursor. Each page is what list() gives for
   * `{ ...filter, runIds: [run] }`, in the default order. Returns an Error in place of a page whose request is bad.
   */
  async runPages(actor: Actor, requests: readonly RunRecordsRequest[]): Promise<(Page<SyncRecord> | Error)[]> {
    const results: (Page<SyncRecord> | Error)[] = new Array(requests.length);
    const keyless = await this.layout.keylessRows();
    const groups = groupBy(
      requests.map((request, index) => ({ request, index })),
      ({ request }) => JSON.stringify([request.filter ?? null, request.first, request.columns ?? null]),
    );
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const { filter, first, columns } = group[0].request;
        // The runs' creation, when every request brings it (a page of runs does), bounds the days planned.
        const created = group.map(({ request }) => request.runCreatedAt);
        const keyBounds = created.every((at) => at instanceof Date) ? dayBoundsOf(created as Date[]) : undefined;
        const list = {
          db: this.db,
          entity: SyncRecord,
          alias: 'rec',
          partitionColumn: 'run_id',
          where: (run: string) => preparedRecordConditions('rec', actor, filter, { runOf: run, keyless, keyBounds }),
          // The rows read by id keep within those days too (the same condition on the same values).
          rowsWhere: (runs: string, where: PreparedConditions) => [
            inRunsPartitions('rec', runs, keyless),
            ...(where.keyCondition ? [where.keyCondition] : []),
          ],
        };
        const { field, direction } = DEFAULT_RECORD_ORDER;
        const pages = group.map(({ request }) => ({ partition: request.runId, after: request.after }));
        try {
          const answers = await keysetPages(list, SORT_KEYS[field], direction, first, pages, isSerialId, columns);
          group.forEach(({ index }, i) => {
            results[index] = answers[i];
          });
        } catch (error) {
          for (const { index } of group) results[index] = error as Error;
        }
      }),
    );
    return results;
  }

  async find(actor: Actor, id: string): Promise<SyncRecord | null> {
    if (!isSerialId(id)) return null;
    const record = await this.db.getRepository(SyncRecord).findOneBy({ id });
    if (!record || !sees(actor, record.tenantId)) return null;
    return record;
  }

  /**
   * Earlier attempts of many records, for DataLoader: one query, oldest attempt first. Attempts lie in their record's
   * partition: when the day of every record asked is known, only the days from the first to the last are read (one for
   * the records of one run).
   */
  async earlierAttempts(records: readonly AttemptsOf[]): Promise<RecordAttempt[][]> {
    const query = this.db
      .getRepository(RecordAttempt)
      .createQueryBuilder('a')
      .where('a.record_id IN (:...ids)', { ids: records.map((record) => record.recordId) })
      .orderBy('a.attempt', 'ASC');
    const days = records.map((record) => record.runCreatedAt);
    if (days.every((day) => day instanceof Date)) {
      // Rows come by record id; the bounds only keep the other days out of the plan.
      const [from, to] = keyBoundsOf(days as Date[]);
      query.andWhere(inKeyBounds('a', ':from', ':to'), { from, to });
    }
    const rows = await query.getMany();
    const byRecord = groupBy(rows, (row) => row.recordId);
    return records.map((record) => byRecord.get(record.recordId) ?? []);
  }
}

/** Whose earlier attempts to read: a record, and its partition's key when known (null: every day is looked in). */
export interface AttemptsOf {
  recordId: string;
  runCreatedAt: Date | null;
}

/** The attempt a record is on now, shaped like the archived ones. */
export function currentAttempt(record: SyncRecord): RecordAttempt {
  return Object.assign(new RecordAttempt(), {
    recordId: record.id,
    attempt: record.attempts,
    runId: record.attemptRunId ?? record.runId,
    status: record.reportedStatus ?? record.status,
    errorCode: record.errorCode,
    errorMessage: record.errorMessage,
    startedAt: record.startedAt,
    endedAt: record.endedAt,
    latencyMs: record.latencyMs,
    runCreatedAt: record.runCreatedAt,
  });
}
