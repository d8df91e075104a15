// Rendering results: tables sized to the terminal, JSON, JSON lines and CSV on stdout; colours only on a terminal
// and never with NO_COLOR. Messages for people go to stderr (`note`), so stdout stays data.

export const FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  /** Colours a table cell by its text (statuses). */
  colour?: boolean;
  /** Left out of tables (still in CSV). */
  wideOnly?: boolean;
}

export interface Out {
  write(text: string): void;
  isTTY: boolean;
  columns?: number;
}

const stdout: Out = {
  write: (text) => void process.stdout.write(text),
  get isTTY() {
    return Boolean(process.stdout.isTTY);
  },
  get columns() {
    return process.stdout.columns;
  },
};

export const colourAllowed = (stream: { isTTY?: boolean }) => Boolean(stream.isTTY) && !process.env.NO_COLOR;

const ANSI = { red: 31, green: 32, yellow: 33, grey: 90, bold: 1 } as const;
export const paint = (on: boolean, colour: keyof typeof ANSI, text: string) => (on ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text);

const GOOD = /^(SUCCEEDED|SUCCESS|PARTIAL_SUCCESS|HEALTHY|READY|RESOLVED|true)$/;
const BAD = /^(FAILED|EXTRACTION_FAILED|PARTIALLY_FAILED|ROLLED_BACK|DEAD_LETTERED|REGRESSED|FAILING|COMPLETED_WITH_ERRORS|FIRING)$/;
const BUSY = /^(RUNNING|QUEUED|CANCELLING|PENDING|IN_PROGRESS|EXTRACTING|RETRY_SCHEDULED|OPEN|DEGRADED|STALE|ACKNOWLEDGED)$/;

function statusColour(on: boolean, text: string): string {
  if (GOOD.test(text)) return paint(on, 'green', text);
  if (BAD.test(text)) return paint(on, 'red', text);
  if (BUSY.test(text)) return paint(on, 'yellow', text);
  return text;
}

const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value).replace(/\s*\n\s*/g, ' '));

export function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Column widths that fit `width`: the widest columns give up characters first, none below its header or 4. */
function fitWidths(natural: number[], headers: string[], width: number): number[] {
  const widths = [...natural];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      const floor = Math.max(4, Math.min(headers[i].length, 12));
      if (widths[i] > floor && (widest < 0 || widths[i] > widths[widest])) widest = i;
    }
    if (widest < 0) break;
    widths[widest]--;
  }
  return widths;
}

const clip = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`);

export function renderTable<T>(rows: T[], columns: Column<T>[], out: Out = stdout): void {
  const shown = columns.filter((c) => !c.wideOnly);
  const headers = shown.map((c) => c.header.toUpperCase());
  const cells = rows.map((row) => shown.map((c) => cell(c.value(row))));
  const natural = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const widths = out.isTTY && out.columns ? fitWidths(natural, headers, out.columns) : natural;
  const colour = colourAllowed(out);
  const line = (values: string[], header: boolean) =>
    values
      .map((value, i) => {
        const text = clip(value, widths[i]);
        const padded = i === values.length - 1 ? text : text.padEnd(widths[i]);
        if (header) return paint(colour, 'bold', padded);
        return shown[i].colour ? padded.replace(text, statusColour(colour, text)) : padded;
      })
      .join('  ')
      .trimEnd();
  out.write(`${line(headers, true)}\n`);
  for (const row of cells) out.write(`${line(row, false)}\n`);
}

/** A list in the chosen format; an empty table says so on stderr and prints nothing on stdout. */
export function renderList<T>(rows: T[], columns: Column<T>[], format: Format, out: Out = stdout): void {
  switch (format) {
    case 'json':
      out.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    case 'jsonl':
      for (const row of rows) out.write(`${JSON.stringify(row)}\n`);
      return;
    case 'csv':
      out.write(`${columns.map((c) => csvCell(c.header)).join(',')}\r\n`);
      for (const row of rows) out.write(`${columns.map((c) => csvCell(c.value(row))).join(',')}\r\n`);
      return;
    case 'table':
      if (rows.length === 0) note('(none)');
      else renderTable(rows, columns, out);
  }
}

/** One object: a two-column table of its fields, or the object itself. */
export function renderOne<T>(row: T, columns: Column<T>[], format: Format, out: Out = stdout): void {
  if (format === 'json' || format === 'jsonl') {
    out.write(`${format === 'json' ? JSON.stringify(row, null, 2) : JSON.stringify(row)}\n`);
    return;
  }
  if (format === 'csv') {
    renderList([row], columns, format, out);
    return;
  }
  const colour = colourAllowed(out);
  const width = Math.max(...columns.map((c) => c.header.length));
  for (const c of columns) {
    const text = cell(c.value(row));
    out.write(`${paint(colour, 'bold', c.header.padEnd(width))}  ${c.colour ? statusColour(colour, text) : text}\n`);
  }
}

/** A message for the person at the terminal: stderr, never stdout. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
