/**
 * Scalar expressions compiled to closures over a row. Operators follow
 * https://learn.microsoft.com/kusto/query/datatypes-string-operators and the numerical/datetime operator pages;
 * the analyzer's static type of each node decides integer vs real division and datetime/timespan arithmetic.
 */
import { compileCall } from '../functions/scalar/index.js';
import { nameOf, readsColumns, type SNode, slot } from '../syntax/tree.js';
import type { KqlColumn } from '../types.js';
import { eq, eqCi, hasPrefix, hasSuffix, hasTerm, neq, order } from '../values/compare.js';
import { toKqlString } from '../values/format.js';
import { isObject, type Row, type V } from '../values/value.js';
import { type Compiled, columnIndex, type Env, fail, NO_ROW, unsupported } from './env.js';
import { compileLiteral } from './literal.js';
import { firstScalar } from './toscalar.js';

/** The string form of an operand for string operators (non-string operands are converted as tostring does). */
export function asString(c: Compiled, type: string | undefined): Compiled {
  if (type === 'string') return c;
  return (r) => toKqlString(c(r), type);
}

export function compileScalar(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const at = env.computed?.get(n);
  if (at !== undefined) return (r) => r.values[at] ?? null;
  switch (n.kind) {
    case 'ParenthesizedExpression':
      return compileScalar(slot(n, 'Expression')!, env, schema);
    case 'NameReference':
    case 'BracketedName':
      return compileName(n, env, schema);
    case 'FunctionCallExpression':
      return compileCall(n, env, schema);
    case 'PathExpression':
      return compilePath(n, env, schema);
    case 'ElementExpression':
      return compileElement(n, env, schema);
    case 'UnaryMinusExpression': {
      const e = compileScalar(slot(n, 'Expression')!, env, schema);
      return (r) => {
        const v = e(r);
        return v === null ? null : -(v as number);
      };
    }
    case 'UnaryPlusExpression':
      return compileScalar(slot(n, 'Expression')!, env, schema);
    case 'ToScalarExpression': {
      const inner = slot(n, 'Expression')!;
      // toscalar(2): a scalar argument is its own value.
      if (!inner.columns) return compileScalar(inner, env, schema);
      const t = env.tabular(inner, env);
      const v = firstScalar(t);
      return () => v;
    }
    case 'InExpression':
    case 'InCsExpression':
    case 'NotInExpression':
    case 'NotInCsExpression':
    case 'HasAnyExpression':
    case 'HasAllExpression':
      return compileInList(n, env, schema);
    case 'BetweenExpression':
    case 'NotBetweenExpression':
      return compileBetween(n, env, schema);
    default:
      if (n.kind.endsWith('LiteralExpression') || n.kind === 'DynamicExpression') return compileLiteral(n);
      if (slot(n, 'Left') && slot(n, 'Right') && slot(n, 'Operator')) return compileBinary(n, env, schema);
      return unsupported(`expression ${n.kind}`, n);
  }
}

function compileName(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const name = n.ref?.name ?? '';
  switch (n.ref?.kind) {
    case 'Column': {
      const i = columnIndex(schema, name, n);
      return (r) => r.values[i] ?? null;
    }
    case 'Variable':
    case 'Parameter': {
      const b = env.vars.get(name);
      if (!b) return fail(`'${name}' is not bound`, n);
      if (b.kind !== 'scalar') return unsupported('tabular variable in a scalar position', n);
      const v = b.value;
      return () => v;
    }
    default:
      return unsupported(`name reference to ${n.ref?.kind ?? 'nothing'} '${name}'`, n);
  }
}

/** `d.a`, `d.['a b']`: member access on a dynamic bag (null when absent or not a bag). */
function compilePath(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const left = slot(n, 'Expression')!;
  if (left.type !== 'dynamic') return unsupported(`path on ${left.type}`, n);
  const obj = compileScalar(left, env, schema);
  const sel = slot(n, 'Selector')!;
  const key = nameOf(sel);
  return (r) => member(obj(r), key);
}

export function member(v: V, key: string): V {
  if (isObject(v)) return v[key] ?? null;
  return null;
}

/** `d["a"]`, `d[0]`, `d[-1]` (from the end). */
function compileElement(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const obj = compileScalar(slot(n, 'Expression')!, env, schema);
  const br = slot(n, 'Selector')!;
  const idx = compileScalar(slot(br, 'Expression')!, env, schema);
  return (r) => {
    const v = obj(r);
    const k = idx(r);
    if (Array.isArray(v) && typeof k === 'number') {
      const i = k < 0 ? v.length + k : k;
      return v[i] ?? null;
    }
    if (isObject(v) && typeof k === 'string') return v[k] ?? null;
    return null;
  };
}

