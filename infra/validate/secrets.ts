/** Secret heuristics: parameter names that describe a secret, and what counts as an empty default. */
import { isObject } from './templateSchema.js';

/** Splits a parameter name into lower-case words: `functionApiKey` → function, api, key. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

export const SECRET_WORDS = new Set([
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
export const DESCRIBES_A_SECRET = new Set([
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

export const isEmptyValue = (v: unknown): boolean =>
  v === '' ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);
