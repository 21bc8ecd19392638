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
