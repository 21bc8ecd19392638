import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { contentLayout, loadContent, packageRoot } from '../../analytics/content.js';
import type { KqlAnalyzer } from '../../analytics/kusto.js';
import { staleFiles } from '../../analytics/package.js';
import { formatProblem, validateLoaded } from '../../analytics/validate.js';
import { validateInfra } from '../../infra/validate/index.js';
import { plural } from '../plural.js';
import { UsageError } from './usageError.js';

export interface ValidateOptions {
  readonly content: string;
}

/**
 * Validates the content under `opts.content`, writes one line per problem (`file:line:col: message`) and a summary
 * to `out`, and returns the exit code: 0 when clean, 1 on problems. In a checkout (an `analytics/` folder) it also
 * reports generated files (workbooks/, infra/sentinel-content.json) that no longer match their sources. The Kusto
 * bridge is loaded here (or `analyzer` reused), never at import.
 */
export function runValidate(
  opts: ValidateOptions,
  out: (line: string) => void = console.log,
  analyzer?: KqlAnalyzer,
): number {
  const dir = resolve(opts.content);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--content ${opts.content}: not a directory`);
  }
  const content = loadContent(dir);
  const files = content.rules.length + content.hunting.length + content.workbooks.length;
  if (files === 0) {
    const l = contentLayout(dir);
    throw new UsageError(`no content under ${dir} (looked in ${l.rules}, ${l.hunting} and ${l.workbooks})`);
  }
  const result = validateLoaded(content, { analyzer });
  for (const p of result.problems) out(formatProblem(p));
  let stale: string[] = [];
  if (result.problems.length === 0 && existsSync(resolve(dir, 'analytics'))) {
    stale = staleFiles(dir);
    for (const f of stale) {
      out(
        formatProblem({
          file: f,
          line: 1,
          col: 1,
          message: 'generated file is stale: run `npm run build && node dist/analytics/package.js`',
        }),
      );
    }
  }
  // The ARM templates of a checkout: structure, references, allow-listed API versions, secrets, schema drift.
  const infraDir = resolve(dir, 'infra');
  const infra = existsSync(infraDir) ? validateInfra(infraDir) : [];
  for (const p of infra) out(formatProblem({ ...p, file: join(infraDir, p.file) }));
  const problems = result.problems.length + stale.length + infra.length;
  out(
    `${problems === 0 ? 'ok' : 'FAILED'}: ${result.rules} analytics rules, ${result.hunting} hunting queries, ${result.workbooks} workbooks; ${result.queries} KQL queries type-checked${existsSync(infraDir) ? '; ARM templates checked' : ''}; ${problems === 0 ? 'no problems' : plural(problems, 'problem')}`,
  );
  return problems === 0 ? 0 : 1;
}

/** `ot-soc validate`: the Sentinel content against the OTAlerts_CL schema, Sentinel and ATT&CK for ICS. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'Validate the Sentinel content: every analytics rule, hunting and workbook query is parsed and type-checked with Kusto.Language against OTAlerts_CL (from the code), SecurityAlert, SecurityIncident, SentinelHealth and _GetWatchlist; rule YAML is checked like the Azure-Sentinel repository checks detections (unique GUIDs, schedule bounds, X.Y.Z versions, NRT/Scheduled fields, Sentinel tactics, ATT&CK for ICS 18.1 techniques with all their tactics, required and unique entity identifiers, known or shipped data connectors) and mapped columns against the query output; shipped data connector definitions and the generated ARM template are checked too. Prints file:line:col: message per problem and a summary; exit 0 when clean, 1 on problems, 2 on bad arguments.',
    )
    .option(
      '--content <dir>',
      'a checkout (analytics/rules, analytics/hunting, workbooks) or a folder with rules/, hunting/, workbooks/',
      packageRoot(),
    )
    .action((o: ValidateOptions) => {
      process.exitCode = runValidate(o);
    });
}
