// A strict RFC 4180 reader for checking exports: quoted fields (with "" for a quote, and commas, CR and LF inside),
// records ended by LF or CRLF. An unquoted empty field reads as null (how PostgreSQL writes NULL), a quoted one as ''.
// Anything RFC 4180 does not allow (a quote inside an unquoted field, text after a closing quote) throws.

export type CsvRow = (string | null)[];

export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let row: CsvRow = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return rows;
  for (;;) {
    // One field, starting at i.
    let value: string | null;
    if (text[i] === '"') {
      let out = '';
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close === -1) throw new Error(`unterminated quoted field at offset ${i}`);
        out += text.slice(i, close);
        if (text[close + 1] === '"') {
          out += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      value = out;
      if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
        throw new Error(`text after a closing quote at offset ${i}`);
      }
    } else {
      let end = i;
      while (end < n && text[end] !== ',' && text[end] !== '\n' && !(text[end] === '\r' && text[end + 1] === '\n')) {
        if (text[end] === '"') throw new Error(`quote inside an unquoted field at offset ${end}`);
        end++;
      }
      value = end === i ? null : text.slice(i, end);
      i = end;
    }
    row.push(value);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    i += text[i] === '\r' ? 2 : 1; // end of record
    rows.push(row);
    row = [];
    if (i >= n) return rows;
  }
}
