/**
 * join and lookup (https://learn.microsoft.com/kusto/query/join-operator, …/lookup-operator).
 * - join kinds: innerunique (the default: the left side is first deduplicated on the keys, keeping the first row
 *   of each key), inner, leftouter, rightouter, fullouter, leftsemi, leftanti (anti), rightsemi, rightanti;
 * - keys: `on A, B` (same name on both sides) or `on $left.A == $right.B`; a key with a null value matches nothing
 *   (== with a null is not true);
 * - columns: left then right; right columns whose names clash are renamed by the analyzer (A1, …); outer rows
 *   missing a side get nulls ("" for strings);
 * - lookup: default kind leftouter; the right side's key columns are not repeated.
 */
import { type Compiled, type Env, fail, unsupported } from '../engine/env.js';
import { list, nameOf, type SNode, slot } from '../syntax/tree.js';
import type { KqlColumn } from '../types.js';
import { keyOfAll, type Row, type Table, type V } from '../values/value.js';
import { nullOf, row, schemaOf } from './schema.js';

const JOIN_KINDS = [
  'innerunique',
  'inner',
  'leftouter',
  'rightouter',
  'fullouter',
  'leftsemi',
  'leftanti',
  'anti',
  'leftantisemi',
  'rightsemi',
  'rightanti',
  'rightantisemi',
];

/** kind=… and hint.* parameters (hints change how Kusto runs a join, not its result). */
function joinKind(op: SNode, fallback: string, allowed: string[]): string {
  let kind = fallback;
  for (const p of list(op, 'Parameters')) {
    const name = nameOf(slot(p, 'Name')!).toLowerCase();
    const value = slot(p, 'Expression')!;
    const text = (value.children.find((c) => c.token)?.text ?? nameOf(value)).toLowerCase();
    if (name === 'kind') {
      if (!allowed.includes(text))
        return unsupported(`${op.kind === 'LookupOperator' ? 'lookup' : 'join'} kind=${text}`, p);
      kind = text;
    } else if (!name.startsWith('hint.')) return unsupported(`join parameter ${name}`, p);
  }
  return kind;
}

interface Keys {
  left: Compiled[];
  right: Compiled[];
  /** Right-side key column names (lookup drops them). */
  rightNames: string[];
}

function sideOf(e: SNode): { side: 'left' | 'right'; name: string } | undefined {
  if (e.kind !== 'PathExpression') return undefined;
  const head = slot(e, 'Expression')!;
  const side = nameOf(head).toLowerCase();
  if (side !== '$left' && side !== '$right') return undefined;
  return { side: side === '$left' ? 'left' : 'right', name: nameOf(slot(e, 'Selector')!) };
}

function columnReader(columns: readonly KqlColumn[], name: string, at: SNode): Compiled {
  const i = columns.findIndex((c) => c.name === name);
  if (i < 0) return fail(`join key ${name} is not a column`, at);
  return (r) => r.values[i] ?? null;
}

function keys(clause: SNode, left: Table, right: Table): Keys {
  if (clause.kind !== 'JoinOnClause') return unsupported(`join ${clause.kind}`, clause);
  const k: Keys = { left: [], right: [], rightNames: [] };
  for (const e of list(clause, 'Expressions')) {
    if (e.kind === 'NameReference') {
      const name = nameOf(e);
      k.left.push(columnReader(left.columns, name, e));
      k.right.push(columnReader(right.columns, name, e));
      k.rightNames.push(name);
      continue;
    }
    const a = e.kind === 'EqualExpression' ? sideOf(slot(e, 'Left')!) : undefined;
    const b = e.kind === 'EqualExpression' ? sideOf(slot(e, 'Right')!) : undefined;
    if (!a || !b || a.side === b.side)
      return unsupported('join condition other than keys and $left.X == $right.Y', e);
    const l = a.side === 'left' ? a : b;
    const r = a.side === 'left' ? b : a;
    k.left.push(columnReader(left.columns, l.name, e));
    k.right.push(columnReader(right.columns, r.name, e));
    k.rightNames.push(r.name);
  }
  return k;
}

