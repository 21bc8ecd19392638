/**
 * One template: structure, parameter defaults, variables, each resource's expressions, API version, relations,
 * columns and nested deployments, outputs, unused parameters and variables; inner-scope nested templates in turn.
 */

import type { Problem } from '../../analytics/problem.js';
import { checkSchemaResource } from './columns.js';
import { checkNestedParameters, isInnerScopeDeployment } from './nestedDeployment.js';
import { checkValueType } from './parameterValues.js';
import { checkApiVersion, looksLikeType, walkStrings } from './references.js';
import { checkDependsOn, checkParentDependency, checkScope } from './resourceRelations.js';
import { problem } from './scope.js';
import { isEmptyValue, looksLikeSecretName } from './secrets.js';
import {
  type Allowlist,
  isObject,
  type JsonObject,
  jsonPath,
  templateSchema,
  zodPath,
} from './templateSchema.js';
import { templateScope } from './templateScope.js';

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
  const scope = templateScope(tpl, basePath, file, allowlist, problems);
  const vars = isObject(tpl.variables) ? tpl.variables : {};
  const resourcesPath = jsonPath(basePath, 'resources');

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
