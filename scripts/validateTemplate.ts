/**
 * Offline validation of the ARM templates in `infra/`: nothing here talks to Azure. `validateTemplates(dir)`
 * checks every `*.json` in a directory (ours and the other engineers' templates alike) and returns one
 * `Problem` per finding; `validateInfra(dir)` adds the freshness check of the generated `main.json`.
 *
 * Rules (each has a test in test/infra):
 * - structure: the top level of a deployment template (zod): `$schema`, `contentVersion`, `parameters`,
 *   `variables`, `resources[]` (each with `type`, `apiVersion`, `name`), `outputs`;
 * - expressions: every `[...]` string is tokenized and parsed (string literals with `''` escapes, numbers,
 *   nested calls, `.property` and `[index]` access; `[[` is a literal); unknown function names are problems;
 *   `parameters()`/`variables()` must name a declared one (every parameter and variable must be used);
 * - references: every `resourceId()`-family call, `reference()`/`list*()` target, `dependsOn` entry and
 *   extension `scope` points at a resource declared in the template, or (not for `dependsOn`) at an existing
 *   resource whose name comes from parameters, or at an external type from the allowlist;
 *   `reference()`/`list*()` are not allowed where ARM forbids them (variables, names, dependsOn), and no
 *   output carries a `list*()` result (that would print a key into the deployment history);
 * - API versions: resource type and API version must be in `infra/allowlist.json`;
 * - secrets: a `securestring`/`secureObject` parameter, or one whose name says key/secret/password/token,
 *   has no (non-empty) default; a parameters file carries no secret value (use a Key Vault reference);
 * - schema: a DCR stream `Custom-OTAlerts_CL` and the custom table `OTAlerts_CL` have exactly the columns of
 *   `pipeline/sink/schema.ts` (via `streamDeclaration()` / `customTableSchema()`); data flows name declared
 *   streams and destinations; a DCR without a DCE is `kind: Direct`.
 * Nested deployments with `expressionEvaluationOptions.scope: inner` are validated as templates of their own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { STREAM_NAME, TABLE_NAME } from '../pipeline/sink/schema.js';
import { customTableSchema, streamDeclaration } from '../pipeline/sink/tableSchema.js';
import { MAIN_TEMPLATE_FILE, renderMainTemplate } from './gen-infra.js';

export interface Problem {
  /** File name relative to the validated directory (or the name given for an in-memory template). */
  file: string;
  /** JSON path inside the file, e.g. `$.resources[3].properties.name`. */
  path: string;
  message: string;
}

/* ------------------------------------------------------------------------------------------------ */
/* ARM expressions: tokenizer and parser                                                             */
/* ------------------------------------------------------------------------------------------------ */

export type Expr =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'call'; name: string; args: Expr[]; pos: number }
  | { kind: 'member'; target: Expr; property: string; pos: number }
  | { kind: 'index'; target: Expr; index: Expr; pos: number };

export type TokenType = 'ident' | 'string' | 'number' | '(' | ')' | ',' | '.' | '[' | ']';
export interface Token {
  type: TokenType;
  value: string;
  pos: number;
}

export class ArmExpressionError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(`${message} (at character ${pos + 1})`);
    this.name = 'ArmExpressionError';
  }
}

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

