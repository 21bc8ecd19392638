import { describe, expect, it } from 'vitest';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { CachingGroupStore } from '../../../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { flushGroups, type PipelineDeps, processBatch } from '../../../pipeline/pipeline.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { clockedPipeline } from '../../helpers/clockedPipeline.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { minute, securityAlert } from '../../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
const enrich = createEnricher({ sensors: {}, attackMappings: {} });
const NOW = () => new Date('2026-11-18T12:00:00Z');

/** Two Function instances: each its own cache, one shared store, one shared workspace. */
function instances(shared: GroupStore) {
  const sink = new RecordingSink();
  const deadLetters = new MemoryDeadLetterStore();
  const make = () => {
    const store = new CachingGroupStore(shared);
    const deps: PipelineDeps = { enrich, spec: DEFAULT_KEY_SPEC, store, sink, deadLetters, now: NOW };
    return { store, deps };
  };
  return { a: make(), b: make(), sink, deadLetters };
}

/** `n` alerts of one group (same zone, title, devices), seconds apart, from `from` on. */
const alerts = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => securityAlert({ t: minute(T0, (from + i) / 60) }));
const meta = (n: number, partition: string, first: number) => ({
  partition,
  sequenceNumbers: Array.from({ length: n }, (_, i) => first + i),
});

const stores: [string, () => Promise<GroupStore>][] = [
  ['memory', async () => new MemoryGroupStore()],
  ['table (Azurite)', async () => new TableGroupStore(azuriteTable()).init()],
];

