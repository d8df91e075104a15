// RunFilter and RecordFilter applied to one delivered object: the in-memory reading of the rules in
// domain/filter-rules.ts, whose SQL reading is services/lists/filters.ts. Validation is the rules' own
// (checkRunFilter, checkRecordFilter), so a subscription refuses exactly what a query refuses.
import {
  type CaseFold,
  type DateRange,
  type FilterRule,
  foldAscii,
  RECORD_FILTER_RULES,
  type RecordFilter,
  type RecordSubject,
  RUN_FILTER_RULES,
  type RunFilter,
  type RunSubject,
} from '../domain/filter-rules.js';

export { checkRecordFilter, checkRunFilter } from '../domain/filter-rules.js';

function inRange(range: DateRange, value: Date | null): boolean {
  if (!range.from && !range.to) return true;
  if (!value) return false;
  if (range.from && value < range.from) return false;
  if (range.to && value >= range.to) return false;
  return true;
}

// A null column contains nothing: callers only ask with a non-empty part.
const containsFolded = (fold: CaseFold, text: string | null, part: string): boolean => fold(text ?? '').includes(fold(part));

/**
 * One rule of domain/filter-rules.ts on one object; each kind is read here and nowhere else in memory. `fold`: as the
 * database's lower() folds (caseFoldOf).
 */
function ruleMatches<F, S>(rule: FilterRule<F, S>, filter: F, subject: S, fold: CaseFold): boolean {
  const wanted = filter[rule.field] as unknown;
  if (wanted == null) return true;
  switch (rule.kind) {
    case 'anyOf': {
      const value = rule.value(subject);
      return value !== null && (wanted as unknown[]).includes(value);
    }
    case 'overlaps': {
      const values = rule.value(subject);
      return (wanted as string[]).some((value) => values.includes(value));
    }
    case 'equals':
      return rule.value(subject) === wanted;
    case 'contains':
      return wanted === '' || containsFolded(fold, rule.value(subject), wanted as string);
    case 'during':
      return inRange(wanted as DateRange, rule.value(subject));
    case 'search': {
      const text = (wanted as string).trim();
      if (!text) return true;
      return (
        fold(rule.prefix.value(subject) ?? '').startsWith(fold(text)) ||
        rule.contains.some((column) => containsFolded(fold, column.value(subject), text))
      );
    }
  }
}

export function runMatches(
  filter: RunFilter | null | undefined,
  run: RunSubject['run'],
  pipelineName: string | null,
  fold: CaseFold = foldAscii,
): boolean {
  if (!filter) return true;
  const subject: RunSubject = { run, pipelineName };
  return RUN_FILTER_RULES.every((rule) => ruleMatches(rule, filter, subject, fold));
}

export function recordMatches(filter: RecordFilter | null | undefined, record: RecordSubject, fold: CaseFold = foldAscii): boolean {
  if (!filter) return true;
  return RECORD_FILTER_RULES.every((rule) => ruleMatches(rule, filter, record, fold));
}
