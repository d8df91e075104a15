// Spreadsheet formula injection: a text cell starting with one of these characters is run as a formula by
// Excel, LibreOffice and Google Sheets when a CSV is opened. Such a cell gets a leading apostrophe, which the
// spreadsheet shows as text (OWASP "CSV Injection"). The rule lives here; the export SQL is built from it.

/** First characters that make a spreadsheet read a cell as a formula: = + - @, tab, carriage return. */
export const FORMULA_TRIGGERS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/** The text a spreadsheet will show as it is. */
export function neutraliseCell(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.includes(text[0]) ? `'${text}` : text;
}

/** A PostgreSQL string literal of any text (E'' form, so tab and carriage return travel as escapes). */
function sqlLiteral(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\t/g, '\\t').replace(/\r/g, '\\r');
  return `E'${escaped}'`;
}

/**
 * neutraliseCell as a SQL expression over a text expression (a column, usually): NULL stays NULL.
 * The expression is evaluated twice, so pass a column or another cheap expression.
 */
export function neutraliseCellSql(expression: string): string {
  const triggers = FORMULA_TRIGGERS.map(sqlLiteral).join(', ');
  return `CASE WHEN left(${expression}, 1) IN (${triggers}) THEN '''' || ${expression} ELSE ${expression} END`;
}
