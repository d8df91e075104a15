// Opaque keyset cursors: the sort field, its value and the id tie breaker, base64url-encoded.
import { badInput } from './errors.js';

export interface Cursor {
  field: string;
  value: string | number | null;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.field, cursor.value, cursor.id])).toString('base64url');
}

export function decodeCursor(raw: string, expectedField: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw badInput(`"after" is not a cursor returned by this list`);
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[2] !== 'string' ||
    !(typeof parsed[1] === 'string' || typeof parsed[1] === 'number' || parsed[1] === null)
  ) {
    throw badInput(`"after" is not a cursor returned by this list`);
  }
  if (parsed[0] !== expectedField) {
    throw badInput(`"after" was returned for another sort order (${parsed[0]}); start again without it`);
  }
  return { field: parsed[0], value: parsed[1], id: parsed[2] };
}

export const MAX_PAGE_SIZE = 500;

export function checkPageSize(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`"first" must be from 1 to ${MAX_PAGE_SIZE}, got ${first}`);
  }
  return first;
}