const keyOfRow = (fns: Compiled[], r: Row): string | undefined => {
  const vs: V[] = fns.map((f) => f(r));
  return vs.some((v) => v === null) ? undefined : keyOfAll(vs);
};

function index(rows: Row[], fns: Compiled[]): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = keyOfRow(fns, r);
    if (k === undefined) continue;
    const l = m.get(k);
    if (l) l.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export function join(op: SNode, left: Table, env: Env): Table {
  const kind = joinKind(op, 'innerunique', JOIN_KINDS);
  const right = env.tabular(slot(op, 'Expression')!, env);
  const k = keys(slot(op, 'ConditionClause')!, left, right);
  const out = schemaOf(op);
  let lrows = left.rows;
  if (kind === 'innerunique') {
    const seen = new Set<string>();
    lrows = lrows.filter((r) => {
      const key = keyOfRow(k.left, r);
      if (key === undefined) return true;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const rIndex = index(right.rows, k.right);
  const lNulls = left.columns.map((c) => nullOf(c.type));
  const rNulls = right.columns.map((c) => nullOf(c.type));
  const rows: Row[] = [];
  const matchedRight = new Set<Row>();
  switch (kind) {
    case 'leftsemi':
    case 'leftanti':
    case 'anti':
    case 'leftantisemi': {
      const semi = kind === 'leftsemi';
      for (const l of lrows) {
        const key = keyOfRow(k.left, l);
        const hit = key !== undefined && rIndex.has(key);
        if (hit === semi) rows.push(l);
      }
      return { columns: out, rows };
    }
    case 'rightsemi':
    case 'rightanti':
    case 'rightantisemi': {
      const lIndex = index(lrows, k.left);
      const semi = kind === 'rightsemi';
      for (const r of right.rows) {
        const key = keyOfRow(k.right, r);
        const hit = key !== undefined && lIndex.has(key);
        if (hit === semi) rows.push(r);
      }
      return { columns: out, rows };
    }
  }
  for (const l of lrows) {
    const key = keyOfRow(k.left, l);
    const matches = key === undefined ? undefined : rIndex.get(key);
    if (matches) {
      for (const r of matches) {
        matchedRight.add(r);
        rows.push(row([...l.values, ...r.values]));
      }
    } else if (kind === 'leftouter' || kind === 'fullouter') rows.push(row([...l.values, ...rNulls]));
  }
  if (kind === 'rightouter' || kind === 'fullouter') {
    for (const r of right.rows) if (!matchedRight.has(r)) rows.push(row([...lNulls, ...r.values]));
  }
  if (out.length !== left.columns.length + right.columns.length) return fail('join output shape', op);
  return { columns: out, rows };
}

export function lookup(op: SNode, left: Table, env: Env): Table {
  const kind = joinKind(op, 'leftouter', ['leftouter', 'inner']);
  const right = env.tabular(slot(op, 'Expression')!, env);
  const k = keys(slot(op, 'LookupClause')!, left, right);
  const out = schemaOf(op);
  const keep = right.columns.map((c, i) => (k.rightNames.includes(c.name) ? -1 : i)).filter((i) => i >= 0);
  if (out.length !== left.columns.length + keep.length) return fail('lookup output shape', op);
  const rIndex = index(right.rows, k.right);
  const rows: Row[] = [];
  for (const l of left.rows) {
    const key = keyOfRow(k.left, l);
    const matches = key === undefined ? undefined : rIndex.get(key);
    if (matches) for (const r of matches) rows.push(row([...l.values, ...keep.map((i) => r.values[i]!)]));
    else if (kind === 'leftouter')
      rows.push(row([...l.values, ...keep.map((i) => nullOf(right.columns[i]!.type))]));
  }
  return { columns: out, rows };
}
