/** The pipeline as the Function runs it, with in-process stand-ins where a benchmark must not measure I/O. */
import { join } from 'node:path';
import { keySpecOf, loadConfigFile } from '../pipeline/config/config.js';
import { MemoryDeadLetterStore } from '../pipeline/deadletter/memoryDeadLetterStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import type { EnrichedAlert } from '../pipeline/enrich/enriched.js';
import { createEnricher } from '../pipeline/enrich/enricher.js';
import type { OtAlert } from '../pipeline/model/alert.js';
import {
  addStats,
  type BatchStats,
  emptyStats,
  type PipelineDeps,
  processBatch,
} from '../pipeline/pipeline.js';
import type { AlertSink, SinkResult } from '../pipeline/sink/logsIngestionSink.js';
import type { OtAlertsRow } from '../pipeline/sink/schema.js';
import { ROOT } from './types.js';

/** Accepts every row and only counts it: the sink's JSON, gzip and HTTP stay out of the CPU figures. */
export class CountingSink implements AlertSink {
  rows = 0;
  writes = 0;
  async write(rows: OtAlertsRow[]): Promise<SinkResult> {
    this.writes++;
    this.rows += rows.length;
    const accepted = new Array<number>(rows.length);
    for (let i = 0; i < rows.length; i++) accepted[i] = i;
    return { accepted, rejected: [], retries: 0 };
  }
}

export interface SampleSetup {
  enrich: (alert: OtAlert) => EnrichedAlert;
  spec: KeySpec;
}

/** The bundled sample configuration (sensors, inventory, site calendars, escalation): a realistic enricher. */
export async function sampleSetup(): Promise<SampleSetup> {
  const config = await loadConfigFile(join(ROOT, 'samples', 'ot-soc.config.json'));
  return { enrich: createEnricher(config.enrichment), spec: keySpecOf(config) };
}

/** Fixed "now" so rows are identical run to run (TimeGenerated). */
export const BENCH_NOW = new Date('2026-11-18T23:00:00.000Z');

export function depsFor(setup: SampleSetup, store: GroupStore, sink: AlertSink): PipelineDeps {
  return {
    enrich: setup.enrich,
    spec: setup.spec,
    store,
    sink,
    deadLetters: new MemoryDeadLetterStore(),
    now: () => BENCH_NOW,
  };
}

/**
 * Feeds `events` to processBatch in batches of `batch` on one partition, with consecutive sequence numbers
 * from `firstSequence`. Returns the summed stats and each batch's wall time in ms.
 */
export async function runBatches(
  events: readonly unknown[],
  deps: PipelineDeps,
  batch: number,
  firstSequence = 0,
  partition = '0',
): Promise<{ stats: BatchStats; batchMs: number[]; totalMs: number }> {
  const stats = emptyStats();
  const batchMs: number[] = [];
  const started = performance.now();
  for (let from = 0; from < events.length; from += batch) {
    const slice = events.slice(from, from + batch);
    const sequenceNumbers = slice.map((_, i) => firstSequence + from + i);
    const t = performance.now();
    addStats(stats, await processBatch(slice, { partition, sequenceNumbers }, deps));
    batchMs.push(performance.now() - t);
  }
  return { stats, batchMs, totalMs: performance.now() - started };
}

/**
 * Each stream on an Event Hubs partition of its own (ids 0, 1, …), all at once, as the Functions host runs a
 * hub's partitions: in order within a stream, a batch at a time. `deps` per stream stands for the instance that
 * owns the partition. Stats summed, batch times pooled, one wall time.
 */
export async function runPartitions(
  streams: readonly (readonly unknown[])[],
  deps: PipelineDeps | ((stream: number) => PipelineDeps),
  batch: number,
): Promise<{ stats: BatchStats; batchMs: number[]; totalMs: number }> {
  const depsOf = typeof deps === 'function' ? deps : () => deps;
  const started = performance.now();
  const runs = await Promise.all(streams.map((s, i) => runBatches(s, depsOf(i), batch, 0, String(i))));
  const stats = emptyStats();
  for (const r of runs) addStats(stats, r.stats);
  return { stats, batchMs: runs.flatMap((r) => r.batchMs), totalMs: performance.now() - started };
}
