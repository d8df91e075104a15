// The partitioned layout of records and record attempts (docs/scaling.md, "Records and attempts"): the one spelling
// of their tables, keys, indexes and statistics, for migration 2900 (which makes them) and for an installation that
// had records (made beside the old tables as `*_partitioned`, copied into and swapped in later). Both tables are
// partitioned by `run_created_at`, a copy of the creation time of the record's run: a run's records and their
// attempts share one partition, and the key never changes (a queued run has no start yet, a backfilled run reports
// a start in the past).
//
// Names: every index, constraint and statistics object is `<table>_<suffix>`, so the tables made beside take
// `records_partitioned_<suffix>` and the swap renames them to the final `records_<suffix>`
// (renameRecordTablesSql). Partitions are named after the final tables from the start (`records_default`,
// `records_pYYYYMMDD`): nothing of the old layout has those names, and no swap has to rename them.
import { DAY_MS } from '../domain/analytics-range.js';
import { startOfUtcDay } from './partitions.js';

/** The two tables of the layout. */
export interface RecordTableNames {
  records: string;
  attempts: string;
}

/** The final names. */
export const RECORD_TABLES: RecordTableNames = { records: 'records', attempts: 'record_attempts' };

/** Where an installation with records gets the partitioned tables until its copy is swapped in. */
export const RECORD_TABLES_BESIDE: RecordTableNames = { records: 'records_partitioned', attempts: 'record_attempts_partitioned' };

/** The partition key of both tables. */
export const RECORD_PARTITION_KEY = 'run_created_at';

/** The unique constraint every upsert of records names (`ON CONFLICT ON CONSTRAINT`), the same in both layouts. */
export const RECORDS_UPSERT_KEY = 'records_run_entity_source';

/** The unique constraint of an attempt's number, named as the unpartitioned table's (PostgreSQL's default name). */
export const ATTEMPTS_UPSERT_KEY = 'record_attempts_record_id_attempt_key';

/**
 * The records' secondary indexes (suffix → definition): those migrations 0000 to 1700 made on the old table, and those
 * added since to the partitioned one (laterRecordIndexSql).
 */
const RECORDS_INDEXES: [string, string][] = [
  ['run_started', '(run_id, started_at, id)'],
  ['started', '(started_at, id)'],
  ['status_started', "(status, started_at, id) WHERE status <> 'SUCCESS'"],
  ['pipeline_started', '(pipeline_id, started_at, id)'],
  ['source_trgm', 'USING gin (lower(source_id) gin_trgm_ops)'],
  ['fingerprint_started', '(error_fingerprint, started_at, id) WHERE error_fingerprint IS NOT NULL'],
  ['retry_due', '(next_retry_at) WHERE next_retry_at IS NOT NULL'],
  ['origin', '(origin_record_id) WHERE origin_record_id IS NOT NULL'],
  ['dead_letters', "(pipeline_id) WHERE status = 'DEAD_LETTERED' AND origin_record_id IS NULL"],
  [
    'failures_started',
    '(started_at) INCLUDE (error_fingerprint, run_id, status, tenant_id, pipeline_id) WHERE error_fingerprint IS NOT NULL AND origin_record_id IS NULL',
  ],
  ['ended', '(ended_sort, id)'],
  // A pipeline's records by end (migration 2970): on `ended` alone, each day was walked past the other pipelines'
  // runs, thousands of entries a day, to its first match (61 ms at 10M records, against 1 ms).
  ['pipeline_ended', '(pipeline_id, ended_sort, id)'],
  ['latency', '(latency_sort, id)'],
  ['status_latency', "(status, latency_sort, id) WHERE status <> 'SUCCESS'"],
  ['error_code_started', '(error_code, started_at, id) WHERE error_code IS NOT NULL'],
  ['error_code_latency', '(error_code, latency_sort, id) WHERE error_code IS NOT NULL'],
  ['tenant_started', '(tenant_id, started_at, id)'],
  ['retry_started', "(started_at, id) WHERE mode = 'RETRY'"],
  ['run_problems', "(run_id, status, started_at, id) WHERE status <> 'SUCCESS'"],
  [
    'failures_pipeline_started',
    '(pipeline_id, started_at) INCLUDE (error_fingerprint, run_id, status, tenant_id) WHERE error_fingerprint IS NOT NULL AND origin_record_id IS NULL',
  ],
];

