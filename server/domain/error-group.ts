// Error groups: failures that share a fingerprint (domain/error-text.ts), and what an operator made of them.
import { badInput } from './errors.js';

export enum ErrorGroupState {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
  REGRESSED = 'REGRESSED',
}

/** errorGroups looks back this far unless its range says otherwise. */
export const DEFAULT_ERROR_GROUP_DAYS = 7;

/** errorFingerprint makes 16 hex digits; up to 64 leaves room for a longer hash without accepting free text. */
const FINGERPRINT = /^[0-9a-f]{8,64}$/;

export function checkFingerprint(value: string, argument: string): string {
  if (!FINGERPRINT.test(value)) throw badInput(`${argument} must be an error fingerprint: 8 to 64 lowercase hexadecimal digits`);
  return value;
}

/** The window errorGroups counts in: the range as given, an open end filled from now and the default length. */
export function errorGroupWindow(range: { from?: Date | null; to?: Date | null } | null | undefined, now: Date): { from: Date; to: Date } {
  const to = range?.to ?? now;
  const from = range?.from ?? new Date(to.getTime() - DEFAULT_ERROR_GROUP_DAYS * 86_400_000);
  if (from > to) throw badInput('range: "from" must not be after "to"');
  return { from, to };
}
