/**
 * Conversions (https://learn.microsoft.com/kusto/query/toint-function, …/todouble-function,
 * …/todatetime-function, …/parse-json-function). A value that does not convert gives null.
 */
import { parseDatetime } from '../../values/literals.js';
import type { V } from '../../values/value.js';
import type { ScalarImpl } from './registry.js';

const INTEGER = /^\s*[+-]?\d+\s*$/;
const REAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function toNumber(v: V, integer: boolean): V {
  if (v === null) return null;
  if (typeof v === 'number') return integer ? Math.trunc(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    if (integer) return INTEGER.test(v) ? Number.parseInt(v, 10) : null;
    if (REAL.test(v)) return Number(v);
    if (/^\s*(nan|[+-]?inf(inity)?)\s*$/i.test(v))
      return Number(v.trim().replace(/^([+-]?)inf$/i, '$1Infinity'));
    return null;
  }
  return null;
}

const numeric =
  (integer: boolean): ScalarImpl =>
  ({ args: [a] }) =>
  (r) =>
    toNumber(a!(r), integer);

/**
 * parse_json(s): the JSON value; a string that is not JSON stays a string; a dynamic passes through; the empty
 * string gives null (isnull(parse_json("")) is true in the isnull() documentation).
 */
export function parseJson(v: V): V {
  if (typeof v !== 'string') return v;
  if (v === '') return null;
  try {
    return JSON.parse(v) as V;
  } catch {
    return v;
  }
}

export const CONVERSION: Record<string, ScalarImpl> = {
  toint: numeric(true),
  tolong: numeric(true),
  todouble: numeric(false),
  toreal: numeric(false),
  tobool:
    ({ args: [a] }) =>
    (r) => {
      const v = a!(r);
      if (typeof v === 'boolean' || v === null) return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string')
        return /^true$/i.test(v.trim()) ? true : /^false$/i.test(v.trim()) ? false : null;
      return null;
    },
  todatetime:
    ({ args: [a], nodes }) =>
    (r) => {
      const v = a!(r);
      if (v === null) return null;
      if (nodes[0]!.type === 'datetime') return v;
      return typeof v === 'string' ? (parseDatetime(v) ?? null) : null;
    },
  parse_json:
    ({ args: [a], nodes }) =>
    (r) => {
      const v = a!(r);
      return nodes[0]!.type === 'dynamic' ? v : parseJson(v);
    },
};
CONVERSION.todynamic = CONVERSION.parse_json!;
/** Deprecated alias, still accepted by Kusto. */
CONVERSION.parsejson = CONVERSION.parse_json!;