/** Constraints (suffix → definition) of each table; the unique keys carry the partition key, as PostgreSQL requires. */
const RECORDS_CONSTRAINTS: [string, string][] = [
  ['pkey', 'PRIMARY KEY (id, run_created_at)'],
  ['run_entity_source', 'UNIQUE (run_id, entity_type, source_id, run_created_at)'],
];
const ATTEMPTS_CONSTRAINTS: [string, string][] = [
  ['pkey', 'PRIMARY KEY (id, run_created_at)'],
  ['record_id_attempt_key', 'UNIQUE (record_id, attempt, run_created_at)'],
];
const RECORDS_STATISTICS: [string, string][] = [['status_error_code', '(dependencies) ON status, error_code']];

/**
 * `condition` on the partition key of `alias`, or, while rows without a key may exist (`keyless`: an upgrade's old
 * table, see inRunPartition), such a row.
 */
export const orKeyless = (alias: string, condition: string, keyless = true) =>
  keyless ? `(${condition} OR ${alias}.run_created_at IS NULL)` : `(${condition})`;

/**
 * Confines `alias` (records or record attempts) to the partition of run `runId` (an SQL expression: a placeholder, a
 * lateral column): its creation time, read as the statement runs, lets PostgreSQL prune every other day when the
 * executor starts (or at each loop of a lateral join). Rows of the old, unpartitioned table written before migration
 * 2900 have no run_created_at until the copy swaps the partitioned tables in (it writes the key there only), so a
 * row without one is taken too (docs/scaling.md, "Records and attempts"): on the partitioned tables, whose key is
 * never null, that adds a probe of the default partition, the only one a null could route to; and PostgreSQL then
 * estimates a run's rows as one in hundreds of the run's (the OR hides that the run decides its key from the
 * dependency statistics, recordPartitionStatisticsSql), so a run's page read its whole run and sorted it. A caller
 * that knows the records are partitioned (RecordLayout) passes `keyless` false.
 */
export const inRunPartition = (alias: string, runId: string, keyless = true) => {
  const inDay = `${alias}.run_created_at = (SELECT run_of.created_at FROM runs run_of WHERE run_of.id = ${runId})`;
  return orKeyless(alias, inDay, keyless);
};

/**
 * The partition key's bounds for runs created at `createdAt` as Dates hold it: a millisecond before the earliest and
 * after the latest (a Date keeps milliseconds of PostgreSQL's microseconds; the margin holds however they were cut).
 * Passed as values of a statement that also confines rows to those runs exactly, they let PostgreSQL prune the other
 * days while it plans:
 * a key read by a sub-select prunes only as the statement runs, after every day's ~20 indexes were planned (the
 * upsert of a report planned in 5.4 ms at 34 days, 0.9 ms with the bounds).
 */
export function keyBoundsOf(createdAt: readonly Date[]): [Date, Date] {
  if (createdAt.length === 0) throw new Error('keyBoundsOf: no run');
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const date of createdAt) {
    first = Math.min(first, date.getTime());
    last = Math.max(last, date.getTime());
  }
  return [new Date(first - 1), new Date(last + 1)];
}

/**
 * keyBoundsOf widened to the whole UTC days (the partitions) the runs were created in: the same days pruned, and
 * bounds PostgreSQL counts as keeping every row of those days. For runs' own pages, where the run alone estimates its
 * rows (the dependency statistics of run and key): a tighter bound was counted as its share of the day besides, 38 of
 * a run's 500 records, and each of 50 runs' pages sorted whole instead of walked (16.6 against 1.7 ms at 10M records).
 */
export function dayBoundsOf(createdAt: readonly Date[]): [Date, Date] {
  const [from, to] = keyBoundsOf(createdAt);
  const [first, last] = [new Date(from.getTime() + 1), new Date(to.getTime() - 1)];
  // The last day's final millisecond (not the next midnight, BETWEEN being inclusive: the next day is not planned),
  // unless the key bound itself reaches past it.
  return [startOfUtcDay(first), new Date(Math.max(to.getTime(), startOfUtcDay(last).getTime() + DAY_MS - 1))];
}

/**
 * `alias`'s partition key within the bounds `from` and `to` (SQL expressions of keyBoundsOf's two values); rows without
 * a key too while `keyless` (see inRunPartition).
 */
export const inKeyBounds = (alias: string, from: string, to: string, keyless = false) =>
  orKeyless(alias, `${alias}.run_created_at BETWEEN ${from} AND ${to}`, keyless);

