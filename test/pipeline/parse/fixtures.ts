import { readFileSync } from 'node:fs';

/** Reference clock for year-less syslog dates in the fixtures (2026-01-10). */
export const NOW = Date.UTC(2026, 0, 10);

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url), 'utf8');
}

/** Non-empty lines of a line-oriented fixture. */
export function fixtureLines(name: string): string[] {
  return fixture(name)
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
}

export function fixtureJson<T = Record<string, unknown>>(name: string): T[] {
  return JSON.parse(fixture(name)) as T[];
}
