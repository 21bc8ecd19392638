/**
 * arg_max / arg_min (https://learn.microsoft.com/kusto/query/arg-max-aggregation-function): the row where the
 * expression is largest (smallest); rows where it is null are ignored; the first such row wins a tie. When the
 * expression is null in every row of the group, the group's first row is returned (the docs' null-handling example).
 * `arg_max(e, *)` returns every input column but the summarize's by columns; the analyzer's tuple schema of the
 * call names them, and the summarize's output schema renames clashes (e.g. `TimeGenerated1`).
 */
import { type Compiled, fail, unsupported } from '../../engine/env.js';
import { compareValues } from '../../values/compare.js';
import type { Row, V } from '../../values/value.js';
import type { Aggregate, AggregateImpl } from './registry.js';

const argExtreme =
  (sign: 1 | -1): AggregateImpl =>
  ({ call, nodes, args, schema }) => {
    const target = args[0] ?? fail('arg_max/arg_min needs an expression', call);
    // A tuple of one column (arg_max(x, *) over a single-column input) is typed as that column's scalar type.
    const tuple = call.columns ?? [{ name: '', type: call.type ?? 'dynamic' }];
    let returned: Compiled[];
    if (nodes.slice(1).some((n) => n.kind === 'StarExpression')) {
      if (nodes.length !== 2) return unsupported('arg_max/arg_min mixing * with expressions', call);
      returned = tuple.slice(1).map((c) => {
        const i = schema.findIndex((s) => s.name === c.name);
        if (i < 0) return fail(`arg_max/arg_min: column ${c.name} is not in the input`, call);
        return (r: Row) => r.values[i] ?? null;
      });
    } else returned = args.slice(1).map((a, k) => a ?? fail('bad argument', nodes[k + 1]!));
    if (returned.length + 1 !== tuple.length) return fail('arg_max/arg_min schema mismatch', call);
    const agg: Aggregate = {
      width: tuple.length,
      create() {
        let best: V = null;
        let bestRow: Row | undefined;
        let first: Row | undefined;
        return {
          add(r) {
            first ??= r;
            const v = target(r);
            if (v === null) return;
            if (bestRow === undefined || sign * compareValues(v, best) > 0) {
              best = v;
              bestRow = r;
            }
          },
          result() {
            const r = bestRow ?? first;
            return [best, ...returned.map((f) => (r ? f(r) : null))];
          },
        };
      },
    };
    return agg;
  };

export const ARG: Record<string, AggregateImpl> = { arg_max: argExtreme(1), arg_min: argExtreme(-1) };
