/**
 * Generates the MITRE ATT&CK for ICS reference data and the Defender for IoT alert catalog into the repo, so the
 * product never reads `../shared` at run time.
 *
 *   npm run gen:attack -- [--bundle PATH] [--catalog PATH] [--license PATH] [--out DIR] [--check]
 *
 * Defaults (relative to the repo root): `--bundle ../shared/data/ics-attack.json`,
 * `--catalog ../shared/data/d4iot-alert-catalog.tsv`, `--license <bundle dir>/ics-attack-LICENSE.txt`,
 * `--out pipeline/enrich`. `--check` writes nothing and exits 1 when the committed files differ.
 *
 * Re-running on a newer bundle: catalog technique ids that the bundle no longer has fail the run (exit 1);
 * ids that are deprecated or revoked are reported; printed names that differ from the bundle are warned about.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../analytics/content.js';
import { parseCatalog } from './attack/alertCatalog.js';
import { checkCatalog, type DeprecatedUse, type NameMismatch } from './attack/catalogChecks.js';
import {
  ATTACK_FILE,
  type AttackCounts,
  CATALOG_FILE,
  LICENSE_FILE,
  renderAttackModule,
  renderCatalogModule,
} from './attack/generatedModules.js';
import { fail, GenerateError } from './attack/generateError.js';
import { parseBundle, readProvenance } from './attack/stixBundle.js';

export { ATTACK_FILE, CATALOG_FILE, LICENSE_FILE } from './attack/generatedModules.js';
export { GenerateError } from './attack/generateError.js';

export interface GenerateOptions {
  bundlePath: string;
  catalogPath: string;
  /** MITRE's LICENSE.txt; default `ics-attack-LICENSE.txt` next to the bundle. */
  licensePath?: string;
}

export interface GenerateResult {
  /** File name (inside the output dir) → exact contents. */
  files: Record<string, string>;
  /** Human-readable warnings (printed-name mismatches, deprecated ids, tactic disagreements). */
  warnings: string[];
  version: string;
  counts: AttackCounts;
  /** Catalog technique ids whose bundle object is deprecated or revoked, with the titles that use them. */
  deprecatedInCatalog: DeprecatedUse[];
  /** Catalog techniques whose printed name differs from the bundle's name for that id (the id is kept). */
  nameMismatches: NameMismatch[];
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function generate(options: GenerateOptions): GenerateResult {
  const { bundlePath, catalogPath } = options;
  const licensePath = options.licensePath ?? join(dirname(bundlePath), 'ics-attack-LICENSE.txt');
  for (const [what, p] of [
    ['bundle', bundlePath],
    ['catalog', catalogPath],
    ['MITRE licence', licensePath],
  ] as const) {
    if (!existsSync(p)) fail(`${what} not found: ${p}`);
  }
  const bundleBuf = readFileSync(bundlePath);
  const catalogBuf = readFileSync(catalogPath);
  const license = readFileSync(licensePath, 'utf8');

  const parsed = parseBundle(bundleBuf.toString('utf8'), bundlePath);
  const techniqueById = new Map(parsed.techniques.map((t) => [t.id, t]));
  const { rows, printed } = parseCatalog(
    catalogBuf.toString('utf8'),
    catalogPath,
    parsed.tactics,
    techniqueById,
  );

  const { warnings, nameMismatches, deprecatedInCatalog } = checkCatalog(parsed, rows, printed);

  const prov = readProvenance(bundlePath);
  const bundleSha = sha256(bundleBuf);
  const counts = {
    tactics: parsed.tactics.length,
    techniques: parsed.techniques.length,
    active: parsed.techniques.filter((t) => !t.deprecated && !t.revoked).length,
    deprecated: parsed.techniques.filter((t) => t.deprecated).length,
    revoked: parsed.techniques.filter((t) => t.revoked).length,
    alerts: rows.length,
  };

  const attack = renderAttackModule({ parsed, bundlePath, bundleSha, prov, counts, license });
  const catalog = renderCatalogModule({
    rows,
    catalogPath,
    catalogSha: sha256(catalogBuf),
    version: parsed.version,
  });

  return {
    files: { [ATTACK_FILE]: attack, [CATALOG_FILE]: catalog, [LICENSE_FILE]: license },
    warnings,
    version: parsed.version,
    counts,
    deprecatedInCatalog,
    nameMismatches,
  };
}

/** CLI entry: returns the exit code (1 with a message on stderr when generation fails or `--check` finds drift). */
export function main(argv: string[] = process.argv.slice(2)): number {
  try {
    return run(argv);
  } catch (e) {
    const usage = String((e as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
    const message =
      e instanceof GenerateError || usage ? (e as Error).message : ((e as Error).stack ?? String(e));
    console.error(`gen-attack: ${message}`);
    return 1;
  }
}

function run(argv: string[]): number {
  const root = packageRoot();
  const { values } = parseArgs({
    args: argv,
    options: {
      bundle: { type: 'string' },
      catalog: { type: 'string' },
      license: { type: 'string' },
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      'usage: gen-attack [--bundle PATH] [--catalog PATH] [--license PATH] [--out DIR] [--check]\n' +
        'defaults (repo-relative): ../shared/data/ics-attack.json, ../shared/data/d4iot-alert-catalog.tsv, ' +
        '<bundle dir>/ics-attack-LICENSE.txt, pipeline/enrich',
    );
    return 0;
  }
  const bundlePath = resolve(root, values.bundle ?? '../shared/data/ics-attack.json');
  const catalogPath = resolve(root, values.catalog ?? '../shared/data/d4iot-alert-catalog.tsv');
  const licensePath = values.license ? resolve(root, values.license) : undefined;
  const outDir = resolve(root, values.out ?? 'pipeline/enrich');

  const result = generate({ bundlePath, catalogPath, ...(licensePath ? { licensePath } : {}) });
  for (const w of result.warnings) console.warn(`warning: ${w}`);

  const c = result.counts;
  const changed: string[] = [];
  if (!values.check) mkdirSync(outDir, { recursive: true });
  for (const [name, content] of Object.entries(result.files)) {
    const target = join(outDir, name);
    const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
    if (current === content) continue;
    changed.push(name);
    if (!values.check) writeFileSync(target, content);
  }
  console.log(
    `ATT&CK for ICS ${result.version}: ${c.tactics} tactics, ${c.techniques} techniques ` +
      `(${c.active} active, ${c.deprecated} deprecated, ${c.revoked} revoked); ${c.alerts} catalog alerts. ` +
      (changed.length
        ? `${values.check ? 'out of date' : 'wrote'}: ${changed.join(', ')} in ${outDir}`
        : `${outDir} is up to date`),
  );
  return values.check && changed.length ? 1 : 0;
}

function invokedDirectly(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(arg)).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.exitCode = main();
