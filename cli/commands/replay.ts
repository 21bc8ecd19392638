import { join } from 'node:path';
import type { Command } from 'commander';
import { packageRoot } from '../../analytics/content.js';
import { positiveInt } from '../options.js';
import { checkPlaybooksFile, checkTwinInventory, runSentinelTwin } from '../sentinelTwin.js';
import { formatSummary } from '../summary.js';
import { runFile } from './runFile.js';

/** `ot-soc replay`: one file through the pipeline into a directory. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'Run one file through the pipeline: NDJSON, JSON documents compact or pretty-printed (one after another, one array, or a {"records":[...]} export envelope as `jq .` writes it) and syslog CEF/LEEF/text lines, mixed freely; LF, CRLF or CR line endings; UTF-8 (BOM or not; a line that is not UTF-8 is read as Windows-1252) or UTF-16. The file is streamed, so its size is not limited by memory. Writes OUT/OTAlerts_CL.ndjson, OUT/deadletter.ndjson and OUT/summary.json. Exit 0 when the run completed, even with dead letters. See docs/local-state.md.',
    )
    .requiredOption('--input <file>', 'file to replay')
    .requiredOption('--out <dir>', 'output directory')
    .option(
      '--state <dir>',
      'keep grouping state here between runs (replaying the same input again changes no count). One run at a time per directory (a second is refused, naming the holder); state is saved before each row is written, so a run killed at any point and run again gives the counts of one clean run',
    )
    .option('--config <file>', 'ot-soc configuration (JSON)')
    .option('--batch <n>', 'events per batch', positiveInt('--batch'), 100)
    .option(
      '--sentinel',
      'then run the local Sentinel over OUT/OTAlerts_CL.ndjson: the shipped rules, incidents, automation rules and playbooks (offline); writes OUT/sentinel/{alerts,incidents,actions}.ndjson',
    )
    .option(
      '--playbooks <file>',
      'playbook configuration (JSON) for --sentinel',
      join(packageRoot(), 'samples', 'playbooks.config.json'),
    )
    .option('--no-progress', 'no progress bar')
    .action(
      async (o: {
        input: string;
        out: string;
        state?: string;
        config?: string;
        batch: number;
        progress: boolean;
        sentinel?: boolean;
        playbooks: string;
      }) => {
        if (o.sentinel) {
          await checkPlaybooksFile(o.playbooks);
          await checkTwinInventory(o.config);
        }
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
        if (o.sentinel) console.log((await runSentinelTwin(o.out, o.playbooks, o.config)).text);
        console.log(
          `\n  Wrote ${join(o.out, 'OTAlerts_CL.ndjson')}, ${join(o.out, 'deadletter.ndjson')}, ${join(o.out, 'summary.json')}`,
        );
      },
    );
}
