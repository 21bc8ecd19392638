/**
 * The Functions app entry (`main` in package.json). Registration only: handlers live beside it and the
 * core in pipeline/. Only `app` is imported as a value from @azure/functions: its classes are not
 * visible to native Node ESM (docs/contracts.md#azure-functions-host).
 *
 * The handler modules (pipeline, Azure SDKs, zod: ~500 files) load on first use, not here: the host indexes
 * the functions by importing this entry and waits for it, so everything imported statically is cold-start time
 * (bench/coldStart.ts measures it). They are preloaded in the background right after registration, while the
 * host opens the Event Hubs listeners, so the first batch rarely waits for them either.
 */
import { app, type InvocationContext } from '@azure/functions';
import { lazy } from './lazy.js';
// The playbook HTTP functions (notify-teams, create-ticket, auto-close, reassign-ot, sync-status) and the
// defender-status timer register themselves.
import './defenderStatus.js';
import { preloadPlaybooks } from './playbooks.js';

const handlers = lazy(async () => {
  const [ingest, deps] = await Promise.all([import('./ingest.js'), import('./deps.js')]);
  // One set of deps per instance, built on first use; a failure (bad settings) is retried on the next call.
  const runtime = lazy(() => deps.runtimeFromEnv(process.env));
  return {
    runtime,
    ingest: ingest.makeIngestHandler(runtime),
    flush: ingest.makeFlushHandler(runtime),
    redrive: ingest.makeRedriveHandler(runtime),
  };
});

// The relay (and @azure/event-hubs' producer) loads on its first batch only: apps without the export never pay it.
const relayHandler = lazy(async () => {
  const [{ runtime }, relay] = await Promise.all([handlers(), import('./relay.js')]);
  const producer = lazy(async () => relay.relayProducerFromEnv(process.env));
  return relay.makeRelayHandler(runtime, producer);
});

app.eventHub('ingest', {
  connection: 'OTSOC_EVENTHUB',
  eventHubName: '%OTSOC_EVENTHUB_NAME%',
  consumerGroup: '%OTSOC_CONSUMER_GROUP%',
  cardinality: 'many',
  handler: async (messages: unknown[], context: InvocationContext) =>
    (await handlers()).ingest(messages, context),
});

// The zone-affinity relay (pipeline/relay/zoneRelay.ts): the SecurityAlert data export lands on its own hub, with
// every zone on every partition; this republishes each record to the alert hub keyed by its zone. When the alert
// hub does not take a batch, the retry policy re-runs it and holds the checkpoint meanwhile (nothing is lost).
app.eventHub('relay', {
  connection: 'OTSOC_EVENTHUB',
  eventHubName: '%OTSOC_EXPORT_EVENTHUB_NAME%',
  consumerGroup: '%OTSOC_CONSUMER_GROUP%',
  cardinality: 'many',
  retry: {
    strategy: 'exponentialBackoff',
    maxRetryCount: -1,
    minimumInterval: 5_000,
    maximumInterval: 300_000,
  },
  handler: async (messages: unknown[], context: InvocationContext) =>
    (await relayHandler())(messages, context),
});

app.timer('flush', {
  schedule: '0 */1 * * * *',
  handler: async (timer: unknown, context: InvocationContext) => (await handlers()).flush(timer, context),
});

app.timer('redrive', {
  schedule: '30 */5 * * * *',
  handler: async (timer: unknown, context: InvocationContext) => (await handlers()).redrive(timer, context),
});

// A failed preload is not an error here: the first invocation loads again and reports what failed.
setImmediate(() => {
  handlers().catch(() => {});
  preloadPlaybooks();
});
