/** Tabular expressions: sources, pipes and the operator dispatch. Operators not listed here are refused by name. */
import { callArgs, callName } from '../functions/scalar/index.js';
import { join, lookup } from '../operators/join.js';
import { mvExpand } from '../operators/mvexpand.js';
import { extend, project, projectByName, projectRename } from '../operators/project.js';
import { countRows, distinct, render, sort, take, top, where } from '../operators/rows.js';
import { datatable, getWatchlist, print, range, workspaceTable } from '../operators/sources.js';
import { summarize } from '../operators/summarize.js';
import { union } from '../operators/union.js';
import { type SNode, slot } from '../syntax/tree.js';
import type { Table } from '../values/value.js';
import { type Env, fail, unsupported } from './env.js';

type Operator = (op: SNode, input: Table, env: Env) => Table;

export const OPERATORS: Readonly<Record<string, Operator>> = {
  FilterOperator: where,
  TakeOperator: take,
  SortOperator: sort,
  TopOperator: top,
  DistinctOperator: distinct,
  CountOperator: countRows,
  RenderOperator: render,
  ExtendOperator: extend,
  ProjectOperator: project,
  ProjectAwayOperator: projectByName,
  ProjectKeepOperator: projectByName,
  ProjectReorderOperator: projectByName,
  ProjectRenameOperator: projectRename,
  SummarizeOperator: summarize,
  JoinOperator: join,
  LookupOperator: lookup,
  MvExpandOperator: mvExpand,
  UnionOperator: (op, input, env) => union(op, input, env),
};

/**
 * The syntax slots each operator implementation reads. A clause in any other slot (a newer or rarer form of the
 * operator) is refused rather than silently ignored.
 */
const SLOTS: Readonly<Record<string, readonly string[]>> = {
  FilterOperator: ['Parameters', 'Condition'],
  TakeOperator: ['Parameters', 'Expression'],
  SortOperator: ['Parameters', 'Expressions'],
  TopOperator: ['Parameters', 'Expression', 'ByExpression'],
  DistinctOperator: ['Parameters', 'Expressions'],
  CountOperator: ['Parameters'],
  RenderOperator: ['ChartType', 'WithClause'],
  ExtendOperator: ['Expressions'],
  ProjectOperator: ['Expressions'],
  ProjectAwayOperator: ['Parameters', 'Expressions'],
  ProjectKeepOperator: ['Parameters', 'Expressions'],
  ProjectReorderOperator: ['Parameters', 'Expressions'],
  ProjectRenameOperator: ['Expressions'],
  SummarizeOperator: ['Parameters', 'Aggregates', 'ByClause'],
  JoinOperator: ['Parameters', 'Expression', 'ConditionClause'],
  LookupOperator: ['Parameters', 'Expression', 'LookupClause'],
  MvExpandOperator: ['Parameters', 'Expressions', 'RowLimitClause'],
  UnionOperator: ['Parameters', 'Expressions'],
};

function checkSlots(op: SNode): void {
  const allowed = SLOTS[op.kind] ?? [];
  for (const [name, child] of op.slots) {
    if (child.token || allowed.includes(name)) continue;
    if (child.kind === 'List' && !child.children.length) continue;
    unsupported(`${operatorName(op)} clause ${name}`, child);
  }
}

/** The operator's keyword as written (for error messages): `where`, `mv-expand`, … */
export function operatorName(op: SNode): string {
  const kw = op.children.find((c) => c.token);
  return kw ? kw.text : op.kind;
}

export function evalTabular(n: SNode, env: Env): Table {
  switch (n.kind) {
    case 'PipeExpression': {
      const input = evalTabular(slot(n, 'Expression')!, env);
      const op = slot(n, 'Operator')!;
      const f = Object.hasOwn(OPERATORS, op.kind) ? OPERATORS[op.kind] : undefined;
      if (!f) return unsupported(`operator ${operatorName(op)}`, op);
      checkSlots(op);
      return f(op, input, env);
    }
    case 'ParenthesizedExpression':
      return evalTabular(slot(n, 'Expression')!, env);
    case 'NameReference':
      return nameReference(n, env);
    case 'DataTableExpression':
      return datatable(n, env);
    case 'PrintOperator':
      return print(n, env);
    case 'RangeOperator':
      return range(n, env);
    case 'UnionOperator':
      return union(n, undefined, env);
    case 'FunctionCallExpression': {
      const name = callName(n);
      if (name === '_GetWatchlist') return getWatchlist(n, callArgs(n), env);
      if (name === 'materialize') return evalTabular(callArgs(n)[0]!, env);
      return unsupported(`tabular function ${name}()`, n);
    }
    case 'MaterializeExpression':
      return evalTabular(slot(n, 'Expression')!, env);
    default:
      if (n.kind.endsWith('Operator')) return unsupported(`operator ${operatorName(n)}`, n);
      return unsupported(`tabular expression ${n.kind}`, n);
  }
}

function nameReference(n: SNode, env: Env): Table {
  const name = n.ref?.name ?? '';
  switch (n.ref?.kind) {
    case 'Table':
      return workspaceTable(n, env);
    case 'Variable': {
      const b = env.vars.get(name);
      if (!b) return fail(`'${name}' is not bound`, n);
      if (b.kind !== 'table') return unsupported('scalar variable in a tabular position', n);
      return b.get();
    }
    default:
      return unsupported(`reference to ${n.ref?.kind ?? 'nothing'} '${name}'`, n);
  }
}
