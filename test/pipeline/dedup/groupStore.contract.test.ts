import { describe, expect, it } from 'vitest';
import { applyMember } from '../../../pipeline/dedup/grouper.js';
import type { GroupState, GroupStore } from '../../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC, keyVersion } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { enriched, origin } from '../../helpers/alerts.js';
import { azuriteTable } from '../../helpers/azurite.js';

function state(key: string, over: Partial<GroupState> = {}): GroupState {
  const head = applyMember(
    undefined,
    { alert: enriched(), origin: origin(1), key },
    DEFAULT_KEY_SPEC,
    keyVersion(DEFAULT_KEY_SPEC),
  ).head;
  return { ...head, ...over };
}

const stores: [string, () => Promise<GroupStore>][] = [
  ['memory', async () => new MemoryGroupStore()],
  ['table (Azurite)', async () => new TableGroupStore(azuriteTable()).init()],
];

describe.each(stores)('GroupStore contract: %s', (_name, make) => {
  it('returns nothing for unknown keys and what was put for known ones', async () => {
    const store = await make();
    expect((await store.getMany(['nope'])).size).toBe(0);
    const put = await store.put(state('k1'), undefined);
    expect(put.ok).toBe(true);
    const got = (await store.getMany(['k1', 'nope'])).get('k1');
    expect(got?.value).toEqual(state('k1'));
    expect(got?.etag).toBe(put.ok ? put.etag : '');
  });

  it('refuses a second insert of the same key and a replace with a stale ETag', async () => {
    const store = await make();
    const first = await store.put(state('k2'), undefined);
    expect(await store.put(state('k2'), undefined)).toEqual({ ok: false, reason: 'conflict' });
    if (!first.ok) throw new Error('insert failed');
    const second = await store.put(state('k2', { count: 2 }), first.etag);
    expect(second.ok).toBe(true);
    expect(await store.put(state('k2', { count: 3 }), first.etag)).toEqual({ ok: false, reason: 'conflict' });
    expect((await store.getMany(['k2'])).get('k2')?.value.count).toBe(2);
  });

  it('lets exactly one of two racing writers win and the loser re-apply on the fresh state', async () => {
    const store = await make();
    const created = await store.put(state('k3'), undefined);
    if (!created.ok) throw new Error('insert failed');
    const [a, b] = await Promise.all([
      store.put(state('k3', { count: 10 }), created.etag),
      store.put(state('k3', { count: 20 }), created.etag),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    const fresh = (await store.getMany(['k3'])).get('k3')!;
    const retried = await store.put({ ...fresh.value, count: fresh.value.count + 1 }, fresh.etag);
    expect(retried.ok).toBe(true);
    expect([11, 21]).toContain((await store.getMany(['k3'])).get('k3')!.value.count);
  });

  it('lists only dirty groups', async () => {
    const store = await make();
    await store.put(state('d1', { dirty: true }), undefined);
    await store.put(state('d2', { dirty: false }), undefined);
    const dirty = await store.listDirty();
    expect(dirty.map((d) => d.value.key)).toEqual(['d1']);
  });

  it('lists groups that owe rows (outbox) as well, with the outbox intact, until it is cleared', async () => {
    const store = await make();
    const base = state('o1', { dirty: false, revision: 1 });
    const owed = {
      ...base,
      outbox: [{ alertId: base.alertId, revision: 1, reason: 'Created' as const, at: 1 }],
    };
    await store.put(owed, undefined);
    await store.put(state('o2', { dirty: false }), undefined);
    const listed = await store.listDirty();
    expect(listed.map((d) => d.value.key)).toEqual(['o1']);
    expect(listed[0]!.value.outbox).toEqual(owed.outbox);
    const cleared = await store.put({ ...listed[0]!.value, outbox: undefined }, listed[0]!.etag);
    expect(cleared.ok).toBe(true);
    expect(await store.listDirty()).toEqual([]);
  });

  it('finds a group by its AlertId', async () => {
    const store = await make();
    const s = state('f1');
    await store.put(s, undefined);
    expect((await store.findByAlertId(s.alertId))?.value.key).toBe('f1');
    expect(await store.findByAlertId('00000000-0000-5000-a000-000000000000')).toBeUndefined();
  });

  it('keeps large states intact (long messages, many vendor ids)', async () => {
    const store = await make();
    const big = state('big', { vendorIds: Array.from({ length: 50 }, (_, i) => `id-${i}`) });
    big.latest = { ...big.latest, message: 'x'.repeat(70_000) };
    expect((await store.put(big, undefined)).ok).toBe(true);
    expect((await store.getMany(['big'])).get('big')!.value).toEqual(big);
  });

  it('counts the operations it sends', async () => {
    const store = await make();
    const before = store.operations;
    await store.getMany(['a', 'b']);
    await store.put(state('a'), undefined);
    expect(store.operations - before).toBe(3);
  });
});
