// Shapes of our ids, checked before they reach SQL so a malformed one is a clear error, not a cast failure.
import { badInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERIAL = /^[1-9]\d{0,17}$/;

export const isUuid = (id: string): boolean => UUID.test(id);
export const isSerialId = (id: string): boolean => SERIAL.test(id);

/** Ids one argument or filter list may carry: larger sets go by filter. */
export const MAX_IDS = 1_000;
/** Ids an error message repeats, and characters of each. */
const ECHOED_IDS = 10;
const ECHOED_CHARS = 64;

/** One id as an error message may repeat it: a forged megabyte-long id is cut. */
export const echoId = (id: string): string => (id.length > ECHOED_CHARS ? `${id.slice(0, ECHOED_CHARS)}…` : id);

/** Ids as an error message may list them: the first few, then how many more. */
export function echoIds(ids: readonly string[]): string {
  const shown = ids.slice(0, ECHOED_IDS).map(echoId).join(', ');
  return ids.length > ECHOED_IDS ? `${shown} and ${ids.length - ECHOED_IDS} more` : shown;
}

/** Refuses a list of more than MAX_IDS ids, naming the argument. */
export function checkIdCount(ids: readonly string[] | null | undefined, argument: string): void {
  if (ids && ids.length > MAX_IDS) throw badInput(`${argument}: at most ${MAX_IDS} ids, got ${ids.length}; select larger sets by filter`);
}

/** Checks every id of a filter list; a malformed one is BAD_USER_INPUT naming the argument. */
export function checkIds(ids: readonly string[] | null | undefined, valid: (id: string) => boolean, argument: string): void {
  checkIdCount(ids, argument);
  const bad = ids?.find((id) => !valid(id));
  if (bad !== undefined) throw badInput(`${argument}: "${echoId(bad)}" is not a valid id`);
}
