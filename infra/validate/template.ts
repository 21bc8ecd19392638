/** One template: structure, parameters, variables, resources, dependsOn, scopes and nested deployments. */
import { parseTemplateString } from './armExpression.js';
import { RESOURCE_ID_FUNCTIONS } from './armFunctions.js';
import { checkSchemaResource } from './columns.js';
import type { Problem } from './problem.js';
import {
  checkApiVersion,
  checkTarget,
  describe,
  findDeclared,
  looksLikeType,
  type Target,
  targetOfResourceIdCall,
  walkStrings,
} from './references.js';
import {
  type DeclaredResource,
  joinKey,
  nameSegments,
  piecesOf,
  problem,
  type Scope,
  type Segment,
  segmentsOf,
} from './scope.js';
import { isEmptyValue, looksLikeSecretName } from './secrets.js';
import {
  type Allowlist,
  isObject,
  type JsonObject,
  jsonPath,
  type ParamDef,
  templateSchema,
  zodPath,
} from './templateSchema.js';

export interface ValidateOptions {
  /** File name reported in problems. */
  file: string;
  allowlist: Allowlist;
}

/** Validates one parsed template (in memory). */
export function validateTemplate(template: unknown, options: ValidateOptions): Problem[] {
  const problems: Problem[] = [];
  checkTemplate(template, '$', options.file, options.allowlist, problems);
  return problems;
}

export const isInnerScopeDeployment = (r: JsonObject): boolean => {
  const props = r.properties;
  if (!isObject(props) || !isObject(props.template)) return false;
  const opts = props.expressionEvaluationOptions;
  return isObject(opts) && typeof opts.scope === 'string' && opts.scope.toLowerCase() === 'inner';
};

