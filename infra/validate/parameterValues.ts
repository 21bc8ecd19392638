/** A parameter value (a default or a parameters file's value) against the parameter's declaration. */
import { parseTemplateString } from './armExpression.js';
import { problem, type Scope } from './scope.js';
import { isObject, type ParamDef } from './templateSchema.js';

/** Type, allowedValues, min/max value and length; an expression is not checked (its value is not known here). */
export function checkValueType(
  scope: Pick<Scope, 'file' | 'problems'>,
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
