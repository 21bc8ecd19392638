/** The ARM template vocabulary the generators share: JSON values, the schema URI, expression text. */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const TEMPLATE_SCHEMA =
  'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

/* Expression helpers: they return the text inside `[...]`; `x()` wraps it. */
export const x = (e: string): string => `[${e}]`;
export const p = (name: string): string => `parameters('${name}')`;
export const v = (name: string): string => `variables('${name}')`;
export const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * The head every top-level resource of the main template shares: its type, API version, name (a variable), the
 * region (the `location` parameter, or another) and the `tags` parameter.
 */
export const topLevel = (type: string, apiVersion: string, nameVar: string, locationParam = 'location') => ({
  type,
  apiVersion,
  name: x(v(nameVar)),
  location: x(p(locationParam)),
  tags: x(p('tags')),
});
