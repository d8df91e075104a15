// The upgrade of records and record attempts to partitions with the service up (services/housekeeping/
// record-repartition.ts; migrations 2900 and 2910 made the partitioned tables and the mirror). Column lists come from
// the catalog, so the statements are built per table once; names are ours, never user input.

/** A table of ours: lower case, digits and underscores only. */
function identifier(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`not a table name: ${name}`);
  return name;
}

/** What the copy of one old table into its partitioned twin needs to know. */
export interface RepartitionedTable {
  /** The old, unpartitioned table, read and written by the service until the swap. */
  table: string;
  /** Its partitioned twin, renamed to `table` by the swap. */
  partitioned: string;
  /** The partition key of old row `o` where it lacks one (written before migration 2900). */
  key: string;
}

/** The tables the copy moves, in the order the swap locks them (the order ingest and retries write them). */
export const REPARTITIONED_TABLES: RepartitionedTable[] = [
  {
    table: 'records',
    partitioned: 'records_partitioned',
    key: 'COALESCE(o.run_created_at, (SELECT u.created_at FROM runs u WHERE u.id = o.run_id))',
  },
  {
    table: 'record_attempts',
    partitioned: 'record_attempts_partitioned',
    key: `COALESCE(o.run_created_at, (SELECT COALESCE(r.run_created_at, u.created_at) FROM records r JOIN runs u ON u.id = r.run_id
                                      WHERE r.id = o.record_id))`,
  },
];

/** Where the copy stands, per table (empty when no copy is pending): copied rows, rows left (an estimate). */
export const PROGRESS_SQL = `
SELECT table_name, copy_until::text, copied_through::text, rows_copied::float8 AS rows_copied,
       GREATEST(rows_to_copy - rows_copied, 0)::float8 AS rows_left, copied_through >= copy_until AS caught_up,
       extract(epoch FROM now() - started_at)::float8 AS seconds
FROM repartition_progress ORDER BY table_name <> 'records', table_name`;

/** How far the copy of table $1 has gone, and how far it must go. */
export const PROGRESS_OF_SQL = 'SELECT copied_through::text, copy_until::text FROM repartition_progress WHERE table_name = $1';

/** The columns of $1 a copy writes: every one but the generated ones, in table order. */
export const COPIED_COLUMNS_SQL = `
SELECT attname AS name FROM pg_attribute
WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`;

/** The old row `o`'s values for the partitioned table's columns, the key computed where it lacks one. */
function copiedValues(from: RepartitionedTable, columns: string[]): string {
  return columns.map((c) => (c === 'run_created_at' ? from.key : `o.${identifier(c)}`)).join(', ');
}

/**
 * One batch of the copy: the next $3 rows of the old table after id $1 (up to $2, its `copy_until`), into the
 * partitioned table, and the progress moved past them in the same transaction. `FOR SHARE` makes a concurrent update
 * or delete of a row in the batch wait for it (then the mirror updates or removes the copy); `ON CONFLICT DO NOTHING`
 * leaves a row the mirror wrote meanwhile as it is. Returns the progress row.
 */
export function copyBatchSql(from: RepartitionedTable, columns: string[]): string {
  const [table, partitioned] = [identifier(from.table), identifier(from.partitioned)];
  return `
WITH batch AS (
  SELECT max(id) AS through FROM (SELECT id FROM ${table} WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3) ids
), copied AS (
  INSERT INTO ${partitioned} (${columns.map(identifier).join(', ')}) OVERRIDING SYSTEM VALUE
  SELECT ${copiedValues(from, columns)}
  FROM ${table} o, batch WHERE o.id > $1 AND o.id <= batch.through
  FOR SHARE OF o
  ON CONFLICT DO NOTHING
  RETURNING 1
), progress AS (
  UPDATE repartition_progress
  SET copied_through = GREATEST(copied_through, COALESCE((SELECT through FROM batch), $2)),
      rows_copied = rows_copied + (SELECT count(*) FROM copied)
  WHERE table_name = '${table}'
  RETURNING copied_through::text, copy_until::text
)
SELECT copied_through, copy_until, (SELECT count(*)::int FROM copied) AS copied FROM progress`;
}

/**
 * How long the swap (or the drop after it) waits for its locks, in ms: writers queued behind it wait as long, so a long
 * reader makes it give up and try again rather than stall every writer.
 */
export function lockTimeoutSql(ms: number): string {
  return `SET LOCAL lock_timeout = ${Math.trunc(ms)}`;
}

/** Locks the old and partitioned tables against every reader and writer, in the writers' order. */
export function lockForSwapSql(tables: RepartitionedTable[]): string {
  const names = tables.flatMap((t) => [identifier(t.table), identifier(t.partitioned)]);
  return `LOCK TABLE ${names.join(', ')} IN ACCESS EXCLUSIVE MODE`;
}

