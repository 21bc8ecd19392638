/** Helpers shared by the operators: the analyzer's output schema, typed nulls, row building. */
import { fail } from '../engine/env.js';
import type { SColumn, SNode } from '../syntax/tree.js';
import type { KqlColumn } from '../types.js';
import { kqlType, type Row, type V } from '../values/value.js';

/** The analyzer's result schema of a tabular node, as engine columns (every type must be one the engine carries). */
export function schemaOf(n: SNode): KqlColumn[] {
  if (!n.columns) return fail(`no result schema for ${n.kind}`, n);
  return n.columns.map((c) => column(c, n));
}

export function column(c: SColumn, at: SNode): KqlColumn {
  const type = kqlType(c.type);
  if (!type) return fail(`column ${c.name} has type ${c.type}, which the engine does not carry`, at);
  return { name: c.name, type };
}

/** The missing value of a type: "" for strings (Kusto strings are never null), null otherwise. */
export const nullOf = (type: string): V => (type === 'string' ? '' : null);

export const row = (values: V[], ingestion: number | null = null): Row => ({ values, ingestion });
