/**
 * A small evaluator of ARM template expressions, enough to resolve what a deployment of our own templates
 * would create (automation rules, their conditions and names) without Azure: tests and the local Sentinel
 * read the shipped `infra/*.json` through it instead of trusting constants in code.
 *
 * Supported: `parameters`, `variables`, `concat`, `format`, `createArray`, `union`, `if`, `equals`, `and`,
 * `or`, `not`, `empty`, `length`, `toLower`, `string`, `guid` (deterministic, not ARM's bytes), `resourceId`,
 * `subscriptionResourceId`, `resourceGroup()`, `subscription()`, member and index access. Anything else
 * (reference(), list*()) throws naming the function: it is never approximated.
 */
import { createHash } from 'node:crypto';
import { type Expr, parseTemplateString } from '../infra/validate/armExpression.js';

export interface DeploymentContext {
  subscriptionId: string;
  resourceGroup: string;
  tenantId: string;
  location?: string;
  /** Parameter values; missing ones take the template's defaultValue. */
  parameters: Record<string, unknown>;
}

type Json = unknown;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export class ArmEvalError extends Error {}

/** A deterministic GUID from its arguments (ARM uses a v5 UUID too, with other bytes). */
function guidOf(parts: readonly string[]): string {
  const h = createHash('sha1').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class TemplateEvaluator {
  readonly #template: Obj;
  readonly #ctx: DeploymentContext;
  readonly #variables = new Map<string, Json>();

  constructor(template: Obj, ctx: DeploymentContext) {
    this.#template = template;
    this.#ctx = ctx;
  }

  parameter(name: string): Json {
    const defs = (this.#template.parameters ?? {}) as Record<string, { defaultValue?: Json }>;
    const key = Object.keys(defs).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key) throw new ArmEvalError(`parameters('${name}') is not declared`);
    if (Object.hasOwn(this.#ctx.parameters, key)) return this.#ctx.parameters[key];
    if (!('defaultValue' in defs[key]!))
      throw new ArmEvalError(`parameter '${key}' has no value and no default`);
    return this.value(defs[key]!.defaultValue);
  }

  variable(name: string): Json {
    const defs = (this.#template.variables ?? {}) as Obj;
    const key = Object.keys(defs).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key) throw new ArmEvalError(`variables('${name}') is not declared`);
    if (!this.#variables.has(key)) this.#variables.set(key, this.value(defs[key]));
    return this.#variables.get(key);
  }

  /** Resolves every expression inside a JSON value (strings starting with `[`). */
  value(v: Json): Json {
    if (typeof v === 'string') {
      const t = parseTemplateString(v);
      if (t.kind === 'literal') return t.value;
      if (t.kind === 'error') throw new ArmEvalError(`cannot parse ${v}: ${t.message}`);
      return this.expr(t.expr);
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)]));
    return v;
  }

  get resourceGroupId(): string {
    return `/subscriptions/${this.#ctx.subscriptionId}/resourceGroups/${this.#ctx.resourceGroup}`;
  }

  expr(e: Expr): Json {
    switch (e.kind) {
      case 'string':
      case 'number':
        return e.value;
      case 'member': {
        const target = this.expr(e.target);
        if (!isObj(target)) throw new ArmEvalError(`.${e.property} of a non-object`);
        return target[e.property];
      }
      case 'index': {
        const target = this.expr(e.target);
        const index = this.expr(e.index);
        if (Array.isArray(target)) return target[Number(index)];
        if (isObj(target)) return target[String(index)];
        throw new ArmEvalError('index into a non-collection');
      }
      case 'call':
        return this.call(e.name.toLowerCase(), e.args);
    }
  }

  private call(name: string, args: Expr[]): Json {
    const a = () => args.map((x) => this.expr(x));
    const str = (x: Json) => (typeof x === 'string' ? x : JSON.stringify(x));
    switch (name) {
      case 'parameters':
        return this.parameter(String(this.expr(args[0]!)));
      case 'variables':
        return this.variable(String(this.expr(args[0]!)));
      case 'concat': {
        const xs = a();
        return xs.every(Array.isArray) && xs.length ? xs.flat() : xs.map(str).join('');
      }
      case 'format': {
        const [f, ...rest] = a();
        return String(f).replace(/\{(\d+)\}/g, (_, i: string) => str(rest[Number(i)]));
      }
      case 'createarray':
        return a();
      case 'union': {
        const xs = a();
        if (xs.every(Array.isArray))
          return [...new Set(xs.flat().map((x) => JSON.stringify(x)))].map((x) => JSON.parse(x));
        return Object.assign({}, ...xs);
      }
      case 'if': {
        const cond = this.expr(args[0]!);
        return this.expr(cond ? args[1]! : args[2]!);
      }
      case 'equals': {
        const [x, y] = a();
        return JSON.stringify(x) === JSON.stringify(y);
      }
      case 'and':
        return a().every(Boolean);
      case 'or':
        return a().some(Boolean);
      case 'not':
        return !this.expr(args[0]!);
      case 'empty': {
        const x = this.expr(args[0]!);
        return (
          x === null ||
          x === undefined ||
          x === '' ||
          (Array.isArray(x) && !x.length) ||
          (isObj(x) && !Object.keys(x).length)
        );
      }
      case 'length': {
        const x = this.expr(args[0]!);
        return Array.isArray(x) || typeof x === 'string' ? x.length : isObj(x) ? Object.keys(x).length : 0;
      }
      case 'tolower':
        return String(this.expr(args[0]!)).toLowerCase();
      case 'string':
        return str(this.expr(args[0]!));
      case 'guid':
        return guidOf(a().map(str));
      case 'resourcegroup':
        return {
          id: this.resourceGroupId,
          name: this.#ctx.resourceGroup,
          location: this.#ctx.location ?? 'westeurope',
        };
      case 'subscription':
        return {
          id: `/subscriptions/${this.#ctx.subscriptionId}`,
          subscriptionId: this.#ctx.subscriptionId,
          tenantId: this.#ctx.tenantId,
        };
      case 'resourceid':
      case 'subscriptionresourceid': {
        const xs = a().map(str);
        const typeAt = xs.findIndex((x) => x.includes('/'));
        const type = xs[typeAt]!;
        const names = xs.slice(typeAt + 1);
        const [ns, ...types] = type.split('/');
        const path = types.map((t, i) => `${t}/${names[i]}`).join('/');
        const scope =
          name === 'subscriptionresourceid'
            ? `/subscriptions/${this.#ctx.subscriptionId}`
            : this.resourceGroupId;
        return `${scope}/providers/${ns}/${path}`;
      }
      default:
        throw new ArmEvalError(`the ARM function ${name}() is not supported by scripts/armEval.ts`);
    }
  }

  /** The resources a deployment creates (condition true), of one type, with every property resolved. */
  resourcesOfType(type: string): Obj[] {
    const all = (this.#template.resources ?? []) as Obj[];
    return all
      .filter((r) => String(r.type).toLowerCase() === type.toLowerCase())
      .filter((r) => r.condition === undefined || Boolean(this.value(r.condition)))
      .map((r) => {
        const { condition: _c, dependsOn: _d, ...rest } = r;
        return this.value(rest) as Obj;
      });
  }
}
