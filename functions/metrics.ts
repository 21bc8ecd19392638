import { metrics } from '@opentelemetry/api';
import type { BatchStats } from '../pipeline/pipeline.js';

/**
 * The per-batch counts as OpenTelemetry counters (meter `ot-soc`, names `otsoc.<count>`, attribute
 * `partition`). Without a registered MeterProvider the API is a no-op, so this costs nothing until an
 * exporter (Azure Monitor OpenTelemetry, or the Functions host's OpenTelemetry mode) is set up.
 */
const COUNTED: readonly (keyof BatchStats)[] = [
  'events',
  'records',
  'parsed',
  'deadLettered',
  'newGroups',
  'merged',
  'repeats',
  'duplicates',
  'rowsWritten',
  'rowsRejected',
  'conflicts',
  'sinkRetries',
  'wallClockUtc',
  'unplaced',
];

export function recordBatchMetrics(stats: BatchStats, partition: string): void {
  const meter = metrics.getMeter('ot-soc');
  for (const name of COUNTED) {
    const value = stats[name];
    if (value > 0) meter.createCounter(`otsoc.${name}`).add(value, { partition });
  }
}
