// Time partitions (services/housekeeping/partitions.ts): listing a table's partitions, making a day's, dropping old
// ones. DDL takes no parameters, so names and bounds are spelled into the text; names are checked, bounds are ISO
// timestamps made from Dates by the caller, never user input.
import { DAY_MS } from '../domain/analytics-range.js';

/** A table or partition name of ours: lower case, digits and underscores only. */
function identifier(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a table name: ${name}`);
  return name;
}

/** A timestamp bound as a literal, in ISO form (UTC). */
function instant(at: Date): string {
  return `'${at.toISOString()}'`;
}

/** The UTC day `at` falls in, as its first instant. */
export const startOfUtcDay = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);

/** The name of `table`'s partition of one UTC day: `<table>_pYYYYMMDD`. */
export const dayPartitionName = (table: string, day: Date) => `${table}_p${day.toISOString().slice(0, 10).replaceAll('-', '')}`;

/** The UTC day of `table`'s partition named `name` by dayPartitionName; null for any other name. */
export function dayOfPartition(table: string, name: string): Date | null {
  const digits = name.startsWith(`${table}_p`) ? name.slice(table.length + 2) : '';
  if (!/^\d{8}$/.test(digits)) return null;
  return new Date(`${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}T00:00:00Z`);
}

/** The database's clock: partitions are days of its time, as every stored time is. */
export const DATABASE_TIME_SQL = 'SELECT now() AS now';

/**
 * The partitions of table $1: name, whether it is the default, and its range (null for MINVALUE / MAXVALUE or the
 * default), read from the bound PostgreSQL prints (`FOR VALUES FROM ('…') TO ('…')`) in UTC.
 */
export const PARTITIONS_SQL = `
SELECT c.relname AS name, b.bound = 'DEFAULT' AS is_default,
       (regexp_match(b.bound, 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS range_from,
       (regexp_match(b.bound, 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS range_to
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS bound) b
WHERE i.inhparent = $1::regclass
ORDER BY range_from NULLS FIRST`;

/**
 * How far ahead of now the days made for table $1 reach, in seconds (0 when none reaches past now); no row when the
 * table is not partitioned (records before their copy is swapped in).
 */
export const PARTITIONS_AHEAD_SQL = `
SELECT COALESCE(GREATEST(0, extract(epoch FROM max(range_to) - now())), 0)::float8 AS seconds
FROM (${PARTITIONS_SQL}) partitions
HAVING (SELECT relkind FROM pg_class WHERE oid = $1::regclass) = 'p'`;

/** Bounds each DDL statement's wait for a lock (in its transaction): a busy table is tried again on the next round. */
export const LOCK_TIMEOUT_SQL = "SET LOCAL lock_timeout = '2s'";

/**
 * A new partition of `table` for [from, to), made beside it and attached, taking over the rows of its range that
 * the default partition caught. The default is locked against writes first so none lands in the range meanwhile;
 * attaching (unlike CREATE … PARTITION OF) leaves reads and writes of the other partitions running. A write routed
 * to the default just before the attach fails its partition check after it ("violates partition constraint"): so
 * days are made ahead, and before an instance with jobs first serves (instance.ts). Locking the whole table instead
 * would stop every write while the default is read, and deadlock with a transaction that reads, then writes. `columns` are
 * the table's stored columns (STORED_COLUMNS_SQL): generated ones are computed again, not copied.
 */
export function createPartitionSql(table: string, key: string, columns: string[], partition: string, from: Date, to: Date): string[] {
  const [parent, name, fallback, column] = [identifier(table), identifier(partition), identifier(`${table}_default`), identifier(key)];
  const range = `${column} >= ${instant(from)} AND ${column} < ${instant(to)}`;
  const stored = columns.map(identifier).join(', ');
  return [
    `LOCK TABLE ${fallback} IN EXCLUSIVE MODE`,
    `CREATE TABLE ${name} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING GENERATED)`,
    `WITH moved AS (DELETE FROM ${fallback} WHERE ${range} RETURNING *) INSERT INTO ${name} (${stored}) SELECT ${stored} FROM moved`,
    `ALTER TABLE ${parent} ATTACH PARTITION ${name} FOR VALUES FROM (${instant(from)}) TO (${instant(to)})`,
  ];
}

/**
 * Whether an index is being built now on one of the tables $1 (text[]), by the leader's partition-indexes job or by
 * hand: dropping the table would wait for the build holding its parent's lock, every writer of the parent queued.
 */
export const INDEX_BEING_BUILT_SQL = `SELECT EXISTS (
  SELECT 1 FROM pg_stat_progress_create_index WHERE relid = ANY(SELECT to_regclass(name) FROM unnest($1::text[]) name)
) AS building`;

/** Whether table $1 is partitioned (false when there is no such table). */
export const IS_PARTITIONED_SQL = `SELECT COALESCE((SELECT relkind = 'p' FROM pg_class WHERE oid = to_regclass($1)), false) AS partitioned`;

/** The columns of table $1 that hold values (not generated), in their order. */
export const STORED_COLUMNS_SQL = `
SELECT attname AS name FROM pg_attribute
WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
ORDER BY attnum`;

/** Detaches and drops one partition of `table` (its rows go with it, in one step whatever their number). */
export function dropPartitionSql(table: string, partition: string): string[] {
  const [parent, name] = [identifier(table), identifier(partition)];
  return [`ALTER TABLE ${parent} DETACH PARTITION ${name}`, `DROP TABLE ${name}`];
}

/** Deletes up to $2 rows whose `key` is before $1 from the default partition of `table` (strays outside every day). */
export function deleteExpiredStraysSql(table: string, key: string): string {
  const [fallback, column] = [identifier(`${table}_default`), identifier(key)];
  return `
WITH gone AS (
  DELETE FROM ${fallback} WHERE ctid IN (SELECT ctid FROM ${fallback} WHERE ${column} < $1::timestamptz LIMIT $2) RETURNING 1
)
SELECT count(*)::int AS n FROM gone`;
}

/**
 * The indexes of partitioned tables not yet valid: made `ON ONLY` the parent by a migration (instantly, without
 * locking writes out while every day is indexed), their days' indexes built afterwards one at a time
 * (services/housekeeping/partition-indexes.ts). PostgreSQL marks the parent's index valid once every partition has
 * its own attached; a partition made meanwhile gets its own as it is attached.
 */
export const INVALID_PARTITIONED_INDEXES_SQL = `
SELECT ic.relname AS index, tc.relname AS table, pg_get_indexdef(x.indexrelid) AS definition
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid
JOIN pg_class tc ON tc.oid = x.indrelid
WHERE ic.relkind = 'I' AND NOT x.indisvalid AND ic.relnamespace = current_schema()::regnamespace
ORDER BY ic.relname`;

/**
 * The partitions of table $1 that have no index attached to partitioned index $2, newest first, and whether each has
 * an index named `<partition>_$3` already (partitionIndexName, $3 the suffix) and whether it is valid (a build cut short leaves one
 * behind, invalid).
 */
export const PARTITIONS_WITHOUT_INDEX_SQL = `
SELECT c.relname AS partition, own.indexrelid IS NOT NULL AS named_exists, COALESCE(own.indisvalid, false) AS named_valid
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
LEFT JOIN LATERAL (
  SELECT x.indexrelid, x.indisvalid FROM pg_index x JOIN pg_class xc ON xc.oid = x.indexrelid
  WHERE x.indrelid = c.oid AND xc.relname = c.relname || '_' || $3
) own ON true
WHERE i.inhparent = $1::regclass
  AND NOT EXISTS (
    SELECT 1 FROM pg_inherits attached JOIN pg_index x ON x.indexrelid = attached.inhrelid
    WHERE attached.inhparent = $2::regclass AND x.indrelid = c.oid
  )
ORDER BY c.relname DESC`;

/**
 * What a partition's own index of partitioned index `index` (on `table`) is named after: the index's name after its
 * table's (`records_pipeline_ended` of `records` → `pipeline_ended`), so an upgrade's tables beside
 * (records_partitioned) name their days' indexes as the final tables do.
 */
export const indexSuffix = (index: string, table: string) => (index.startsWith(`${table}_`) ? index.slice(table.length + 1) : index);

/** The name of `partition`'s own index of a partitioned index: `<partition>_<suffix>` (indexSuffix). */
export function partitionIndexName(partition: string, suffix: string): string {
  const name = identifier(`${partition}_${suffix}`);
  // PostgreSQL would cut a longer name to 63 bytes, and the index would never be found by it again.
  if (name.length > 63) throw new Error(`index name too long: ${name}`);
  return name;
}

/**
 * Builds partitioned index `definition`'s (pg_get_indexdef: `CREATE [UNIQUE] INDEX <name> ON ONLY <table> USING …`) own
 * index on `partition`, named `name`, without blocking its writes (CONCURRENTLY: outside any transaction).
 */
export function buildPartitionIndexSql(definition: string, partition: string, name: string): string {
  const parsed = /^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ (USING .+)$/s.exec(definition);
  if (!parsed) throw new Error(`not a partitioned index definition: ${definition}`);
  return `CREATE ${parsed[1] ?? ''}INDEX CONCURRENTLY ${identifier(name)} ON ${identifier(partition)} ${parsed[2]}`;
}

/** Drops a partition's index left invalid by a build cut short, without blocking its writes. */
export const dropPartitionIndexSql = (name: string) => `DROP INDEX CONCURRENTLY IF EXISTS ${identifier(name)}`;

/** Attaches a partition's built index to its partitioned index (the parent's turns valid with its last partition). */
export const attachPartitionIndexSql = (index: string, name: string) =>
  `ALTER INDEX ${identifier(index)} ATTACH PARTITION ${identifier(name)}`;
