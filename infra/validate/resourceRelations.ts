/** How a resource relates to the others: its dependsOn entries, its parent, an extension resource's scope. */
import { parseTemplateString } from './armExpression.js';
import { RESOURCE_ID_FUNCTIONS } from './armFunctions.js';
import { checkTarget, describe, findDeclared, type Target, targetOfResourceIdCall } from './references.js';
import {
  type DeclaredResource,
  joinKey,
  piecesOf,
  problem,
  type Scope,
  type Segment,
  segmentsOf,
} from './scope.js';
import { type JsonObject, jsonPath } from './templateSchema.js';

/** Resolves dependsOn entries to declared resources; reports the ones that point elsewhere. */
export function checkDependsOn(scope: Scope, r: JsonObject, path: string): Set<DeclaredResource> {
  const out = new Set<DeclaredResource>();
  if (!Array.isArray(r.dependsOn)) return out;
  r.dependsOn.forEach((entry, i) => {
    const p = jsonPath(jsonPath(path, 'dependsOn'), i);
    if (typeof entry !== 'string') return;
    const parsed = parseTemplateString(entry);
    if (parsed.kind === 'error') return; // reported by the expression walk
    const pieces = parsed.kind === 'literal' ? [{ lit: parsed.value }] : piecesOf(parsed.expr, scope);
    const only = pieces.length === 1 && 'expr' in pieces[0]! ? pieces[0].expr : undefined;
    if (only?.kind === 'call' && RESOURCE_ID_FUNCTIONS.has(only.name.toLowerCase())) {
      const saved = scope.problems.length;
      const target = targetOfResourceIdCall(only, scope, p);
      scope.problems.length = saved;
      if (!target) return;
      const declared = findDeclared(scope, target.type, target.segments);
      if (declared) out.add(declared);
      else
        problem(
          scope,
          p,
          `dependsOn points at ${describe(target.type, target.segments)}, which this template does not deploy`,
        );
      return;
    }
    const key = joinKey(segmentsOf(pieces, scope));
    const text = pieces.every((q) => 'lit' in q)
      ? pieces.map((q) => (q as { lit: string }).lit).join('')
      : undefined;
    const byName = scope.resources.filter(
      (d) => d.nameKey === key || (text !== undefined && d.copyName?.toLowerCase() === text.toLowerCase()),
    );
    if (byName.length === 0)
      problem(scope, p, `dependsOn '${entry}' names no resource deployed by this template`);
    for (const d of byName) out.add(d);
  });
  return out;
}

/** A child declared at top level (type a/b/c) must depend on its parent when the parent is declared too. */
export function checkParentDependency(
  scope: Scope,
  declared: DeclaredResource,
  deps: Set<DeclaredResource>,
  path: string,
): void {
  const typeParts = declared.type.split('/');
  if (typeParts.length <= 2 || declared.segments.length < 2) return;
  const parentType = typeParts.slice(0, -1).join('/');
  const parent = findDeclared(scope, parentType, declared.segments.slice(0, -1));
  if (parent && !deps.has(parent)) {
    problem(
      scope,
      jsonPath(path, 'dependsOn'),
      `${declared.type} must depend on its parent ${describe(parent.type, parent.segments)}`,
    );
  }
}

/** An extension resource's `scope`: a resource id, or the relative form `Microsoft.X/type/name[/type/name]`. */
export function checkScope(scope: Scope, value: string, deps: Set<DeclaredResource>, path: string): void {
  const parsed = parseTemplateString(value);
  if (parsed.kind === 'error') return;
  const pieces = parsed.kind === 'literal' ? [{ lit: parsed.value }] : piecesOf(parsed.expr, scope);
  const only = pieces.length === 1 && 'expr' in pieces[0]! ? pieces[0].expr : undefined;
  let target: Target | undefined;
  if (only?.kind === 'call' && RESOURCE_ID_FUNCTIONS.has(only.name.toLowerCase())) {
    const saved = scope.problems.length;
    target = targetOfResourceIdCall(only, scope, path);
    scope.problems.length = saved;
  } else {
    const first = pieces[0];
    if (first && 'lit' in first && first.lit.startsWith('/')) return; // a full id built elsewhere
    const segs = segmentsOf(pieces, scope);
    const ns = segs[0]?.literal;
    if (!ns?.includes('.') || segs.length < 3 || segs.length % 2 === 0) {
      problem(
        scope,
        path,
        `scope '${value}' is not a resource id ('Provider.Namespace/type/name[/type/name]')`,
      );
      return;
    }
    const typeParts = [ns];
    const names: Segment[] = [];
    for (let i = 1; i < segs.length; i += 2) {
      const t = segs[i]!.literal;
      if (!t) {
        problem(scope, path, `scope '${value}': resource type segments must be literal`);
        return;
      }
      typeParts.push(t);
      names.push(segs[i + 1]!);
    }
    target = { type: typeParts.join('/'), segments: names };
    const declared = checkTarget(scope, target, path, 'scope');
    if (declared && !deps.has(declared)) {
      problem(
        scope,
        path,
        `scope ${describe(declared.type, declared.segments)} is deployed by this template but missing from dependsOn`,
      );
    }
    return;
  }
  if (!target) return;
  const declared = findDeclared(scope, target.type, target.segments);
  if (declared && !deps.has(declared)) {
    problem(
      scope,
      path,
      `scope ${describe(declared.type, declared.segments)} is deployed by this template but missing from dependsOn`,
    );
  }
}
