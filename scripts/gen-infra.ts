/**
 * Writes the generated ARM templates: `infra/main.json` (built by `infra/gen/mainTemplate.ts` from the table
 * schema in code) and `infra/playbook-shim.json` (`scripts/playbookShim.ts`, with the shipped analytics rule ids).
 *
 *   npm run build && node dist/scripts/gen-infra.js [outDir]     # default: <repo>/infra
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../analytics/content.js';
import { MAIN_TEMPLATE_FILE, renderMainTemplate } from '../infra/gen/mainTemplate.js';
import { renderShimTemplate, SHIM_TEMPLATE_FILE } from './playbookShim.js';

/** Writes main.json into `outDir` (default <repo>/infra); returns the file written. */
export function writeMainTemplate(outDir: string = join(packageRoot(), 'infra')): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, MAIN_TEMPLATE_FILE);
  writeFileSync(file, renderMainTemplate());
  return file;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : join(packageRoot(), 'infra');
  console.log(`wrote ${writeMainTemplate(outDir)}`);
  const shim = join(outDir, SHIM_TEMPLATE_FILE);
  writeFileSync(shim, renderShimTemplate());
  console.log(`wrote ${shim}`);
}