/**
 * Confines `alias` to the days of the runs `runIds` (an SQL expression of a uuid[]): from the first run's creation to
 * the last's, two values read as the statement starts, so PostgreSQL prunes the days outside (one day for the runs of
 * one day). A range rather than the list: pruning takes a list only as constants. Rows without a key are taken as
 * by inRunPartition.
 */
export const inRunsPartitions = (alias: string, runIds: string, keyless = true) => {
  // The runs' creation times by their ids (an index probe each), then their least and greatest: min() over runs itself
  // would be planned as a walk of runs_created from the oldest run until one of them (20,000 runs for the newest 50).
  const created = `ARRAY(SELECT runs_of.created_at FROM runs runs_of WHERE runs_of.id = ANY(${runIds}))`;
  const inDays = `${alias}.run_created_at BETWEEN (SELECT min(c) FROM unnest(${created}) c) AND (SELECT max(c) FROM unnest(${created}) c)`;
  return orKeyless(alias, inDays, keyless);
};

/**
 * The earliest partition key among the records started at or after a time: a lower bound of the days a list filtered
 * by `startedAt.from` needs. No bound follows from the time alone (a record may start before its run was created, a
 * long run's day keeps receiving records), so it is kept as records are written: the start marks (migration 2980,
 * `record_start_marks`), each the latest start among a statement's records of one UTC day of the partition key,
 * appended by statement triggers on `records` (insert only: concurrent reports never wait on a shared row) and pruned
 * by the leader to the latest a day (PRUNE_START_MARKS_SQL). The oldest day with a mark since the time is the bound:
 * a few dozen rows read, where asking each day's index took 2–3 ms warm and 20–40 ms on a connection's first call.
 * Without any bound a page sorted by end or latency walked every older day's whole index for rows it could never find
 * (1.5–4.3 s at 10M records). STABLE: it reads in the calling statement's snapshot, which holds a record's mark if it
 * holds the record. '-infinity' while `records` is not partitioned (an upgrade's old table), 'infinity' when no record
 * started since.
 */
export const RECORDS_STARTED_SINCE_FUNCTION = 'records_keys_started_since';

/** The table of the start marks (RECORDS_STARTED_SINCE_FUNCTION). */
export const START_MARKS_TABLE = 'record_start_marks';

export const createRecordsStartedSinceSql = () => `
CREATE OR REPLACE FUNCTION ${RECORDS_STARTED_SINCE_FUNCTION}(since timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN (SELECT relkind FROM pg_class WHERE oid = '${RECORD_TABLES.records}'::regclass) <> 'p' THEN '-infinity'::timestamptz
              ELSE COALESCE((SELECT min(day) FROM ${START_MARKS_TABLE} WHERE latest_start >= since), 'infinity') END
$fn$`;

/**
 * The start marks of what a partitioned table of records already holds, as the triggers would have written them (a
 * UTC day of the key): each day's latest start under the UTC day its partition starts in (one descent of the day's
 * `(started_at, id)` index); the default partition's, whose rows may have any key, per run (one descent of its
 * `(run_id, started_at, id)` index a run, where grouping its rows by day would read all of them: an upgrade's copy may
 * hold the whole history there). For migration 2980.
 */
export function fillStartMarksSql(partitions: readonly { name: string; from: Date | null; isDefault: boolean }[]): string | null {
  const marks = partitions.map(({ name, from, isDefault }) =>
    isDefault
      ? `SELECT date_trunc('day', latest.run_created_at, 'UTC') AS day, latest.started_at AS latest FROM runs u
           CROSS JOIN LATERAL (SELECT d.run_created_at, d.started_at FROM ${identifier(name)} d WHERE d.run_id = u.id
                               ORDER BY d.started_at DESC LIMIT 1) latest`
      : `SELECT ${from ? `date_trunc('day', '${from.toISOString()}'::timestamptz, 'UTC')` : "'-infinity'::timestamptz"} AS day,
           (SELECT max(started_at) FROM ${identifier(name)}) AS latest`,
  );
  if (marks.length === 0) return null;
  return `INSERT INTO ${START_MARKS_TABLE} (day, latest_start)
SELECT day, max(latest) FROM (${marks.join('\nUNION ALL\n')}) marks WHERE latest IS NOT NULL GROUP BY day`;
}

/**
 * Leaves one start mark a day, its latest: the others say nothing more (a reader takes the days with a mark since a
 * time). The latest of each day (one of its ties) is never deleted, so a reader in any snapshot finds a day's bound
 * either way. Ranked by a sort, not by comparing each mark with the later ones of its day: a backlog of marks (a
 * leader down for a while under heavy ingest) costs one sort, where the pairs grew with its square (16 s for 10,000
 * marks of one day).
 */
