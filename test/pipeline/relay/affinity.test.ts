/**
 * The relay end to end on the durable path: the SecurityAlert export as it lands (every zone on every partition),
 * relayed through the real producer to a local hub, then consumed by two instances (two caches on one Azurite
 * table) as the Functions host would split a hub's partitions between them. Without the relay both instances
 * write every zone; with it each zone has one writer, and every alert is still counted once.
 */
import { EventHubProducerClient } from '@azure/event-hubs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataset } from '../../../bench/data.js';
import { depsFor } from '../../../bench/harness.js';
import { keySpecOf, loadConfigFile } from '../../../pipeline/config/config.js';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { CachingGroupStore } from '../../../pipeline/dedup/cachingGroupStore.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { addStats, emptyStats, flushGroups, processBatch } from '../../../pipeline/pipeline.js';
import { relayBatch } from '../../../pipeline/relay/zoneRelay.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { type FakeEventHub, startFakeEventHub } from '../../helpers/fakeEventHub.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { delegating } from '../../helpers/stores.js';

const ALERTS = 800;
const BATCH = 50;

async function setup() {
  const config = await loadConfigFile(
    new URL('../../../samples/ot-soc.config.json', import.meta.url).pathname,
  );
  return { enrich: createEnricher(config.enrichment), spec: keySpecOf(config) };
}

/** Four hub partitions consumed by two instances (0 and 1 by the first, 2 and 3 by the second), all at once. */
async function twoInstances(streams: unknown[][], label: string) {
  const s = await setup();
  const table = azuriteTable(label);
  const sink = new RecordingSink();
  const writers = new Map<string, Set<number>>();
  const instances = await Promise.all(
    [0, 1].map(async (n) => {
      const store = new CachingGroupStore(await new TableGroupStore(table).init());
      const watched = delegating(store, {
        kind: store.kind,
        async commit(partition, writes) {
          writers.set(partition, (writers.get(partition) ?? new Set()).add(n));
          return store.commit(partition, writes);
        },
      });
      return depsFor(s, watched, sink);
    }),
  );
  const stats = emptyStats();
  await Promise.all(
    streams.map(async (events, p) => {
      const deps = instances[p < 2 ? 0 : 1]!;
      for (let from = 0; from < events.length; from += BATCH) {
        const slice = events.slice(from, from + BATCH);
        const meta = { partition: String(p), sequenceNumbers: slice.map((_, i) => from + i) };
        addStats(stats, await processBatch(slice, meta, deps));
      }
    }),
  );
  // Who wrote each zone while consuming (the flush timer below runs on any one instance, once a minute).
  const consumers = new Map([...writers].map(([k, v]) => [k, new Set(v)]));
  await flushGroups(instances[0]!, { all: true });
  return { stats, sink, writers: consumers };
}

describe('the zone relay on the durable path, two instances', () => {
  let hub: FakeEventHub;
  let producer: EventHubProducerClient;
  beforeAll(async () => {
    hub = await startFakeEventHub({ partitions: 4, hub: 'ot-alerts' });
    producer = new EventHubProducerClient(hub.connectionString);
  });
  afterAll(async () => {
    await producer.close();
    await hub.close();
  });

  const rows = dataset('SecurityAlert', ALERTS, 200, 60, 3).map((r) => JSON.parse(r));
  // As the data export delivers them: every 4th row on each partition (every zone on every partition).
  const exported = [0, 1, 2, 3].map((p) => rows.filter((_, i) => i % 4 === p));

  it('without the relay both instances write every zone (the contention the relay removes)', async () => {
    const { stats, sink, writers } = await twoInstances(exported, 'direct');
    expect([...writers.values()].some((w) => w.size === 2)).toBe(true);
    expect(stats.deadLettered).toBe(0);
    expect(sink.totalCount()).toBe(ALERTS);
  });

  it('through the relay each zone has one writer, no ETag race is lost, every alert counted once', async () => {
    const s = await setup();
    // The relay's own invocations, one per export partition, in envelopes of 50 rows as the export sends them.
    for (const [p, part] of exported.entries()) {
      const envelopes = Array.from({ length: Math.ceil(part.length / BATCH) }, (_, i) => ({
        records: part.slice(i * BATCH, i * BATCH + BATCH),
      }));
      const deps = { ...s, deadLetters: new MemoryDeadLetterStore(), producer };
      const stats = await relayBatch(envelopes, { partition: String(p) }, deps);
      expect(stats.sent).toBe(part.length);
    }
    // What the host would hand the ingest function from each alert-hub partition: JSON bodies, parsed.
    const streams = hub.partitionIds.map((p) => hub.events(p).map((e) => JSON.parse(String(e.body))));
    expect(streams.flat()).toHaveLength(ALERTS);
    const { stats, sink, writers } = await twoInstances(streams, 'relayed');
    expect(writers.size).toBe(4);
    expect([...writers.values()].every((w) => w.size === 1)).toBe(true);
    expect(stats.conflicts).toBe(0);
    expect(stats.deadLettered).toBe(0);
    expect(sink.totalCount()).toBe(ALERTS);
  });
});
