import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadContent, packageRoot } from '../../analytics/content.js';
import {
  computeCoverage,
  formatCoverage,
  navigatorLayer,
  writeNavigatorLayer,
} from '../../analytics/coverage.js';
import { parseContent } from '../../analytics/package.js';
import { UsageError } from './usageError.js';

export interface CoverageOptions {
  readonly content: string;
  readonly layer: string;
}

/** Prints the coverage table to `out`, writes the Navigator layer, returns the exit code (0). */
export function runCoverage(opts: CoverageOptions, out: (line: string) => void = console.log): number {
  const dir = resolve(opts.content);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--content ${opts.content}: not a directory`);
  }
  let parsed: ReturnType<typeof parseContent>;
  try {
    parsed = parseContent(loadContent(dir));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const coverage = computeCoverage(parsed);
  out(formatCoverage(coverage));
  const layer = resolve(opts.layer);
  writeNavigatorLayer(layer, navigatorLayer(coverage));
  out(
    `\nATT&CK Navigator layer: ${layer} (open it at https://mitre-attack.github.io/attack-navigator/, domain ICS)`,
  );
  return 0;
}

/** `ot-soc coverage`: which ATT&CK for ICS tactics and techniques the analytics rules cover. */
export function registerCoverage(program: Command): void {
  program
    .command('coverage')
    .description(
      'Print the ATT&CK for ICS coverage of the analytics rules per tactic: techniques covered of the active ones, and of those the Defender for IoT alert catalog can raise; hunting queries apart. Writes an ATT&CK Navigator layer (format 4.5, domain ics-attack, score = rules per technique).',
    )
    .option('--layer <file>', 'where to write the Navigator layer', '.ot-soc/attack-ics-layer.json')
    .option(
      '--content <dir>',
      'a checkout (analytics/rules, analytics/hunting, workbooks) or a folder with rules/, hunting/, workbooks/',
      packageRoot(),
    )
    .action((o: CoverageOptions) => {
      process.exitCode = runCoverage(o);
    });
}
