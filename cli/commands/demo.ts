import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../analytics/content.js';
import { positiveInt } from '../options.js';
import { runQuery } from '../report/engine.js';
import { writeReport } from '../report/index.js';
import { sentinelTables } from '../report/twinTables.js';
import { checkPlaybooksFile, checkTwinInventory, runSentinelTwin } from '../sentinelTwin.js';
import { formatSummary } from '../summary.js';
import { runFile } from './runFile.js';

/** How far the demo's clock moves each time the pipeline reads it (once per batch, once per flush). */
const DEMO_TICK_MS = 100;

/**
 * The demo's clock: from the start of the current minute, DEMO_TICK_MS further at each reading. Rows take their
 * TimeGenerated from the pipeline's clock, and the local Sentinel's rule windows follow those times; with the wall
 * clock a slower machine (or a cold first run) spread the same rows over more minutes, and the demo printed other
 * figures (a fresh clone: 88 playbook actions where warm runs printed 84). The replay keeps the wall clock.
 */
export function demoClock(start = Date.now()): () => Date {
  const t0 = Math.floor(start / 60_000) * 60_000;
  let readings = 0;
  return () => new Date(t0 + readings++ * DEMO_TICK_MS);
}

/** `ot-soc demo`: what `npm start` runs. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Replay the bundled plant scenario (two sites, an alert storm, a maintenance window, an attack chain and malformed records) through the real pipeline, run the local Sentinel (shipped rules → alerts → incidents → automation rules → playbooks, offline) over what it wrote, print both and write an HTML report.',
    )
    .option('--input <file>', 'scenario to replay', join(packageRoot(), 'samples', 'plant-scenario.ndjson'))
    .option(
      '--config <file>',
      'ot-soc configuration (JSON)',
      join(packageRoot(), 'samples', 'ot-soc.config.json'),
    )
    .option(
      '--playbooks <file>',
      'playbook configuration (JSON): OT teams, ticket systems, Teams, auto-close rules',
      join(packageRoot(), 'samples', 'playbooks.config.json'),
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
      'events per Function invocation (in Azure up to host.json maxEventBatchSize, 500)',
      positiveInt('--batch'),
      100,
    )
    .option('--no-progress', 'no progress bar')
    .action(
      async (o: {
        input: string;
        config: string;
        out: string;
        playbooks: string;
        partitions: number;
        batch: number;
        progress: boolean;
      }) => {
        await checkPlaybooksFile(o.playbooks);
        await checkTwinInventory(o.config);
        const summary = await runFile({
          input: o.input,
          out: o.out,
          state: join(o.out, 'state'),
          fresh: true,
          config: o.config,
          partitions: o.partitions,
          batchSize: o.batch,
          progress: o.progress,
          now: demoClock(),
        });
        // The report reads OUT/sentinel/*.ndjson: the twin runs first.
        const twin = await runSentinelTwin(o.out, o.playbooks, o.config);
        const { out, input, config } = o;
        const sentinel = sentinelTables(twin.result);
        const report = await writeReport({ out, input, config, summary, sentinel, run: runQuery });
        console.log(formatSummary(summary));
        console.log(twin.text);
        console.log(`\n  Rows as posted to Log Analytics: ${join(o.out, 'OTAlerts_CL.ndjson')}`);
        console.log(`  Dead letters:                    ${join(o.out, 'deadletter.ndjson')}`);
        console.log(`  HTML report:                     ${report}`);
      },
    );
}
