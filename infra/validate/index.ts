/**
 * Offline validation of the ARM templates in `infra/`: nothing here talks to Azure. `validateTemplates(dir)`
 * checks every `*.json` in a directory (ours and the other engineers' templates alike) and returns one
 * `Problem` per finding; `validateInfra(dir)` adds the freshness check of the generated `main.json`.
 *
 * Rules (each has a test in test/infra; one file per concern in this folder):
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

export { formatProblem, type Problem } from '../../analytics/problem.js';
export {
  ArmExpressionError,
  type Expr,
  parseExpression,
  parseTemplateString,
  type Token,
  tokenize,
} from './armExpression.js';
export { ARM_FUNCTIONS } from './armFunctions.js';
export { compareColumns } from './columns.js';
export {
  ALLOWLIST_FILE,
  readAllowlist,
  templateFileForParameters,
  validateInfra,
  validateParametersFile,
  validateTemplates,
} from './files.js';
export { looksLikeSecretName, nameWords } from './secrets.js';
export { type ValidateOptions, validateTemplate } from './template.js';
export { type Allowlist, allowlistSchema, jsonPath, templateSchema } from './templateSchema.js';
