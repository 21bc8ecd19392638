import { PlaybookConfigError } from '../errors.js';

/** Reads a secret from an app setting by name (Key Vault references are resolved into env by the platform). */
export function secretSetting(env: Record<string, string | undefined>, name: string, what: string): string {
  const v = env[name];
  if (!v) throw new PlaybookConfigError([`app setting ${name} (${what}) is not set`]);
  return v;
}

export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
