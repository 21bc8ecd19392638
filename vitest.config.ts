import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (no services, seconds: `npm run test:unit`) and `integration` (Azurite started once by
 * test/globalSetup.ts; the reliability suites; a real browser). `npm test` runs both. A test file is an integration
 * test when its text mentions Azurite or a browser, or it lives in test/reliability, so a new durable-store test
 * lands in the right project without editing this file.
 */
const INTEGRATION = /azurite|puppeteer|@sparticuz\/chromium/i;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [relative(import.meta.dirname, path).replaceAll('\\', '/')] : [];
  });
}

const all = testFiles(join(import.meta.dirname, 'test'));
const integration = all.filter(
  (f) =>
    f.startsWith('test/reliability/') || INTEGRATION.test(readFileSync(join(import.meta.dirname, f), 'utf8')),
);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration } },
      {
        extends: true,
        test: { name: 'integration', include: integration, globalSetup: ['test/globalSetup.ts'] },
      },
    ],
  },
});
