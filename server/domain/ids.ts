// Shapes of our ids, checked before they reach SQL so a malformed one is a clear error, not a cast failure.
import { badInput } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERIAL = /^[1-9]\d{0,17}$/;

export const isUuid = (id: string): boolean => UUID.test(id);
export const isSerialId = (id: string): boolean => SERIAL.test(id);

/** Checks every id of a filter list; a malformed one is BAD_USER_INPUT naming the argument. */
export function checkIds(ids: readonly string[] | null | undefined, valid: (id: string) => boolean, argument: string): void {
  const bad = ids?.find((id) => !valid(id));
  if (bad !== undefined) throw badInput(`${argument}: "${bad}" is not a valid id`);
}
