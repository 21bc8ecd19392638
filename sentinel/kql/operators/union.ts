/**
 * union (https://learn.microsoft.com/kusto/query/union-operator): the rows of every operand, in order, over the
 * union of their columns (kind=outer, the default); a column an operand lacks is null ("" for strings).
 * Parameters (kind=inner, withsource=, isfuzzy=) and same-name columns of different types are refused.
 */
import { type Env, fail, unsupported } from '../engine/env.js';
import { list, type SNode } from '../syntax/tree.js';
import type { Row, Table } from '../values/value.js';
import { nullOf, row, schemaOf } from './schema.js';

export function union(op: SNode, input: Table | undefined, env: Env): Table {
  if (list(op, 'Parameters').length) return unsupported('union parameters', op);
  const out = schemaOf(op);
  const tables = [...(input ? [input] : []), ...list(op, 'Expressions').map((e) => env.tabular(e, env))];
  const rows: Row[] = [];
  for (const t of tables) {
    for (const c of t.columns) {
      if (!out.some((o) => o.name === c.name))
        return unsupported(`union of columns ${c.name} with different types`, op);
    }
    const idx = out.map((c) => {
      const i = t.columns.findIndex((x) => x.name === c.name);
      if (i >= 0 && t.columns[i]!.type !== c.type) return fail(`union column ${c.name} has two types`, op);
      return i;
    });
    for (const r of t.rows) rows.push(row(idx.map((i, j) => (i >= 0 ? r.values[i]! : nullOf(out[j]!.type)))));
  }
  return { columns: out, rows };
}