describe.each(stores)('CachingGroupStore through processBatch: %s', (_name, make) => {
  it('answers a known head from the cache: the second batch of a group reads nothing', async () => {
    const shared = await make();
    const { a } = instances(shared);
    await processBatch(alerts(5, 0), meta(5, 'p', 0), a.deps);
    const ops = shared.operations;
    const misses = a.store.misses;
    const s = await processBatch(alerts(5, 5), meta(5, 'p', 5), a.deps);
    expect(s.merged).toBe(5);
    expect(a.store.misses).toBe(misses);
    expect(a.store.hits).toBeGreaterThan(0);
    // One commit (head + 5 id entries in one transaction), no read.
    expect(shared.operations - ops).toBe(1);
  });

  it('another instance wrote meanwhile: the cached ETag fails (412), the head is re-read and re-applied, no update lost', async () => {
    const shared = await make();
    const { a, b, sink, deadLetters } = instances(shared);
    await processBatch(alerts(3, 0), meta(3, 'p1', 0), a.deps); // A caches the head
    const byB = await processBatch(alerts(4, 3), meta(4, 'p2', 0), b.deps); // B moves it on
    expect(byB.merged).toBe(4);
    const byA = await processBatch(alerts(5, 7), meta(5, 'p1', 3), a.deps); // A's cached ETag is stale
    expect(byA.conflicts).toBeGreaterThanOrEqual(1);
    expect(byA.merged).toBe(5);
    // A's cache now holds what A committed after the re-read: the next batch reads nothing and conflicts with no one.
    const ops = shared.operations;
    const again = await processBatch(alerts(2, 12), meta(2, 'p1', 8), a.deps);
    expect(again).toMatchObject({ merged: 2, conflicts: 0 });
    expect(shared.operations - ops).toBe(1);
    await flushGroups(a.deps, { all: true });
    expect(deadLetters.letters).toEqual([]);
    expect(sink.latest().size).toBe(1);
    expect(sink.totalCount()).toBe(14);
    // Every revision written once, with one content.
    const seen = new Map<string, unknown>();
    for (const r of sink.rows) {
      const k = `${r.AlertId}#${r.Revision}`;
      if (seen.has(k)) expect(r.Count).toBe(seen.get(k));
      seen.set(k, r.Count);
    }
  });

  it('a copy of an alert this instance wrote is known from the cache: no request, no failed insert', async () => {
    const shared = await make();
    const { a, sink } = instances(shared);
    const first = alerts(5, 0);
    await processBatch(first, meta(5, 'p', 0), a.deps);
    const ops = shared.operations;
    // Re-published (another partition: not a redelivery the marks would catch), as a relay re-run sends it.
    const copies = await processBatch(first, meta(5, 'q', 0), a.deps);
    expect(copies).toMatchObject({ repeats: 5, newGroups: 0, merged: 0, conflicts: 0 });
    expect(shared.operations - ops).toBe(0);
    await flushGroups(a.deps, { all: true });
    expect(sink.totalCount()).toBe(5);
  });

  it('copies of alerts another instance wrote: the failed insert names the known id, the retry reads ids, not the head again', async () => {
    const shared = await make();
    const { a, b, sink } = instances(shared);
    const first = alerts(5, 0);
    await processBatch(first, meta(5, 'p', 0), a.deps);
    // B has never seen them (a restarted instance): planned as new, the insert of a known id fails (409).
    const copies = await processBatch(first, meta(5, 'q', 0), b.deps);
    expect(copies).toMatchObject({ repeats: 5, newGroups: 0, merged: 0 });
    // The head once (before the failed commit, kept after it) and the 5 ids: before, the head was read twice.
    expect(b.store.misses).toBe(1 + 5);
    await flushGroups(a.deps, { all: true });
    expect(sink.totalCount()).toBe(5);
  });

  it('a status update among new alerts on a cold instance: its id is read up front, no failed commit, no reading every id', async () => {
    const shared = await make();
    const { a, b, sink } = instances(shared);
    const first = alerts(5, 0);
    await processBatch(first, meta(5, 'p', 0), a.deps);
    // B (cold) gets 8 new alerts of another group and the export's Closed record of one of A's.
    const fresh = Array.from({ length: 8 }, (_, i) =>
      securityAlert({ t: minute(T0, 1 + i / 60), dst: '10.10.2.99' }),
    );
    const update = { ...first[2]!, Status: 'Closed' };
    const s = await processBatch([...fresh, update], meta(9, 'q', 0), b.deps);
    expect(s).toMatchObject({ conflicts: 0, repeats: 1, newGroups: 1, merged: 7 });
    // Read: heads (the new group's, the update's own key and its group's) and the update's id entry; not the 8
    // new alerts' ids, which the failed insert's retry read before.
    expect(b.store.misses).toBeLessThan(8);
    await flushGroups(b.deps, { all: true });
    expect(sink.totalCount()).toBe(5 + 8);
  });

  it('a status update of an alert this instance wrote reads nothing: one transaction for its group and entries', async () => {
    const shared = await make();
    const { a, sink } = instances(shared);
    const ids = ['b1', 'b2', 'b3', 'b4'].map((x) => `00000000-0000-4000-8000-0000000000${x}`);
    const batch = (status: string) =>
      ids.map((id, i) => securityAlert({ t: minute(T0, i / 60), id, status }));
    await processBatch(batch('New'), meta(4, 'p', 0), a.deps);
    const ops = shared.operations;
    const misses = a.store.misses;
    // Closed: a key of its own (closed alerts never join an open group), but routed by id to the group it is in.
    const closed = await processBatch(batch('Closed'), meta(4, 'q', 0), a.deps);
    expect(closed).toMatchObject({ repeats: 4, newGroups: 0, conflicts: 0 });
    expect(a.store.misses).toBe(misses);
    expect(shared.operations - ops).toBe(1);
    await flushGroups(a.deps, { all: true });
    expect([...sink.latest().values()]).toEqual([expect.objectContaining({ Status: 'Closed', Count: 4 })]);
  });

  it('a status update on a cached id another instance changed: the stale entry fails its write, is re-read', async () => {
    const shared = await make();
    const { a, b, sink, deadLetters } = instances(shared);
    const ids = ['a1', 'a2', 'a3'].map((x) => `00000000-0000-4000-8000-0000000000${x}`);
    const batch = (status: string) =>
      ids.map((id, i) => securityAlert({ t: minute(T0, i / 60), id, status }));
    await processBatch(batch('New'), meta(3, 'p1', 0), a.deps); // A caches the id entries (New)
    await processBatch(batch('Closed'), meta(3, 'p2', 0), b.deps); // B closes them: A's entries are stale
    const byA = await processBatch(batch('Closed'), meta(3, 'p1', 3), a.deps); // the same update reaches A
    expect(byA.deadLettered).toBe(0);
    await flushGroups(a.deps, { all: true });
    expect(deadLetters.letters).toEqual([]);
    expect(sink.totalCount()).toBe(3);
    const [row] = [...sink.latest().values()];
    expect(row).toMatchObject({ Status: 'Closed', Count: 3 });
    // A planned New → Closed on its stale entries and lost that write (a conflict on the table; the memory store
    // has the same ETags), re-read them and found nothing left to change.
    expect(byA.conflicts).toBeGreaterThanOrEqual(1);
  });

  it('two instances racing on one group with warm caches: counts exact', async () => {
    const shared = await make();
    const { a, b, sink, deadLetters } = instances(shared);
    const consume = async (deps: PipelineDeps, partition: string, offset: number) => {
      for (let i = 0; i < 30; i += 5) await processBatch(alerts(5, offset + i), meta(5, partition, i), deps);
    };
    await Promise.all([consume(a.deps, 'p1', 0), consume(b.deps, 'p2', 100)]);
    await flushGroups(a.deps, { all: true });
    expect(deadLetters.letters).toEqual([]);
    expect(sink.latest().size).toBe(1);
    expect(sink.totalCount()).toBe(60);
  });
});

