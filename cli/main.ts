#!/usr/bin/env node
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../pipeline/config/config.js';
import { runFile } from './commands/runFile.js';
import { UsageError } from './commands/usageError.js';
import { renderReport } from './report.js';
import { formatSummary } from './summary.js';

/** The repo (or installed package) root: dist/cli/main.js → ../.. */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
  return n;
};

const program = new Command()
  .name('ot-soc')
  .description(
    'Defender for IoT (OT) alerts to Microsoft Sentinel: parse, enrich, deduplicate, ingest, respond.',
  )
  .showHelpAfterError();

program
  .command('demo')
  .description(
    'Replay the bundled plant scenario (two sites, an alert storm, a maintenance window, an attack chain and malformed records) through the real pipeline, print what reached "Sentinel" and write an HTML report.',
  )
  .option('--input <file>', 'scenario to replay', join(packageRoot, 'samples', 'plant-scenario.ndjson'))
  .option(
    '--config <file>',
    'ot-soc configuration (JSON)',
    join(packageRoot, 'samples', 'ot-soc.config.json'),
  )
  .option('--out <dir>', 'where the local workspace, dead letters and report go', '.ot-soc/demo')
  .option(
    '--partitions <n>',
    'Event Hubs partitions to spread the events over',
    positiveInt('--partitions'),
    4,
  )
  .option(
    '--batch <n>',
    'events per Function invocation (host.json maxEventBatchSize)',
    positiveInt('--batch'),
    100,
  )
  .option('--no-progress', 'no progress bar')
  .action(
    async (o: {
      input: string;
      config: string;
      out: string;
      partitions: number;
      batch: number;
      progress: boolean;
    }) => {
      const summary = await runFile({
        input: o.input,
        out: o.out,
        state: join(o.out, 'state'),
        fresh: true,
        config: o.config,
        partitions: o.partitions,
        batchSize: o.batch,
        progress: o.progress,
      });
      const report = join(o.out, 'report.html');
      await mkdir(o.out, { recursive: true });
      await writeFile(report, renderReport(summary, new Date()));
      console.log(formatSummary(summary));
      console.log(`\n  Rows as posted to Log Analytics: ${join(o.out, 'OTAlerts_CL.ndjson')}`);
      console.log(`  Dead letters:                    ${join(o.out, 'deadletter.ndjson')}`);
      console.log(`  HTML report:                     ${report}`);
    },
  );

program
  .command('replay')
  .description(
    'Run one file (NDJSON, a JSON array, a {"records":[...]} export envelope, or syslog CEF/LEEF/text lines, mixed freely) through the pipeline. Writes OUT/OTAlerts_CL.ndjson, OUT/deadletter.ndjson and OUT/summary.json. Exit 0 when the run completed, even with dead letters.',
  )
  .requiredOption('--input <file>', 'file to replay')
  .requiredOption('--out <dir>', 'output directory')
  .option(
    '--state <dir>',
    'keep grouping state here between runs (replaying the same input again changes no count)',
  )
  .option('--config <file>', 'ot-soc configuration (JSON)')
  .option('--batch <n>', 'events per batch', positiveInt('--batch'), 100)
  .option('--no-progress', 'no progress bar')
  .action(
    async (o: {
      input: string;
      out: string;
      state?: string;
      config?: string;
      batch: number;
      progress: boolean;
    }) => {
      const summary = await runFile({
        input: o.input,
        out: o.out,
        state: o.state,
        config: o.config,
        partitions: 1,
        batchSize: o.batch,
        progress: o.progress,
      });
      console.log(formatSummary(summary));
      console.log(
        `\n  Wrote ${join(o.out, 'OTAlerts_CL.ndjson')}, ${join(o.out, 'deadletter.ndjson')}, ${join(o.out, 'summary.json')}`,
      );
    },
  );

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof UsageError || e instanceof ConfigError) {
    console.error(`ot-soc: ${e.message}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
});
