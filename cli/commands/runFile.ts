import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { keySpecOf, loadConfigFile, type OtSocConfig, parseConfig } from '../../pipeline/config/config.js';
import { FileDeadLetterStore } from '../../pipeline/deadletter/deadLetterStore.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { fileEvents, filePartition } from '../fileEvents.js';
import { runPipeline } from '../runPipeline.js';
import { type RunSummary, summarize } from '../summary.js';
import { UsageError } from './usageError.js';

export interface RunFileOptions {
  input: string;
  out: string;
  state?: string;
  config?: string;
  partitions: number;
  batchSize: number;
  progress: boolean;
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --input ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`);
  }
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Reads what was appended to an NDJSON file since `offset`. */
async function readAppended(file: string, offset: number): Promise<Record<string, unknown>[]> {
  const size = await sizeOf(file);
  if (size <= offset) return [];
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    return buf
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    await handle.close();
  }
}

/**
 * Runs one input file through the pipeline into `out`: OTAlerts_CL.ndjson (rows exactly as posted),
 * deadletter.ndjson and summary.json. Without `state` the outputs start empty; with it, grouping state
 * is kept in `state/groups.json` and the outputs accumulate like a workspace does.
 */
export async function runFile(o: RunFileOptions): Promise<RunSummary> {
  const text = await readInput(o.input);
  const config: OtSocConfig = o.config ? await loadConfigFile(o.config) : parseConfig({}, 'defaults');
  const rowsFile = join(o.out, 'OTAlerts_CL.ndjson');
  const lettersFile = join(o.out, 'deadletter.ndjson');
  if (!o.state) await Promise.all([rm(rowsFile, { force: true }), rm(lettersFile, { force: true })]);
  const stateFile = o.state ? join(o.state, 'groups.json') : undefined;
  if (o.state) await mkdir(o.state, { recursive: true });
  const store = stateFile ? await MemoryGroupStore.load(stateFile) : new MemoryGroupStore();
  const deadLetters = new FileDeadLetterStore(lettersFile);
  const rowsBefore = await sizeOf(rowsFile);

  const result = await runPipeline({
    events: fileEvents(text, basename(o.input)),
    partitions: o.partitions,
    partitionPrefix: filePartition(text),
    batchSize: o.batchSize,
    outDir: o.out,
    store,
    deadLetters,
    enrich: createEnricher(config.enrichment),
    spec: keySpecOf(config),
    progress: o.progress,
  });
  if (stateFile) await store.save(stateFile);
  const rows = await readAppended(rowsFile, rowsBefore);
  const summary = summarize(o.input, result.stats, rows, deadLetters.letters, result.elapsedMs);
  await writeFile(join(o.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
