import { EventHubProducerClient, RetryMode } from '@azure/event-hubs';
import type { InvocationContext } from '@azure/functions';
import { ConfigError } from '../pipeline/config/config.js';
import { type RelayProducer, relayBatch } from '../pipeline/relay/zoneRelay.js';
import { defaultCredential } from '../pipeline/sink/logsIngestionSink.js';
import { producerFromConnectionString } from '../pipeline/util/eventHubProducer.js';
import type { FunctionRuntime } from './deps.js';
import { batchMetaFrom } from './triggerMetadata.js';

/** Where the relay publishes: the alert hub, by namespace (managed identity) or connection string. */
export interface RelayConnection {
  hub: string;
  namespace?: string;
  /** The app setting holding a connection string (never the value: it is a secret). */
  connectionStringSetting?: string;
}

/**
 * The alert hub the `ingest` trigger reads, on the same namespace and with the same connection setting
 * (identity-based `OTSOC_EVENTHUB__fullyQualifiedNamespace` in Azure, needing Event Hubs Data Sender on that hub;
 * a connection string in `OTSOC_EVENTHUB` locally). A missing setting names itself.
 */
export function relayConnectionFrom(env: NodeJS.ProcessEnv): RelayConnection {
  const hub = env.OTSOC_EVENTHUB_NAME;
  if (!hub) throw new ConfigError('app settings', ['OTSOC_EVENTHUB_NAME: required by the relay']);
  if (env.OTSOC_EVENTHUB__fullyQualifiedNamespace)
    return { hub, namespace: env.OTSOC_EVENTHUB__fullyQualifiedNamespace };
  if (env.OTSOC_EVENTHUB) return { hub, connectionStringSetting: 'OTSOC_EVENTHUB' };
  throw new ConfigError('app settings', [
    'OTSOC_EVENTHUB__fullyQualifiedNamespace (or OTSOC_EVENTHUB): required by the relay to publish to the alert hub',
  ]);
}

/**
 * The relay's producer (built once per instance by the caller). The SDK retries a send 3 times within about a
 * minute; past that the handler throws and the registration's retry policy takes over.
 */
export function relayProducerFromEnv(env: NodeJS.ProcessEnv): RelayProducer {
  const c = relayConnectionFrom(env);
  const options = {
    retryOptions: {
      maxRetries: 3,
      retryDelayInMs: 1000,
      maxRetryDelayInMs: 30_000,
      timeoutInMs: 60_000,
      mode: RetryMode.Exponential,
    },
    userAgent: 'ot-soc-relay',
  };
  if (c.namespace) return new EventHubProducerClient(c.namespace, c.hub, defaultCredential(), options);
  return producerFromConnectionString(env[c.connectionStringSetting!]!, c.hub, options);
}

/**
 * The relay's Event Hubs handler (pipeline/relay/zoneRelay.ts): republishes the export hub's records to the alert
 * hub keyed by zone. It throws when the alert hub does not take a batch after the SDK's retries: the registration's
 * retry policy then re-runs the batch and holds the partition's checkpoint until it succeeds, so nothing is lost
 * (a re-run sends again what already arrived; the pipeline's identity absorbs those duplicates).
 */
export function makeRelayHandler(
  runtime: () => Promise<FunctionRuntime>,
  producer: () => Promise<RelayProducer>,
) {
  return async (messages: unknown[], context: InvocationContext): Promise<void> => {
    const { deps } = await runtime();
    const events = Array.isArray(messages) ? messages : [messages];
    const meta = batchMetaFrom(context.triggerMetadata, events.length);
    const stats = await relayBatch(events, meta, { ...deps, producer: await producer() });
    // Counts only: no alert payloads at info level.
    context.log(`relay partition=${meta.partition} ${JSON.stringify(stats)}`);
    if (stats.deadLettered)
      context.warn(
        `relay partition=${meta.partition} dead-lettered=${stats.deadLettered} (over the hub's size)`,
      );
  };
}
