/**
 * Equality, ordering and string predicates with Kusto's documented semantics:
 * - null == null -> null, null == x -> false, null != x -> true; <, >, … with a null -> null
 *   (https://learn.microsoft.com/kusto/query/scalar-data-types/null-values);
 * - `has` matches whole terms (runs of ASCII alphanumerics), case-insensitively; `contains` any substring
 *   (https://learn.microsoft.com/kusto/query/datatypes-string-operators).
 */
import { isObject, type V } from './value.js';

/** Plain value equality (no null rule): dynamic scalars compare to their scalar, arrays/objects structurally. */
export function sameValue(a: V, b: V): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

export function eq(a: V, b: V): boolean | null {
  if (a === null && b === null) return null;
  if (a === null || b === null) return false;
  return sameValue(a, b);
}

export function neq(a: V, b: V): boolean | null {
  const e = eq(a, b);
  return e === null ? null : !e;
}

/** Ordinal compare of two non-null values of the same static type. */
export function compareValues(a: V, b: V): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
    if (Number.isNaN(b)) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** `<`, `<=`, `>`, `>=`: null when either side is null. */
export function order(a: V, b: V, test: (c: number) => boolean): boolean | null {
  if (a === null || b === null) return null;
  return test(compareValues(a, b));
}

/**
 * Sort order with nulls placement (sort/top/order by): nulls first ascending, last descending by default. NaN sorts
 * with the nulls, next to them: nulls first gives null, NaN, values…; nulls last gives …values, NaN, null
 * (https://learn.microsoft.com/kusto/query/sort-operator).
 */
export function sortCompare(a: V, b: V, desc: boolean, nullsFirst: boolean): number {
  const rank = (v: V) => (v === null ? 2 : typeof v === 'number' && Number.isNaN(v) ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra || rb) {
    if (ra === rb) return 0;
    return ra > rb === nullsFirst ? -1 : 1;
  }
  const c = compareValues(a, b);
  return desc ? -c : c;
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * `hay has needle`: needle found where it starts and ends on a term boundary (a non-alphanumeric neighbour or the
 * string's end), for the needle's alphanumeric ends. Case-insensitive unless `cs`.
 */
export function hasTerm(hay: string, needle: string, cs = false): boolean {
  if (needle === '') return true;
  const h = cs ? hay : hay.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  const startAlnum = isAlnum(n.charCodeAt(0));
  const endAlnum = isAlnum(n.charCodeAt(n.length - 1));
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    const before = i === 0 || !startAlnum || !isAlnum(h.charCodeAt(i - 1));
    const j = i + n.length;
    const after = j === h.length || !endAlnum || !isAlnum(h.charCodeAt(j));
    if (before && after) return true;
  }
  return false;
}

/** `hasprefix`: a term of hay starts with needle. */
export function hasPrefix(hay: string, needle: string, cs = false): boolean {
  const h = cs ? hay : hay.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    if (i === 0 || !isAlnum(h.charCodeAt(i - 1)) || !isAlnum(n.charCodeAt(0))) return true;
  }
  return false;
}

/** `hassuffix`: a term of hay ends with needle. */
export function hasSuffix(hay: string, needle: string, cs = false): boolean {
  const h = cs ? hay : hay.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    const j = i + n.length;
    if (j === h.length || !isAlnum(h.charCodeAt(j)) || !isAlnum(n.charCodeAt(n.length - 1))) return true;
  }
  return false;
}

export const lower = (s: string): string => s.toLowerCase();

/** Case-insensitive equality of two strings (`=~`, `in~`). */
export const eqCi = (a: string, b: string): boolean => a === b || a.toLowerCase() === b.toLowerCase();

export { isObject };
