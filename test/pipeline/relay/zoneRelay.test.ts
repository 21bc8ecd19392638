import { readFile } from 'node:fs/promises';
import { EventHubProducerClient } from '@azure/event-hubs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asEvents, dataset } from '../../../bench/data.js';
import { depsFor } from '../../../bench/harness.js';
import { partitionKeyOf } from '../../../cli/partitionKey.js';
import { keySpecOf, loadConfigFile } from '../../../pipeline/config/config.js';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { splitText } from '../../../pipeline/parse/index.js';
import { keyBatch } from '../../../pipeline/pipeline.js';
import { planRelay, RELAYED_FROM, relayBatch, UNSCOPED_KEY } from '../../../pipeline/relay/zoneRelay.js';
import { type FakeEventHub, startFakeEventHub } from '../../helpers/fakeEventHub.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { cefLine, securityAlert } from '../../helpers/records.js';

const samples = (f: string) => new URL(`../../../samples/${f}`, import.meta.url).pathname;
const T0 = '2026-11-18T02:00:00.000Z';

async function sampleDeps() {
  const config = await loadConfigFile(samples('ot-soc.config.json'));
  return depsFor(
    { enrich: createEnricher(config.enrichment), spec: keySpecOf(config) },
    new MemoryGroupStore(),
    new RecordingSink(),
  );
}

