/**
 * Values inside the engine. Every expression has a static type from the analyzer, so values stay plain:
 * datetime and timespan are numbers of milliseconds (epoch / duration), dynamic is a JSON value, string is never
 * null (Kusto strings are empty, not null), other scalars may be null.
 */
import type { KqlColumn, KqlType, KqlValue } from '../types.js';

export type V = null | boolean | number | string | V[] | { [k: string]: V };

export interface Row {
  readonly values: V[];
  /** ingestion_time() of the row: ms since epoch, or null (rows not read straight from a table). */
  readonly ingestion: number | null;
}

export interface Table {
  readonly columns: KqlColumn[];
  readonly rows: Row[];
}

export const isObject = (v: V): v is { [k: string]: V } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The engine type for an analyzer type name; undefined for types the engine does not carry (tuple, unknown…). */
export function kqlType(name: string | undefined): KqlType | undefined {
  switch (name) {
    case 'string':
    case 'long':
    case 'int':
    case 'real':
    case 'bool':
    case 'datetime':
    case 'timespan':
    case 'dynamic':
    case 'guid':
    case 'decimal':
      return name;
    case 'boolean':
      return 'bool';
    case 'double':
      return 'real';
    case 'date':
      return 'datetime';
    case 'time':
      return 'timespan';
    case 'uniqueid':
      return 'guid';
    default:
      return undefined;
  }
}

export const isNumeric = (t: string | undefined): boolean =>
  t === 'long' || t === 'int' || t === 'real' || t === 'decimal';

/** Reads a caller's cell as the column type says. */
export function fromInput(v: KqlValue | undefined, type: KqlType): V {
  if (v === undefined || v === null) return type === 'string' ? '' : null;
  switch (type) {
    case 'datetime': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number(v);
      return Number.isFinite(ms) ? ms : null;
    }
    case 'string':
    case 'guid':
      return typeof v === 'string' ? v : toJson(v) === null ? '' : JSON.stringify(toJson(v));
    case 'dynamic':
      return toJson(v);
    case 'bool':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'number' ? v : null;
  }
}

/** A caller's value as JSON (Date -> ISO string), for dynamic cells. */
export function toJson(v: KqlValue): V {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === 'object') {
    const o: { [k: string]: V } = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJson(x);
    return o;
  }
  return v;
}

/** An engine value as the API hands it out. */
export function toOutput(v: V, type: KqlType): KqlValue {
  if (v === null) return null;
  if (type === 'datetime' && typeof v === 'number') return new Date(v);
  return v;
}

/** A stable key for grouping, joining, distinct and dcount (type-aware: 1 and "1" differ). */
export function keyOf(v: V): string {
  return typeof v === 'string' ? `s${v}` : JSON.stringify(v);
}

export function keyOfAll(vs: readonly V[]): string {
  return vs.length === 1 ? keyOf(vs[0]!) : JSON.stringify(vs);
}
