import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { CachingGroupStore } from '../../../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { withPartitionLock } from '../../../pipeline/dedup/partitionLock.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import {
  addStats,
  emptyStats,
  flushGroups,
  type PipelineDeps,
  processBatch,
} from '../../../pipeline/pipeline.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { minute, securityAlert } from '../../helpers/records.js';
import { delegating } from '../../helpers/stores.js';

const T0 = '2026-11-18T02:00:00.000Z';
const tick = () => new Promise((r) => setTimeout(r, 2));

describe('withPartitionLock: one store partition at a time per process', () => {
  it('runs work on one partition in order, on different partitions at once, and goes on after a failure', async () => {
    const store = new MemoryGroupStore();
    const log: string[] = [];
    const work =
      (name: string, fail = false) =>
      async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([
      withPartitionLock(store, 'zone-a', work('a1', true)),
      withPartitionLock(store, 'zone-a', work('a2')),
      withPartitionLock(store, 'zone-b', work('b1')),
      // Another store (another instance) is not held back by this one's turn.
      withPartitionLock(new MemoryGroupStore(), 'zone-a', work('x1')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(log.slice(0, 3)).toEqual(['a1 start', 'b1 start', 'x1 start']);
    expect(log.indexOf('a2 start')).toBeGreaterThan(log.indexOf('a1 end'));
  });
});

/** Two Event Hubs partitions carrying the same zone (the SecurityAlert data export spreads a zone over all). */
async function twoPartitionsOneZone(store: GroupStore) {
  let inFlight = 0;
  let overlapped = 0;
  const watched = delegating(store, {
    kind: store.kind,
    async commit(partition, writes) {
      if (++inFlight > 1) overlapped++;
      try {
        return await store.commit(partition, writes);
      } finally {
        inFlight--;
      }
    },
  });
  const sink = new RecordingSink();
  const deps: PipelineDeps = {
    enrich: createEnricher({ sensors: {}, attackMappings: {} }),
    spec: DEFAULT_KEY_SPEC,
    store: watched,
    sink,
    deadLetters: new MemoryDeadLetterStore(),
    now: () => new Date('2026-11-18T12:00:00Z'),
  };
  const stats = emptyStats();
  const consume = async (sensor: string, partition: string) => {
    for (let i = 0; i < 40; i += 5) {
      const events = Array.from({ length: 5 }, (_, k) =>
        securityAlert({ t: minute(T0, (i + k) / 10), sensor }),
      );
      const meta = { partition, sequenceNumbers: events.map((_, k) => i + k) };
      addStats(stats, await processBatch(events, meta, deps));
    }
  };
  await Promise.all([consume('rtm-pkg-sensor-01', 'p1'), consume('rtm-pkg-sensor-02', 'p2')]);
  await flushGroups(deps, { all: true });
  return { stats, sink, overlapped };
}

describe('concurrent invocations on one zone in one instance take turns', () => {
  it('memory store: no ETag race between them, every alert counted once', async () => {
    const { stats, sink, overlapped } = await twoPartitionsOneZone(new MemoryGroupStore());
    expect(overlapped).toBe(0);
    expect(stats.conflicts).toBe(0);
    expect(stats.deadLettered).toBe(0);
    expect(sink.totalCount()).toBe(80);
  });

  it('Table store on Azurite behind the instance cache: no conflict, no re-read, every alert counted once', async () => {
    const table = await new TableGroupStore(azuriteTable('lock')).init();
    const store = new CachingGroupStore(table);
    const { stats, sink, overlapped } = await twoPartitionsOneZone(store);
    expect(overlapped).toBe(0);
    expect(stats.conflicts).toBe(0);
    expect(sink.totalCount()).toBe(80);
    // One group: read once when first seen, then every batch plans on the cache.
    expect(store.misses).toBeLessThanOrEqual(2);
  });
});
