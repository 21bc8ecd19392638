import { EventHubProducerClient } from '@azure/event-hubs';
import { afterEach, describe, expect, test } from 'vitest';
import { partitionIdForKey, partitionIndexForKey } from '../../../cli/forward/partitionMap.js';
// The SDK's own key→partition mapper (used by its buffered producer; not exported, so imported by path).
import { mapPartitionKeyToId } from '../../../node_modules/@azure/event-hubs/dist/esm/impl/partitionKeyToIdMapper.js';
import { type FakeEventHub, startFakeEventHub } from '../../helpers/fakeEventHub.js';

let hub: FakeEventHub | undefined;
const clients: EventHubProducerClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await hub?.close();
  hub = undefined;
});

function client(h: FakeEventHub): EventHubProducerClient {
  const c = new EventHubProducerClient(h.connectionString, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 3000 },
  });
  clients.push(c);
  return c;
}

describe('partition key → partition', () => {
  test('is the SDK’s own mapping (Jenkins lookup3), for keys of every length and non-ASCII', () => {
    const keys = [
      '',
      'a',
      'Lyon/Brewhouse',
      'Rotterdam/Packaging',
      'sensor:plant-a-sensor-01',
      'unknown',
      'Zürich/Zone ü',
    ];
    for (let n = 0; n < 300; n++) keys.push(`site-${n}/${'z'.repeat(n % 29)}${n}`);
    for (const k of keys)
      for (const count of [1, 2, 3, 4, 5, 8, 32])
        expect(partitionIndexForKey(k, count)).toBe(mapPartitionKeyToId(k, count));
    expect(partitionIdForKey('Lyon/Brewhouse', ['0', '1', '2', '3'])).toBe(
      String(mapPartitionKeyToId('Lyon/Brewhouse', 4)),
    );
  });
});

describe('fake Event Hub', () => {
  test('the real SDK runs end to end: properties, partitions, batches with a partition key, partition senders', async () => {
    hub = await startFakeEventHub({ partitions: 4 });
    const c = client(hub);
    expect(await c.getPartitionIds()).toEqual(['0', '1', '2', '3']);
    expect((await c.getEventHubProperties()).partitionIds).toHaveLength(4);
    expect((await c.getPartitionProperties('2')).partitionId).toBe('2');
    const batch = await c.createBatch({ partitionKey: 'Lyon/Brewhouse' });
    expect(batch.tryAdd({ body: Buffer.from('CEF:0|one') })).toBe(true);
    expect(batch.tryAdd({ body: Buffer.from('{"two":2}') })).toBe(true);
    await c.sendBatch(batch);
    await c.sendBatch([{ body: Buffer.from('direct') }], { partitionId: '1' });
    const events = hub.events();
    expect(events.map((e) => [e.body, e.partitionKey, e.partition])).toEqual([
      ['CEF:0|one', 'Lyon/Brewhouse', hub.partitionOf('Lyon/Brewhouse')],
      ['{"two":2}', 'Lyon/Brewhouse', hub.partitionOf('Lyon/Brewhouse')],
      ['direct', undefined, '1'],
    ]);
    expect(hub.events(hub.partitionOf('Lyon/Brewhouse')).map((e) => e.sequenceNumber)).toEqual([0, 1]);
  });

  test('a key lands on the same partition across batches, clients and an outage (stop/start on the same port)', async () => {
    hub = await startFakeEventHub({ partitions: 4 });
    const keys = ['Rotterdam/Packaging', 'Rotterdam/Utilities', 'Lyon/Brewhouse', 'Lyon/Filling', 'unknown'];
    const send = async (c: EventHubProducerClient, tag: string) => {
      for (const k of keys) {
        const b = await c.createBatch({ partitionKey: k });
        b.tryAdd({ body: Buffer.from(`${tag} ${k}`) });
        await c.sendBatch(b);
      }
    };
    const c1 = client(hub);
    await send(c1, 'first');
    const port = hub.port;
    await hub.stop();
    expect(hub.running).toBe(false);
    await expect(send(c1, 'during')).rejects.toThrow();
    await hub.start();
    expect(hub.port).toBe(port);
    await send(c1, 'after'); // the same client reconnects by itself
    await send(client(hub), 'other client');
    const partitions = new Map<string, Set<string>>();
    for (const e of hub.events()) {
      const set = partitions.get(e.partitionKey!) ?? new Set();
      set.add(e.partition);
      partitions.set(e.partitionKey!, set);
    }
    for (const k of keys) expect([...partitions.get(k)!]).toEqual([hub.partitionOf(k)]);
    expect(hub.events().filter((e) => String(e.body).startsWith('during'))).toHaveLength(0);
    expect(hub.events()).toHaveLength(15);
    expect(new Set(hub.events().map((e) => e.partition)).size).toBeGreaterThan(1);
    expect(hub.stats.connections).toBeGreaterThanOrEqual(3);
  });
});
