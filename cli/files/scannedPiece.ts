import { checkShape, MAX_RAW_CHARS } from '../../pipeline/parse/records.js';

/** One record found in the file, or why a piece of the file is not one. */
export interface ScannedPiece {
  /** 1-based line where the record starts. */
  line: number;
  /** Its position in a top-level array or an envelope's `records`. */
  element?: { container: 'array' | 'records'; index: number };
  /** A parsed JSON object, or a string (a syslog/text line, or a string element). */
  value?: unknown;
  /** Why this piece is not a record; `raw` holds its text (capped). */
  error?: string;
  raw?: string;
}

/** A piece before the scanner places it (line, element). */
export type Piece = Omit<ScannedPiece, 'line' | 'element'>;

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a nested array' : typeof v;
}

export function capRaw(s: string): string {
  return s.length <= MAX_RAW_CHARS ? s : `${s.slice(0, MAX_RAW_CHARS)}…[truncated]`;
}

/**
 * A complete JSON record's text as a piece. A top-level object (`topObject`) with a `records` array is an
 * envelope whose key the scanner could not spell out (escaped): its records are returned to be placed one by one.
 */
export function jsonPiece(
  text: string,
  topObject: boolean,
  maxDepth: number,
  maxBytes: number,
): Piece | { envelope: Piece[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `invalid JSON: ${(e as Error).message}`, raw: text };
  }
  if (typeof value === 'string') return { value };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { error: `record is ${kindOf(value)}, not an object or string`, raw: text };
  const records = (value as { records?: unknown }).records;
  if (topObject && Array.isArray(records))
    return {
      envelope: records.map((r: unknown) =>
        typeof r === 'string' || (typeof r === 'object' && r !== null && !Array.isArray(r))
          ? { value: r }
          : { error: `record is ${kindOf(r)}, not an object or string`, raw: JSON.stringify(r) ?? '' },
      ),
    };
  const shape = checkShape(value, maxDepth, maxBytes);
  return shape ? { error: shape, raw: text } : { value };
}

/** A text line (trimmed, not empty): a syslog/text record, or a JSON string on a line of its own. */
export function textLinePiece(text: string, tooLarge: string | undefined): Piece {
  if (tooLarge) return { error: tooLarge, raw: capRaw(text) };
  if (text.charCodeAt(0) === 34 /* " */) {
    try {
      const v = JSON.parse(text) as unknown;
      if (typeof v === 'string') return { value: v };
    } catch {
      // a text line that starts with a quote
    }
  }
  return { value: text };
}