export function checkTemplate(
  template: unknown,
  basePath: string,
  file: string,
  allowlist: Allowlist,
  problems: Problem[],
): void {
  const parsed = templateSchema.safeParse(template);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push({ file, path: zodPath(basePath, issue.path), message: issue.message });
    }
    if (!isObject(template) || !Array.isArray(template.resources)) return;
  }
  const tpl = template as JsonObject;
  const scope: Scope = {
    file,
    problems,
    allowlist,
    template: tpl,
    params: new Map(),
    vars: new Map(),
    usedParams: new Set(),
    usedVars: new Set(),
    functions: new Set(),
    resources: [],
  };
  const params = isObject(tpl.parameters) ? tpl.parameters : {};
  for (const [name, def] of Object.entries(params)) {
    if (isObject(def)) scope.params.set(name.toLowerCase(), { name, def: def as ParamDef });
  }
  const vars = isObject(tpl.variables) ? tpl.variables : {};
  for (const [name, value] of Object.entries(vars)) {
    if (name === 'copy' && Array.isArray(value)) {
      for (const c of value) {
        if (isObject(c) && typeof c.name === 'string')
          scope.vars.set(c.name.toLowerCase(), { name: c.name, value: c });
      }
    } else scope.vars.set(name.toLowerCase(), { name, value });
  }
  if (Array.isArray(tpl.functions)) {
    for (const ns of tpl.functions) {
      if (!isObject(ns) || typeof ns.namespace !== 'string' || !isObject(ns.members)) continue;
      for (const member of Object.keys(ns.members))
        scope.functions.add(`${ns.namespace}.${member}`.toLowerCase());
    }
  }

  // Declared resources (nested children get the parent's type and name prefixed).
  const resourcesPath = jsonPath(basePath, 'resources');
  const declare = (list: unknown[], listPath: string, parent?: DeclaredResource): void => {
    list.forEach((r, i) => {
      const path = jsonPath(listPath, i);
      if (!isObject(r) || typeof r.type !== 'string' || typeof r.name !== 'string') return;
      const own = nameSegments(r.name, scope);
      const full = parent && !looksLikeType(r.type);
      const type = full ? `${parent.type}/${r.type}` : r.type;
      const segments = full ? [...parent.segments, ...own] : own;
      const declared: DeclaredResource = {
        type,
        typeKey: type.toLowerCase(),
        segments,
        nameKey: joinKey(segments),
        path,
        raw: r,
        ...(isObject(r.copy) && typeof r.copy.name === 'string' ? { copyName: r.copy.name } : {}),
      };
      scope.resources.push(declared);
      if (Array.isArray(r.resources)) declare(r.resources, jsonPath(path, 'resources'), declared);
      // An outer-scope nested template deploys its resources in this scope.
      if (
        r.type.toLowerCase() === 'microsoft.resources/deployments' &&
        isObject(r.properties) &&
        isObject(r.properties.template) &&
        !isInnerScopeDeployment(r) &&
        Array.isArray(r.properties.template.resources)
      ) {
        declare(
          r.properties.template.resources,
          jsonPath(jsonPath(jsonPath(path, 'properties'), 'template'), 'resources'),
        );
      }
    });
  };
  declare(tpl.resources as unknown[], resourcesPath);

  // Parameters: defaults, types, secrets.
  for (const { name, def } of scope.params.values()) {
    const path = jsonPath(jsonPath(basePath, 'parameters'), name);
    const type = String(def.type ?? '').toLowerCase();
    const secure = type === 'securestring' || type === 'secureobject';
    if ('defaultValue' in def) {
      if ((secure || looksLikeSecretName(name)) && !isEmptyValue(def.defaultValue)) {
        problem(
          scope,
          jsonPath(path, 'defaultValue'),
          `secret parameter '${name}' must not have a default value (set it at deployment time or from Key Vault)`,
        );
      }
      checkValueType(scope, jsonPath(path, 'defaultValue'), def, def.defaultValue, name);
      walkStrings(def.defaultValue, jsonPath(path, 'defaultValue'), scope, () => 'parameterDefault');
    }
  }

  // Variables.
  walkStrings(vars, jsonPath(basePath, 'variables'), scope, () => 'variables');

  // Resources: expressions, API versions, dependsOn, scope, children, nested deployments, schema.
  const innerTemplates: { template: JsonObject; path: string }[] = [];
  const checkResources = (list: unknown[], listPath: string, parentType?: string): void => {
    list.forEach((r, i) => {
      const path = jsonPath(listPath, i);
      if (!isObject(r) || typeof r.type !== 'string') return;
      const type = parentType && !looksLikeType(r.type) ? `${parentType}/${r.type}` : r.type;
      const inner = isInnerScopeDeployment(r);
      const templatePath = jsonPath(jsonPath(path, 'properties'), 'template');
      if (inner)
        innerTemplates.push({
          template: (r.properties as JsonObject).template as JsonObject,
          path: templatePath,
        });
      const header = new Set(
        ['name', 'type', 'apiVersion', 'dependsOn', 'copy'].map((k) => jsonPath(path, k)),
      );
      walkStrings(
        Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'resources')),
        path,
        scope,
        (p) =>
          [...header].some((h) => p === h || p.startsWith(`${h}[`) || p.startsWith(`${h}.`))
            ? 'resourceHeader'
            : 'resource',
        (p) => inner && p === templatePath,
      );
      if (typeof r.apiVersion === 'string')
        checkApiVersion(scope, type, r.apiVersion, jsonPath(path, 'apiVersion'));
      const declared = scope.resources.find((d) => d.path === path);
      const deps = checkDependsOn(scope, r, path);
      if (declared) checkParentDependency(scope, declared, deps, path);
      if (typeof r.scope === 'string') checkScope(scope, r.scope, deps, jsonPath(path, 'scope'));
      checkSchemaResource(scope, type, r, path);
      if (inner) checkNestedParameters(scope, r, path);
      if (
        !inner &&
        type.toLowerCase() === 'microsoft.resources/deployments' &&
        isObject(r.properties) &&
        isObject(r.properties.template)
      ) {
        const t = r.properties.template;
        for (const k of ['parameters', 'variables'] as const) {
          if (isObject(t[k]) && Object.keys(t[k]).length > 0) {
            problem(
              scope,
              jsonPath(templatePath, k),
              `an outer-scope nested template cannot declare ${k}; set expressionEvaluationOptions.scope to 'inner'`,
            );
          }
        }
        if (Array.isArray(t.resources)) checkResources(t.resources, jsonPath(templatePath, 'resources'));
      }
      if (Array.isArray(r.resources)) checkResources(r.resources, jsonPath(path, 'resources'), type);
    });
  };
  checkResources(tpl.resources as unknown[], resourcesPath);

  // Outputs.
  walkStrings(
    isObject(tpl.outputs) ? tpl.outputs : {},
    jsonPath(basePath, 'outputs'),
    scope,
    () => 'outputs',
  );

  // Unused parameters and variables.
  for (const [key, { name }] of scope.params) {
    if (!scope.usedParams.has(key))
      problem(scope, jsonPath(jsonPath(basePath, 'parameters'), name), `parameter '${name}' is never used`);
  }
  for (const [key, { name }] of scope.vars) {
    if (!scope.usedVars.has(key))
      problem(scope, jsonPath(jsonPath(basePath, 'variables'), name), `variable '${name}' is never used`);
  }

  for (const { template: t, path } of innerTemplates) checkTemplate(t, path, file, allowlist, problems);
}