/** An event body as the Functions host hands it over: JSON parsed when it is JSON, else the text. */
function hostBody(b: Buffer | unknown): unknown {
  const text = String(b);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The store partition the pipeline itself gives each record of one event (keyBatch, no I/O). */
function pipelinePartitions(body: unknown, deps: Awaited<ReturnType<typeof sampleDeps>>): string[] {
  const { keyed } = keyBatch([body], { partition: 'x' }, deps);
  return [...keyed.byPartition.keys()];
}

describe('planRelay: one event per record, keyed by the store partition the pipeline will use', () => {
  it("gives every record of the bundled plant scenario the pipeline's own store partition", async () => {
    const deps = await sampleDeps();
    const text = await readFile(samples('plant-scenario.ndjson'), 'utf8');
    const events = splitText(text).map((p) => ('error' in p ? p.raw : p.value));
    const { byKey, records, letters } = planRelay(events, { partition: '1' }, deps);
    expect(records).toBe(events.length);
    // What does not split is dead-lettered as the pipeline would (same stage, same reason); the rest is relayed.
    const pipelineLetters = keyBatch(events, { partition: 'x' }, deps).keyed.letters.filter(
      (l) => l.stage === 'split',
    );
    expect(letters.map((l) => [l.stage, l.reason])).toEqual(pipelineLetters.map((l) => [l.stage, l.reason]));
    const relayed = [...byKey.values()].flat();
    expect(relayed).toHaveLength(events.length - letters.length);
    for (const [key, list] of byKey) {
      for (const e of list) {
        const partitions = pipelinePartitions(hostBody(e.body), deps);
        if (key === UNSCOPED_KEY) expect(partitions.filter((p) => p !== '')).toEqual([]);
        else expect(partitions).toEqual([key]);
      }
    }
    // The scenario spans several zones: the relay spreads them over keys, not one.
    expect([...byKey.keys()].filter((k) => k.startsWith('zone:')).length).toBeGreaterThan(1);
    // The forwarder keys a record the same way wherever the record or its sensor's placement names the zone, so a
    // zone reached by both paths lands on one partition.
    const config = await loadConfigFile(samples('ot-soc.config.json'));
    let compared = 0;
    for (const [key, list] of byKey)
      for (const e of list) {
        const forwarder = partitionKeyOf(hostBody(e.body), config.enrichment.sensors);
        if (!forwarder.startsWith('zone:')) continue;
        expect(forwarder).toBe(key);
        compared++;
      }
    expect(compared).toBeGreaterThan(relayed.length / 2);
  });

  it('splits an export envelope, keeps order within a key, dead-letters what does not split', async () => {
    const deps = await sampleDeps();
    const rows = dataset('SecurityAlert', 12, 200, 60, 3).map((r) => JSON.parse(r));
    const broken = '{"records": [ {"truncated": ';
    const tooDeep = { records: [rows[0], { a: JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) }] };
    const cef = cefLine({ t: T0 });
    const events = [
      { records: rows.slice(0, 8) },
      cef,
      broken,
      Buffer.from('no sensor sends this', 'utf8'),
      ...rows.slice(8),
      tooDeep,
    ];
    const { byKey, records, letters } = planRelay(
      events,
      { partition: '3', sequenceNumbers: [10, 11, 12, 13, 14, 15, 16, 17, 18] },
      deps,
    );
    expect(records).toBe(8 + 1 + 1 + 1 + 4 + 2);
    // What does not split is dead-lettered, whole, in the relay's own partition namespace; the good record beside
    // it in the same envelope is relayed.
    expect(letters.map((l) => [l.stage, l.origin.partition, l.origin.sequence, l.origin.index])).toEqual([
      ['split', 'relay:3', 12, 0],
      ['split', 'relay:3', 18, 1],
    ]);
    expect(letters[0]!.raw).toBe(broken.trimEnd()); // as the pipeline keeps it
    expect(letters[1]!.reason).toMatch(/deep/);
    // Text that parses as no format: routed, not dropped.
    expect(byKey.get(UNSCOPED_KEY)?.map((e) => e.body.toString('utf8'))).toEqual(['no sensor sends this']);
    // Each row comes out once, as itself, in its original order within its key.
    const out = [...byKey]
      .filter(([k]) => k.startsWith('zone:'))
      .flatMap(([, list]) => list.map((e) => hostBody(e.body)));
    expect(out).toHaveLength(14);
    expect(new Set(out.map((r) => JSON.stringify(r)))).toEqual(
      new Set([...rows, cef].map((r) => JSON.stringify(r))),
    );
    for (const [key, list] of byKey) {
      if (!key.startsWith('zone:')) continue;
      const seq = list.map((e) => e.origin.sequence * 100 + e.origin.index);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    expect(byKey.get(pipelinePartitions(rows[0], deps)[0]!)?.[0]?.origin.locator).toMatch(
      /^relay partition 3 seq 10( \+\d+)?$/,
    );
  });
});

describe('relayBatch with the real Event Hubs producer (local AMQP hub)', () => {
  let hub: FakeEventHub;
  let producer: EventHubProducerClient;
  beforeAll(async () => {
    hub = await startFakeEventHub({ partitions: 4, hub: 'ot-alerts', maxMessageSize: 64 * 1024 });
    producer = new EventHubProducerClient(hub.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 5_000 },
    });
  });
  afterAll(async () => {
    await producer.close();
    await hub.close();
  });

  it('puts every zone on one partition, each record once, in order, with where it came from', async () => {
    const deps = await sampleDeps();
    const rows = dataset('SecurityAlert', 400, 200, 60, 3).map((r) => JSON.parse(r));
    // As the data export delivers them: envelopes of 50 rows, every zone in every envelope.
    const events = Array.from({ length: 8 }, (_, i) => ({ records: rows.slice(i * 50, i * 50 + 50) }));
    const before = hub.events().length;
    const stats = await relayBatch(
      events,
      { partition: '2', sequenceNumbers: events.map((_, i) => 500 + i) },
      { ...deps, producer },
    );
    expect(stats).toMatchObject({
      events: 8,
      records: 400,
      sent: 400,
      deadLettered: 0,
      keys: 4,
      unscoped: 0,
    });
    const got = hub.events().slice(before);
    expect(got).toHaveLength(400);
    const partitionsOfKey = new Map<string, Set<string>>();
    for (const e of got) {
      const set = partitionsOfKey.get(e.partitionKey!) ?? new Set();
      set.add(e.partition);
      partitionsOfKey.set(e.partitionKey!, set);
      expect(e.properties?.[RELAYED_FROM]).toMatch(/^relay partition 2 seq 50\d( \+\d+)?$/);
    }
    expect(partitionsOfKey.size).toBe(4);
    for (const [key, set] of partitionsOfKey) expect([...set]).toEqual([hub.partitionOf(key)]);
    // The same rows, each once; within a zone in the order the export had them.
    const bodies = got.map((e) => JSON.parse(String(e.body)));
    expect(bodies.map((b) => b.SystemAlertId).sort()).toEqual(rows.map((r) => r.SystemAlertId).sort());
    for (const key of partitionsOfKey.keys()) {
      const ids = got
        .filter((e) => e.partitionKey === key)
        .map((e) => JSON.parse(String(e.body)).SystemAlertId);
      const inExport = rows.map((r) => r.SystemAlertId).filter((id) => ids.includes(id));
      expect(ids).toEqual(inExport);
      // The pipeline puts every one of them in the store partition named by the key.
      const { keyed } = keyBatch(
        got.filter((e) => e.partitionKey === key).map((e) => JSON.parse(String(e.body))),
        { partition: 'p' },
        deps,
      );
      expect([...keyed.byPartition.keys()]).toEqual([key]);
    }
  });

  it('rejects when the hub refuses (nothing recorded), and a re-run delivers everything', async () => {
    const deps = await sampleDeps();
    const events = asEvents('SecurityAlert', dataset('SecurityAlert', 20, 200, 60, 3));
    const before = hub.events().length;
    hub.busy = true;
    try {
      await expect(relayBatch(events, { partition: '0' }, { ...deps, producer })).rejects.toThrow(/busy/i);
    } finally {
      hub.busy = false;
    }
    expect(hub.events().length).toBe(before);
    const stats = await relayBatch(events, { partition: '0' }, { ...deps, producer });
    expect(stats.sent).toBe(20);
    expect(hub.events().length).toBe(before + 20);
  });

  it("dead-letters a record over the hub's maximum size instead of holding the partition, and sends the rest", async () => {
    const deadLetters = new MemoryDeadLetterStore();
    const deps = { ...(await sampleDeps()), deadLetters };
    const huge = securityAlert({ t: T0, title: 'Firmware Change' });
    huge.Description = 'x'.repeat(80 * 1024);
    const broken = `{"records":[${'9'.repeat(1024)}`;
    const events = [securityAlert({ t: T0 }), huge, broken];
    const before = hub.events().length;
    const stats = await relayBatch(
      events,
      { partition: '1', sequenceNumbers: [7, 8, 9] },
      { ...deps, producer },
    );
    expect(stats).toMatchObject({ sent: 1, deadLettered: 2 });
    expect(hub.events().length).toBe(before + 1);
    const letters = await deadLetters.list();
    expect(letters.map((l) => [l.stage, l.origin.partition, l.origin.sequence])).toEqual(
      expect.arrayContaining([
        ['split', 'relay:1', 8],
        ['split', 'relay:1', 9],
      ]),
    );
    const tooLarge = letters.find((l) => l.origin.sequence === 8)!;
    expect(tooLarge.reason).toMatch(/over the alert hub's maximum event size \(65536 bytes\)/);
    // Whole, for a person (or a redrive through the pipeline).
    expect(JSON.parse(tooLarge.raw)).toEqual(huge);
    expect(letters.find((l) => l.origin.sequence === 9)?.raw).toBe(broken);
  });
});
