/**
 * The cloud path with the zone relay (pipeline/relay/zoneRelay.ts, functions/relay.ts): the suite's stream as it
 * lands on the export hub (every partition a mix of zones), republished by the real relay handler through the real
 * `EventHubProducerClient` to a local AMQP hub, whose partitions two instances (caches on one Azurite table) then
 * consume with the real ingest handler. Faults: the alert hub refusing relay batches for a while (the handler
 * throws; the relay function's retry policy runs the batch again), and export batches delivered twice (a lease
 * moved before the checkpoint). Part of the fault-injection suite (docs/failure-modes.md).
 */
import { EventHubProducerClient } from '@azure/event-hubs';
import funcs from '@azure/functions';
import { describe, expect } from 'vitest';
import { makeRelayHandler } from '../../functions/relay.js';
import { CachingGroupStore } from '../../pipeline/dedup/cachingGroupStore.js';
import { TableGroupStore } from '../../pipeline/dedup/tableGroupStore.js';
import { WallClockSensors } from '../../pipeline/enrich/wallClockSensors.js';
import { type FakeEventHub, startFakeEventHub } from '../helpers/fakeEventHub.js';
import { delegating } from '../helpers/stores.js';
import { type Instance, tableClient } from './harness.js';
import { defineSuite, note, type Scenario, type World } from './runner.js';
import { type Batch, cutBatches, PARTITIONS, roundRobin } from './stream.js';

/** The Functions host running the relay: a batch that throws is run again (retry policy), checkpoint held. */
async function relayExport(world: World, hub: FakeEventHub, instance: Instance): Promise<void> {
  const producer = new EventHubProducerClient(hub.connectionString, {
    retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
  });
  const relay = makeRelayHandler(
    async () => ({ settings: world.settings, deps: instance.deps, wallClock: new WallClockSensors() }),
    async () => producer,
  );
  const run = (b: Batch) =>
    relay(
      b.events.map((e) => e.body),
      new funcs.InvocationContext({
        invocationId: `relay-${b.partition}-${b.events[0]!.sequence}`,
        functionName: 'relay',
        triggerMetadata: {
          partitionContext: { partitionId: b.partition },
          sequenceNumberArray: b.events.map((e) => e.sequence),
          enqueuedTimeUtcArray: b.events.map((e) => e.enqueued),
        },
        logHandler: () => {},
      }),
    );
  try {
    const batches = roundRobin(
      PARTITIONS.map((p) => cutBatches(p, world.stream.partitions.get(p)!, world.rand, 20, 80)),
    );
    for (const [i, b] of batches.entries()) {
      // The alert hub refuses everything for a while (throttled or unreachable).
      hub.busy = i >= 30 && i < 36;
      for (let attempt = 0; ; attempt++) {
        try {
          await run(b);
          break;
        } catch {
          note(world, 'relay batches re-run');
          // The outage ends after a few retries of the same batch.
          if (attempt === 2) hub.busy = false;
        }
      }
      // A lease moves before the checkpoint: the next owner relays the batch again.
      if (i % 25 === 7) {
        await run(b);
        note(world, 'export batches relayed twice');
      }
    }
  } finally {
    hub.busy = false;
    await producer.close();
  }
}

/** The alert hub's partitions as the host hands them to ingest: bodies JSON-parsed when they are JSON. */
function alertHubBatches(hub: FakeEventHub, partition: string, size: number): Batch[] {
  const events = hub.events(partition).map((e) => {
    const text = String(e.body);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {}
    return { body, sequence: e.sequenceNumber, enqueued: new Date().toISOString(), ids: [] };
  });
  const out: Batch[] = [];
  for (let i = 0; i < events.length; i += size) out.push({ partition, events: events.slice(i, i + size) });
  return out;
}

const scenarios: Scenario[] = [
  {
    name: 'SecurityAlert export through the zone relay: the alert hub refusing, export batches twice, two instances',
    handling:
      'the relay re-runs a refused batch (retry policy, checkpoint held) and sends again what had arrived; duplicates are absorbed by the vendor id; each zone reaches one partition, so the two instances never race',
    store: 'table',
    async run(world) {
      const hub = await startFakeEventHub({ partitions: 4, hub: 'ot-alerts' });
      try {
        // Which instance commits to which store partition (zone).
        const writers = new Map<string, Set<string>>();
        const cached = async (name: string) => {
          const store = new CachingGroupStore(await new TableGroupStore(tableClient(world.table!)).init());
          return delegating(store, {
            kind: store.kind,
            commit(partition, writes) {
              writers.set(partition, (writers.get(partition) ?? new Set()).add(name));
              return store.commit(partition, writes);
            },
          });
        };
        const a = await world.instance('a', { store: await cached('a') });
        const b = await world.instance('b', { store: await cached('b') });
        await relayExport(world, hub, a);
        note(world, 'relayed events', hub.events().length);
        // Instance a owns alert-hub partitions 0 and 1, b owns 2 and 3; all four at once.
        const consume = async (instance: Instance, partition: string) => {
          for (const batch of alertHubBatches(hub, partition, 300)) {
            world.stats.add(await instance.ingest(batch));
            world.delivered++;
          }
        };
        await Promise.all([consume(a, '0'), consume(a, '1'), consume(b, '2'), consume(b, '3')]);
        // No zone had two writers, and the copies the re-runs sent were known from the instance's cache
        // (CachingGroupStore.peekIds): no insert of a known id failed, no ETag race was lost.
        note(world, '412/409 conflicts retried', world.stats.total.conflicts);
        expect(world.stats.total.conflicts).toBe(0);
        expect(writers.size).toBeGreaterThanOrEqual(4);
        for (const [zone, who] of writers) expect([zone, who.size]).toEqual([zone, 1]);
        expect(world.notes['relay batches re-run']).toBeGreaterThan(0);
        // The copies the re-runs sent are recognised by their vendor id (repeats), not counted again.
        note(world, 'copies recognised', world.stats.total.repeats);
        expect(world.stats.total.repeats).toBeGreaterThan(0);
      } finally {
        await hub.close();
      }
    },
  },
];

describe('fault injection, the zone relay: every alert written once or dead-lettered with a reason', () => {
  defineSuite('relay', scenarios);
});
