/** The validation scope of one template: declared resources and variables, names as comparable segments. */

import type { Problem } from '../../analytics/problem.js';
import { type Expr, parseTemplateString } from './armExpression.js';
import { type Allowlist, isObject, type JsonObject, type ParamDef } from './templateSchema.js';

export type Piece = { lit: string } | { expr: Expr };

export interface Segment {
  /** Canonical text used to compare two names (lower case; variables inlined). */
  canon: string;
  /** The segment is a plain string. */
  literal?: string;
  /** Built from parameters (and literals) only: the name of an existing resource given by parameters. */
  fromParameters: boolean;
}

export interface DeclaredResource {
  type: string;
  typeKey: string;
  segments: Segment[];
  nameKey: string;
  path: string;
  raw: JsonObject;
  copyName?: string;
}

export interface Scope {
  file: string;
  problems: Problem[];
  allowlist: Allowlist;
  template: JsonObject;
  params: Map<string, { name: string; def: ParamDef }>;
  vars: Map<string, { name: string; value: unknown }>;
  usedParams: Set<string>;
  usedVars: Set<string>;
  functions: Set<string>;
  resources: DeclaredResource[];
}

export type Context = 'parameterDefault' | 'variables' | 'resource' | 'resourceHeader' | 'outputs' | 'other';

export function problem(scope: Pick<Scope, 'file' | 'problems'>, path: string, message: string): void {
  scope.problems.push({ file: scope.file, path, message });
}

/** The string a `variables('x')` or `variables('x').y` expression stands for, if it is one. */
export function variableString(e: Expr, scope: Scope, depth: number): unknown {
  if (depth > 12) return undefined;
  if (e.kind === 'call' && e.name.toLowerCase() === 'variables' && e.args[0]?.kind === 'string') {
    return scope.vars.get(e.args[0].value.toLowerCase())?.value;
  }
  if (e.kind === 'member') {
    const target = variableString(e.target, scope, depth + 1);
    if (isObject(target)) {
      const key = Object.keys(target).find((k) => k.toLowerCase() === e.property.toLowerCase());
      return key === undefined ? undefined : target[key];
    }
  }
  return undefined;
}

/** Flattens `format()`/`concat()`/variables into literal and expression pieces. */
export function piecesOf(e: Expr, scope: Scope, depth = 0): Piece[] {
  if (depth > 12) return [{ expr: e }];
  if (e.kind === 'string') return [{ lit: e.value }];
  if (e.kind === 'number') return [{ lit: String(e.value) }];
  if (e.kind === 'call') {
    const name = e.name.toLowerCase();
    if (
      name === 'concat' &&
      e.args.every((a) => a.kind !== 'call' || a.name.toLowerCase() !== 'createarray')
    ) {
      return e.args.flatMap((a) => piecesOf(a, scope, depth + 1));
    }
    if (name === 'format' && e.args[0]?.kind === 'string') {
      const fmt = e.args[0].value;
      const out: Piece[] = [];
      let lit = '';
      for (let i = 0; i < fmt.length; i++) {
        const c = fmt[i]!;
        if (c === '{' && fmt[i + 1] === '{') {
          lit += '{';
          i++;
        } else if (c === '}' && fmt[i + 1] === '}') {
          lit += '}';
          i++;
        } else if (c === '{') {
          const close = fmt.indexOf('}', i);
          const index = Number.parseInt(fmt.slice(i + 1, close).split(':')[0] ?? '', 10);
          const arg = e.args[index + 1];
          if (close < 0 || Number.isNaN(index) || !arg) return [{ expr: e }];
          if (lit) out.push({ lit });
          lit = '';
          out.push(...piecesOf(arg, scope, depth + 1));
          i = close;
        } else lit += c;
      }
      if (lit) out.push({ lit });
      return out;
    }
  }
  const v = variableString(e, scope, depth);
  if (typeof v === 'string') {
    const parsed = parseTemplateString(v);
    if (parsed.kind === 'literal') return [{ lit: parsed.value }];
    if (parsed.kind === 'expression') return piecesOf(parsed.expr, scope, depth + 1);
  }
  return [{ expr: e }];
}

export function canonExpr(e: Expr, scope: Scope, depth = 0): string {
  const pieces = piecesOf(e, scope, depth);
  if (pieces.length === 1 && 'expr' in pieces[0]!) return canonNode(pieces[0].expr, scope, depth);
  return canonPieces(pieces, scope, depth);
}

export function canonNode(e: Expr, scope: Scope, depth: number): string {
  switch (e.kind) {
    case 'string':
      return `'${e.value.toLowerCase()}'`;
    case 'number':
      return String(e.value);
    case 'call':
      return `${e.name.toLowerCase()}(${e.args.map((a) => canonExpr(a, scope, depth + 1)).join(',')})`;
    case 'member':
      return `${canonExpr(e.target, scope, depth + 1)}.${e.property.toLowerCase()}`;
    case 'index':
      return `${canonExpr(e.target, scope, depth + 1)}[${canonExpr(e.index, scope, depth + 1)}]`;
  }
}

export function canonPieces(pieces: readonly Piece[], scope: Scope, depth = 0): string {
  const merged: Piece[] = [];
  for (const p of pieces) {
    const last = merged[merged.length - 1];
    if ('lit' in p && last && 'lit' in last) merged[merged.length - 1] = { lit: last.lit + p.lit };
    else if (!('lit' in p) || p.lit !== '') merged.push(p);
  }
  const parts = merged.map((p) =>
    'lit' in p ? `'${p.lit.toLowerCase()}'` : canonNode(p.expr, scope, depth),
  );
  if (parts.length === 0) return "''";
  return parts.length === 1 ? parts[0]! : `concat(${parts.join(',')})`;
}

export const isParametersCall = (e: Expr): boolean =>
  e.kind === 'call' && e.name.toLowerCase() === 'parameters';

/** Splits pieces into `/`-separated name segments. */
export function segmentsOf(pieces: readonly Piece[], scope: Scope): Segment[] {
  const groups: Piece[][] = [[]];
  for (const p of pieces) {
    if ('lit' in p) {
      const parts = p.lit.split('/');
      parts.forEach((part, i) => {
        if (i > 0) groups.push([]);
        if (part) groups[groups.length - 1]!.push({ lit: part });
      });
    } else groups[groups.length - 1]!.push(p);
  }
  return groups.map((g) => {
    const allLit = g.every((p) => 'lit' in p);
    const literal = allLit ? g.map((p) => (p as { lit: string }).lit).join('') : undefined;
    const exprs = g.filter((p): p is { expr: Expr } => 'expr' in p);
    return {
      canon: canonPieces(g, scope),
      ...(literal !== undefined ? { literal } : {}),
      fromParameters: exprs.length > 0 && exprs.every((p) => isParametersCall(p.expr)),
    };
  });
}

export function nameSegments(name: string, scope: Scope): Segment[] {
  const parsed = parseTemplateString(name);
  if (parsed.kind === 'expression') return segmentsOf(piecesOf(parsed.expr, scope), scope);
  return segmentsOf([{ lit: parsed.kind === 'literal' ? parsed.value : name }], scope);
}

export const joinKey = (segments: readonly Segment[]): string => segments.map((s) => s.canon).join('/');

/** A static string for an expression (a literal or a variable holding one). */
export function staticString(e: Expr, scope: Scope): string | undefined {
  const pieces = piecesOf(e, scope);
  return pieces.every((p) => 'lit' in p) ? pieces.map((p) => (p as { lit: string }).lit).join('') : undefined;
}
