// The contract's RunFilter and RecordFilter as the conditions of a prepared statement, the one way a filter becomes
// SQL (lists, counts, analytics, error groups, exports, operators' selections): the SQL reading of
// domain/filter-rules.ts (the live subscriptions read the same rules in events/live-filters.ts).
// All conditions combine with AND; each one is served by an index (migrations Init and ListIndexes) or a bounded walk.
import type { Actor } from '../../domain/actor.js';
import {
  asksForAttempts,
  checkRecordFilter,
  checkRunFilter,
  type DateRange,
  type FilterRule,
  RECORD_DIMENSIONS,
  RECORD_FILTER_RULES,
  type RecordFilter,
  RUN_FILTER_RULES,
  type RunFilter,
} from '../../domain/filter-rules.js';
import { inKeyBounds, inRunPartition } from '../../sql/record-partitions.js';
import { tenantCondition } from '../../sql/tenancy.js';

export {
  asksForAttempts,
  type DateRange,
  RECORD_DIMENSIONS,
  type RecordFilter,
  type RunFilter,
} from '../../domain/filter-rules.js';

/** Escapes LIKE wildcards so user text matches literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
export const likeContains = (text: string) => `%${escapeLike(text)}%`;
export const likePrefix = (text: string) => `${escapeLike(text)}%`;

/**
 * Where a condition's values go: the positional values of a statement prepared once per shape (the conditions' text
 * then depends on which fields are given, never on their values).
 */
export interface Binder {
  /** The placeholder of one value; use it as often as the condition needs the value. */
  value(value: unknown): string;
  /** `column` is one of `values` (never empty); `closed`: every value the column can hold (an enum). */
  anyOf(column: string, values: readonly unknown[], closed: readonly string[] | undefined): string;
}

/**
 * Conditions of a statement prepared once per shape, with its values in order ($1, $2, …). A list of two or more is
 * one array value, so its length never makes a new statement; an enum's values are named in the text (sorted, without repeats), a
 * finite set, so the planner sees them as it sees constants: a partial index (status <> 'SUCCESS') stays usable.
 */
export interface PreparedConditions {
  conditions: string[];
  values: unknown[];
  /**
   * The condition among `conditions` that keeps the rows within their runs' partition key bounds, when there is one:
   * a statement that reads the same rows again (by id) confines them with it too.
   */
  keyCondition?: string;
}

const ENUM_LITERAL = /^[A-Z][A-Z_]*$/;

function preparedBinder(into: PreparedConditions): Binder {
  return {
    value(value) {
      into.values.push(value);
      return `$${into.values.length}`;
    },
    anyOf(column, values, closed) {
      if (closed && values.every((v) => typeof v === 'string' && ENUM_LITERAL.test(v) && closed.includes(v))) {
        const named = [...new Set(values as string[])].sort();
        return `${column} IN (${named.map((v) => `'${v}'`).join(', ')})`;
      }
      // One value as an equality, as IN ($1) was: the planner then walks an index on (column, sort key) in order.
      into.values.push(values.length === 1 ? values[0] : values);
      return values.length === 1 ? `${column} = $${into.values.length}` : `${column} = ANY($${into.values.length})`;
    },
  };
}

/** A tenant-bound key sees only its tenant, whatever the filter asks (sql/tenancy.ts). */
function visibility(alias: string, actor: Actor, bind: Binder): string | null {
  return tenantCondition(`${alias}.tenant_id`, actor.tenantId, (tenantId) => bind.value(tenantId));
}

