/**
 * The structure of deployment templates, parameters files and `infra/allowlist.json` (zod), and the JSON paths
 * problems are reported at.
 */
import { z } from 'zod';

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

export const PARAM_TYPES = ['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array'];

export const parameterSchema = z.looseObject({
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
export type ParamDef = z.infer<typeof parameterSchema>;

export const resourceSchema = z.looseObject({
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

export const outputSchema = z.looseObject({
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

export const parametersFileSchema = z.strictObject({
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

export type Json = unknown;
export type JsonObject = Record<string, unknown>;
export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `$.a.b[3]['odd-key']` */
export function jsonPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}['${key.replace(/'/g, "\\'")}']`;
}

export function zodPath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => jsonPath(acc, typeof k === 'number' ? k : String(k)), base);
}
