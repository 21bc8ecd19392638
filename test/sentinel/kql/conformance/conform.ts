/**
 * Helpers for the conformance tests: each case is a documented example (query and documented result) from the
 * Kusto documentation, with the page it comes from. Row order is compared only when the query sorts, since Kusto
 * does not guarantee it otherwise (the docs themselves print join rows in varying orders).
 */
import { expect, it } from 'vitest';
import { type KqlContext, type KqlValue, runQuery } from '../../../../sentinel/kql/index.js';

export const ctx = (tables: KqlContext['tables'] = {}): KqlContext => ({
  now: new Date('2026-11-18T12:00:00Z'),
  tables,
});

/** Cells normalised for comparison: datetimes as ISO strings. */
function norm(v: KqlValue): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(norm);
  return v;
}

export interface Case {
  /** The documentation page the example and its result come from. */
  doc: string;
  query: string;
  columns?: string[];
  rows: unknown[][];
  ordered?: boolean;
}

/** Number of documented examples checked (reported by the suite). */
export const counted = { cases: 0 };

export function conform(name: string, c: Case): void {
  counted.cases++;
  it(`${name} (${c.doc})`, () => {
    const t = runQuery(c.query, ctx());
    if (c.columns) expect(t.columns.map((x) => x.name)).toEqual(c.columns);
    const rows = t.rows.map((r) => t.columns.map((col) => norm(r[col.name] ?? null)));
    const key = (r: unknown[]) => JSON.stringify(r);
    if (c.ordered) expect(rows).toEqual(c.rows);
    else expect(rows.map(key).sort()).toEqual(c.rows.map(key).sort());
  });
}

/** A scalar example: `print r = <expr>` gives the documented value. */
export function scalar(doc: string, expr: string, expected: unknown): void {
  conform(`${expr} → ${JSON.stringify(expected)}`, { doc, query: `print r = ${expr}`, rows: [[expected]] });
}

export const MS = { d: 86_400_000, h: 3_600_000 };