/** Splits the inside of a `[...]` expression into tokens. Throws `ArmExpressionError`. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ('(),.[]'.includes(c)) {
      tokens.push({ type: c as TokenType, value: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      const start = i;
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ArmExpressionError('unterminated string literal', start);
        const d = src[i]!;
        if (d === "'") {
          if (src[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += d;
        i++;
      }
      tokens.push({ type: 'string', value, pos: start });
      continue;
    }
    if (DIGIT.test(c) || (c === '-' && DIGIT.test(src[i + 1] ?? ''))) {
      const start = i;
      i++;
      while (i < src.length && DIGIT.test(src[i]!)) i++;
      if (src[i] === '.' && DIGIT.test(src[i + 1] ?? '')) {
        i++;
        while (i < src.length && DIGIT.test(src[i]!)) i++;
      }
      tokens.push({ type: 'number', value: src.slice(start, i), pos: start });
      continue;
    }
    if (IDENT_START.test(c)) {
      const start = i;
      while (i < src.length && IDENT_PART.test(src[i]!)) i++;
      tokens.push({ type: 'ident', value: src.slice(start, i), pos: start });
      continue;
    }
    throw new ArmExpressionError(`unexpected character '${c}'`, i);
  }
  return tokens;
}

/** Parses the inside of a `[...]` expression (without the brackets). Throws `ArmExpressionError`. */
export function parseExpression(src: string): Expr {
  const tokens = tokenize(src);
  let at = 0;
  const peek = (offset = 0): Token | undefined => tokens[at + offset];
  const endPos = src.length;
  const expect = (type: TokenType): Token => {
    const t = tokens[at];
    if (!t) throw new ArmExpressionError(`expected '${type}' but the expression ended`, endPos);
    if (t.type !== type) throw new ArmExpressionError(`expected '${type}' but found '${t.value}'`, t.pos);
    at++;
    return t;
  };

  const parsePrimary = (): Expr => {
    const t = peek();
    if (!t) throw new ArmExpressionError('expected a value but the expression ended', endPos);
    if (t.type === 'string') {
      at++;
      return { kind: 'string', value: t.value, pos: t.pos };
    }
    if (t.type === 'number') {
      at++;
      return { kind: 'number', value: Number(t.value), pos: t.pos };
    }
    if (t.type === 'ident') {
      at++;
      let name = t.value;
      // A user-defined function is called as namespace.member(...).
      if (peek()?.type === '.' && peek(1)?.type === 'ident' && peek(2)?.type === '(') {
        name = `${name}.${peek(1)!.value}`;
        at += 2;
      }
      if (peek()?.type !== '(') {
        throw new ArmExpressionError(
          `'${name}' is not a function call (ARM has no bare identifiers; write ${name}())`,
          t.pos,
        );
      }
      at++;
      const args: Expr[] = [];
      if (peek()?.type !== ')') {
        for (;;) {
          args.push(parseValue());
          if (peek()?.type === ',') {
            at++;
            continue;
          }
          break;
        }
      }
      expect(')');
      return { kind: 'call', name, args, pos: t.pos };
    }
    throw new ArmExpressionError(`unexpected '${t.value}'`, t.pos);
  };

  const parseValue = (): Expr => {
    let e = parsePrimary();
    for (;;) {
      const t = peek();
      if (t?.type === '.') {
        at++;
        const prop = peek();
        if (!prop || (prop.type !== 'ident' && prop.type !== 'number')) {
          throw new ArmExpressionError("expected a property name after '.'", prop?.pos ?? endPos);
        }
        at++;
        e = { kind: 'member', target: e, property: prop.value, pos: t.pos };
        continue;
      }
      if (t?.type === '[') {
        at++;
        const index = parseValue();
        expect(']');
        e = { kind: 'index', target: e, index, pos: t.pos };
        continue;
      }
      return e;
    }
  };

  if (tokens.length === 0) throw new ArmExpressionError('empty expression', 0);
  const e = parseValue();
  const rest = peek();
  if (rest) throw new ArmExpressionError(`unexpected '${rest.value}' after the expression`, rest.pos);
  return e;
}

export type TemplateString =
  | { kind: 'literal'; value: string }
  | { kind: 'expression'; expr: Expr; source: string }
  | { kind: 'error'; message: string };

/** How ARM reads a JSON string: `[...]` is an expression, `[[...` a literal starting with `[`. */
export function parseTemplateString(s: string): TemplateString {
  if (s.startsWith('[[')) return { kind: 'literal', value: s.slice(1) };
  if (s.startsWith('[') && s.endsWith(']') && s.length >= 2) {
    const source = s.slice(1, -1);
    try {
      return { kind: 'expression', expr: parseExpression(source), source };
    } catch (e) {
      return { kind: 'error', message: (e as Error).message };
    }
  }
  return { kind: 'literal', value: s };
}

