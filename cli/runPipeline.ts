import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { FileDeadLetterStore } from '../pipeline/deadletter/fileDeadLetterStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import type { EnrichedAlert } from '../pipeline/enrich/enriched.js';
import type { EnrichConfig } from '../pipeline/enrich/enricher.js';
import type { OtAlert } from '../pipeline/model/alert.js';
import {
  addStats,
  type BatchStats,
  emptyStats,
  flushGroups,
  type PipelineDeps,
  processBatch,
} from '../pipeline/pipeline.js';
import { localCredential } from '../pipeline/sink/localCredential.js';
import { createLocalWorkspace } from '../pipeline/sink/localWorkspace.js';
import { type AlertSink, createLogsIngestionSink } from '../pipeline/sink/logsIngestionSink.js';
import type { FileEvent } from './fileEvents.js';
import { partitionFor, partitionKeyOf } from './partitionKey.js';

export interface RunOptions {
  events: FileEvent[];
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
  progress: boolean;
}

export interface RunResult {
  stats: BatchStats;
  flushed: number;
  batches: number;
  workspaceFile: string;
  elapsedMs: number;
}

/** The real LogsIngestionClient in front of the local workspace in `outDir` (OTAlerts_CL.ndjson). */
export function createLocalSink(outDir: string): AlertSink {
  const workspace = createLocalWorkspace({ dir: outDir });
  return createLogsIngestionSink({
    endpoint: workspace.endpoint,
    dcrId: workspace.dcrId,
    credential: localCredential(),
    httpClient: workspace.httpClient,
  });
}

/**
 * Feeds events to `processBatch` exactly as the Function receives them: per partition, in batches, with
 * sequence numbers; rows go through the real LogsIngestionClient to the local workspace in `outDir`.
 * Ends with a flush, as the timer function does in Azure.
 */
export async function runPipeline(o: RunOptions): Promise<RunResult> {
  const started = Date.now();
  await mkdir(o.outDir, { recursive: true });
  const sink = createLocalSink(o.outDir);
  const deps: PipelineDeps = {
    enrich: o.enrich,
    spec: o.spec,
    store: o.store,
    sink,
    deadLetters: o.deadLetters,
  };

  // Partition by site/zone as the forwarder does; each partition keeps its own increasing sequence numbers.
  const parts: { events: FileEvent[]; seqs: number[] }[] = Array.from({ length: o.partitions }, () => ({
    events: [],
    seqs: [],
  }));
  for (const e of o.events) {
    const p = parts[o.partitions === 1 ? 0 : partitionFor(partitionKeyOf(e.body, o.sensors), o.partitions)]!;
    p.events.push(e);
    p.seqs.push(p.seqs.length);
  }

  const total = o.events.length;
  const bar =
    o.progress && process.stderr.isTTY
      ? new SingleBar({ format: ' {bar} {value}/{total} events', hideCursor: true })
      : undefined;
  bar?.start(total, 0);
  const stats = emptyStats();
  let batches = 0;
  let done = 0;
  const longest = Math.max(...parts.map((p) => p.events.length));
  for (let offset = 0; offset < longest; offset += o.batchSize) {
    for (let p = 0; p < parts.length; p++) {
      const part = parts[p]!;
      const slice = part.events.slice(offset, offset + o.batchSize);
      if (!slice.length) continue;
      const meta = {
        partition: o.partitions === 1 ? o.partitionPrefix : `${o.partitionPrefix}/${p}`,
        sequenceNumbers: part.seqs.slice(offset, offset + o.batchSize),
        locators: slice.map((e) => e.locator),
      };
      addStats(
        stats,
        await processBatch(
          slice.map((e) => e.body),
          meta,
          deps,
        ),
      );
      batches++;
      done += slice.length;
      bar?.update(done);
    }
  }
  const flush = await flushGroups(deps, { all: true });
  stats.rowsWritten += flush.rowsWritten;
  stats.rowsRejected += flush.rowsRejected;
  bar?.stop();
  return {
    stats,
    flushed: flush.rowsWritten,
    batches,
    workspaceFile: join(o.outDir, 'OTAlerts_CL.ndjson'),
    elapsedMs: Date.now() - started,
  };
}
