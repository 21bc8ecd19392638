/**
 * summarize Aggregations [by Groups] (https://learn.microsoft.com/kusto/query/summarize-operator): one row per
 * distinct group (null is a group value like any other), in first-seen order; without `by`, exactly one row, even
 * for an empty input (with the aggregates' defaults). Output columns: the by columns then the aggregates (a tuple
 * aggregate such as arg_max(x, *) spreads over several), named by the analyzer.
 */
import { type Env, unsupported } from '../engine/env.js';
import { compileScalar } from '../engine/scalar.js';
import { compileAggregate } from '../functions/aggregate/index.js';
import type { AggState } from '../functions/aggregate/registry.js';
import { list, type SNode, slot } from '../syntax/tree.js';
import { keyOfAll, type Row, type Table, type V } from '../values/value.js';
import { row, schemaOf } from './schema.js';

const inner = (e: SNode): SNode => (e.kind === 'SimpleNamedExpression' ? slot(e, 'Expression')! : e);

export function summarize(op: SNode, input: Table, env: Env): Table {
  if (list(op, 'Parameters').length) return unsupported('summarize parameters', op);
  const out = schemaOf(op);
  const by = list(slot(op, 'ByClause'), 'Expressions').map((e) =>
    compileScalar(inner(e), env, input.columns),
  );
  const aggs = list(op, 'Aggregates').map((e) => {
    if (e.kind === 'CompoundNamedExpression') return unsupported('tuple assignment (a, b) = …', e);
    return compileAggregate(inner(e), env, input.columns);
  });
  const width = by.length + aggs.reduce((n, a) => n + a.width, 0);
  if (width !== out.length) return unsupported('summarize output shape', op);

  const groups = new Map<string, { keys: V[]; states: AggState[] }>();
  const groupOf = (keys: V[]) => {
    const k = keyOfAll(keys);
    let g = groups.get(k);
    if (!g) {
      g = { keys, states: aggs.map((a) => a.create()) };
      groups.set(k, g);
    }
    return g;
  };
  if (!by.length) groupOf([]);
  for (const r of input.rows) {
    const g = groupOf(by.map((f) => f(r)));
    for (const s of g.states) s.add(r);
  }
  const rows: Row[] = [];
  for (const g of groups.values()) rows.push(row([...g.keys, ...g.states.flatMap((s) => s.result())]));
  return { columns: out, rows };
}