/** Template functions ARM knows (lower case). `list*` functions are matched by prefix. */
export const ARM_FUNCTIONS: ReadonlySet<string> = new Set([
  // array
  'array',
  'concat',
  'contains',
  'createarray',
  'empty',
  'first',
  'flatten',
  'indexof',
  'intersection',
  'items',
  'last',
  'lastindexof',
  'length',
  'max',
  'min',
  'range',
  'skip',
  'take',
  'union',
  'filter',
  'map',
  'reduce',
  'sort',
  'toobject',
  'lambda',
  'lambdavariables',
  'mapvalues',
  'groupby',
  'objectkeys',
  'shallowmerge',
  'tryget',
  'indexfromend',
  'tryindexfromend',
  // CIDR
  'parsecidr',
  'cidrsubnet',
  'cidrhost',
  // comparison
  'coalesce',
  'equals',
  'greater',
  'greaterorequals',
  'less',
  'lessorequals',
  // date
  'datetimeadd',
  'datetimefromepoch',
  'datetimetoepoch',
  'utcnow',
  // deployment
  'deployer',
  'deployment',
  'environment',
  'parameters',
  'variables',
  // logical
  'and',
  'bool',
  'false',
  'if',
  'not',
  'or',
  'true',
  // numeric
  'add',
  'copyindex',
  'div',
  'float',
  'int',
  'mod',
  'mul',
  'sub',
  // object
  'createobject',
  'json',
  'null',
  // resource
  'extensionresourceid',
  'managementgroupresourceid',
  'pickzones',
  'providers',
  'reference',
  'references',
  'resourceid',
  'subscriptionresourceid',
  'tenantresourceid',
  'resourcegroup',
  'subscription',
  'managementgroup',
  'tenant',
  // string
  'base64',
  'base64tojson',
  'base64tostring',
  'datauri',
  'datauritostring',
  'endswith',
  'format',
  'guid',
  'join',
  'newguid',
  'padleft',
  'replace',
  'split',
  'startswith',
  'string',
  'substring',
  'tolower',
  'toupper',
  'trim',
  'uniquestring',
  'uri',
  'uricomponent',
  'uricomponenttostring',
]);

const RESOURCE_ID_FUNCTIONS = new Set([
  'resourceid',
  'subscriptionresourceid',
  'tenantresourceid',
  'extensionresourceid',
  'managementgroupresourceid',
]);

const isListFunction = (lower: string): boolean => /^list[a-z0-9]*$/.test(lower);
const isReadFunction = (lower: string): boolean =>
  lower === 'reference' || lower === 'references' || isListFunction(lower);

/* ------------------------------------------------------------------------------------------------ */
/* Allowlist and template structure                                                                  */
/* ------------------------------------------------------------------------------------------------ */

export const allowlistSchema = z.object({
  $comment: z.string().optional(),
  /** Resource type (full, e.g. `Microsoft.EventHub/namespaces/eventhubs`) → allowed API versions. */
  apiVersions: z.record(z.string(), z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/)).min(1)),
  /** Types a template may point at without declaring them (built-in role definitions, …). */
  externalResourceTypes: z.array(z.string()).default([]),
});
export type Allowlist = z.infer<typeof allowlistSchema>;

export const TEMPLATE_SCHEMAS: readonly string[] = [
  'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  'https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#',
  'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
  'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#',
  'https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#',
];
export const PARAMETERS_SCHEMA =
  'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

const PARAM_TYPES = ['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array'];

