// Which columns of a table the reader chose to see (seed 004's column chooser), remembered per browser: the hidden
// keys of each table as JSON in localStorage. Pure: unit-tested in test/unit/client/support/columns.test.ts.

export interface ChoosableColumn {
  key: string;
  /** The column's name in the chooser. */
  label: string;
}

/** The localStorage key of a table's choice. */
export function columnsStorageKey(tableId: string): string {
  return `syncwatch.columns.${tableId}`;
}

/**
 * The hidden keys a stored choice names, of the table's columns only (a column since removed is forgotten); the
 * defaults when nothing (or something unreadable) is stored.
 */
export function hiddenColumnsFrom(
  stored: string | null,
  columns: readonly ChoosableColumn[],
  hiddenByDefault: readonly string[],
): string[] {
  const known = new Set(columns.map((column) => column.key));
  try {
    const parsed: unknown = stored === null ? null : JSON.parse(stored);
    if (Array.isArray(parsed)) return parsed.filter((key): key is string => typeof key === 'string' && known.has(key));
  } catch {
    // An unreadable choice counts as none.
  }
  return hiddenByDefault.filter((key) => known.has(key));
}

/** A list shown compactly: the first value and how many more ("Account +2"), and all of them for the hover. */
export function compactList(values: readonly string[], empty = '—'): { text: string; title: string } {
  if (values.length === 0) return { text: empty, title: '' };
  const more = values.length - 1;
  return { text: more > 0 ? `${values[0]} +${more}` : values[0], title: values.join(', ') };
}
