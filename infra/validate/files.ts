/**
 * Directories and parameters files: reads `infra/`, the allowlist, every template and parameters file, and checks
 * that the generated main.json is fresh.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Problem } from '../../analytics/problem.js';
import { MAIN_TEMPLATE_FILE, renderMainTemplate } from '../gen/mainTemplate.js';
import { checkValueType } from './parameterValues.js';
import { isEmptyValue, looksLikeSecretName } from './secrets.js';
import { validateTemplate } from './template.js';
import {
  type Allowlist,
  allowlistSchema,
  isObject,
  jsonPath,
  type ParamDef,
  parametersFileSchema,
  zodPath,
} from './templateSchema.js';

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
    checkValueType({ file, problems }, jsonPath(path, 'value'), d.def as ParamDef, entry.value, name);
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
