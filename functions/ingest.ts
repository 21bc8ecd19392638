import type { InvocationContext } from '@azure/functions';
import { pipelineRedriver, redrive } from '../pipeline/deadletter/redrive.js';
import { describeWallClock } from '../pipeline/enrich/wallClockSensors.js';
import { flushGroups, processBatch } from '../pipeline/pipeline.js';
import type { FunctionRuntime } from './deps.js';
import { recordBatchMetrics } from './metrics.js';
import { batchMetaFrom } from './triggerMetadata.js';

/**
 * The Event Hubs handler: adapts the host (messages, triggerMetadata, InvocationContext) to the core.
 * It returns normally even when records were dead-lettered: the trigger checkpoints either way, so the
 * core keeps everything it could not deliver. It throws only when the deps cannot be built (bad settings),
 * which the host logs on every invocation until the settings are fixed.
 */
export function makeIngestHandler(runtime: () => Promise<FunctionRuntime>) {
  return async (messages: unknown[], context: InvocationContext): Promise<void> => {
    const { deps, wallClock } = await runtime();
    const events = Array.isArray(messages) ? messages : [messages];
    const meta = batchMetaFrom(context.triggerMetadata, events.length);
    const stats = await processBatch(events, meta, deps);
    recordBatchMetrics(stats, meta.partition);
    // Counts only: no alert payloads or secrets at info level.
    context.log(`ingest partition=${meta.partition} ${JSON.stringify(stats)}`);
    if (stats.deadLettered)
      context.warn(`ingest partition=${meta.partition} dead-lettered=${stats.deadLettered}`);
    // Once per sensor and instance: a forwarding rule in local time shifts working hours and maintenance windows.
    for (const s of wallClock.settled())
      context.warn(`sensor ${s.sensor}: syslog detection times read as UTC; ${describeWallClock(s)}`);
  };
}

/**
 * The flush timer: writes the final revision of groups whose window ended (plus a grace period for
 * late events), so a quiet group's last count reaches Sentinel without waiting for its next alert.
 */
export function makeFlushHandler(runtime: () => Promise<FunctionRuntime>) {
  return async (_timer: unknown, context: InvocationContext): Promise<void> => {
    const { deps, settings } = await runtime();
    const result = await flushGroups(deps, { until: Date.now() - settings.OTSOC_FLUSH_GRACE_MS });
    context.log(`flush ${JSON.stringify(result)}`);
  };
}

/**
 * The redrive timer: replays dead letters that failed for transient reasons (enrich, sink, commit) through
 * the same pipeline; a letter that keeps failing is parked with its history after 5 attempts.
 */
export function makeRedriveHandler(runtime: () => Promise<FunctionRuntime>) {
  return async (_timer: unknown, context: InvocationContext): Promise<void> => {
    const { deps, settings } = await runtime();
    const result = await redrive(deps.deadLetters, pipelineRedriver(deps), {
      limit: settings.OTSOC_REDRIVE_LIMIT,
    });
    // Counts only: a reason can quote the record (an unreadable time, say), and alert content stays out of logs.
    context.log(
      `redrive ${JSON.stringify({ ...result, errors: result.errors.length, failures: result.failures.length })}`,
    );
  };
}
