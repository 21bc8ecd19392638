/**
 * mv-expand (https://learn.microsoft.com/kusto/query/mv-expand-operator): each array element (or bag entry) of the
 * expanded values becomes a row; several expansions run in parallel, padding the shorter with null; a null value
 * gives one row (null), an empty array or bag gives none. `to typeof(T)` casts without parsing: an element not
 * of type T becomes null. Bags expand to one-entry bags (kind=bag, the default) or [key, value] (kind=array);
 * `limit N` caps the rows made from one input row.
 */
import { type Compiled, type Env, fail, NO_ROW, unsupported } from '../engine/env.js';
import { compileScalar } from '../engine/scalar.js';
import { findToken, list, nameOf, type SNode, slot, typeKeyword } from '../syntax/tree.js';
import { isObject, kqlType, type Row, type Table, type V } from '../values/value.js';
import { row, schemaOf } from './schema.js';

/** The cast of `to typeof(T)`: keeps an element only when it already is a T. */
function cast(type: string | undefined, at: SNode): (v: V) => V {
  switch (type) {
    case undefined:
    case 'dynamic':
      return (v) => v;
    case 'string':
      return (v) => (typeof v === 'string' ? v : null);
    case 'long':
    case 'int':
      return (v) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
    case 'real':
    case 'decimal':
      return (v) => (typeof v === 'number' ? v : null);
    case 'bool':
      return (v) => (typeof v === 'boolean' ? v : null);
    default:
      return unsupported(`mv-expand to typeof(${type})`, at);
  }
}

export function mvExpand(op: SNode, input: Table, env: Env): Table {
  let bagAsArray = false;
  let indexColumn: string | undefined;
  for (const p of list(op, 'Parameters')) {
    const name = nameOf(slot(p, 'Name')!).toLowerCase();
    const value = slot(p, 'Expression')!;
    const text = (findToken(value, 'IdentifierToken')?.text ?? nameOf(value)).toLowerCase();
    if (name === 'kind' || name === 'bagexpansion') bagAsArray = text === 'array';
    else if (name === 'with_itemindex') indexColumn = text && nameOf(value);
    else return unsupported(`mv-expand parameter ${name}`, p);
  }
  const limitClause = slot(op, 'RowLimitClause');
  const limit = limitClause
    ? Number(compileScalar(slot(limitClause, 'RowLimit')!, env, [])(NO_ROW))
    : Infinity;
  const out = schemaOf(op);
  const expansions: { name: string; fn: Compiled; cast: (v: V) => V }[] = [];
  for (const e of list(op, 'Expressions')) {
    const inner = slot(e, 'Expression')!;
    const named = inner.kind === 'SimpleNamedExpression';
    const expr = named ? slot(inner, 'Expression')! : inner;
    const name = named
      ? nameOf(slot(inner, 'Name')!)
      : expr.ref?.kind === 'Column'
        ? expr.ref.name
        : undefined;
    if (!name) return unsupported('mv-expand of an unnamed expression', e);
    const typeNode = slot(e, 'ToTypeOf');
    const typeName = typeNode ? kqlType(typeKeyword(typeNode)) : undefined;
    expansions.push({ name, fn: compileScalar(expr, env, input.columns), cast: cast(typeName, e) });
  }
  const readers = out.map((c) => {
    const x = expansions.findIndex((e) => e.name === c.name);
    if (x >= 0) return { expansion: x };
    if (c.name === indexColumn) return { index: true as const };
    const i = input.columns.findIndex((ic) => ic.name === c.name);
    return i >= 0 ? { input: i } : fail(`mv-expand column ${c.name} has no source`, op);
  });
  const rows: Row[] = [];
  for (const r of input.rows) {
    const lists = expansions.map((x) => elements(x.fn(r), bagAsArray));
    const n = Math.min(limit, Math.max(0, ...lists.map((l) => l.length)));
    for (let k = 0; k < n; k++) {
      rows.push(
        row(
          readers.map((rd) => {
            if ('expansion' in rd) {
              const x = expansions[rd.expansion!]!;
              return x.cast(lists[rd.expansion!]![k] ?? null);
            }
            if ('index' in rd) return k;
            return r.values[rd.input!] ?? null;
          }),
          r.ingestion,
        ),
      );
    }
  }
  return { columns: out, rows };
}

function elements(v: V, bagAsArray: boolean): V[] {
  if (v === null) return [null];
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.entries(v).map(([k, x]) => (bagAsArray ? [k, x] : { [k]: x }));
  return [v];
}
