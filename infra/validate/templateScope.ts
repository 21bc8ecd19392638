/** The scope of one template: its parameters, variables, user functions and declared resources, by comparable key. */

import type { Problem } from '../../analytics/problem.js';
import { isInnerScopeDeployment } from './nestedDeployment.js';
import { looksLikeType } from './references.js';
import { type DeclaredResource, joinKey, nameSegments, type Scope } from './scope.js';
import { type Allowlist, isObject, type JsonObject, jsonPath, type ParamDef } from './templateSchema.js';

/** Declared resources include nested children (the parent's type and name prefixed) and outer-scope nested templates'. */
export function templateScope(
  tpl: JsonObject,
  basePath: string,
  file: string,
  allowlist: Allowlist,
  problems: Problem[],
): Scope {
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
  return scope;
}
