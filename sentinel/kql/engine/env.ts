/** What an evaluation sees: the caller's context, the clock, let bindings, and how to evaluate sub-queries. */
import { Failure, Unsupported } from '../errors.js';
import type { SNode } from '../syntax/tree.js';
import type { KqlColumn, KqlContext } from '../types.js';
import type { Row, Table, V } from '../values/value.js';

export type Binding =
  | { readonly kind: 'scalar'; readonly value: V }
  | { readonly kind: 'table'; get(): Table };

export type Compiled = (row: Row) => V;

export interface Env {
  readonly ctx: KqlContext;
  /** now() for the whole query, ms since epoch (Kusto fixes now() once per query). */
  readonly now: number;
  readonly vars: Map<string, Binding>;
  /** Evaluates a tabular expression (sub-queries: join/union/lookup operands, toscalar, in (…)). */
  readonly tabular: (n: SNode, env: Env) => Table;
  /** Inside summarize: aggregate calls already computed, read from the given index of the row. */
  readonly computed?: ReadonlyMap<SNode, number>;
}

/** A scope with one more binding. */
export function bind(env: Env, name: string, b: Binding): Env {
  const vars = new Map(env.vars);
  vars.set(name, b);
  return { ...env, vars };
}

export function columnIndex(columns: readonly KqlColumn[], name: string, at: SNode): number {
  const i = columns.findIndex((c) => c.name === name);
  if (i < 0) throw new Failure(`column '${name}' is not in the input`, at.start);
  return i;
}

export function unsupported(construct: string, at: SNode, detail?: string): never {
  throw new Unsupported(construct, at.start, detail);
}

export function fail(message: string, at: SNode): never {
  throw new Failure(message, at.start);
}

/** An empty row (for expressions evaluated outside any row: let scalars, datatable cells). */
export const NO_ROW: Row = { values: [], ingestion: null };