export const PRUNE_START_MARKS_SQL = `
DELETE FROM ${START_MARKS_TABLE} WHERE ctid IN (
  SELECT ctid FROM (
    SELECT ctid, row_number() OVER (PARTITION BY day ORDER BY latest_start DESC, ctid DESC) AS place FROM ${START_MARKS_TABLE}
  ) ranked
  WHERE place > 1)`;

/**
 * The partition key from which on each of $1 (a timestamptz[]) finds the records started since it
 * (RECORDS_STARTED_SINCE_FUNCTION), read first: a statement that takes them as values plans only those days.
 */
export const KEYS_STARTED_SINCE_SQL = `SELECT array_agg(${RECORDS_STARTED_SINCE_FUNCTION}(since) ORDER BY n) AS keys
FROM unnest($1::timestamptz[]) WITH ORDINALITY AS t(since, n)`;

/**
 * The statistics each day of records gets (PostgreSQL keeps extended statistics per partition, and a parent's are
 * not used for a partition's scan): the run decides the partition key, so `run_id = … AND run_created_at = …` is as
 * selective as the run alone. Without them a run's page was estimated at 2 rows of its 430 and read by the unique
 * key's index, the whole run sorted, instead of walking `(run_id, started_at, id)` for a page (22 ms against 1.7 ms
 * for 50 runs' pages at 10M records).
 */
export const recordPartitionStatisticsSql = (partition: string) => [
  `CREATE STATISTICS IF NOT EXISTS ${identifier(`${partition}_run_key`)} (dependencies) ON run_id, run_created_at FROM ${identifier(partition)}`,
];

