/**
 * Column operators: extend, project, project-away, project-keep, project-rename, project-reorder
 * (https://learn.microsoft.com/kusto/query/extend-operator, …/project-operator, …/project-away-operator, …).
 * Output names come from the analyzer's schema of the operator, so generated names (Column1, …) are Kusto's.
 */
import { type Compiled, type Env, fail, unsupported } from '../engine/env.js';
import { compileScalar } from '../engine/scalar.js';
import { list, nameOf, type SNode, slot } from '../syntax/tree.js';
import type { KqlColumn } from '../types.js';
import type { Row, Table } from '../values/value.js';
import { row, schemaOf } from './schema.js';

/** The expression and its explicit name (`Name = expr`), if any. */
function named(e: SNode): { name?: string; expr: SNode } {
  if (e.kind === 'SimpleNamedExpression')
    return { name: nameOf(slot(e, 'Name')!), expr: slot(e, 'Expression')! };
  if (e.kind === 'CompoundNamedExpression') return unsupported('tuple assignment (a, b) = …', e);
  return { expr: e };
}

/** extend: each expression sees the columns the previous ones added; same-name columns are replaced in place. */
export function extend(op: SNode, input: Table, env: Env): Table {
  const out = schemaOf(op);
  const inputNames = new Set(input.columns.map((c) => c.name));
  const fresh = out.filter((c) => !inputNames.has(c.name)).map((c) => c.name);
  let next = 0;
  let columns: KqlColumn[] = [...input.columns];
  const steps: { index: number; fn: Compiled }[] = [];
  for (const e of list(op, 'Expressions')) {
    const { name, expr } = named(e);
    const fn = compileScalar(expr, env, columns);
    const target = name ?? (expr.ref?.kind === 'Column' ? expr.ref.name : fresh[next]);
    if (target === undefined) return fail('cannot name an extend column', e);
    let index = columns.findIndex((c) => c.name === target);
    const type = out.find((c) => c.name === target)?.type ?? fail(`extend column ${target} not in schema`, e);
    if (index < 0) {
      if (fresh[next] !== target) return fail(`extend column ${target} out of order`, e);
      next++;
      index = columns.length;
      columns = [...columns, { name: target, type }];
    } else columns = columns.map((c, i) => (i === index ? { name: target, type } : c));
    steps.push({ index, fn });
  }
  const rows = input.rows.map((r) => {
    const values = [...r.values];
    const cur: Row = { values, ingestion: r.ingestion };
    for (const s of steps) values[s.index] = s.fn(cur);
    return cur;
  });
  return { columns: reorder(columns, out, op), rows: rows.map((r) => pick(r, columns, out)) };
}

/** The values of `from` rearranged to the `to` column order (by name). */
function pick(r: Row, from: KqlColumn[], to: KqlColumn[]): Row {
  if (from.length === to.length && from.every((c, i) => c.name === to[i]!.name)) return r;
  return {
    values: to.map((c) => r.values[from.findIndex((f) => f.name === c.name)] ?? null),
    ingestion: r.ingestion,
  };
}

function reorder(columns: KqlColumn[], out: KqlColumn[], at: SNode): KqlColumn[] {
  if (columns.length !== out.length || out.some((c) => !columns.some((x) => x.name === c.name))) {
    return fail('extend produced a schema different from the analyzer', at);
  }
  return out;
}

/** project: one output column per expression, in order. */
export function project(op: SNode, input: Table, env: Env): Table {
  const out = schemaOf(op);
  const exprs = list(op, 'Expressions');
  if (exprs.length !== out.length) return unsupported('project with column wildcards', op);
  const fns = exprs.map((e) => compileScalar(named(e).expr, env, input.columns));
  return {
    columns: out,
    rows: input.rows.map((r) =>
      row(
        fns.map((f) => f(r)),
        r.ingestion,
      ),
    ),
  };
}

/** project-away / project-keep / project-reorder: the analyzer's output columns, read by name from the input. */
export function projectByName(op: SNode, input: Table): Table {
  if (list(op, 'Parameters').length) return unsupported(`${op.kind} parameters`, op);
  const out = schemaOf(op);
  const idx = out.map((c) => {
    const i = input.columns.findIndex((x) => x.name === c.name);
    return i >= 0 ? i : fail(`column ${c.name} is not in the input`, op);
  });
  return {
    columns: out,
    rows: input.rows.map((r) =>
      row(
        idx.map((i) => r.values[i]!),
        r.ingestion,
      ),
    ),
  };
}

/** project-rename: same values, new names (the analyzer's schema keeps the column order). */
export function projectRename(op: SNode, input: Table): Table {
  const out = schemaOf(op);
  if (out.length !== input.columns.length) return fail('project-rename changed the column count', op);
  return { columns: out, rows: input.rows };
}