describe('CachingGroupStore', () => {
  it('forgets what a failed commit touched, and everything after retention deleted entities', async () => {
    const shared = new MemoryGroupStore();
    const { a, b } = instances(shared);
    await processBatch(alerts(2, 0), meta(2, 'p1', 0), a.deps);
    await processBatch(alerts(2, 2), meta(2, 'p2', 0), b.deps);
    const cached = a.store.size;
    expect(cached).toBeGreaterThan(0);
    // A stale write through A: refused, and A no longer holds the head.
    const head = (await shared.listDirty())[0]!.value;
    const stale = await a.store.commit(head.partition ?? '', [{ kind: 'group', state: head, etag: '1' }]);
    expect(stale).toEqual({ ok: false, reason: 'conflict' });
    const misses = a.store.misses;
    await a.store.read(head.partition ?? '', { keys: [head.key] });
    expect(a.store.misses).toBe(misses + 1);
    // Retention that deletes anything empties the cache (an entity it held may be gone).
    const kept = new CachingGroupStore(new MemoryGroupStore());
    await kept.put({ ...head, archived: true, dirty: false, outbox: undefined, changedAt: 0 }, undefined);
    expect(kept.size).toBe(1);
    expect(await kept.expire(0, 10)).toBe(0);
    expect(kept.size).toBe(1);
    expect(await kept.expire(Date.now(), 10)).toBe(1);
    expect(kept.size).toBe(0);
  });

  it('hands out copies: changing what a read returned does not change the cache', async () => {
    const store = new CachingGroupStore(new MemoryGroupStore());
    const { deps } = clockedPipeline(store, { now: NOW().getTime() });
    await processBatch(alerts(1, 0), meta(1, 'p', 0), deps);
    const head = (await store.listDirty())[0]!.value;
    const first = (await store.read(head.partition ?? '', { keys: [head.key] })).heads.get(head.key)!;
    first.value.count = 999;
    first.value.marks.x = [1, 1];
    const second = (await store.read(head.partition ?? '', { keys: [head.key] })).heads.get(head.key)!;
    expect(second.value.count).toBe(1);
    expect(second.value.marks.x).toBeUndefined();
  });
});