const parameterSchema = z.looseObject({
  type: z.string().refine((t) => PARAM_TYPES.includes(t.toLowerCase()), {
    message: `must be one of ${PARAM_TYPES.join(', ')}`,
  }),
  defaultValue: z.unknown().optional(),
  allowedValues: z.array(z.unknown()).optional(),
  minValue: z.number().int().optional(),
  maxValue: z.number().int().optional(),
  minLength: z.number().int().min(0).optional(),
  maxLength: z.number().int().min(0).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
type ParamDef = z.infer<typeof parameterSchema>;

const resourceSchema = z.looseObject({
  type: z.string().min(1),
  apiVersion: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(-[a-z]+)?$/, 'must be an API version like 2023-05-01 or 2021-12-01-preview'),
  name: z.string().min(1),
  condition: z.union([z.boolean(), z.string()]).optional(),
  dependsOn: z.array(z.string()).optional(),
  location: z.string().optional(),
  scope: z.string().optional(),
  resources: z.array(z.unknown()).optional(),
});

const outputSchema = z.looseObject({
  type: z.string().refine((t) => PARAM_TYPES.includes(t.toLowerCase()), {
    message: `must be one of ${PARAM_TYPES.join(', ')}`,
  }),
  value: z.unknown().optional(),
  copy: z.unknown().optional(),
});

export const templateSchema = z.strictObject({
  $schema: z.string().refine((s) => TEMPLATE_SCHEMAS.includes(s), {
    message: `must be a deployment template schema, e.g. ${TEMPLATE_SCHEMAS[0]}`,
  }),
  contentVersion: z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/, 'must look like 1.0.0.0'),
  apiProfile: z.string().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  parameters: z.record(z.string(), parameterSchema).optional(),
  variables: z.record(z.string(), z.unknown()).optional(),
  functions: z.array(z.unknown()).optional(),
  resources: z.array(resourceSchema),
  outputs: z.record(z.string(), outputSchema).optional(),
});

const parametersFileSchema = z.strictObject({
  $schema: z.string().refine((s) => s === PARAMETERS_SCHEMA, { message: `must be ${PARAMETERS_SCHEMA}` }),
  contentVersion: z.string().regex(/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/, 'must look like 1.0.0.0'),
  parameters: z.record(
    z.string(),
    z.union([
      z.strictObject({ value: z.unknown(), metadata: z.unknown().optional() }),
      z.strictObject({
        reference: z.looseObject({ keyVault: z.looseObject({ id: z.string() }), secretName: z.string() }),
        metadata: z.unknown().optional(),
      }),
    ]),
  ),
});

/* ------------------------------------------------------------------------------------------------ */
/* Helpers                                                                                           */
/* ------------------------------------------------------------------------------------------------ */

type Json = unknown;
type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$.a.b[3]['odd-key']` */
export function jsonPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}['${key.replace(/'/g, "\\'")}']`;
}

function zodPath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => jsonPath(acc, typeof k === 'number' ? k : String(k)), base);
}

/** Splits a parameter name into lower-case words: `functionApiKey` → function, api, key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'password',
  'passwd',
  'pwd',
  'token',
  'tokens',
  'credential',
  'credentials',
  'sas',
  'passphrase',
]);
/** A name ending in one of these describes a secret (its name, id, lifetime…), it is not one. */
const DESCRIBES_A_SECRET = new Set([
  'name',
  'names',
  'id',
  'ids',
  'uri',
  'version',
  'versions',
  'count',
  'days',
  'hours',
  'minutes',
  'seconds',
  'enabled',
  'type',
  'kind',
  'lifetime',
  'expiry',
  'references',
]);

/**
 * Whether a parameter name says it holds a secret: a word key/secret/password/token/… (`apiKey`,
 * `clientSecret`, `jiraApiToken`, `storageConnectionString`), unless the name only describes one
 * (`keyVaultName`, `secretName`, `tokenLifetime`).
 */
export function looksLikeSecretName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (last === undefined || DESCRIBES_A_SECRET.has(last)) return false;
  if (words.join('').includes('connectionstring')) return true;
  if (last === 'key' || last === 'keys') return true;
  return words.some((w) => SECRET_WORDS.has(w));
}

const isEmptyValue = (v: unknown): boolean =>
  v === '' ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);

/* ------------------------------------------------------------------------------------------------ */
/* Scopes, names and resource references                                                             */
/* ------------------------------------------------------------------------------------------------ */

type Piece = { lit: string } | { expr: Expr };

