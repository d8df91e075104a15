// Domain constants spelled into statement text, where a parameter cannot go: a partial index's predicate must be
// implied by the statement's own text for the planner to use it, and a CTE's constant list reads better inline.

/** `'A', 'B'` for a list of enum values; anything but an enum-like word is refused (this is never user input). */
export function sqlList(values: readonly string[]): string {
  for (const value of values) if (!/^[A-Z][A-Z_]*$/.test(value)) throw new Error(`not an enum value: ${value}`);
  return values.map((value) => `'${value}'`).join(', ');
}
