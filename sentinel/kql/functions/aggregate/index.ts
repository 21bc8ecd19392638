/** Aggregation calls inside summarize: the registry of implemented aggregates; anything else is refused. */
import { type Env, unsupported } from '../../engine/env.js';
import { compileScalar } from '../../engine/scalar.js';
import type { SNode } from '../../syntax/tree.js';
import type { KqlColumn } from '../../types.js';
import { callArgs, callName, SCALAR_FUNCTIONS } from '../scalar/index.js';
import { ARG } from './arg.js';
import { BASIC } from './basic.js';
import type { Aggregate, AggregateImpl } from './registry.js';

export const AGGREGATE_FUNCTIONS: Readonly<Record<string, AggregateImpl>> = { ...BASIC, ...ARG };

const isAggregateCall = (n: SNode): boolean =>
  n.kind === 'FunctionCallExpression' && Object.hasOwn(AGGREGATE_FUNCTIONS, callName(n));

function aggregateCalls(n: SNode, out: SNode[]): SNode[] {
  if (isAggregateCall(n)) out.push(n);
  else for (const c of n.children) aggregateCalls(c, out);
  return out;
}

/**
 * A summarize aggregate: an aggregation call, or a scalar expression over aggregation calls
 * (`round(avg(x), 1)`, `100.0 * countif(p) / count()`), evaluated once per group over the calls' results.
 */
export function compileAggregate(n: SNode, env: Env, schema: readonly KqlColumn[]): Aggregate {
  if (isAggregateCall(n)) return compileCallAggregate(n, env, schema);
  if (n.kind === 'FunctionCallExpression' && !Object.hasOwn(SCALAR_FUNCTIONS, callName(n))) {
    return unsupported(`aggregate ${callName(n)}()`, n);
  }
  const calls = aggregateCalls(n, []);
  if (!calls.length) return unsupported(`summarize expression without an aggregation (${n.kind})`, n);
  const parts = calls.map((c) => compileCallAggregate(c, env, schema));
  if (parts.some((p) => p.width !== 1)) return unsupported('a tuple aggregate inside an expression', n);
  const outer = compileScalar(n, { ...env, computed: new Map(calls.map((c, i) => [c, i])) }, []);
  return {
    width: 1,
    create() {
      const states = parts.map((p) => p.create());
      return {
        add(r) {
          for (const s of states) s.add(r);
        },
        result: () => [outer({ values: states.map((s) => s.result()[0] ?? null), ingestion: null })],
      };
    },
  };
}

function compileCallAggregate(n: SNode, env: Env, schema: readonly KqlColumn[]): Aggregate {
  const name = callName(n);
  const impl = Object.hasOwn(AGGREGATE_FUNCTIONS, name) ? AGGREGATE_FUNCTIONS[name] : undefined;
  if (!impl) return unsupported(`aggregate ${name}()`, n);
  const nodes = callArgs(n);
  const args = nodes.map((a) => (a.kind === 'StarExpression' ? undefined : compileScalar(a, env, schema)));
  return impl({ call: n, nodes, args, env, schema });
}
