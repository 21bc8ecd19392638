import type { Command } from 'commander';
import {
  addConnectionOptions,
  type ConnectionFlags,
  connectionOf,
  positiveNumber,
  sensorsOf,
} from '../forward/cliOptions.js';
import { ConnectionError, createProducer } from '../forward/eventHubs.js';
import { progressReporter } from '../forward/progress.js';
import { formatSendSummary, type SendProducer, sendFile } from '../forward/sendFile.js';
import { UsageError } from './usageError.js';

interface SendFlags extends ConnectionFlags {
  input: string;
  config?: string;
  rate?: number;
  dryRun?: boolean;
  progress: boolean;
  json?: boolean;
  checkpoint?: string;
}

/** `ot-soc send`: one file of alerts to Event Hubs, partitioned like the forwarder. */
export function registerSend(program: Command): void {
  const cmd = program
    .command('send')
    .description(
      'Publish a file of sensor alerts (NDJSON, a JSON array, a {"records":[...]} export envelope, or syslog CEF/LEEF/text/object lines, mixed freely; e.g. an air-gapped site\'s export) to Event Hubs with partition key site/zone. Invalid records are reported, not sent. Prints what was sent per partition; when Event Hubs fails, what was sent, failed and not attempted, where to resume, and exits 1.',
    )
    .requiredOption('--input <file>', 'file to publish')
    .option(
      '--config <file>',
      'ot-soc configuration: enrichment.sensors places sensors in sites/zones (partition keys)',
    )
    .option('--rate <n>', 'publish at most n alerts per second (load tests)', positiveNumber('--rate'))
    .option('--dry-run', 'validate and summarise only; connect to nothing')
    .option('--json', 'print the summary as JSON')
    .option(
      '--checkpoint <file>',
      'record the records Event Hubs acknowledged in this file; a re-run with it sends only the rest (a failed run without it writes INPUT.checkpoint.json)',
    )
    .option('--no-progress', 'no progress on stderr');
  addConnectionOptions(cmd).action(async (o: SendFlags) => {
    const sensors = await sensorsOf(o.config);
    let producer: SendProducer | undefined;
    if (!o.dryRun) {
      try {
        producer = createProducer(await connectionOf(o));
      } catch (e) {
        if (e instanceof ConnectionError) throw new UsageError(e.message);
        throw e;
      }
    }
    const noProducer: SendProducer = {
      createBatch: () => Promise.reject(new Error('dry run')),
      sendBatch: () => Promise.reject(new Error('dry run')),
      close: () => Promise.resolve(),
    };
    try {
      const summary = await sendFile({
        input: o.input,
        producer: producer ?? noProducer,
        sensors,
        ...(o.rate ? { rate: o.rate } : {}),
        ...(o.dryRun ? { dryRun: true } : {}),
        ...(o.checkpoint ? { checkpoint: o.checkpoint } : {}),
        progress: progressReporter(o.progress, 'alerts sent'),
      });
      console.log(o.json ? JSON.stringify(summary, null, 2) : formatSendSummary(summary));
      // A summary, not a stack trace: what was sent, what not, where to resume; and exit code 1.
      if (summary.failure) process.exitCode = 1;
    } finally {
      await producer?.close();
    }
  });
}
