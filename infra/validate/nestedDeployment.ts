/** Nested deployments: which are templates of their own (inner scope), and what they must be passed. */
import { problem, type Scope } from './scope.js';
import { isObject, type JsonObject, jsonPath } from './templateSchema.js';

/** A nested deployment whose template has its own parameters and variables (validated as a template of its own). */
export const isInnerScopeDeployment = (r: JsonObject): boolean => {
  const props = r.properties;
  if (!isObject(props) || !isObject(props.template)) return false;
  const opts = props.expressionEvaluationOptions;
  return isObject(opts) && typeof opts.scope === 'string' && opts.scope.toLowerCase() === 'inner';
};

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
