/** RFC 4180 CSV reading for inventory files and watchlist exports. */
import { InventoryError } from './assetRecords.js';

// ---------------------------------------------------------------------------------------------------------------
// CSV (RFC 4180)

export interface CsvRecord {
  /** 1-based line the record starts on (a quoted field may span lines). */
  line: number;
  fields: string[];
}

/**
 * A small RFC 4180 reader: comma-separated, fields optionally in double quotes, `""` is a quote inside a quoted
 * field, quoted fields may hold commas and line breaks, CRLF or LF line ends, a UTF-8 BOM is skipped, blank lines are
 * ignored. A quote inside an unquoted field is kept as text (spreadsheets write `12" panel`); text after a closing
 * quote and an unclosed quote are errors. Written here rather than adding a dependency: it is 50 lines.
 */
export function readCsv(text: string, source = 'CSV'): CsvRecord[] {
  const out: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const fail = (at: number, message: string): never => {
    throw new InventoryError(source, [`${source}:${at}: ${message}`]);
  };
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= n) fail(start, 'quoted field is not closed (missing ")');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] !== '"') break;
            value += '"';
            i += 2;
            continue;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        i++;
        const after = text[i];
        if (i < n && after !== ',' && after !== '\n' && after !== '\r') {
          fail(line, 'text after a closing quote (a quote inside a quoted field is written "")');
        }
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        value = text.slice(from, i);
      }
      fields.push(value);
      if (text[i] !== ',') break;
      i++;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (fields.length > 1 || fields[0]!.trim() !== '') out.push({ line: start, fields });
  }
  return out;
}

/** Inventory CSV (header row + one device per row) → assets. Collects every bad row before failing. */
