/**
 * Row operators: where, take/limit, sort/order, top, distinct, count, render
 * (https://learn.microsoft.com/kusto/query/where-operator, …/sort-operator, …/top-operator, …/distinct-operator,
 * …/count-operator, …/render-operator).
 */

import { type Env, fail, NO_ROW, unsupported } from '../engine/env.js';
import { compileScalar } from '../engine/scalar.js';
import { list, type SNode, slot } from '../syntax/tree.js';
import { sortCompare } from '../values/compare.js';
import { keyOfAll, type Row, type Table, type V } from '../values/value.js';
import { row, schemaOf } from './schema.js';

export function where(op: SNode, input: Table, env: Env): Table {
  const cond = compileScalar(slot(op, 'Condition')!, env, input.columns);
  return { columns: input.columns, rows: input.rows.filter((r) => cond(r) === true) };
}

function count(n: SNode | undefined, env: Env): number {
  if (!n) return fail('missing row count', n as unknown as SNode);
  const v = compileScalar(n, env, [])(NO_ROW);
  if (typeof v !== 'number' || v < 0) return fail('the row count must be a non-negative number', n);
  return v;
}

export function take(op: SNode, input: Table, env: Env): Table {
  return { columns: input.columns, rows: input.rows.slice(0, count(slot(op, 'Expression'), env)) };
}

interface Ordering {
  key: (r: Row) => V;
  desc: boolean;
  nullsFirst: boolean;
}

/** `e [asc|desc] [nulls first|last]`; sort/top default to desc; nulls first when asc, last when desc. */
function orderings(exprs: SNode[], input: Table, env: Env): Ordering[] {
  return exprs.map((e) => {
    const inner = e.kind === 'OrderedExpression' ? slot(e, 'Expression')! : e;
    const clause = e.kind === 'OrderedExpression' ? slot(e, 'Ordering') : undefined;
    const dir = clause ? slot(clause, 'AscOrDescKeyword')?.text.toLowerCase() : undefined;
    const desc = dir !== 'asc';
    const nulls = clause
      ? slot(slot(clause, 'NullsClause') ?? clause, 'FirstOrLastKeyword')?.text.toLowerCase()
      : undefined;
    const nullsFirst = nulls ? nulls === 'first' : !desc;
    return { key: compileScalar(inner, env, input.columns), desc, nullsFirst };
  });
}

function sortRows(rows: Row[], ords: Ordering[]): Row[] {
  const keyed = rows.map((r, i) => ({ r, i, k: ords.map((o) => o.key(r)) }));
  keyed.sort((a, b) => {
    for (let j = 0; j < ords.length; j++) {
      const o = ords[j]!;
      const c = sortCompare(a.k[j]!, b.k[j]!, o.desc, o.nullsFirst);
      if (c) return c;
    }
    return a.i - b.i;
  });
  return keyed.map((x) => x.r);
}

export function sort(op: SNode, input: Table, env: Env): Table {
  if (list(op, 'Parameters').length) return unsupported('sort parameters', op);
  return {
    columns: input.columns,
    rows: sortRows(input.rows, orderings(list(op, 'Expressions'), input, env)),
  };
}

export function top(op: SNode, input: Table, env: Env): Table {
  if (list(op, 'Parameters').length) return unsupported('top parameters', op);
  const n = count(slot(op, 'Expression'), env);
  const by = slot(op, 'ByExpression')!;
  return { columns: input.columns, rows: sortRows(input.rows, orderings([by], input, env)).slice(0, n) };
}

export function distinct(op: SNode, input: Table, env: Env): Table {
  if (list(op, 'Parameters').length) return unsupported('distinct parameters', op);
  const exprs = list(op, 'Expressions');
  const columns = schemaOf(op);
  const all = exprs.length === 1 && exprs[0]!.kind === 'StarExpression';
  const fns = all
    ? input.columns.map((_, i) => (r: Row) => r.values[i]!)
    : exprs.map((e) => compileScalar(e, env, input.columns));
  const seen = new Set<string>();
  const rows: Row[] = [];
  for (const r of input.rows) {
    const vals = fns.map((f) => f(r));
    const k = keyOfAll(vals);
    if (seen.has(k)) continue;
    seen.add(k);
    rows.push(row(vals));
  }
  return { columns, rows };
}

export function countRows(_op: SNode, input: Table): Table {
  return { columns: [{ name: 'Count', type: 'long' }], rows: [row([input.rows.length])] };
}

/** render only tells a client how to draw the result; the data are unchanged. */
export function render(_op: SNode, input: Table): Table {
  return input;
}
