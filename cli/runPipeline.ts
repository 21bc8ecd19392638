import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileDeadLetterStore } from '../pipeline/deadletter/fileDeadLetterStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import type { EnrichedAlert } from '../pipeline/enrich/enriched.js';
import type { SensorPlacements } from '../pipeline/enrich/sensorPlacement.js';
import type { OtAlert } from '../pipeline/model/alert.js';
import {
  addStats,
  applyBatch,
  type BatchStats,
  emptyStats,
  flushGroups,
  type KeyedWork,
  keyBatch,
  type PipelineDeps,
} from '../pipeline/pipeline.js';
import type { AlertSink } from '../pipeline/sink/alertSink.js';
import { coalescingSink } from '../pipeline/sink/coalescingSink.js';
import { localCredential } from '../pipeline/sink/localCredential.js';
import { createLocalWorkspace } from '../pipeline/sink/localWorkspace.js';
import { createLogsIngestionSink } from '../pipeline/sink/logsIngestionSink.js';
import type { FileEvent } from './fileEvents.js';
import { Lanes } from './lanes.js';
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
  sensors: SensorPlacements;
  /**
   * Runs before any row is written to the workspace: the group state those rows come from must be durable
   * first (see stateStore.ts), so a crash never leaves a written row whose state was lost.
   */
  beforeWrite?: () => Promise<void>;
  /** The pipeline's clock (rows take their TimeGenerated from it); the wall clock when absent. */
  now?: () => Date;
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
  if (!beforeWrite) return coalescingSink(sink);
  return coalescingSink({
    write: async (rows, signal) => {
      if (rows.length) await beforeWrite();
      return sink.write(rows, signal);
    },
  });
}

/** Batches keyed and not yet applied in full: what the reader may run ahead of the store. */
const MAX_BATCHES_IN_FLIGHT = 4;

/**
 * A keyed batch split into one share per group-store partition (its lane); the first share also carries the
 * batch's counts and the dead letters of its keying. A batch without members is one share of its own.
 */
function splitWork(work: KeyedWork): { lane: string; work: KeyedWork }[] {
  const { byPartition, letters } = work.keyed;
  const entries = [...byPartition.entries()];
  if (entries.length <= 1) return [{ lane: entries[0]?.[0] ?? '', work }];
  return entries.map(([lane, keyed], i) => ({
    lane,
    work: {
      keyed: { byPartition: new Map([[lane, keyed]]), letters: i === 0 ? letters : [] },
      now: work.now,
      version: work.version,
      stats: i === 0 ? work.stats : emptyStats(),
    },
  }));
}

interface Part {
  events: FileEvent[];
  /** Sequence number of the next event of this partition. */
  next: number;
}

/**
 * Feeds events to `processBatch` (its two halves, keyBatch and applyBatch) as the Function receives them: per
 * partition, in batches, with sequence numbers; each batch's share of a group-store partition is applied in that
 * partition's lane (see below); rows go through the real LogsIngestionClient to the local workspace in `outDir`.
 * Events stream in: a partition's batch runs as soon as it is full, so memory holds a few batches at most.
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
    ...(o.now ? { now: o.now } : {}),
  };
  const stats = emptyStats();
  let batches = 0;
  const parts: Part[] = Array.from({ length: o.partitions }, () => ({ events: [], next: 0 }));
  const partitionName = (p: number) => (o.partitions === 1 ? o.partitionPrefix : `${o.partitionPrefix}/${p}`);

  // Lanes: a batch's share of each group-store partition is applied (store, then sink) after that partition's
  // share of the previous batch and independently of the other partitions, as Event Hubs consumers of different
  // partitions run at once: no two lanes touch the same group, id entry or row, so the store (Azurite, another
  // process) answers one lane while this process plans or writes another. The next batch is read and keyed
  // meanwhile, at most MAX_BATCHES_IN_FLIGHT ahead.
  const lanes = new Lanes();
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
    const shares = splitWork(work).map((share) =>
      lanes.run(share.lane, () => applyBatch(share.work, meta, deps)),
    );
    lanes.track(
      Promise.all(shares).then((all) => {
        for (const s of all) addStats(stats, s);
        batches++;
      }),
    );
    await lanes.settle(MAX_BATCHES_IN_FLIGHT);
  };

  // A piece that is no record: one dead letter, as processBatch writes them for records it cannot split.
  const deadLetter = async (p: number, e: FileEvent) => {
    await runBatch(p);
    await lanes.settle();
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
  await lanes.settle();
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
