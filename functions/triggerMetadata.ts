import type { BatchMeta } from '../pipeline/pipeline.js';

/**
 * Reads the Event Hubs trigger metadata of a `cardinality: 'many'` invocation
 * (docs/contracts.md#azure-functions-host: the Node library camel-cases the extension's keys; values arrive as
 * JSON, times as strings). Every field is optional: an event without a sequence number falls back to its index
 * in the batch.
 */
export function batchMetaFrom(
  triggerMetadata: Record<string, unknown> | undefined,
  count: number,
): BatchMeta {
  const md = triggerMetadata ?? {};
  const partitionContext = (md.partitionContext ?? md.triggerPartitionContext) as
    | { partitionId?: unknown }
    | undefined;
  const partition = String(partitionContext?.partitionId ?? 'unknown');
  const seqs = Array.isArray(md.sequenceNumberArray) ? md.sequenceNumberArray : [];
  const times = Array.isArray(md.enqueuedTimeUtcArray) ? md.enqueuedTimeUtcArray : [];
  const sequenceNumbers: number[] = [];
  const enqueuedTimes: (string | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    const s = Number(seqs[i]);
    sequenceNumbers.push(Number.isFinite(s) ? s : i);
    const t = times[i];
    enqueuedTimes.push(typeof t === 'string' ? t : t instanceof Date ? t.toISOString() : undefined);
  }
  return { partition, sequenceNumbers, enqueuedTimes };
}
