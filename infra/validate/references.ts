/**
 * Expressions and resource references: every `resourceId()`/`reference()`/`list*()` target, `dependsOn` entry and
 * scope points at a declared, existing or allowlisted resource; reads only where ARM allows them; API versions.
 */
import { type Expr, parseTemplateString } from './armExpression.js';
import { ARM_FUNCTIONS, isListFunction, isReadFunction, RESOURCE_ID_FUNCTIONS } from './armFunctions.js';
import {
  type Context,
  canonPieces,
  type DeclaredResource,
  isParametersCall,
  joinKey,
  type Piece,
  piecesOf,
  problem,
  type Scope,
  type Segment,
  segmentsOf,
  staticString,
} from './scope.js';
import { isObject, type Json, jsonPath } from './templateSchema.js';

export const looksLikeType = (s: string): boolean =>
  /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+\/[A-Za-z0-9]/.test(s);

export interface Target {
  type: string;
  segments: Segment[];
}

/** Reads the type and name segments out of a resourceId()-family call; reports a malformed one. */
export function targetOfResourceIdCall(
  call: Expr & { kind: 'call' },
  scope: Scope,
  path: string,
): Target | undefined {
  const name = call.name.toLowerCase();
  const firstTypeArg = name === 'extensionresourceid' ? 1 : 0;
  // optional leading scope arguments: resourceId([subscriptionId], [resourceGroupName], type, …),
  // subscriptionResourceId([subscriptionId], type, …), managementGroupResourceId([managementGroupId], type, …)
  const maxScopeArgs = { resourceid: 2, subscriptionresourceid: 1, managementgroupresourceid: 1 }[name] ?? 0;
  let typeIndex = -1;
  for (let i = firstTypeArg; i <= firstTypeArg + maxScopeArgs && i < call.args.length; i++) {
    const s = staticString(call.args[i]!, scope);
    if (s !== undefined && looksLikeType(s)) {
      typeIndex = i;
      break;
    }
  }
  if (typeIndex < 0) {
    problem(
      scope,
      path,
      `${call.name}(): the resource type must be a string literal like 'Microsoft.Storage/storageAccounts'`,
    );
    return undefined;
  }
  const type = staticString(call.args[typeIndex]!, scope)!;
  const nameArgs = call.args.slice(typeIndex + 1);
  const pieces: Piece[] = [];
  nameArgs.forEach((a, i) => {
    if (i > 0) pieces.push({ lit: '/' });
    pieces.push(...piecesOf(a, scope));
  });
  const segments = segmentsOf(pieces, scope);
  const levels = type.split('/').length - 1;
  if (nameArgs.length === 0 || segments.length !== levels) {
    problem(
      scope,
      path,
      `${call.name}('${type}', …): type has ${levels} level(s) but ${nameArgs.length === 0 ? 'no' : segments.length} name segment(s)`,
    );
    return undefined;
  }
  return { type, segments };
}

export function findDeclared(
  scope: Scope,
  type: string,
  segments: readonly Segment[],
): DeclaredResource | undefined {
  const typeKey = type.toLowerCase();
  const key = joinKey(segments);
  return scope.resources.find((r) => r.typeKey === typeKey && r.nameKey === key);
}

export const isExternalType = (scope: Scope, type: string): boolean =>
  scope.allowlist.externalResourceTypes.some((t) => t.toLowerCase() === type.toLowerCase());

/** Existing resource whose name comes from parameters (literal child names such as 'default' allowed). */
export const isExistingByParameters = (segments: readonly Segment[]): boolean =>
  segments.some((s) => s.fromParameters) &&
  segments.every((s) => s.fromParameters || s.literal !== undefined);

export const describe = (type: string, segments: readonly Segment[]): string =>
  `${type} '${segments.map((s) => s.literal ?? s.canon).join('/')}'`;

export function checkTarget(
  scope: Scope,
  target: Target,
  path: string,
  what: string,
): DeclaredResource | undefined {
  const declared = findDeclared(scope, target.type, target.segments);
  if (declared) return declared;
  if (isExternalType(scope, target.type)) return undefined;
  if (isExistingByParameters(target.segments)) return undefined;
  const sameType = scope.resources.filter((r) => r.typeKey === target.type.toLowerCase());
  problem(
    scope,
    path,
    `${what} points at ${describe(target.type, target.segments)}, which this template does not declare` +
      (sameType.length
        ? ` (declared ${target.type}: ${sameType.map((r) => r.segments.map((s) => s.literal ?? s.canon).join('/')).join(', ')})`
        : '') +
      ' and which is not an existing resource named by parameters',
  );
  return undefined;
}

/* ------------------------------------------------------------------------------------------------ */
/* Expression checks                                                                                 */
/* ------------------------------------------------------------------------------------------------ */

