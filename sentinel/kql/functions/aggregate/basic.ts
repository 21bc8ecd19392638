/**
 * count, countif, sum, avg, min, max, dcount, dcountif, take_any, take_anyif, make_set, make_list, percentile
 * (https://learn.microsoft.com/kusto/query/count-aggregation-function, …/dcount-aggregation-function,
 * …/make-set-aggregation-function, …/percentiles-aggregation-function, …).
 * Nulls are ignored by every aggregate; an empty input gives the documented defaults (summarize-operator page:
 * count 0, dcount 0, sum 0, avg NaN, make_set [], others null).
 */
import { fail, NO_ROW } from '../../engine/env.js';
import { compareValues } from '../../values/compare.js';
import { toDynamic } from '../../values/format.js';
import { keyOf, type Row, type V } from '../../values/value.js';
import { type AggArgs, type AggregateImpl, fold } from './registry.js';

const arg = (a: AggArgs, i: number) => a.args[i] ?? fail('missing argument', a.call);

const count: AggregateImpl = () =>
  fold(
    () => 0,
    (n) => n + 1,
    (n) => n,
  );

const countif: AggregateImpl = (a) => {
  const p = arg(a, 0);
  return fold(
    () => 0,
    (n, r) => (p(r) === true ? n + 1 : n),
    (n) => n,
  );
};

const sum: AggregateImpl = (a) => {
  const e = arg(a, 0);
  return fold(
    () => 0,
    (s, r) => {
      const v = e(r);
      return typeof v === 'number' ? s + v : s;
    },
    (s) => s,
  );
};

const avg: AggregateImpl = (a) => {
  const e = arg(a, 0);
  return fold(
    () => ({ s: 0, n: 0 }),
    (st, r) => {
      const v = e(r);
      if (typeof v === 'number') {
        st.s += v;
        st.n++;
      }
      return st;
    },
    (st) => st.s / st.n,
  );
};

const extreme =
  (sign: 1 | -1): AggregateImpl =>
  (a) => {
    const e = arg(a, 0);
    return fold<V>(
      () => null,
      (best, r) => {
        const v = e(r);
        if (v === null) return best;
        return best === null || sign * compareValues(v, best) > 0 ? v : best;
      },
      (best) => (best === null && a.call.type === 'string' ? '' : best),
    );
  };

/** dcount: Kusto estimates (HyperLogLog); the engine counts exactly, which is within the estimate's bound. */
const dcountOf = (a: AggArgs, pred?: (r: Row) => V) => {
  const e = arg(a, 0);
  return fold(
    () => new Set<string>(),
    (s, r) => {
      if (pred && pred(r) !== true) return s;
      const v = e(r);
      if (v !== null) s.add(keyOf(v));
      return s;
    },
    (s) => s.size,
  );
};

const takeAny =
  (withPred: boolean): AggregateImpl =>
  (a) => {
    const e = arg(a, 0);
    const p = withPred ? arg(a, 1) : undefined;
    return fold<{ v: V; found: boolean }>(
      () => ({ v: null, found: false }),
      (s, r) => {
        if (s.found || (p && p(r) !== true)) return s;
        const v = e(r);
        return v === null ? s : { v, found: true };
      },
      (s) => (s.found ? s.v : a.call.type === 'string' ? '' : null),
    );
  };

/** make_set(expr [, maxSize]): distinct values in first-seen order, at most maxSize (default 1048576). */
const makeSet =
  (distinct: boolean): AggregateImpl =>
  (a) => {
    const e = arg(a, 0);
    const type = a.nodes[0]!.type;
    const max = a.args[1] ? (a.args[1](NO_ROW) as number) : 1_048_576;
    return fold(
      () => ({ seen: new Set<string>(), out: [] as V[] }),
      (s, r) => {
        if (s.out.length >= max) return s;
        const v = e(r);
        if (v === null) return s;
        const d = toDynamic(v, type);
        if (distinct) {
          const k = keyOf(d);
          if (s.seen.has(k)) return s;
          s.seen.add(k);
        }
        s.out.push(d);
        return s;
      },
      (s) => s.out,
    );
  };

/** percentile(expr, p): nearest-rank on the sorted non-null values. */
const percentile: AggregateImpl = (a) => {
  const e = arg(a, 0);
  const p = a.args[1]!(NO_ROW) as number;
  return fold(
    () => [] as V[],
    (s, r) => {
      const v = e(r);
      if (v !== null) s.push(v);
      return s;
    },
    (s) => {
      if (!s.length) return null;
      s.sort(compareValues);
      const rank = Math.max(1, Math.ceil((p / 100) * s.length));
      return s[rank - 1] ?? null;
    },
  );
};

export const BASIC: Record<string, AggregateImpl> = {
  count,
  countif,
  sum,
  avg,
  min: extreme(-1),
  max: extreme(1),
  dcount: (a) => dcountOf(a),
  dcountif: (a) => dcountOf(a, arg(a, 1)),
  take_any: takeAny(false),
  any: takeAny(false),
  take_anyif: takeAny(true),
  make_set: makeSet(true),
  make_list: makeSet(false),
  percentile,
};
