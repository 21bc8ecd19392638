/**
 * What a query uses, read from the official parser's tree (unbound): its tabular operators (by syntax kind) and the
 * functions it calls. Tests use it to show that every construct of the shipped content has an implementation, and to
 * report the content's KQL surface.
 */
import { OPERATORS } from './engine/tabular.js';
import { AGGREGATE_FUNCTIONS } from './functions/aggregate/index.js';
import { SCALAR_FUNCTIONS } from './functions/scalar/index.js';
import { parseOnly } from './syntax/bridge.js';
import { convert, nameOf, type SNode, slot } from './syntax/tree.js';

export interface QueryInventory {
  /** Syntax kinds of the tabular operators and sources (`FilterOperator`, `DataTableExpression`, …). */
  readonly operators: Set<string>;
  /** Names of the functions called (scalar, aggregate and tabular). */
  readonly functions: Set<string>;
}

/** Tabular sources the engine evaluates besides the piped operators. */
const SOURCES = ['DataTableExpression', 'PrintOperator', 'RangeOperator', 'UnionOperator'];
/** Tabular functions the engine evaluates. */
const TABULAR_FUNCTIONS = ['_GetWatchlist', 'materialize'];

export function inventory(query: string): QueryInventory {
  const operators = new Set<string>();
  const functions = new Set<string>();
  const walk = (n: SNode): void => {
    if (n.kind === 'PipeExpression') operators.add(slot(n, 'Operator')!.kind);
    if (SOURCES.includes(n.kind) || n.kind.endsWith('Operator')) operators.add(n.kind);
    if (n.kind === 'FunctionCallExpression') functions.add(nameOf(slot(n, 'Name')!));
    for (const c of n.children) walk(c);
  };
  walk(convert(parseOnly(query)));
  return { operators, functions };
}

/** The constructs of an inventory the engine has no implementation for (empty when it can run them all). */
export function unsupportedIn(inv: QueryInventory): string[] {
  const missing: string[] = [];
  for (const op of inv.operators) {
    if (!Object.hasOwn(OPERATORS, op) && !SOURCES.includes(op)) missing.push(`operator ${op}`);
  }
  for (const f of inv.functions) {
    const known =
      Object.hasOwn(SCALAR_FUNCTIONS, f) ||
      Object.hasOwn(AGGREGATE_FUNCTIONS, f) ||
      TABULAR_FUNCTIONS.includes(f);
    if (!known) missing.push(`function ${f}()`);
  }
  return missing;
}
