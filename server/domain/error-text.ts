// Error messages: bounded in size, and grouped by a fingerprint that ignores what varies.
import { createHash } from 'node:crypto';

export const MAX_ERROR_MESSAGE_BYTES = 8 * 1024;
export const TRUNCATION_MARKER = '… [truncated]';

/** Cuts a message to at most 8 KiB of UTF-8, marker included, never splitting a character. */
export function truncateErrorMessage(message: string): string {
  if (Buffer.byteLength(message, 'utf8') <= MAX_ERROR_MESSAGE_BYTES) return message;
  const budget = MAX_ERROR_MESSAGE_BYTES - Buffer.byteLength(TRUNCATION_MARKER, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const char of message) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return message.slice(0, end) + TRUNCATION_MARKER;
}

/** The message with numbers, ids and quoted values replaced, so similar failures group together. */
export function normalizeErrorMessage(message: string): string {
  return message
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '<value>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/[A-Za-z0-9_-]+/g, idLike)
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/**
 * A word of 6 or more letters, digits, `_` and `-` with a digit and a letter or `_` in it is an id; one of digits
 * (and hyphens) only is a number, whatever its width, and becomes `<n>` like any other: "lock row 1001" and
 * "lock row 777777" are one error (issue 23; they were `<n>` and `<id>`). Matched as whole runs
 * of those characters, trimmed of hyphens at either end, in one pass: the former lookahead regex
 * (\b(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{6,}\b) rescanned the run from every word boundary inside it,
 * quadratic in its length (8 KB of `a-a-a-…` took 60 ms).
 */
function idLike(run: string): string {
  let start = 0;
  let end = run.length;
  while (start < end && run.charCodeAt(start) === 0x2d) start++;
  while (end > start && run.charCodeAt(end - 1) === 0x2d) end--;
  if (end - start < 6) return run;
  let digit = false;
  let word = false;
  for (let i = start; i < end && !(digit && word); i++) {
    const c = run.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digit = true;
    else if (c !== 0x2d) word = true;
  }
  return digit && word ? `${run.slice(0, start)}<id>${run.slice(end)}` : run;
}

export function errorFingerprint(code: string | null | undefined, message: string | null | undefined): string | null {
  if (!code && !message) return null;
  return createHash('sha1')
    .update(`${code ?? ''}\u0000${normalizeErrorMessage(message ?? '')}`)
    .digest('hex')
    .slice(0, 16);
}

/** The first non-blank line of an error's message (its name when it has none): for one-line startup errors. */
export function firstLineOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (
    text
      .split('\n')
      .find((line) => line.trim())
      ?.trim() || (error instanceof Error ? error.name : 'unknown error')
  );
}
