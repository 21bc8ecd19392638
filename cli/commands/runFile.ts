import { constants } from 'node:fs';
import { access, appendFile, mkdir, open, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { keySpecOf, loadConfigFile, type OtSocConfig, parseConfig } from '../../pipeline/config/config.js';
import { FileDeadLetterStore } from '../../pipeline/deadletter/fileDeadLetterStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { WallClockSensors } from '../../pipeline/enrich/wallClockSensors.js';
import { filePartition, readFileEvents } from '../fileEvents.js';
import { runPipeline } from '../runPipeline.js';
import { openStateStore } from '../stateStore.js';
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
  /** Start from nothing: remove earlier outputs and state (the demo). */
  fresh?: boolean;
  /** The pipeline's clock (the demo's steps evenly); the wall clock when absent. */
  now?: () => Date;
}

/** Checks the input can be read before anything starts (the records are streamed later). */
async function checkInput(file: string): Promise<number> {
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await access(file, constants.R_OK);
    return st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read --input ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (e as Error).message)}`,
    );
  }
}

/** Checks `--out` is (or can be made) a writable directory before anything runs, so nothing is half done. */
async function checkOut(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why: Record<string, string> = {
      EEXIST: 'a file is in the way (not a directory)',
      ENOTDIR: 'a file is in the way (not a directory)',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EROFS: 'read-only file system',
    };
    throw new UsageError(
      `cannot write to --out ${dir}: ${(code && why[code]) ?? code ?? (e as Error).message}`,
    );
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
 * persists (see stateStore.ts) and the outputs accumulate like a workspace does.
 */
export async function runFile(o: RunFileOptions): Promise<RunSummary> {
  const inputBytes = await checkInput(o.input);
  // The configuration before --out is made: a run refused for it creates nothing.
  const config: OtSocConfig = o.config ? await loadConfigFile(o.config) : parseConfig({}, 'defaults');
  await checkOut(o.out);
  const rowsFile = join(o.out, 'OTAlerts_CL.ndjson');
  const lettersFile = join(o.out, 'deadletter.ndjson');
  // The lock first: a run refused because another holds the state directory must not touch its outputs.
  const state = await openStateStore(o.state, {
    command: o.fresh ? 'demo' : 'replay',
    fresh: o.fresh,
    spec: keySpecOf(config),
  });
  if (!o.state || o.fresh)
    await Promise.all([rm(rowsFile, { force: true }), rm(lettersFile, { force: true })]);
  const deadLetters = new FileDeadLetterStore(lettersFile);
  const rowsBefore = await sizeOf(rowsFile);

  const bar =
    o.progress && process.stderr.isTTY
      ? new SingleBar({ format: ' {bar} {percentage}% of {total} bytes', hideCursor: true })
      : undefined;
  let result: Awaited<ReturnType<typeof runPipeline>>;
  let windows1252Lines = 0;
  // Which sensors' zone-less times stayed UTC, and the offset their rules look set to (for the summary).
  const wallClock = new WallClockSensors();
  try {
    const partitionPrefix = await filePartition(o.input);
    bar?.start(inputBytes, 0);
    result = await runPipeline({
      events: readFileEvents(o.input, basename(o.input), {
        onRead: (n) => bar?.update(n),
        onLegacyLines: (n) => {
          windows1252Lines = n;
        },
      }),
      partitions: o.partitions,
      partitionPrefix,
      batchSize: o.batchSize,
      outDir: o.out,
      store: state.store,
      deadLetters,
      enrich: wallClock.watch(createEnricher(config.enrichment)),
      sensors: config.enrichment.sensors,
      spec: keySpecOf(config),
      beforeWrite: state.durable,
      ...(o.now ? { now: o.now } : {}),
    });
  } finally {
    bar?.stop();
    await state.close();
  }
  const rows = await readAppended(rowsFile, rowsBefore);
  const summary = summarize(
    o.input,
    result.stats,
    rows,
    deadLetters.letters,
    result.elapsedMs,
    state.description,
    { windows1252Lines, wallClockSensors: wallClock.list() },
  );
  // The outputs the command names exist after every run: no dead letter is an empty file, not a missing one.
  await appendFile(lettersFile, '');
  await writeFile(join(o.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