interface Segment {
  /** Canonical text used to compare two names (lower case; variables inlined). */
  canon: string;
  /** The segment is a plain string. */
  literal?: string;
  /** Built from parameters (and literals) only: the name of an existing resource given by parameters. */
  fromParameters: boolean;
}

interface DeclaredResource {
  type: string;
  typeKey: string;
  segments: Segment[];
  nameKey: string;
  path: string;
  raw: JsonObject;
  copyName?: string;
}

interface Scope {
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

type Context = 'parameterDefault' | 'variables' | 'resource' | 'resourceHeader' | 'outputs' | 'other';

function problem(scope: Scope, path: string, message: string): void {
  scope.problems.push({ file: scope.file, path, message });
}

/** The string a `variables('x')` or `variables('x').y` expression stands for, if it is one. */
function variableString(e: Expr, scope: Scope, depth: number): unknown {
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
function piecesOf(e: Expr, scope: Scope, depth = 0): Piece[] {
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

function canonExpr(e: Expr, scope: Scope, depth = 0): string {
  const pieces = piecesOf(e, scope, depth);
  if (pieces.length === 1 && 'expr' in pieces[0]!) return canonNode(pieces[0].expr, scope, depth);
  return canonPieces(pieces, scope, depth);
}

function canonNode(e: Expr, scope: Scope, depth: number): string {
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

function canonPieces(pieces: readonly Piece[], scope: Scope, depth = 0): string {
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

const isParametersCall = (e: Expr): boolean => e.kind === 'call' && e.name.toLowerCase() === 'parameters';

/** Splits pieces into `/`-separated name segments. */
function segmentsOf(pieces: readonly Piece[], scope: Scope): Segment[] {
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

function nameSegments(name: string, scope: Scope): Segment[] {
  const parsed = parseTemplateString(name);
  if (parsed.kind === 'expression') return segmentsOf(piecesOf(parsed.expr, scope), scope);
  return segmentsOf([{ lit: parsed.kind === 'literal' ? parsed.value : name }], scope);
}

const joinKey = (segments: readonly Segment[]): string => segments.map((s) => s.canon).join('/');

/** A static string for an expression (a literal or a variable holding one). */
function staticString(e: Expr, scope: Scope): string | undefined {
  const pieces = piecesOf(e, scope);
  return pieces.every((p) => 'lit' in p) ? pieces.map((p) => (p as { lit: string }).lit).join('') : undefined;
}

const looksLikeType = (s: string): boolean => /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+\/[A-Za-z0-9]/.test(s);

interface Target {
  type: string;
  segments: Segment[];
}

/** Reads the type and name segments out of a resourceId()-family call; reports a malformed one. */
function targetOfResourceIdCall(
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

function findDeclared(
  scope: Scope,
  type: string,
  segments: readonly Segment[],
): DeclaredResource | undefined {
  const typeKey = type.toLowerCase();
  const key = joinKey(segments);
  return scope.resources.find((r) => r.typeKey === typeKey && r.nameKey === key);
}

const isExternalType = (scope: Scope, type: string): boolean =>
  scope.allowlist.externalResourceTypes.some((t) => t.toLowerCase() === type.toLowerCase());

/** Existing resource whose name comes from parameters (literal child names such as 'default' allowed). */
const isExistingByParameters = (segments: readonly Segment[]): boolean =>
  segments.some((s) => s.fromParameters) &&
  segments.every((s) => s.fromParameters || s.literal !== undefined);

const describe = (type: string, segments: readonly Segment[]): string =>
  `${type} '${segments.map((s) => s.literal ?? s.canon).join('/')}'`;

function checkTarget(scope: Scope, target: Target, path: string, what: string): DeclaredResource | undefined {
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

function visitExpression(e: Expr, scope: Scope, path: string, context: Context): void {
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
function checkReadTarget(call: Expr & { kind: 'call' }, scope: Scope, path: string): void {
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

function checkApiVersion(scope: Scope, type: string, version: string, path: string): void {
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
function walkStrings(
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

/* ------------------------------------------------------------------------------------------------ */
/* Templates                                                                                         */
/* ------------------------------------------------------------------------------------------------ */

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

const isInnerScopeDeployment = (r: JsonObject): boolean => {
  const props = r.properties;
  if (!isObject(props) || !isObject(props.template)) return false;
  const opts = props.expressionEvaluationOptions;
  return isObject(opts) && typeof opts.scope === 'string' && opts.scope.toLowerCase() === 'inner';
};

function checkTemplate(
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

function checkValueType(scope: Scope, path: string, def: ParamDef, value: unknown, name: string): void {
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
function checkDependsOn(scope: Scope, r: JsonObject, path: string): Set<DeclaredResource> {
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
function checkParentDependency(
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
function checkScope(scope: Scope, value: string, deps: Set<DeclaredResource>, path: string): void {
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
function checkNestedParameters(scope: Scope, r: JsonObject, path: string): void {
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

/* ------------------------------------------------------------------------------------------------ */
/* OTAlerts_CL: the DCR stream and the custom table against the schema in code                       */
/* ------------------------------------------------------------------------------------------------ */

interface NameType {
  name: string;
  type: string;
}

/** Compares declared columns with the expected ones (by name, case-sensitive; types exact). */
export function compareColumns(actual: readonly NameType[], expected: readonly NameType[]): string[] {
  const diffs: string[] = [];
  const want = new Map(expected.map((c) => [c.name, c.type]));
  const have = new Map(actual.map((c) => [c.name, c.type]));
  for (const [name, type] of want) {
    if (!have.has(name)) diffs.push(`missing column ${name} (${type})`);
    else if (have.get(name) !== type)
      diffs.push(`column ${name} is ${have.get(name)}, the schema says ${type}`);
  }
  for (const [name, type] of have)
    if (!want.has(name)) diffs.push(`column ${name} (${type}) is not in the schema`);
  if (actual.length !== have.size) diffs.push('duplicate column names');
  return diffs;
}

function columnsOf(value: unknown, scope: Scope, path: string): NameType[] | undefined {
  let v = value;
  if (typeof v === 'string') {
    const parsed = parseTemplateString(v);
    const resolved = parsed.kind === 'expression' ? variableString(parsed.expr, scope, 0) : undefined;
    if (resolved === undefined) {
      problem(
        scope,
        path,
        'columns must be a literal array (or a variable holding one) to be checked against the schema',
      );
      return undefined;
    }
    v = resolved;
  }
  if (
    !Array.isArray(v) ||
    !v.every((c) => isObject(c) && typeof c.name === 'string' && typeof c.type === 'string')
  ) {
    problem(scope, path, 'columns must be an array of {name, type}');
    return undefined;
  }
  return v.map((c) => ({ name: (c as NameType).name, type: (c as NameType).type }));
}

const SCHEMA_SOURCE = 'pipeline/sink/schema.ts';

function checkSchemaResource(scope: Scope, type: string, r: JsonObject, path: string): void {
  const typeKey = type.toLowerCase();
  const props = isObject(r.properties) ? r.properties : undefined;
  const propsPath = jsonPath(path, 'properties');
  if (typeKey === 'microsoft.insights/datacollectionrules' && props) {
    const streams = isObject(props.streamDeclarations) ? props.streamDeclarations : {};
    const expected = streamDeclaration()[STREAM_NAME]!.columns;
    for (const [name, decl] of Object.entries(streams)) {
      if (name !== STREAM_NAME) continue;
      const p = jsonPath(jsonPath(jsonPath(propsPath, 'streamDeclarations'), name), 'columns');
      const cols = columnsOf(isObject(decl) ? decl.columns : undefined, scope, p);
      if (cols) {
        for (const d of compareColumns(cols, expected))
          problem(scope, p, `${STREAM_NAME} differs from ${SCHEMA_SOURCE}: ${d}`);
      }
    }
    const destinations = new Set<string>();
    if (isObject(props.destinations)) {
      for (const list of Object.values(props.destinations)) {
        if (Array.isArray(list))
          for (const d of list) if (isObject(d) && typeof d.name === 'string') destinations.add(d.name);
      }
    }
    const flows = Array.isArray(props.dataFlows) ? props.dataFlows : [];
    flows.forEach((flow, i) => {
      if (!isObject(flow)) return;
      const fp = jsonPath(jsonPath(propsPath, 'dataFlows'), i);
      for (const s of Array.isArray(flow.streams) ? flow.streams : []) {
        if (typeof s === 'string' && !s.startsWith('Microsoft-') && !(s in streams)) {
          problem(scope, jsonPath(fp, 'streams'), `stream ${s} is not declared in streamDeclarations`);
        }
      }
      for (const d of Array.isArray(flow.destinations) ? flow.destinations : []) {
        if (typeof d === 'string' && !destinations.has(d))
          problem(scope, jsonPath(fp, 'destinations'), `destination ${d} is not declared`);
      }
    });
    if (r.kind !== 'Direct' && props.dataCollectionEndpointId === undefined && STREAM_NAME in streams) {
      problem(
        scope,
        path,
        "a DCR for the Logs Ingestion API needs kind 'Direct' (its own endpoint) or a dataCollectionEndpointId",
      );
    }
  }
  if (typeKey === 'microsoft.operationalinsights/workspaces/tables' && props) {
    const schema = isObject(props.schema) ? props.schema : undefined;
    const segs = typeof r.name === 'string' ? nameSegments(r.name, scope) : [];
    const last = segs[segs.length - 1];
    const isOurs = schema?.name === TABLE_NAME || last?.literal === TABLE_NAME;
    if (isOurs) {
      if (schema?.name !== TABLE_NAME)
        problem(scope, jsonPath(propsPath, 'schema'), `schema.name must be ${TABLE_NAME}`);
      const p = jsonPath(jsonPath(propsPath, 'schema'), 'columns');
      const cols = columnsOf(schema?.columns, scope, p);
      if (cols) {
        const expected = customTableSchema().properties.schema.columns;
        for (const d of compareColumns(cols, expected))
          problem(scope, p, `${TABLE_NAME} differs from ${SCHEMA_SOURCE}: ${d}`);
      }
    }
  }
}

/* ------------------------------------------------------------------------------------------------ */
/* Parameters files                                                                                  */
/* ------------------------------------------------------------------------------------------------ */

/** Validates a deploymentParameters file against the template it is for. */
export function validateParametersFile(params: unknown, template: unknown, file: string): Problem[] {
  const problems: Problem[] = [];
  const parsed = parametersFileSchema.safeParse(params);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ file, path: zodPath('$', issue.path), message: issue.message });
    return problems;
  }
  const declared = isObject(template) && isObject(template.parameters) ? template.parameters : {};
  const byKey = new Map(Object.entries(declared).map(([k, v]) => [k.toLowerCase(), { name: k, def: v }]));
  const scope: Scope = {
    file,
    problems,
    allowlist: { apiVersions: {}, externalResourceTypes: [] },
    template: {},
    params: new Map(),
    vars: new Map(),
    usedParams: new Set(),
    usedVars: new Set(),
    functions: new Set(),
    resources: [],
  };
  for (const [name, entry] of Object.entries(parsed.data.parameters)) {
    const path = jsonPath(jsonPath('$', 'parameters'), name);
    const d = byKey.get(name.toLowerCase());
    if (!d || !isObject(d.def)) {
      problems.push({ file, path, message: `the template declares no parameter '${name}'` });
      continue;
    }
    if (!('value' in entry)) continue; // a Key Vault reference
    const type = String(d.def.type ?? '').toLowerCase();
    if (
      (type === 'securestring' || type === 'secureobject' || looksLikeSecretName(name)) &&
      !isEmptyValue(entry.value)
    ) {
      problems.push({
        file,
        path: jsonPath(path, 'value'),
        message: `secret parameter '${name}' must come from a Key Vault reference, not a value in the file`,
      });
    }
    checkValueType(scope, jsonPath(path, 'value'), d.def as ParamDef, entry.value, name);
  }
  const given = new Set(Object.keys(parsed.data.parameters).map((k) => k.toLowerCase()));
  for (const [key, { name, def }] of byKey) {
    if (isObject(def) && !('defaultValue' in def) && !given.has(key)) {
      problems.push({
        file,
        path: jsonPath('$', 'parameters'),
        message: `required parameter '${name}' is missing`,
      });
    }
  }
  return problems;
}

/* ------------------------------------------------------------------------------------------------ */
/* Directories                                                                                       */
/* ------------------------------------------------------------------------------------------------ */

export const ALLOWLIST_FILE = 'allowlist.json';

/** Reads and validates `allowlist.json` in `dir`. */
export function readAllowlist(dir: string, problems: Problem[] = []): Allowlist {
  const file = join(dir, ALLOWLIST_FILE);
  if (!existsSync(file)) {
    problems.push({
      file: ALLOWLIST_FILE,
      path: '$',
      message: 'missing: every resource type and API version must be allowlisted',
    });
    return { apiVersions: {}, externalResourceTypes: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push({ file: ALLOWLIST_FILE, path: '$', message: `not valid JSON: ${(e as Error).message}` });
    return { apiVersions: {}, externalResourceTypes: [] };
  }
  const parsed = allowlistSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ file: ALLOWLIST_FILE, path: zodPath('$', issue.path), message: issue.message });
    return { apiVersions: {}, externalResourceTypes: [] };
  }
  return parsed.data;
}

/** `main.parameters.example.json` → `main.json` */
export const templateFileForParameters = (name: string): string => `${name.split('.')[0]}.json`;

/**
 * Validates every `*.json` in `dir` (sorted): deployment templates, parameters files (against the template
 * they are named after) and the allowlist itself. Other JSON files are reported.
 */
export function validateTemplates(dir: string): Problem[] {
  const problems: Problem[] = [];
  const allowlist = readAllowlist(dir, problems);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== ALLOWLIST_FILE)
    .sort();
  const docs = new Map<string, unknown>();
  for (const f of files) {
    try {
      docs.set(f, JSON.parse(readFileSync(join(dir, f), 'utf8')));
    } catch (e) {
      problems.push({ file: f, path: '$', message: `not valid JSON: ${(e as Error).message}` });
    }
  }
  for (const [f, doc] of docs) {
    const schema = isObject(doc) && typeof doc.$schema === 'string' ? doc.$schema : '';
    if (/deploymentParameters\.json/i.test(schema)) {
      const tplFile = templateFileForParameters(basename(f));
      const tpl = docs.get(tplFile);
      if (tpl === undefined)
        problems.push({ file: f, path: '$', message: `no template ${tplFile} for this parameters file` });
      else problems.push(...validateParametersFile(doc, tpl, f));
    } else if (/DeploymentTemplate\.json/i.test(schema)) {
      problems.push(...validateTemplate(doc, { file: f, allowlist }));
    } else {
      problems.push({ file: f, path: '$.$schema', message: 'not a deployment template or parameters file' });
    }
  }
  return problems;
}

/**
 * What `ot-soc validate` runs on infra/: every template and parameters file (`validateTemplates`), and
 * `main.json` must be exactly what scripts/gen-infra.ts generates from the schema in code today.
 */
export function validateInfra(dir: string): Problem[] {
  const problems = validateTemplates(dir);
  const main = join(dir, MAIN_TEMPLATE_FILE);
  if (!existsSync(main)) {
    problems.push({
      file: MAIN_TEMPLATE_FILE,
      path: '$',
      message: 'missing: generate it with node dist/scripts/gen-infra.js',
    });
  } else if (readFileSync(main, 'utf8') !== renderMainTemplate()) {
    problems.push({
      file: MAIN_TEMPLATE_FILE,
      path: '$',
      message:
        'stale: differs from what scripts/gen-infra.ts generates (npm run build && node dist/scripts/gen-infra.js)',
    });
  }
  return problems;
}

/** One line per problem, for terminals. */
export const formatProblem = (p: Problem): string => `${p.file} ${p.path}: ${p.message}`;
