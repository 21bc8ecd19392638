/**
 * Per-row checks against OTAlerts_CL, run for every row by the sink and by the local workspace.
 *
 * `validateRow` accepts what Log Analytics would store in the declared column type without coercion:
 * datetime = ISO 8601 string with a zone (Z or ±hh:mm), int = 32-bit integer, long = safe integer,
 * real = finite number, boolean, dynamic = array or object, string = string. `null`/`undefined` is allowed
 * (the column is simply empty) except for the required TimeGenerated, AlertId and Revision.
 *
 * `truncateRow` mirrors the service limit "field values > 64 KB are truncated" but does it on our side, with
 * a visible marker, so the stored value says that it was cut and by how much.
 */
import { type ColumnType, OTALERTS_COLUMNS } from './schema.js';

/** 64 KB per field value, measured as UTF-8 bytes (of the JSON text for dynamic columns). */
export const MAX_FIELD_BYTES = 65_536;

export const REQUIRED_COLUMNS = ['TimeGenerated', 'AlertId', 'Revision'] as const;

const COLUMN_TYPES: ReadonlyMap<string, ColumnType> = new Map(OTALERTS_COLUMNS.map((c) => [c.name, c.type]));

/** Column name → type, as the validator sees it (exported so tests can prove it matches the generators). */
export function validatorColumns(): { name: string; type: ColumnType }[] {
  return [...COLUMN_TYPES].map(([name, type]) => ({ name, type }));
}

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
// yyyy-mm-ddThh:mm[:ss[.fffffff]](Z|±hh:mm). Kusto keeps 100 ns ticks (7 digits); more digits are accepted.
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when `value` is an ISO 8601 date-time with a zone that names a real instant (no Feb 30, no 24:00). */
export function isIsoDateTime(value: string): boolean {
  const m = ISO_DATETIME.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > maxDay) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59) return false;
  if (m[6] !== undefined && Number(m[6]) > 59) return false;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return false;
  return true;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string')
    return value.length > 40 ? `string "${value.slice(0, 40)}…"` : `string "${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  return typeof value;
}

function checkValue(type: ColumnType, value: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : `expected string, got ${describe(value)}`;
    case 'datetime':
      return typeof value === 'string' && isIsoDateTime(value)
        ? undefined
        : `expected ISO 8601 datetime string with zone (e.g. 2024-05-01T10:00:00Z), got ${describe(value)}`;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX
        ? undefined
        : `expected int (32-bit integer), got ${describe(value)}`;
    case 'long':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? undefined
        : `expected long (safe integer), got ${describe(value)}`;
    case 'real':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `expected real (finite number), got ${describe(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected boolean, got ${describe(value)}`;
    case 'dynamic':
      return typeof value === 'object' && value !== null
        ? undefined
        : `expected dynamic (array or object), got ${describe(value)}`;
  }
}

/** Problems with one row, each as `Column: message`; an empty array means the row is valid. */
export function validateRow(row: unknown): string[] {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) {
    return [`row: expected a JSON object, got ${describe(row)}`];
  }
  const record = row as Record<string, unknown>;
  const errors: string[] = [];
  for (const name of REQUIRED_COLUMNS) {
    if (record[name] === undefined || record[name] === null) errors.push(`${name}: required`);
  }
  for (const name in record) {
    if (!Object.hasOwn(record, name)) continue;
    const type = COLUMN_TYPES.get(name);
    if (type === undefined) {
      errors.push(`${name}: unknown column (not in OTAlerts_CL)`);
      continue;
    }
    const value = record[name];
    if (value === undefined || value === null) continue;
    const problem = checkValue(type, value);
    if (problem !== undefined) errors.push(`${name}: ${problem}`);
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------- truncation

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The marker appended to a cut value: `…[truncated N bytes]`. */
export function truncationMarker(removedBytes: number): string {
  return `…[truncated ${removedBytes} bytes]`;
}

/** Cuts `value` to at most `maxBytes` UTF-8 bytes including the marker, never splitting a character. */
export function truncateString(value: string, maxBytes: number = MAX_FIELD_BYTES): string {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no byte count.
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  // The marker for the largest possible N has the most digits, so it always fits.
  let keep = Math.max(0, maxBytes - utf8(truncationMarker(bytes.length)));
  // Step back to a character boundary (continuation bytes are 10xxxxxx).
  while (keep > 0 && ((bytes[keep] ?? 0) & 0xc0) === 0x80) keep--;
  return bytes.subarray(0, keep).toString('utf8') + truncationMarker(bytes.length - keep);
}

/**
 * Cheap upper bound of `JSON.stringify(value)` in UTF-8 bytes, stopping early once `budget` is passed
 * (returns Infinity then). Lets the common small row skip JSON.stringify entirely.
 */
function jsonBytesUpperBound(value: unknown, budget: number, depth = 0): number {
  if (budget < 0) return Number.POSITIVE_INFINITY;
  switch (typeof value) {
    case 'string':
      return value.length * 6 + 2; // worst case: every unit escaped as \uXXXX
    case 'number':
      return 24;
    case 'boolean':
      return 5;
    case 'object': {
      if (value === null) return 4;
      if (depth > 8) return Number.POSITIVE_INFINITY;
      let total = 2;
      if (Array.isArray(value)) {
        for (const el of value) {
          total += jsonBytesUpperBound(el, budget - total, depth + 1) + 1;
          if (total > budget) return Number.POSITIVE_INFINITY;
        }
        return total;
      }
      for (const key in value) {
        total +=
          key.length * 6 +
          3 +
          jsonBytesUpperBound((value as Record<string, unknown>)[key], budget - total, depth + 1) +
          1;
        if (total > budget) return Number.POSITIVE_INFINITY;
      }
      return total;
    }
    default:
      return 4;
  }
}

const jsonBytes = (value: unknown): number => utf8(JSON.stringify(value) ?? 'null');

/**
 * Trims a dynamic value whose JSON exceeds `maxBytes`: arrays element by element with a marker element
 * appended, objects entry by entry with a `_truncated` marker entry, strings like string columns.
 */
export function truncateDynamic(value: unknown, maxBytes: number = MAX_FIELD_BYTES): unknown {
  if (typeof value === 'string') return truncateString(value, maxBytes);
  if (typeof value !== 'object' || value === null) return value;
  if (jsonBytesUpperBound(value, maxBytes) <= maxBytes) return value;
  const total = jsonBytes(value);
  if (total <= maxBytes) return value;
  const markerMax = jsonBytes(truncationMarker(total));
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    let used = 2; // []
    for (const el of value) {
      const size = jsonBytes(el) + (kept.length > 0 ? 1 : 0);
      // Room is needed for this element, a comma and the marker element.
      if (used + size + 1 + markerMax > maxBytes) break;
      kept.push(el);
      used += size;
    }
    kept.push(truncationMarker(total - used));
    return kept;
  }
  const kept: Record<string, unknown> = {};
  let used = 2; // {}
  let count = 0;
  const markerEntry = jsonBytes('_truncated') + 1 + markerMax;
  for (const [key, el] of Object.entries(value)) {
    if (el === undefined) continue;
    const size = jsonBytes(key) + 1 + jsonBytes(el) + (count > 0 ? 1 : 0);
    if (used + size + 1 + markerEntry > maxBytes) break;
    kept[key] = el;
    used += size;
    count++;
  }
  kept._truncated = truncationMarker(total - used);
  return kept;
}

/**
 * Returns `row` itself when no field exceeds 64 KB, otherwise a shallow copy with the long fields cut
 * (strings to ≤ 64 KB UTF-8, dynamic values to ≤ 64 KB of JSON), each with a `…[truncated N bytes]` marker.
 */
export function truncateRow<T extends object>(row: T, maxBytes: number = MAX_FIELD_BYTES): T {
  let copy: Record<string, unknown> | undefined;
  const record = row as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const value = record[key];
    let cut: unknown = value;
    if (typeof value === 'string') {
      if (value.length * 3 > maxBytes) cut = truncateString(value, maxBytes);
    } else if (typeof value === 'object' && value !== null) {
      cut = truncateDynamic(value, maxBytes);
    }
    if (cut !== value) {
      copy ??= { ...record };
      copy[key] = cut;
    }
  }
  return (copy ?? row) as T;
}