/** A table or partition name of ours: lower case, digits and underscores only (DDL spells names into its text). */
function identifier(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a table name: ${name}`);
  return name;
}

/** An index, constraint or statistics object of `table`: `<table>_<suffix>`. */
const named = (table: string, suffix: string) => identifier(`${table}_${suffix}`);

/** RECORDS_INDEXES' index `suffix` on `records` (a partitioned table of records), as `CREATE INDEX` takes it. */
function recordIndexSql(records: string, suffix: string, { only = false, ifNotExists = false } = {}): string {
  const definition = RECORDS_INDEXES.find(([name]) => name === suffix)?.[1];
  if (!definition) throw new Error(`no records index ${suffix}`);
  const using = definition.startsWith('USING') ? definition : `USING btree ${definition}`;
  return `CREATE INDEX ${ifNotExists ? 'IF NOT EXISTS ' : ''}${named(records, suffix)} ON ${only ? 'ONLY ' : ''}${identifier(records)} ${using}`;
}

/**
 * An index added to RECORDS_INDEXES after installations had days of records: made `ON ONLY` the partitioned table
 * `records` (a moment, no rows read; each day's own index is built afterwards by the leader, CONCURRENTLY:
 * services/housekeeping/partition-indexes.ts). Nothing when it exists (a new installation's tables were made with it).
 */
export const laterRecordIndexSql = (records: string, suffix: string) => recordIndexSql(records, suffix, { only: true, ifNotExists: true });

/**
 * The partitioned records and attempts under `names`, each with its default partition, ids continuing from
 * `firstIds` (one identity on each parent). No foreign keys (docs/scaling.md says why): whoever deletes runs deletes
 * their records and those records' attempts, and clears `origin_record_id` pointing at them. Not even
 * `records.run_id → runs`: detaching or dropping a day would then lock `runs`, which every report updates, in a mode
 * that waits for all of them and deadlocks with them. The rollup triggers are not here: they belong on whichever table the service writes
 * (rollupTriggersSql), never on two at once, or a copy would count every record twice.
 */
export function createRecordTablesSql(names: RecordTableNames, firstIds: { records: number; attempts: number }): string[] {
  const [records, attempts] = [identifier(names.records), identifier(names.attempts)];
  const firstRecord = Math.max(1, Math.trunc(firstIds.records));
  const firstAttempt = Math.max(1, Math.trunc(firstIds.attempts));
  return [
    `CREATE TABLE ${records} (
      id bigint GENERATED ALWAYS AS IDENTITY (START WITH ${firstRecord}),
      run_id uuid NOT NULL,
      pipeline_id uuid NOT NULL,
      tenant_id text,
      mode sync_mode NOT NULL,
      entity_type text NOT NULL,
      source_id text NOT NULL,
      target_id text,
      operation record_operation NOT NULL,
      status record_status NOT NULL,
      error_code text,
      error_message text,
      error_fingerprint text,
      retryable boolean NOT NULL DEFAULT false,
      attempts integer NOT NULL DEFAULT 1,
      next_retry_at timestamptz,
      started_at timestamptz NOT NULL DEFAULT now(),
      ended_at timestamptz,
      latency_ms integer,
      details jsonb,
      reported_status record_status,
      attempt_run_id uuid,
      origin_record_id bigint,
      updated_at timestamptz NOT NULL DEFAULT now(),
      ended_sort timestamptz GENERATED ALWAYS AS (COALESCE(ended_at, 'infinity'::timestamptz)) STORED,
      latency_sort integer GENERATED ALWAYS AS (COALESCE(latency_ms, -1)) STORED,
      run_created_at timestamptz NOT NULL,
      ${RECORDS_CONSTRAINTS.map(([suffix, definition]) => `CONSTRAINT ${named(records, suffix)} ${definition}`).join(',\n      ')}
    ) PARTITION BY RANGE (run_created_at)`,
    ...RECORDS_INDEXES.map(([suffix]) => recordIndexSql(records, suffix)),
    ...RECORDS_STATISTICS.map(([suffix, definition]) => {
      const [kinds, columns] = definition.split(' ON ');
      return `CREATE STATISTICS ${named(records, suffix)} ${kinds} ON ${columns} FROM ${records}`;
    }),
    `CREATE TABLE ${RECORD_TABLES.records}_default PARTITION OF ${records} DEFAULT`,
    `CREATE TABLE ${attempts} (
      id bigint GENERATED ALWAYS AS IDENTITY (START WITH ${firstAttempt}),
      record_id bigint NOT NULL,
      attempt integer NOT NULL,
      run_id uuid NOT NULL,
      status record_status NOT NULL,
      error_code text,
      error_message text,
      started_at timestamptz,
      ended_at timestamptz,
      latency_ms integer,
      run_created_at timestamptz NOT NULL,
      ${ATTEMPTS_CONSTRAINTS.map(([suffix, definition]) => `CONSTRAINT ${named(attempts, suffix)} ${definition}`).join(',\n      ')}
    ) PARTITION BY RANGE (run_created_at)`,
    `CREATE TABLE ${RECORD_TABLES.attempts}_default PARTITION OF ${attempts} DEFAULT`,
  ];
}

/**
 * Renames the partitioned tables `from` → `to` with their keys, indexes and statistics (the swap, once the old
 * tables are out of the way). Partitions keep their names: they were named after the final tables from the start.
 */
export function renameRecordTablesSql(from: RecordTableNames, to: RecordTableNames): string[] {
  const [records, attempts] = [identifier(to.records), identifier(to.attempts)];
  const rename = (kind: 'INDEX' | 'STATISTICS', suffix: string) =>
    `ALTER ${kind} ${named(from.records, suffix)} RENAME TO ${named(records, suffix)}`;
  // Renaming a key renames its index with it.
  const renameConstraint = (table: string, suffix: string, oldTable: string) =>
    `ALTER TABLE ${table} RENAME CONSTRAINT ${named(oldTable, suffix)} TO ${named(table, suffix)}`;
  return [
    `ALTER TABLE ${identifier(from.records)} RENAME TO ${records}`,
    `ALTER TABLE ${identifier(from.attempts)} RENAME TO ${attempts}`,
    ...RECORDS_CONSTRAINTS.map(([suffix]) => renameConstraint(records, suffix, from.records)),
    ...ATTEMPTS_CONSTRAINTS.map(([suffix]) => renameConstraint(attempts, suffix, from.attempts)),
    ...RECORDS_INDEXES.map(([suffix]) => rename('INDEX', suffix)),
    ...RECORDS_STATISTICS.map(([suffix]) => rename('STATISTICS', suffix)),
    // The identity's sequence is named after the table it was made for.
    `ALTER SEQUENCE ${identifier(`${from.records}_id_seq`)} RENAME TO ${identifier(`${to.records}_id_seq`)}`,
    `ALTER SEQUENCE ${identifier(`${from.attempts}_id_seq`)} RENAME TO ${identifier(`${to.attempts}_id_seq`)}`,
  ];
}

/**
 * The rollup triggers (migration 0600; their functions since replaced in place by 2510 and 2520) on `table`: every
 * statement's inserted and updated records become rollup deltas. On a partitioned table they fire once per
 * statement on the parent, with the transition tables of all its partitions.
 */
export const rollupTriggersSql = (table: string) => statementTriggersSql(table, 'records_rollup');

/**
 * The error-group triggers (migration 2960) on `table`: every statement's failures become error-group deltas. Kept
 * apart from rollupTriggersSql, which migration 2900 ran before their functions existed.
 */
export const errorGroupTriggersSql = (table: string) => statementTriggersSql(table, 'records_error_groups');

/** The start-mark triggers (migration 2980) on `table`: every statement's records mark their days' latest start. */
export const startMarkTriggersSql = (table: string) => statementTriggersSql(table, 'records_start_marks');

/** `<name>_insert` and `<name>_update` on `table`, calling `<name>_on_insert()` and `<name>_on_update()` with the statement's records. */
function statementTriggersSql(table: string, name: string): string[] {
  const on = identifier(table);
  return [
    `CREATE TRIGGER ${name}_insert AFTER INSERT ON ${on}
       REFERENCING NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION ${name}_on_insert()`,
    `CREATE TRIGGER ${name}_update AFTER UPDATE ON ${on}
       REFERENCING OLD TABLE AS old_records NEW TABLE AS new_records FOR EACH STATEMENT EXECUTE FUNCTION ${name}_on_update()`,
  ];
}

/**
 * Drops one day of records and its attempts (partitions of the same range), in one transaction under `lock_timeout`.
 * The parents are locked in the order every writer takes them (records, then attempts), so a report in flight is
 * waited for, not deadlocked with. Once the day is detached, what pointed into it is cleared as the dropped foreign
 * keys did: records of other days whose original it held (retry attempts) point at nothing, attempts of its records
 * kept elsewhere go, and so do the error-group counts of the day's runs. No trigger fires: the rollups keep the day.
 */
export function dropRecordDaySql(recordsPartition: string, attemptsPartition: string | null, range: { from: Date; to: Date }): string[] {
  const day = identifier(recordsPartition);
  const attempts = attemptsPartition && identifier(attemptsPartition);
  const runsOfDay = `SELECT id FROM runs WHERE created_at >= '${range.from.toISOString()}' AND created_at < '${range.to.toISOString()}'`;
  return [
    `LOCK TABLE ${RECORD_TABLES.records}, ${RECORD_TABLES.attempts} IN ACCESS EXCLUSIVE MODE`,
    ...(attempts ? [`ALTER TABLE ${RECORD_TABLES.attempts} DETACH PARTITION ${attempts}`] : []),
    `ALTER TABLE ${RECORD_TABLES.records} DETACH PARTITION ${day}`,
    `UPDATE ${RECORD_TABLES.records} o SET origin_record_id = NULL FROM ${day} gone
     WHERE o.origin_record_id = gone.id AND o.origin_record_id IS NOT NULL`,
    `DELETE FROM ${RECORD_TABLES.attempts} a USING ${day} gone WHERE a.record_id = gone.id`,
    // The day's failures leave their error groups with it, not only once the runs are purged after.
    `DELETE FROM error_group_counts WHERE run_id IN (${runsOfDay})`,
    `DELETE FROM error_group_deltas WHERE run_id IN (${runsOfDay})`,
    // The start marks of the UTC days wholly in the range (a mark stands for the records of its day: one of a day the
    // range ends inside stands for records left in the next partition too).
    `DELETE FROM ${START_MARKS_TABLE} WHERE day >= '${range.from.toISOString()}' AND day + interval '24 hours' <= '${range.to.toISOString()}'`,
    ...(attempts ? [`DROP TABLE ${attempts}`] : []),
    `DROP TABLE ${day}`,
  ];
}

/** A day's partition of one of the tables, made empty (a fresh table: no strays to move, nothing to lock). */
export function createDayPartitionSql(parent: string, name: string, from: Date, to: Date): string {
  return `CREATE TABLE ${identifier(name)} PARTITION OF ${identifier(parent)} FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`;
}

/**
 * The next id each old table's identity would give (after its rows and after any id handed out and deleted since:
 * an export's snapshot bound is an id, so ids are never reused). One row: `records`, `attempts`.
 */
export const NEXT_RECORD_IDS_SQL = `
SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM records),
                (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM records_id_seq)) + 1 AS records,
       GREATEST((SELECT COALESCE(max(id), 0) FROM record_attempts),
                (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM record_attempts_id_seq)) + 1 AS attempts`;
