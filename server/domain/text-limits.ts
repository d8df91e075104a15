import { badInput } from './errors.js';

/** Checks a required short text: trimmed non-empty, at most `max` characters. */
export function requiredText(value: string, argument: string, max = 200): string {
  const text = value.trim();
  if (text === '') throw badInput(`${argument} must not be empty`);
  if (text.length > max) throw badInput(`${argument} must be at most ${max} characters`);
  return text;
}

export function optionalText(value: string | null | undefined, argument: string, max = 200): string | null {
  if (value === null || value === undefined) return null;
  return requiredText(value, argument, max);
}
