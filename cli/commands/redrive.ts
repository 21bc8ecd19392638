import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { keySpecOf, loadConfigFile, parseConfig } from '../../pipeline/config/config.js';
import { DEAD_LETTER_STAGES, type DeadLetterStage } from '../../pipeline/deadletter/deadLetterStore.js';
import { FileDeadLetterStore } from '../../pipeline/deadletter/fileDeadLetterStore.js';
import { type FailureReason, pipelineRedriver, redrive } from '../../pipeline/deadletter/redrive.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { flushGroups, type PipelineDeps } from '../../pipeline/pipeline.js';
import { positiveInt } from '../options.js';
import { plural } from '../plural.js';
import { createLocalSink } from '../runPipeline.js';
import { openStateStore } from '../stateStore.js';
import { UsageError } from './usageError.js';

export interface RedriveCommandOptions {
  out: string;
  state?: string;
  config?: string;
  stages: string;
  limit: number;
}

function parseStages(list: string): DeadLetterStage[] {
  const stages = list.split(',').map((s) => s.trim());
  const bad = stages.filter((s) => !(DEAD_LETTER_STAGES as readonly string[]).includes(s));
  if (bad.length)
    throw new UsageError(
      `--stages: unknown stage ${bad.join(', ')} (known: ${DEAD_LETTER_STAGES.join(', ')})`,
    );
  return stages as DeadLetterStage[];
}

/**
 * Replays the pending dead letters of a replay/demo output directory through the same pipeline (what the
 * `redrive` timer does in Azure), into the same OTAlerts_CL.ndjson; letters that keep failing are parked
 * with their history after 5 attempts.
 */
export async function runRedrive(o: RedriveCommandOptions) {
  const file = join(o.out, 'deadletter.ndjson');
  try {
    await access(file);
  } catch {
    throw new UsageError(`no dead letters to redrive: ${file} does not exist`);
  }
  const stages = parseStages(o.stages);
  const config = o.config ? await loadConfigFile(o.config) : parseConfig({}, 'defaults');
  const state = await openStateStore(o.state, { spec: keySpecOf(config) });
  try {
    const deadLetters = new FileDeadLetterStore(file);
    const deps: PipelineDeps = {
      enrich: createEnricher(config.enrichment),
      spec: keySpecOf(config),
      store: state.store,
      sink: createLocalSink(o.out, state.durable),
      deadLetters,
    };
    const result = await redrive(deadLetters, pipelineRedriver(deps), { stages, limit: o.limit });
    const flushed = await flushGroups(deps, { all: true });
    // Pending letters of the stages not asked for: said, so "read 0" is not taken for "nothing pending".
    const notRetried: Record<string, number> = {};
    for (const l of await deadLetters.listPending(Number.MAX_SAFE_INTEGER))
      if (!stages.includes(l.stage)) notRetried[l.stage] = (notRetried[l.stage] ?? 0) + 1;
    return {
      ...result,
      rowsWritten: flushed.rowsWritten,
      parkedTotal: (await deadLetters.listParked()).length,
      notRetried,
    };
  } finally {
    await state.close();
  }
}

/** Lines shown per reason a letter failed again, the most frequent first. */
const MAX_REASONS = 10;

/** Why letters failed again (`  failing again: 2 × <reason> (1 parked: …)`), so the user knows what to fix. */
export function failureLines(failures: readonly FailureReason[]): string[] {
  const lines = failures
    .slice(0, MAX_REASONS)
    .map(
      (f) =>
        `  failing again: ${f.letters} × ${f.reason}${f.parked ? ` (${f.parked} parked: no more attempts)` : ''}`,
    );
  const rest = failures.slice(MAX_REASONS).reduce((n, f) => n + f.letters, 0);
  if (rest)
    lines.push(
      `  failing again: ${plural(rest, 'more letter')} for ${plural(failures.length - MAX_REASONS, 'other reason')}`,
    );
  return lines;
}

/** `ot-soc redrive`: dead letters of a local run back through the pipeline. */
export function registerRedrive(program: Command): void {
  program
    .command('redrive')
    .description(
      'Replay the pending dead letters in OUT/deadletter.ndjson through the pipeline (as the redrive timer does in Azure). Use the same --state and --config as the run that wrote them. Letters that keep failing are parked with their history after 5 attempts, never dropped.',
    )
    .requiredOption('--out <dir>', 'the output directory of a replay or demo run')
    .option('--state <dir>', 'grouping state of that run')
    .option('--config <file>', 'ot-soc configuration (JSON)')
    .option(
      '--stages <list>',
      'stages to retry; split/parse letters fail the same way again unless the parser changed',
      'enrich,sink,commit',
    )
    .option('--limit <n>', 'letters to take, oldest first', positiveInt('--limit'), 500)
    .action(async (o: RedriveCommandOptions) => {
      const r = await runRedrive(o);
      console.log(
        `redrive: read ${r.read}, redriven ${r.redriven}, still failing ${r.stillFailing}, parked now ${r.parked} (in all ${r.parkedTotal}), deferred ${r.deferred}; rows written ${r.rowsWritten}`,
      );
      for (const line of failureLines(r.failures)) console.log(line);
      for (const e of r.errors) console.log(`  deferred: ${e}`);
      for (const [stage, n] of Object.entries(r.notRetried))
        console.log(
          `  not retried: ${plural(n, 'pending letter')} of stage ${stage} (not in --stages ${o.stages}; add it to retry them, e.g. after a parser change)`,
        );
    });
}