export function checkValueType(
  scope: Scope,
  path: string,
  def: ParamDef,
  value: unknown,
  name: string,
): void {
  const type = String(def.type ?? '').toLowerCase();
  if (typeof value === 'string' && parseTemplateString(value).kind === 'expression') return;
  const ok =
    type === 'string' || type === 'securestring'
      ? typeof value === 'string'
      : type === 'int'
        ? Number.isInteger(value)
        : type === 'bool'
          ? typeof value === 'boolean'
          : type === 'object' || type === 'secureobject'
            ? isObject(value)
            : type === 'array'
              ? Array.isArray(value)
              : true;
  if (!ok) {
    problem(scope, path, `'${name}' is declared ${def.type} but the value is ${JSON.stringify(value)}`);
    return;
  }
  if (def.allowedValues && !def.allowedValues.some((a) => JSON.stringify(a) === JSON.stringify(value))) {
    problem(scope, path, `'${name}' value ${JSON.stringify(value)} is not one of its allowedValues`);
  }
  if (typeof value === 'number') {
    if (def.minValue !== undefined && value < def.minValue)
      problem(scope, path, `'${name}' is below minValue ${def.minValue}`);
    if (def.maxValue !== undefined && value > def.maxValue)
      problem(scope, path, `'${name}' is above maxValue ${def.maxValue}`);
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    if (def.minLength !== undefined && value.length < def.minLength)
      problem(scope, path, `'${name}' is shorter than minLength ${def.minLength}`);
    if (def.maxLength !== undefined && value.length > def.maxLength)
      problem(scope, path, `'${name}' is longer than maxLength ${def.maxLength}`);
  }
}

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

/** The parameters an inner-scope nested deployment passes must match the ones its template declares. */
export function checkNestedParameters(scope: Scope, r: JsonObject, path: string): void {
  const props = r.properties as JsonObject;
  const inner = props.template as JsonObject;
  const declared = isObject(inner.parameters) ? inner.parameters : {};
  const passed = isObject(props.parameters) ? props.parameters : {};
  const declaredKeys = new Map(Object.keys(declared).map((k) => [k.toLowerCase(), k]));
  for (const k of Object.keys(passed)) {
    if (!declaredKeys.has(k.toLowerCase())) {
      problem(
        scope,
        jsonPath(jsonPath(jsonPath(path, 'properties'), 'parameters'), k),
        `nested template declares no parameter '${k}'`,
      );
    }
  }
  const passedKeys = new Set(Object.keys(passed).map((k) => k.toLowerCase()));
  for (const [key, name] of declaredKeys) {
    const def = declared[name];
    if (isObject(def) && !('defaultValue' in def) && !passedKeys.has(key)) {
      problem(
        scope,
        jsonPath(jsonPath(path, 'properties'), 'parameters'),
        `nested template parameter '${name}' is required but not passed`,
      );
    }
  }
}
