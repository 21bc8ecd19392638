import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileDeadLetterStore } from '../pipeline/deadletter/fileDeadLetterStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import type { EnrichedAlert } from '../pipeline/enrich/enriched.js';
import type { EnrichConfig } from '../pipeline/enrich/enricher.js';
import type { OtAlert } from '../pipeline/model/alert.js';
import {
  addStats,
  applyBatch,
  type BatchStats,
  emptyStats,
  flushGroups,
  keyBatch,
  type PipelineDeps,
} from '../pipeline/pipeline.js';
import type { AlertSink } from '../pipeline/sink/alertSink.js';
import { localCredential } from '../pipeline/sink/localCredential.js';
import { createLocalWorkspace } from '../pipeline/sink/localWorkspace.js';
import { createLogsIngestionSink } from '../pipeline/sink/logsIngestionSink.js';
import type { FileEvent } from './fileEvents.js';
import { partitionFor, partitionKeyOf } from './partitionKey.js';

export interface RunOptions {
  /** The file's records, read as they are needed (see readFileEvents): never all held at once. */
  events: AsyncIterable<FileEvent> | Iterable<FileEvent>;
  /** Event Hubs emulation: events are spread over this many partitions (1 for a plain replay). */
  partitions: number;
  partitionPrefix: string;
  batchSize: number;
  outDir: string;
  store: GroupStore;
  deadLetters: FileDeadLetterStore;
  enrich: (a: OtAlert) => EnrichedAlert;
  spec: KeySpec;
  /** Sensor placement, to route events to partitions by site/zone. */
  sensors: EnrichConfig['sensors'];
  /**
   * Runs before any row is written to the workspace: the group state those rows come from must be durable
   * first (see stateStore.ts), so a crash never leaves a written row whose state was lost.
   */
  beforeWrite?: () => Promise<void>;
}

export interface RunResult {
  stats: BatchStats;
  flushed: number;
  batches: number;
  workspaceFile: string;
  elapsedMs: number;
}

/** The real LogsIngestionClient in front of the local workspace in `outDir` (OTAlerts_CL.ndjson). */
export function createLocalSink(outDir: string, beforeWrite?: () => Promise<void>): AlertSink {
  const workspace = createLocalWorkspace({ dir: outDir });
  const sink = createLogsIngestionSink({
    endpoint: workspace.endpoint,
    dcrId: workspace.dcrId,
    credential: localCredential(),
    httpClient: workspace.httpClient,
  });
  if (!beforeWrite) return sink;
  return {
    write: async (rows, signal) => {
      if (rows.length) await beforeWrite();
      return sink.write(rows, signal);
    },
  };
}

interface Part {
  events: FileEvent[];
  /** Sequence number of the next event of this partition. */
  next: number;
}

/**
 * Feeds events to `processBatch` (its two halves, keyBatch and applyBatch) exactly as the Function receives them:
 * per partition, in batches, with sequence numbers; rows go through the real LogsIngestionClient to the local
 * workspace in `outDir`.
 * Events stream in: a partition's batch runs as soon as it is full, so memory holds one batch per partition.
 * A piece of the file that is no record (its `error`) is dead-lettered in its place, after the records
 * before it. Ends with a flush, as the timer function does in Azure.
 */
export async function runPipeline(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  await mkdir(o.outDir, { recursive: true });
  const sink = createLocalSink(o.outDir, o.beforeWrite);
  const deps: PipelineDeps = {
    enrich: o.enrich,
    spec: o.spec,
    store: o.store,
    sink,
    deadLetters: o.deadLetters,
  };
  const stats = emptyStats();
  let batches = 0;
  const parts: Part[] = Array.from({ length: o.partitions }, () => ({ events: [], next: 0 }));
  const partitionName = (p: number) => (o.partitions === 1 ? o.partitionPrefix : `${o.partitionPrefix}/${p}`);

  // One batch is applied (store, sink) at a time, in order; the next one is read and keyed meanwhile, while
  // the store answers (Azurite is another process): `applying` is the batch in flight.
  let applying: Promise<void> = Promise.resolve();
  const runBatch = async (p: number) => {
    const part = parts[p]!;
    const slice = part.events;
    if (!slice.length) return;
    part.events = [];
    const first = part.next - slice.length;
    const meta = {
      partition: partitionName(p),
      sequenceNumbers: slice.map((_, k) => first + k),
      locators: slice.map((e) => e.locator),
    };
    const work = keyBatch(
      slice.map((e) => e.body),
      meta,
      deps,
    );
    await applying;
    applying = applyBatch(work, meta, deps).then((s) => {
      addStats(stats, s);
      batches++;
    });
    // A failed batch ends the run at the next await of `applying`; this keeps it from going unhandled before.
    applying.catch(() => {});
  };

  // A piece that is no record: one dead letter, as processBatch writes them for records it cannot split.
  const deadLetter = async (p: number, e: FileEvent) => {
    await runBatch(p);
    await applying;
    const sequence = parts[p]!.next++;
    stats.events++;
    stats.records++;
    stats.deadLettered++;
    await o.deadLetters.put([
      {
        stage: 'split',
        reason: e.error ?? 'not a record',
        raw: e.raw ?? '',
        origin: { partition: partitionName(p), sequence, index: 0, locator: e.locator },
        attempts: 1,
        failedAt: new Date().toISOString(),
      },
    ]);
  };

  // Partition by site/zone as the forwarder does; each partition keeps its own increasing sequence numbers.
  for await (const e of o.events) {
    const p = o.partitions === 1 ? 0 : partitionFor(partitionKeyOf(e.body, o.sensors), o.partitions);
    if (e.error !== undefined) {
      await deadLetter(p, e);
      continue;
    }
    const part = parts[p]!;
    part.events.push(e);
    part.next++;
    if (part.events.length >= o.batchSize) await runBatch(p);
  }
  for (let p = 0; p < parts.length; p++) await runBatch(p);
  await applying;
  const flush = await flushGroups(deps, { all: true });
  stats.rowsWritten += flush.rowsWritten;
  stats.rowsRejected += flush.rowsRejected;
  return {
    stats,
    flushed: flush.rowsWritten,
    batches,
    workspaceFile: join(o.outDir, 'OTAlerts_CL.ndjson'),
    elapsedMs: Date.now() - started,
  };
}
