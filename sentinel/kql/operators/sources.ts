/**
 * Where rows come from: workspace tables (with their ingestion times), _GetWatchlist('alias'), datatable, print
 * (https://learn.microsoft.com/kusto/query/datatable-operator, …/print-operator, …/range-operator).
 */
import { type Env, fail, NO_ROW, unsupported } from '../engine/env.js';
import { literalValue } from '../engine/literal.js';
import { compileScalar } from '../engine/scalar.js';
import { list, type SNode, slot } from '../syntax/tree.js';
import type { KqlColumn, KqlTable } from '../types.js';
import { fromInput, type Row, type Table } from '../values/value.js';
import { row, schemaOf } from './schema.js';

/** A caller's table as engine rows, read with `columns` (by name; a missing cell is null). */
export function loadTable(
  t: KqlTable,
  columns: readonly KqlColumn[],
  ingestion?: (r: KqlTable['rows'][number]) => Date | undefined,
): Table {
  const rows: Row[] = t.rows.map((r) => {
    const at = ingestion?.(r);
    return row(
      columns.map((c) => fromInput(r[c.name], c.type)),
      at ? at.getTime() : null,
    );
  });
  return { columns: [...columns], rows };
}

export function workspaceTable(n: SNode, env: Env): Table {
  const name = n.ref!.name;
  const t = env.ctx.tables[name] ?? fail(`no table ${name} in the workspace`, n);
  const f = env.ctx.ingestionTimeOf;
  return loadTable(t, schemaOf(n), f ? (r) => f(name, r) : undefined);
}

/** _GetWatchlist('alias'): the watchlist's rows; an alias the workspace has not got gives no rows (as in Sentinel). */
export function getWatchlist(n: SNode, args: SNode[], env: Env): Table {
  const a = args[0];
  if (a?.kind !== 'StringLiteralExpression') return unsupported('_GetWatchlist() with a computed alias', n);
  const alias = literalValue(a) as string;
  const columns = schemaOf(n);
  const t = env.ctx.watchlists?.[alias];
  return t ? loadTable(t, columns) : { columns, rows: [] };
}

export function datatable(n: SNode, env: Env): Table {
  const columns = schemaOf(n);
  const values = list(n, 'Values').map((v) => compileScalar(v, env, [])(NO_ROW));
  if (values.length % columns.length) return fail('datatable values do not fill whole rows', n);
  const rows: Row[] = [];
  for (let i = 0; i < values.length; i += columns.length) {
    rows.push(row(columns.map((c, j) => fromDatatable(values[i + j]!, c))));
  }
  return { columns, rows };
}

/** A literal in a datatable cell: a string column never holds null. */
function fromDatatable(v: Row['values'][number], c: KqlColumn): Row['values'][number] {
  return v === null && c.type === 'string' ? '' : v;
}

export function print(n: SNode, env: Env): Table {
  const columns = schemaOf(n);
  const exprs = list(n, 'Expressions').map((e) =>
    compileScalar(e.kind === 'SimpleNamedExpression' ? slot(e, 'Expression')! : e, env, []),
  );
  if (exprs.length !== columns.length) return unsupported('print with tuple expressions', n);
  return { columns, rows: [row(exprs.map((f) => f(NO_ROW)))] };
}

/** range x from a to b step s: a, a+s, … up to and including b (numbers, datetimes or timespans). */
export function range(n: SNode, env: Env): Table {
  const columns = schemaOf(n);
  const at = (name: string) => compileScalar(slot(n, name)!, env, [])(NO_ROW);
  const from = at('From');
  const to = at('To');
  const step = at('Step');
  if (typeof from !== 'number' || typeof to !== 'number' || typeof step !== 'number') {
    return fail('range bounds and step must not be null', n);
  }
  if (step === 0) return fail('range step must not be 0', n);
  const rows: Row[] = [];
  for (let v = from; step > 0 ? v <= to : v >= to; v += step) {
    rows.push(row([v]));
    if (rows.length > 10_000_000) return fail('range produces too many rows', n);
  }
  return { columns, rows };
}
