/**
 * Conditional and null-testing functions: iff/iif, case, coalesce, not, isnull/isnotnull, isempty/isnotempty,
 * max_of/min_of (https://learn.microsoft.com/kusto/query/iff-function, …/case-function, …/coalesce-function,
 * …/isempty-function, …/max-of-function).
 */
import { compareValues } from '../../values/compare.js';
import type { V } from '../../values/value.js';
import type { ScalarImpl } from './registry.js';

const empty = (v: V): boolean => v === null || v === '';

const iff: ScalarImpl =
  ({ args: [c, a, b] }) =>
  (r) =>
    c!(r) === true ? a!(r) : b!(r);

/** case(p1, v1, …, else): the value of the first true predicate (null predicates count as false). */
const caseFn: ScalarImpl =
  ({ args }) =>
  (r) => {
    for (let i = 0; i + 1 < args.length; i += 2) if (args[i]!(r) === true) return args[i + 1]!(r);
    return args[args.length - 1]!(r);
  };

/** coalesce(…): the first argument that is not null (for strings: not empty). */
const coalesce: ScalarImpl =
  ({ args, call }) =>
  (r) => {
    for (const a of args) {
      const v = a(r);
      if (!(v === null || (call.type === 'string' && v === ''))) return v;
    }
    return call.type === 'string' ? '' : null;
  };

/** max_of / min_of: nulls are ignored; null when every argument is null. */
const extremeOf =
  (sign: 1 | -1): ScalarImpl =>
  ({ args }) =>
  (r) => {
    let best: V = null;
    for (const a of args) {
      const v = a(r);
      if (v !== null && (best === null || sign * compareValues(v, best) > 0)) best = v;
    }
    return best;
  };

export const LOGICAL: Record<string, ScalarImpl> = {
  iff,
  iif: iff,
  case: caseFn,
  coalesce,
  not:
    ({ args: [a] }) =>
    (r) => {
      const v = a!(r);
      return v === null ? null : !v;
    },
  isnull:
    ({ args: [a] }) =>
    (r) =>
      a!(r) === null,
  isnotnull:
    ({ args: [a] }) =>
    (r) =>
      a!(r) !== null,
  isempty:
    ({ args: [a] }) =>
    (r) =>
      empty(a!(r)),
  isnotempty:
    ({ args: [a] }) =>
    (r) =>
      !empty(a!(r)),
  max_of: extremeOf(1),
  min_of: extremeOf(-1),
};
