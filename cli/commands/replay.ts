import { join } from 'node:path';
import type { Command } from 'commander';
import { positiveInt } from '../options.js';
import { formatSummary } from '../summary.js';
import { runFile } from './runFile.js';

/** `ot-soc replay`: one file through the pipeline into a directory. */
export function registerReplay(program: Command): void {
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
}