/** One rule of domain/filter-rules.ts as SQL conditions (all must hold); each kind is spelled here and nowhere else. */
function ruleConditions<F, S>(alias: string, rule: FilterRule<F, S>, filter: F, bind: Binder): string[] {
  const value = filter[rule.field] as unknown;
  if (value == null) return [];
  const column = (spelled: string) => spelled.replaceAll('{a}', alias);
  switch (rule.kind) {
    case 'anyOf': {
      const values = value as unknown[];
      return [values.length === 0 ? 'false' : bind.anyOf(column(rule.column), values, rule.closed)];
    }
    case 'overlaps': {
      // An array column sharing any of the values (served by a GIN index).
      const values = value as string[];
      return [values.length === 0 ? 'false' : `${column(rule.column)} && ${bind.value(values)}::text[]`];
    }
    case 'equals':
      return [`${column(rule.column)} = ${bind.value(value)}`];
    case 'contains':
      if (value === '') return [];
      // Both sides folded by the database's lower(): JavaScript folds letters a C-locale database leaves as they are,
      // so a pattern lowered here missed even an exact-case match of a non-ASCII id ("ÜBER" for "ÜBER-1").
      return [`lower(${column(rule.column)}) LIKE lower(${bind.value(likeContains(value as string))})`];
    case 'during': {
      const range = value as DateRange;
      const conditions: string[] = [];
      if (range.from) conditions.push(`${column(rule.column)} >= ${bind.value(range.from)}`);
      if (range.to) conditions.push(`${column(rule.column)} < ${bind.value(range.to)}`);
      return conditions;
    }
    case 'search': {
      const text = (value as string).trim();
      if (!text) return [];
      const prefix = bind.value(likePrefix(text));
      const like = bind.value(likeContains(text));
      // The ids each part finds by its own index, united: one condition ORing the parts left the planner to walk
      // every row (no one index serves an OR whose parts need different ones).
      const searched = `${alias}_search`;
      const of = (spelled: string) => spelled.replaceAll('{a}', searched);
      const from = (join?: string) => `SELECT ${searched}.id FROM ${rule.table} ${searched}${join ? ` ${of(join)}` : ''}`;
      const parts = [
        `${from()} WHERE ${of(rule.prefix.column)} LIKE lower(${prefix})`,
        ...rule.contains.map((c) => `${from(c.join)} WHERE lower(${of(c.column)}) LIKE lower(${like})`),
      ];
      return [`${column('{a}.id')} IN (${parts.join(' UNION ')})`];
    }
  }
}

/** What the actor may see of the runs the filter names, as the conditions of a prepared statement. */
export function preparedRunConditions(
  alias: string,
  actor: Actor,
  filter: RunFilter | null | undefined,
  options: PreparedOptions = {},
): PreparedConditions {
  checkRunFilter(filter);
  return preparedConditions(alias, actor, [], RUN_FILTER_RULES, filter, options.values);
}

/** Attempts of retry runs are listed only when the filter asks for them (asksForAttempts). */
const originalsOnly = (alias: string, filter: RecordFilter | null | undefined): string[] =>
  asksForAttempts(filter) ? [] : [`${alias}.origin_record_id IS NULL`];

/** Where prepared conditions go in a statement that binds values of its own. */
export interface PreparedOptions {
  /**
   * The statement's values bound before these conditions: the conditions' values are appended to this very array
   * (numbered after it), and the result's `values` is it. Without it the conditions' values start at $1.
   */
  values?: unknown[];
}

/**
 * What the actor may see of the records the filter names, as the conditions of a prepared statement. `runOf`: the
 * records of one run named by an SQL expression (a lateral join's column), as `runIds: [that run]` would select them
 * (attempts included); the filter's own runIds are then neither read nor checked.
 */
export function preparedRecordConditions(
  alias: string,
  actor: Actor,
  filter: RecordFilter | null | undefined,
  options: PreparedOptions & {
    runOf?: string;
    /**
     * The partition key from which on the days hold every record started since the filter's `startedAt.from`
     * (records_keys_started_since), when the caller read it in the snapshot the list reads in: as a value it lets
     * PostgreSQL plan only those days (a week's list: ~1 ms of planning against ~5.5 for every day's indexes), and
     * reads in another order than the start's do not walk each older day's index for rows it cannot hold.
     */
    startedKey?: Date;
    /** Whether records may lack the partition key (RecordLayout): a run's reads then take such rows too. */
    keyless?: boolean;
    /**
     * The partition key's bounds of the runs the records belong to (keyBoundsOf), when the caller knows them: as values
     * they let PostgreSQL plan only those runs' days rather than every day's indexes.
     */
    keyBounds?: [Date, Date];
  } = {},
): PreparedConditions {
  const { runOf, keyless = true, keyBounds } = options;
  const read = runOf ? filter && { ...filter, runIds: null } : filter;
  checkRecordFilter(read);
  const fixed = runOf
    ? [`${alias}.run_id = ${runOf}`, inRunPartition(alias, runOf, keyless), ...originalsOnly(alias, { ...read, runIds: [runOf] })]
    : originalsOnly(alias, filter);
  const prepared = preparedConditions(alias, actor, fixed, RECORD_FILTER_RULES, read, options.values);
  if (keyBounds) {
    prepared.keyCondition = keyBoundsCondition(alias, prepared.values, keyBounds, keyless);
    prepared.conditions.push(prepared.keyCondition);
  }
  if (runOf) return prepared;
  // One run's records: in that run's partition only (docs/scaling.md), by its bounds when known. Several runs' may lie
  // in several days.
  const [onlyRun, ...more] = read?.runIds ?? [];
  if (onlyRun !== undefined && more.length === 0) {
    if (keyBounds) return prepared;
    prepared.values.push(onlyRun);
    prepared.conditions.push(inRunPartition(alias, `$${prepared.values.length}::uuid`, keyless));
  } else if (options.startedKey && read?.startedAt?.from) {
    prepared.values.push(options.startedKey);
    prepared.conditions.push(inKeyBounds(alias, `$${prepared.values.length}::timestamptz`, "'infinity'::timestamptz", keyless));
  }
  return prepared;
}