function compileBinary(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const op = slot(n, 'Operator')!.text.toLowerCase();
  const ln = slot(n, 'Left')!;
  const rn = slot(n, 'Right')!;
  const l = compileScalar(ln, env, schema);
  const r = compileScalar(rn, env, schema);
  switch (op) {
    case 'and':
      return (x) => {
        const a = l(x);
        if (a === false) return false;
        const b = r(x);
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    case 'or':
      return (x) => {
        const a = l(x);
        if (a === true) return true;
        const b = r(x);
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    case '==':
      return (x) => eq(l(x), r(x));
    case '!=':
    case '<>':
      return (x) => neq(l(x), r(x));
    case '<':
      return (x) => order(l(x), r(x), (c) => c < 0);
    case '<=':
      return (x) => order(l(x), r(x), (c) => c <= 0);
    case '>':
      return (x) => order(l(x), r(x), (c) => c > 0);
    case '>=':
      return (x) => order(l(x), r(x), (c) => c >= 0);
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return arithmetic(op, n, l, r, ln.type, rn.type);
  }
  const ls = asString(l, ln.type);
  const rs = asString(r, rn.type);
  const neg = op.startsWith('!');
  const base = neg ? op.slice(1) : op;
  const test = stringPredicate(base, n);
  return neg ? (x) => !test(ls(x) as string, rs(x) as string) : (x) => test(ls(x) as string, rs(x) as string);
}

function stringPredicate(op: string, at: SNode): (a: string, b: string) => boolean {
  switch (op) {
    case '~':
    case '=~':
      return eqCi;
    case 'has':
      return (a, b) => hasTerm(a, b);
    case 'has_cs':
      return (a, b) => hasTerm(a, b, true);
    case 'hasprefix':
      return (a, b) => hasPrefix(a, b);
    case 'hasprefix_cs':
      return (a, b) => hasPrefix(a, b, true);
    case 'hassuffix':
      return (a, b) => hasSuffix(a, b);
    case 'hassuffix_cs':
      return (a, b) => hasSuffix(a, b, true);
    case 'contains':
      return (a, b) => a.toLowerCase().includes(b.toLowerCase());
    case 'contains_cs':
      return (a, b) => a.includes(b);
    case 'startswith':
      return (a, b) => a.toLowerCase().startsWith(b.toLowerCase());
    case 'startswith_cs':
      return (a, b) => a.startsWith(b);
    case 'endswith':
      return (a, b) => a.toLowerCase().endsWith(b.toLowerCase());
    case 'endswith_cs':
      return (a, b) => a.endsWith(b);
    case 'matches regex':
      return (a, b) => new RegExp(b).test(a);
    default:
      return unsupported(`operator '${op}'`, at);
  }
}

function arithmetic(op: string, n: SNode, l: Compiled, r: Compiled, lt?: string, rt?: string): Compiled {
  const integer = n.type === 'long' || n.type === 'int';
  const f = ((): ((a: number, b: number) => number | null) => {
    switch (op) {
      case '+':
        return (a, b) => a + b;
      case '-':
        return (a, b) => a - b;
      case '*':
        return (a, b) => a * b;
      case '%':
        return (a, b) => {
          if (b === 0) fail('modulo by zero', n);
          return a % b;
        };
      default:
        // timespan / timespan is real; long / long truncates toward zero
        if (integer && lt !== 'timespan' && rt !== 'timespan')
          return (a, b) => {
            if (b === 0) fail('integer division by zero', n);
            return Math.trunc(a / b);
          };
        return (a, b) => a / b;
    }
  })();
  return (x) => {
    const a = l(x);
    const b = r(x);
    if (a === null || b === null) return null;
    if (typeof a !== 'number' || typeof b !== 'number') return fail(`'${op}' on non-numeric values`, n);
    return f(a, b);
  };
}

/** `x in (…)`, `in~`, `!in`, `!in~`, `has_any (…)`, `has_all (…)`: list elements, dynamic arrays or a sub-query. */
function compileInList(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const op = slot(n, 'Operator')!.text.toLowerCase();
  const ln = slot(n, 'Left')!;
  const left = compileScalar(ln, env, schema);
  const items: ((r: Row) => V[])[] = [];
  const elements = slot(n, 'Right')!.slots.get('Expressions')?.children ?? [];
  for (const e of elements) {
    if (e.columns && e.type !== 'dynamic') {
      const t = env.tabular(e, env);
      const vals = t.rows.map((row) => row.values[0] ?? null);
      items.push(() => vals);
    } else {
      const c = compileScalar(e, env, schema);
      const expand = e.type === 'dynamic';
      items.push((r) => {
        const v = c(r);
        return expand && Array.isArray(v) ? v : [v];
      });
    }
  }
  // The list is constant for the query when it reads no column: evaluate it once.
  const constant = !elements.some(readsColumns);
  let cached: V[] | undefined;
  const list = (r: Row): V[] => items.flatMap((f) => f(r));
  const all = constant
    ? (): V[] => {
        if (!cached) cached = list(NO_ROW);
        return cached;
      }
    : list;
  const str = (v: V): string => (typeof v === 'string' ? v : toKqlString(v, 'dynamic'));
  switch (op) {
    case 'in':
    case '!in': {
      const neg = op === '!in';
      return (x) => {
        const v = left(x);
        const hit = all(x).some(
          (w) => eq(v, typeof v === 'string' && typeof w !== 'string' ? str(w) : w) === true,
        );
        return neg ? !hit : hit;
      };
    }
    case 'in~':
    case '!in~': {
      const neg = op === '!in~';
      return (x) => {
        const v = toKqlString(left(x), ln.type);
        const hit = all(x).some((w) => eqCi(v, str(w)));
        return neg ? !hit : hit;
      };
    }
    case 'has_any':
      return (x) => {
        const v = toKqlString(left(x), ln.type);
        return all(x).some((w) => hasTerm(v, str(w)));
      };
    case 'has_all':
      return (x) => {
        const v = toKqlString(left(x), ln.type);
        return all(x).every((w) => hasTerm(v, str(w)));
      };
    default:
      return unsupported(`operator '${op}'`, n);
  }
}

function compileBetween(n: SNode, env: Env, schema: readonly KqlColumn[]): Compiled {
  const left = compileScalar(slot(n, 'Left')!, env, schema);
  const couple = slot(n, 'Right')!;
  const lo = compileScalar(slot(couple, 'First')!, env, schema);
  const hi = compileScalar(slot(couple, 'Second')!, env, schema);
  const neg = n.kind === 'NotBetweenExpression';
  return (x) => {
    const v = left(x);
    const a = order(v, lo(x), (c) => c >= 0);
    const b = order(v, hi(x), (c) => c <= 0);
    if (a === null || b === null) return null;
    return neg ? !(a && b) : a && b;
  };
}
