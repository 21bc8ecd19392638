/**
 * Temporary directories a test file makes, removed when its tests end: `npm test` cleans up after itself. The
 * hook is registered when a test file first imports this module, before the file's own hooks, so it runs after
 * them (vitest runs after-hooks in reverse order: a browser closed by the file is gone before its profile is removed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new directory under the OS temp dir (`<prefix>XXXXXX`), removed after the test file. */
export function tempDirSync(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