/**
 * Binds the partition key's bounds (keyBoundsOf) after `values` and returns the condition that keeps `alias` within
 * them, rows without a key included while `keyless`.
 */
function keyBoundsCondition(alias: string, values: unknown[], keyBounds: [Date, Date], keyless: boolean): string {
  values.push(...keyBounds);
  const at = values.length;
  return inKeyBounds(alias, `$${at - 1}::timestamptz`, `$${at}::timestamptz`, keyless);
}

/** The rules of the record's dimensions (RECORD_DIMENSIONS): the only fields rows of the rollups keep. */
const DIMENSION_RULES = RECORD_FILTER_RULES.filter((rule) => RECORD_DIMENSIONS.some(([field]) => field === rule.field));

/**
 * What the actor may see of the rollup rows (under `alias`) counting the records the filter names: its dimensions
 * and the tenant, read as on records. The caller makes sure the rollups keep every field the filter names.
 */
export function preparedRollupConditions(
  alias: string,
  actor: Actor,
  filter: RecordFilter | null | undefined,
  options: PreparedOptions = {},
): PreparedConditions {
  checkRecordFilter(filter);
  return preparedConditions(alias, actor, [], DIMENSION_RULES, filter, options.values);
}

/** RecordFilter fields the error-group counts keep (migration 2960): a filter naming only these may be read from them. */
const ERROR_COUNT_FIELDS: readonly (keyof RecordFilter)[] = ['pipelineIds', 'tenantIds', 'errorFingerprint'];
const ERROR_COUNT_RULES = RECORD_FILTER_RULES.filter((rule) => ERROR_COUNT_FIELDS.includes(rule.field));

/** Whether the filter names no field but `fields` (a field set to null or left out is not named). */
export const namesOnly = (filter: RecordFilter | null | undefined, fields: readonly (keyof RecordFilter)[]): boolean =>
  !filter || Object.entries(filter).every(([field, value]) => value == null || fields.includes(field as keyof RecordFilter));

/** Whether the error-group counts keep every field the filter names. */
export const errorCountsKeep = (filter: RecordFilter | null | undefined): boolean => namesOnly(filter, ERROR_COUNT_FIELDS);

/**
 * What the actor may see of the error-group counts (under `alias`) of the failures the filter names, read as on
 * records. The caller makes sure the counts keep every field the filter names (errorCountsKeep).
 */
export function preparedErrorCountConditions(
  alias: string,
  actor: Actor,
  filter: RecordFilter | null | undefined,
  options: PreparedOptions = {},
): PreparedConditions {
  checkRecordFilter(filter);
  return preparedConditions(alias, actor, [], ERROR_COUNT_RULES, filter, options.values);
}

function preparedConditions<F, S>(
  alias: string,
  actor: Actor,
  fixed: string[],
  rules: readonly FilterRule<F, S>[],
  filter: F | null | undefined,
  values: unknown[] = [],
): PreparedConditions {
  const prepared: PreparedConditions = { conditions: [], values };
  const bind = preparedBinder(prepared);
  const tenant = visibility(alias, actor, bind);
  if (tenant) prepared.conditions.push(tenant);
  prepared.conditions.push(...fixed);
  if (!filter) return prepared;
  for (const rule of rules) prepared.conditions.push(...ruleConditions(alias, rule, filter, bind));
  return prepared;
}
