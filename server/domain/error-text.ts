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
    .replace(/\b(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{6,}\b/g, '<id>')
    .replace(/\d+(\.\d+)?/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

export function errorFingerprint(code: string | null | undefined, message: string | null | undefined): string | null {
  if (!code && !message) return null;
  return createHash('sha1')
    .update(`${code ?? ''}\u0000${normalizeErrorMessage(message ?? '')}`)
    .digest('hex')
    .slice(0, 16);
}
