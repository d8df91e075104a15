import { badInput } from './errors.js';

/** Text Postgres can store: a NUL is bad input, half of a surrogate pair becomes U+FFFD. */
export function storableText(value: string, argument: string): string {
  if (value.includes('\u0000')) throw badInput(`${argument} must not contain NUL characters`);
  return value.toWellFormed();
}

/** Checks a required short text: trimmed non-empty, at most `max` characters. */
export function requiredText(value: string, argument: string, max = 200): string {
  const text = storableText(value, argument).trim();
  if (text === '') throw badInput(`${argument} must not be empty`);
  if (text.length > max) throw badInput(`${argument} must be at most ${max} characters`);
  return text;
}

export function optionalText(value: string | null | undefined, argument: string, max = 200): string | null {
  if (value === null || value === undefined) return null;
  return requiredText(value, argument, max);
}

/** Refuses a filter whose text (or list of texts) holds a NUL, which Postgres cannot compare. */
export function checkFilterText(filter: object, argument = 'filter'): void {
  for (const [key, value] of Object.entries(filter)) {
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === 'string' && text.includes('\u0000'))) {
      throw badInput(`${argument}.${key} must not contain NUL characters`);
    }
  }
}
