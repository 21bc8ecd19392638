import type { InvocationContext } from '@azure/functions';
import { type PipelineDeps, processBatch } from '../pipeline/pipeline.js';
import { batchMetaFrom } from './triggerMetadata.js';

/**
 * The Event Hubs handler: adapts the host (messages, triggerMetadata, InvocationContext) to the core.
 * It returns normally even when records were dead-lettered: the trigger checkpoints either way, so the
 * core keeps everything it could not deliver. It throws only when the deps cannot be built (bad settings),
 * which the host logs on every invocation until the settings are fixed.
 */
export function makeIngestHandler(getDeps: () => Promise<PipelineDeps>) {
  return async (messages: unknown[], context: InvocationContext): Promise<void> => {
    const deps = await getDeps();
    const events = Array.isArray(messages) ? messages : [messages];
    const meta = batchMetaFrom(context.triggerMetadata, events.length);
    const stats = await processBatch(events, meta, deps);
    // Counts only: no alert payloads or secrets at info level.
    context.log(`ingest partition=${meta.partition} ${JSON.stringify(stats)}`);
    if (stats.deadLettered) context.warn(`ingest partition=${meta.partition} dead-lettered=${stats.deadLettered}`);
  };
}
