/**
 * A plain, typed copy of the bound Kusto.Language syntax tree: what the evaluator walks.
 *
 * - `kind` is the SyntaxKind name (`FilterOperator`, `HasExpression`, `IdentifierToken`, …);
 * - `SeparatedElement` wrappers are dropped (a `List` holds its elements directly, separators removed);
 * - `type` is the analyzer's result type name of an expression (`string`, `long`, `timespan`, `dynamic`, …);
 * - `columns` is the result schema of a tabular node, or the columns of a tuple (`arg_max(x, *)`, `*`);
 * - `ref` is the symbol a name binds to (`Column`, `Variable`, `Table`, `Function`, …).
 */
import { type BElement, symbolKindName, syntaxKindName } from './bridge.js';

export interface SColumn {
  readonly name: string;
  readonly type: string;
}

export interface SNode {
  readonly kind: string;
  readonly start: number;
  readonly end: number;
  readonly token: boolean;
  /** Token text (tokens only). */
  readonly text: string;
  readonly children: SNode[];
  readonly slots: Map<string, SNode>;
  readonly type: string | undefined;
  readonly columns: SColumn[] | undefined;
  readonly ref: { readonly kind: string; readonly name: string } | undefined;
}

export function convert(e: BElement): SNode {
  const kind = syntaxKindName(e.Kind);
  const children: SNode[] = [];
  const slots = new Map<string, SNode>();
  for (let i = 0; i < e.ChildCount; i++) {
    let c = e.GetChild(i);
    if (!c) continue;
    const slot = c.NameInParent;
    if (!c.IsToken && syntaxKindName(c.Kind) === 'SeparatedElement') {
      c = c.GetChild(0);
      if (!c) continue;
    }
    const n = convert(c);
    children.push(n);
    if (slot) slots.set(slot, n);
  }
  let type: string | undefined;
  let columns: SColumn[] | undefined;
  let ref: SNode['ref'];
  if (!e.IsToken) {
    const rt = e.ResultType;
    if (rt) {
      type = rt.Name;
      if (rt.Columns) {
        columns = [];
        for (let i = 0; i < rt.Columns.Count; i++) {
          const col = rt.Columns.getItem(i);
          columns.push({ name: col.Name, type: col.Type.Name });
        }
      }
    }
    const rs = e.ReferencedSymbol;
    if (rs) ref = { kind: symbolKindName(rs.Kind), name: rs.Name };
  }
  return {
    kind,
    start: e.TextStart,
    end: e.TextStart + e.Width,
    token: e.IsToken,
    text: e.IsToken ? (e.Text ?? '') : '',
    children: kind === 'List' ? children.filter((c) => !(c.token && c.kind === 'CommaToken')) : children,
    slots,
    type,
    columns,
    ref,
  };
}

/** The child in a named slot (e.g. `Condition`, `Expression`, `ByClause`), or undefined. */
export function slot(n: SNode, name: string): SNode | undefined {
  return n.slots.get(name);
}

/** The elements of a list slot (e.g. `Expressions`, `Aggregates`), empty when absent. */
export function list(n: SNode | undefined, name: string): SNode[] {
  const l = n?.slots.get(name);
  return l ? l.children : [];
}

/** The name of a NameReference / NameDeclaration / TokenName / BracketedName node. */
export function nameOf(n: SNode): string {
  if (n.token) return n.text;
  if (n.kind === 'BracketedName') {
    const lit = findToken(n, 'StringLiteralToken');
    if (lit) return unquote(lit.text);
  }
  for (const c of n.children) {
    const s = nameOf(c);
    if (s) return s;
  }
  return '';
}

/** The value of a string literal token: "…" and '…' with \ escapes, @"…" / @'…' verbatim, h-obfuscated forms. */
export function unquote(text: string): string {
  let t = text;
  if (t[0] === 'h' || t[0] === 'H') t = t.slice(1);
  if (t[0] === '@') {
    const q = t[1]!;
    return t
      .slice(2, -1)
      .split(q + q)
      .join(q);
  }
  if (t.startsWith('```') || t.startsWith('~~~')) return t.slice(3, -3);
  const body = t.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    switch (e[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'u':
      case 'x':
        return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      default:
        if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
        return e;
    }
  });
}

/** The first token of a kind under `n` (depth first). */
export function findToken(n: SNode, kind: string): SNode | undefined {
  if (n.token) return n.kind === kind ? n : undefined;
  for (const c of n.children) {
    const t = findToken(c, kind);
    if (t) return t;
  }
  return undefined;
}

/** True when the subtree reads a column of the row (so it cannot be evaluated once per query). */
export function readsColumns(n: SNode): boolean {
  if (n.ref?.kind === 'Column') return true;
  return n.children.some(readsColumns);
}

/** The type keyword of the first `PrimitiveTypeExpression` under `n` (`to typeof(int)` -> `int`). */
export function typeKeyword(n: SNode): string | undefined {
  if (n.kind === 'PrimitiveTypeExpression') return n.children.find((c) => c.token)?.text;
  for (const c of n.children) {
    const t = typeKeyword(c);
    if (t) return t;
  }
  return undefined;
}