/** The progress rows, read under the swap's locks (none: another leader swapped already). */
export const PROGRESS_FOR_SWAP_SQL = `
SELECT table_name, copied_through::text, copy_until::text, extract(epoch FROM now() - started_at)::float8 AS seconds
FROM repartition_progress FOR UPDATE`;

/**
 * The last rows of the old table (after id $1, up to its `copy_until` $2) into the partitioned one, under the swap's
 * lock. Rows above `copy_until` are there already: the mirror wrote them.
 */
export function copyRestSql(from: RepartitionedTable, columns: string[]): string {
  const [table, partitioned] = [identifier(from.table), identifier(from.partitioned)];
  return `
INSERT INTO ${partitioned} (${columns.map(identifier).join(', ')}) OVERRIDING SYSTEM VALUE
SELECT ${copiedValues(from, columns)} FROM ${table} o WHERE o.id > $1 AND o.id <= $2
ON CONFLICT DO NOTHING`;
}

/** Rows of the old table and of its partitioned twin. */
export function countBothSql(from: RepartitionedTable): string {
  const [table, partitioned] = [identifier(from.table), identifier(from.partitioned)];
  return `SELECT (SELECT count(*) FROM ${table})::text AS old, (SELECT count(*) FROM ${partitioned})::text AS new`;
}

/**
 * Continues the partitioned table's identity where the old one's stands (the mirror wrote the old ids, so the new
 * sequence has not moved since migration 2900 started it after the ids of that time).
 */
export function continueIdentitySql(from: RepartitionedTable): string {
  const [oldSequence, newSequence] = [identifier(`${from.table}_id_seq`), identifier(`${from.partitioned}_id_seq`)];
  return `SELECT setval('${newSequence}', last_value, is_called) FROM ${oldSequence} WHERE is_called`;
}

/** The name an old table keeps after the swap, until it is dropped. */
export const setAside = (table: string) => identifier(`${table}_unpartitioned`);

/** The mirror's triggers and functions on the old table: gone at the swap. */
export function dropMirrorSql(from: RepartitionedTable): string[] {
  const table = identifier(from.table);
  const events = ['insert', 'update', 'delete'];
  return [
    ...events.map((event) => `DROP TRIGGER ${table}_mirror_${event} ON ${table}`),
    `DROP FUNCTION ${events.map((event) => `${table}_mirror_${event}()`).join(', ')}`,
  ];
}

/**
 * The statements that rename the old table $1's indexes (its keys' too), statistics and identity sequence from
 * `$1_<suffix>` to `$2_<suffix>`: the partitioned table takes the `$1_` names next (sql/record-partitions.ts).
 */
export const SET_ASIDE_NAMES_SQL = `
SELECT format('ALTER INDEX %I RENAME TO %I', c.relname, $2 || substr(c.relname, length($1) + 1)) AS statement
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = $1::regclass AND starts_with(c.relname, $1 || '_')
UNION ALL
SELECT format('ALTER STATISTICS %I RENAME TO %I', stxname, $2 || substr(stxname, length($1) + 1))
FROM pg_statistic_ext WHERE stxrelid = $1::regclass AND starts_with(stxname, $1 || '_')
UNION ALL
SELECT format('ALTER SEQUENCE %s RENAME TO %I', seq, $2 || '_id_seq')
FROM pg_get_serial_sequence($1, 'id') seq WHERE seq IS NOT NULL`;

/** The old table under its set-aside name (after its objects, SET_ASIDE_NAMES_SQL). */
export function setAsideSql(from: RepartitionedTable): string {
  return `ALTER TABLE ${identifier(from.table)} RENAME TO ${setAside(from.table)}`;
}

/** The rollup and error-group triggers off the old table (sql/record-partitions.ts puts them on the partitioned one). */
export function dropRollupTriggersSql(from: RepartitionedTable): string[] {
  const table = identifier(from.table);
  return [
    `DROP TRIGGER records_rollup_insert ON ${table}`,
    `DROP TRIGGER records_rollup_update ON ${table}`,
    `DROP TRIGGER records_error_groups_insert ON ${table}`,
    `DROP TRIGGER records_error_groups_update ON ${table}`,
  ];
}

/** Which of the set-aside old tables ($1) are still there, attempts first. */
export const SET_ASIDE_LEFT_SQL = 'SELECT t AS name FROM unnest($1::text[]) t WHERE to_regclass(t) IS NOT NULL';

/**
 * Drops set-aside old tables, after the swap has committed. Dropping one takes a brief exclusive lock on `runs`
 * too (its foreign key's triggers live there): outside the swap, so that the swap never waits for it.
 */
export function dropSetAsideSql(names: string[]): string {
  return `DROP TABLE ${names.map(identifier).join(', ')}`;
}

/** Once the tables are swapped: nothing is pending any more. */
export const SWAP_DONE_SQL = 'DELETE FROM repartition_progress';
