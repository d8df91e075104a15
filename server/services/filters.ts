// The contract's RunFilter and RecordFilter as SQL conditions on a TypeORM query builder: the SQL reading of
// domain/filter-rules.ts (the live subscriptions read the same rules in events/live-filters.ts).
// All conditions combine with AND; each one is served by an index (migrations Init and ListIndexes) or a bounded walk.
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { Actor } from '../domain/actor.js';
import {
  asksForAttempts,
  checkRecordFilter,
  checkRunFilter,
  type DateRange,
  type FilterRule,
  RECORD_FILTER_RULES,
  type RecordFilter,
  RUN_FILTER_RULES,
  type RunFilter,
} from '../domain/filter-rules.js';

export {
  asksForAttempts,
  type DateRange,
  RECORD_DIMENSIONS,
  type RecordFilter,
  type RunFilter,
} from '../domain/filter-rules.js';

/** Escapes LIKE wildcards so user text matches literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
export const likeContains = (text: string) => `%${escapeLike(text)}%`;
export const likePrefix = (text: string) => `${escapeLike(text)}%`;

let uniqueParam = 0;
/** A parameter name that cannot clash with another condition on the same query. */
const param = (name: string) => `${name}_${++uniqueParam}`;

function inList<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  values: readonly unknown[] | null | undefined,
): void {
  if (values == null) return;
  if (values.length === 0) {
    query.andWhere('false');
    return;
  }
  const name = param('list');
  query.andWhere(`${column} IN (:...${name})`, { [name]: values });
}

/** An array column sharing any of the values (served by a GIN index). */
function overlaps<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  values: readonly string[] | null | undefined,
): void {
  if (values == null) return;
  if (values.length === 0) {
    query.andWhere('false');
    return;
  }
  const name = param('any');
  query.andWhere(`${column} && :${name}::text[]`, { [name]: values });
}

/** A tenant-bound key sees only its tenant, whatever the filter asks. */
export function visibleTo<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, actor: Actor): void {
  if (actor.tenantId === null) return;
  const name = param('tenant');
  query.andWhere(`${alias}.tenant_id = :${name}`, { [name]: actor.tenantId });
}

/** One rule of domain/filter-rules.ts as a SQL condition; each kind is spelled here and nowhere else. */
function applyRule<F, S, T extends ObjectLiteral>(query: SelectQueryBuilder<T>, alias: string, rule: FilterRule<F, S>, filter: F): void {
  const value = filter[rule.field] as unknown;
  if (value == null) return;
  const column = (spelled: string) => spelled.replaceAll('{a}', alias);
  switch (rule.kind) {
    case 'anyOf':
      inList(query, column(rule.column), value as unknown[]);
      return;
    case 'overlaps':
      overlaps(query, column(rule.column), value as string[]);
      return;
    case 'equals': {
      const name = param('equals');
      query.andWhere(`${column(rule.column)} = :${name}`, { [name]: value });
      return;
    }
    case 'contains': {
      if (value === '') return;
      const name = param('contains');
      // Both sides folded by the database's lower(): JavaScript folds letters a C-locale database leaves as they are,
      // so a pattern lowered here missed even an exact-case match of a non-ASCII id ("ÜBER" for "ÜBER-1").
      query.andWhere(`lower(${column(rule.column)}) LIKE lower(:${name})`, { [name]: likeContains(value as string) });
      return;
    }
    case 'during': {
      const range = value as DateRange;
      if (range.from) {
        const name = param('from');
        query.andWhere(`${column(rule.column)} >= :${name}`, { [name]: range.from });
      }
      if (range.to) {
        const name = param('to');
        query.andWhere(`${column(rule.column)} < :${name}`, { [name]: range.to });
      }
      return;
    }
    case 'search': {
      const text = (value as string).trim();
      if (!text) return;
      const prefix = param('prefix');
      const like = param('like');
      const contains = rule.contains.map((c) => `lower(${column(c.column)}) LIKE lower(:${like})`);
      query.andWhere(`(${column(rule.prefix.column)} LIKE lower(:${prefix}) OR ${contains.join(' OR ')})`, {
        [prefix]: likePrefix(text),
        [like]: likeContains(text),
      });
      return;
    }
  }
}

export function applyRunFilter<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  filter: RunFilter | null | undefined,
): void {
  if (!filter) return;
  checkRunFilter(filter);
  for (const rule of RUN_FILTER_RULES) applyRule(query, alias, rule, filter);
}

/** Refuses a malformed record filter before anything runs. */
export const checkRecordFilterInput = checkRecordFilter;

/**
 * `runOf`: the records of one run named by an SQL expression (a lateral join's column), as `runIds: [that run]`
 * would select them (attempts included); the filter's own runIds are then not read.
 */
export function applyRecordFilter<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  filter: RecordFilter | null | undefined,
  options: { runOf?: string } = {},
): void {
  if (options.runOf) query.andWhere(`${alias}.run_id = ${options.runOf}`);
  else if (!asksForAttempts(filter)) query.andWhere(`${alias}.origin_record_id IS NULL`);
  if (!filter) return;
  checkRecordFilter(filter);
  for (const rule of RECORD_FILTER_RULES) if (!(options.runOf && rule.field === 'runIds')) applyRule(query, alias, rule, filter);
}