export function visitExpression(e: Expr, scope: Scope, path: string, context: Context): void {
  const walk = (node: Expr): void => {
    if (node.kind === 'member') {
      walk(node.target);
      return;
    }
    if (node.kind === 'index') {
      walk(node.target);
      walk(node.index);
      return;
    }
    if (node.kind !== 'call') return;
    const lower = node.name.toLowerCase();
    if (lower.includes('.')) {
      if (!scope.functions.has(lower)) problem(scope, path, `unknown user-defined function '${node.name}'`);
    } else if (!ARM_FUNCTIONS.has(lower) && !isListFunction(lower)) {
      problem(scope, path, `unknown function '${node.name}'`);
    }
    if (lower === 'parameters' || lower === 'variables') {
      const arg = node.args[0];
      if (node.args.length !== 1 || arg?.kind !== 'string') {
        problem(scope, path, `${node.name}() takes one string literal`);
      } else if (lower === 'parameters') {
        const key = arg.value.toLowerCase();
        if (scope.params.has(key)) scope.usedParams.add(key);
        else problem(scope, path, `parameters('${arg.value}') is not declared`);
      } else {
        const key = arg.value.toLowerCase();
        if (scope.vars.has(key)) scope.usedVars.add(key);
        else problem(scope, path, `variables('${arg.value}') is not declared`);
      }
    }
    if ((lower === 'utcnow' || lower === 'newguid') && context !== 'parameterDefault') {
      problem(scope, path, `${node.name}() is only allowed in a parameter's defaultValue`);
    }
    if (RESOURCE_ID_FUNCTIONS.has(lower)) {
      const target = targetOfResourceIdCall(node, scope, path);
      if (target) checkTarget(scope, target, path, `${node.name}()`);
    }
    if (isReadFunction(lower)) {
      if (context === 'variables' || context === 'resourceHeader' || context === 'parameterDefault') {
        problem(
          scope,
          path,
          `${node.name}() is not allowed here (ARM evaluates it only in resource properties and outputs)`,
        );
      }
      if (context === 'outputs' && isListFunction(lower)) {
        problem(scope, path, `output exposes the result of ${node.name}() (a key) in the deployment history`);
      }
      if (lower !== 'references') checkReadTarget(node, scope, path);
    }
    for (const a of node.args) walk(a);
  };
  walk(e);
}

/** The first argument of reference()/list*(): a resource id or the name of a declared resource. */
export function checkReadTarget(call: Expr & { kind: 'call' }, scope: Scope, path: string): void {
  const first = call.args[0];
  if (!first) {
    problem(scope, path, `${call.name}() needs a resource id or name`);
    return;
  }
  const pieces = piecesOf(first, scope);
  const only = pieces.length === 1 && 'expr' in pieces[0]! ? pieces[0].expr : undefined;
  let type: string | undefined;
  if (only?.kind === 'call' && RESOURCE_ID_FUNCTIONS.has(only.name.toLowerCase())) {
    // checked (and reported) where the call itself is visited; here only its type for the API version
    const saved = scope.problems.length;
    type = targetOfResourceIdCall(only, scope, path)?.type;
    scope.problems.length = saved;
  } else if (only && isParametersCall(only)) {
    // a full resource id given by a parameter
  } else if (pieces.every((p) => 'lit' in p)) {
    const text = pieces.map((p) => (p as { lit: string }).lit).join('');
    if (!text.startsWith('/')) {
      const segments = segmentsOf(pieces, scope);
      const key = joinKey(segments);
      const match = scope.resources.find((r) => r.nameKey === key);
      if (!match) problem(scope, path, `${call.name}('${text}') names no resource declared in this template`);
      else type = match.type;
    }
  } else {
    const text = canonPieces(pieces, scope);
    if (!/resourceid\(|parameters\(/.test(text)) {
      const key = joinKey(segmentsOf(pieces, scope));
      const match = scope.resources.find((r) => r.nameKey === key);
      if (!match) problem(scope, path, `${call.name}(): cannot tell which resource ${text} is`);
      else type = match.type;
    }
  }
  const version = call.args[1] ? staticString(call.args[1], scope) : undefined;
  if (type && version && /^\d{4}-\d{2}-\d{2}/.test(version)) checkApiVersion(scope, type, version, path);
}

export function checkApiVersion(scope: Scope, type: string, version: string, path: string): void {
  const entry = Object.entries(scope.allowlist.apiVersions).find(
    ([t]) => t.toLowerCase() === type.toLowerCase(),
  );
  if (!entry) {
    problem(scope, path, `resource type ${type} is not in infra/allowlist.json`);
  } else if (!entry[1].includes(version)) {
    problem(
      scope,
      path,
      `API version ${version} of ${type} is not allowed (infra/allowlist.json allows ${entry[1].join(', ')})`,
    );
  }
}

/** Visits every string in a JSON value as an ARM template string. `skip` prunes sub-trees. */
export function walkStrings(
  value: Json,
  path: string,
  scope: Scope,
  context: (path: string) => Context,
  skip: (path: string, value: Json) => boolean = () => false,
): void {
  if (skip(path, value)) return;
  if (typeof value === 'string') {
    const parsed = parseTemplateString(value);
    if (parsed.kind === 'error') problem(scope, path, `invalid expression ${value}: ${parsed.message}`);
    else if (parsed.kind === 'expression') visitExpression(parsed.expr, scope, path, context(path));
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkStrings(v, jsonPath(path, i), scope, context, skip);
    });
    return;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) walkStrings(v, jsonPath(path, k), scope, context, skip);
  }
}
