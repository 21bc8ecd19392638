import { describe, expect, it } from 'vitest';
import { applyMember } from '../../../pipeline/dedup/grouper.js';
import { type GroupState, type GroupStore, MAX_COMMIT_WRITES } from '../../../pipeline/dedup/groupState.js';
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

/** Heads by key, in the partition `state()` puts them in (''). */
const heads = async (store: GroupStore, keys: string[]) => (await store.read('', { keys })).heads;

const stores: [string, () => Promise<GroupStore>][] = [
  ['memory', async () => new MemoryGroupStore()],
  ['table (Azurite)', async () => new TableGroupStore(azuriteTable()).init()],
];

describe.each(stores)('GroupStore contract: %s', (_name, make) => {
  it('returns nothing for unknown keys and what was put for known ones', async () => {
    const store = await make();
    expect((await heads(store, ['nope'])).size).toBe(0);
    const put = await store.put(state('k1'), undefined);
    expect(put.ok).toBe(true);
    const got = (await heads(store, ['k1', 'nope'])).get('k1');
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
    expect((await heads(store, ['k2'])).get('k2')?.value.count).toBe(2);
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
    const fresh = (await heads(store, ['k3'])).get('k3')!;
    const retried = await store.put({ ...fresh.value, count: fresh.value.count + 1 }, fresh.etag);
    expect(retried.ok).toBe(true);
    expect([11, 21]).toContain((await heads(store, ['k3'])).get('k3')!.value.count);
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
    expect((await heads(store, ['big'])).get('big')!.value).toEqual(big);
  });

  it('counts the operations it sends', async () => {
    const store = await make();
    const before = store.operations;
    await heads(store, ['a', 'b']);
    const put = await store.put(state('a'), undefined);
    // Table: a group opened in a partition new to this instance also registers the partition (its AlertId alias
    // goes in the same transaction as the group: docs/state.md); memory: the write alone.
    const opened = store.kind === 'table' ? 4 : 3;
    expect(store.operations - before).toBe(opened);
    if (!put.ok) throw new Error('insert failed');
    await store.put({ ...state('a'), count: 2 }, put.etag);
    expect(store.operations - before).toBe(opened + 1);
  });

  it('commits groups and id entries of one partition all or nothing, with per-write ETags', async () => {
    const store = await make();
    const head = { ...state('t1'), partition: 'zone:rotterdam/packaging' };
    const entry = (alertId: string) => ({ alertId, key: 't1', status: 'New' as const, at: 1_000 });
    const first = await store.commit(head.partition, [
      { kind: 'group', state: head, etag: undefined },
      {
        kind: 'id',
        id: 'g:aaaaaaaa-0000-4000-8000-000000000001',
        entry: entry(head.alertId),
        etag: undefined,
      },
    ]);
    if (!first.ok) throw new Error('commit failed');
    expect(first.etags).toHaveLength(2);
    // A stale head ETag fails the whole commit: the new id entry is not written either.
    const stale = await store.commit(head.partition, [
      { kind: 'group', state: { ...head, count: 2 }, etag: 'W/"stale"' },
      {
        kind: 'id',
        id: 'g:aaaaaaaa-0000-4000-8000-000000000002',
        entry: entry(head.alertId),
        etag: undefined,
      },
    ]);
    expect(stale).toEqual({ ok: false, reason: 'conflict' });
    // So does an insert of an id entry that exists (another instance applied that alert first).
    const taken = await store.commit(head.partition, [
      { kind: 'group', state: { ...head, count: 2 }, etag: first.etags[0] },
      {
        kind: 'id',
        id: 'g:aaaaaaaa-0000-4000-8000-000000000001',
        entry: entry(head.alertId),
        etag: undefined,
      },
    ]);
    // … and names the write that failed, so a cache keeps what the others read.
    expect(taken).toEqual({ ok: false, reason: 'conflict', inserted: true, write: 1 });
    const read = await store.read(head.partition, {
      keys: ['t1'],
      ids: ['g:aaaaaaaa-0000-4000-8000-000000000001', 'g:aaaaaaaa-0000-4000-8000-000000000002'],
    });
    expect(read.heads.get('t1')?.value.count).toBe(1);
    expect([...read.ids.keys()]).toEqual(['g:aaaaaaaa-0000-4000-8000-000000000001']);
    expect(read.ids.get('g:aaaaaaaa-0000-4000-8000-000000000001')).toEqual({
      value: entry(head.alertId),
      etag: first.etags[1],
    });
    // The ETags a commit returns are the ones to replace with.
    const next = await store.commit(head.partition, [
      { kind: 'group', state: { ...head, count: 3 }, etag: first.etags[0] },
      {
        kind: 'id',
        id: 'g:aaaaaaaa-0000-4000-8000-000000000001',
        entry: { ...entry(head.alertId), status: 'Closed' },
        etag: first.etags[1],
      },
    ]);
    expect(next.ok).toBe(true);
    const again = await store.read(head.partition, {
      keys: ['t1'],
      ids: ['g:aaaaaaaa-0000-4000-8000-000000000001'],
    });
    expect(again.heads.get('t1')?.value.count).toBe(3);
    expect(again.ids.get('g:aaaaaaaa-0000-4000-8000-000000000001')?.value.status).toBe('Closed');
  });

  it('keeps partitions apart and stores ids that are not key-safe', async () => {
    const store = await make();
    const odd = 's:plant/sensor #1?:42';
    const e = { alertId: 'x', key: 'k', status: 'New' as const, at: 5 };
    expect((await store.commit('zone:a/b', [{ kind: 'id', id: odd, entry: e, etag: undefined }])).ok).toBe(
      true,
    );
    expect((await store.read('zone:a/b', { ids: [odd] })).ids.get(odd)?.value).toEqual(e);
    expect((await store.read('zone:a/c', { ids: [odd] })).ids.size).toBe(0);
  });

  it('keeps a superseded group by AlertId beside the new head of its key, in one commit', async () => {
    const store = await make();
    const old = state('s1');
    const created = await store.put(old, undefined);
    if (!created.ok) throw new Error('insert failed');
    const next = { ...state('s1'), alertId: '11111111-1111-5111-a111-111111111111', seq: 2, dirty: true };
    const r = await store.commit('', [
      { kind: 'group', state: next, etag: created.etag },
      { kind: 'group', state: { ...old, archived: true, dirty: true }, etag: undefined },
    ]);
    expect(r.ok).toBe(true);
    const read = await store.read('', { keys: ['s1'], alertIds: [old.alertId, next.alertId] });
    expect(read.heads.get('s1')?.value.alertId).toBe(next.alertId);
    expect([...read.groups.keys()]).toEqual([old.alertId]);
    expect((await store.findByAlertId(old.alertId))?.value.archived).toBe(true);
    expect((await store.findByAlertId(next.alertId))?.value.seq).toBe(2);
    expect((await store.listDirty()).map((d) => d.value.alertId).sort()).toEqual(
      [old.alertId, next.alertId].sort(),
    );
  });

  it('refuses a commit beyond one transaction (100 entities, 2 kept for the store)', async () => {
    const store = await make();
    const writes = Array.from({ length: MAX_COMMIT_WRITES + 1 }, (_, i) => ({
      kind: 'id' as const,
      id: `g:${i}`,
      entry: { alertId: 'a', key: 'k', status: 'New' as const, at: 1 },
      etag: undefined,
    }));
    await expect(store.commit('', writes)).rejects.toThrow(/at most 98/);
  });
});

const DAY = 86_400_000;

describe.each(stores)('GroupStore retention: %s', (_name, make) => {
  it('deletes id entries and settled archived groups older than the retention, at most `limit` per call', async () => {
    const store = await make();
    const e = (at: number) => ({ alertId: 'a', key: 'k', status: 'New' as const, at });
    const archived = state('a1', { archived: true, dirty: false, changedAt: 2 * DAY });
    await store.commit('', [
      { kind: 'id', id: 'old1', entry: e(DAY), etag: undefined },
      { kind: 'id', id: 'old2', entry: e(2 * DAY), etag: undefined },
      { kind: 'id', id: 'new', entry: e(100 * DAY), etag: undefined },
      { kind: 'group', state: archived, etag: undefined },
    ]);
    expect(await store.expire?.(50 * DAY, 1)).toBe(1);
    expect(await store.expire?.(50 * DAY, 10)).toBe(2);
    expect(await store.expire?.(50 * DAY, 10)).toBe(0);
    const read = await store.read('', { ids: ['old1', 'old2', 'new'], alertIds: [archived.alertId] });
    expect([...read.ids.keys()]).toEqual(['new']);
    expect(read.groups.size).toBe(0);
    expect(await store.findByAlertId(archived.alertId)).toBeUndefined();
    // What was kept goes once it is old enough.
    expect(await store.expire?.(101 * DAY, 10)).toBe(1);
  });

  // Another instance's retention can delete what this one read (or cached): its write must be a conflict to
  // re-read and re-apply, not an error that dead-letters the batch (Table Storage answers 404 to that update).
  it('answers a write with the ETag of an entry retention deleted as a conflict', async () => {
    const store = await make();
    const e = { alertId: 'a', key: 'k', status: 'New' as const, at: DAY };
    const w = await store.commit('', [{ kind: 'id', id: 'gone', entry: e, etag: undefined }]);
    if (!w.ok) throw new Error('commit failed');
    expect(await store.expire?.(50 * DAY, 10)).toBe(1);
    const later = { ...e, status: 'Closed' as const, at: 60 * DAY };
    expect(
      await store.commit('', [{ kind: 'id', id: 'gone', entry: later, etag: w.etags[0] }]),
    ).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    const both = await store.commit('', [
      { kind: 'id', id: 'gone', entry: later, etag: w.etags[0] },
      { kind: 'id', id: 'other', entry: later, etag: undefined },
    ]);
    expect(both).toMatchObject({ ok: false, reason: 'conflict' });
    // The re-read finds nothing, so the retry inserts.
    expect((await store.read('', { ids: ['gone'] })).ids.size).toBe(0);
    expect((await store.commit('', [{ kind: 'id', id: 'gone', entry: later, etag: undefined }])).ok).toBe(
      true,
    );
  });

  it('keeps an archived group that still owes rows, and deletes it once it is settled and old', async () => {
    const store = await make();
    const base = state('a2', { archived: true, dirty: false, changedAt: DAY, revision: 1 });
    const owing = {
      ...base,
      outbox: [{ alertId: base.alertId, revision: 1, reason: 'Final' as const, at: DAY }],
    };
    const w = await store.commit('', [{ kind: 'group', state: owing, etag: undefined }]);
    if (!w.ok) throw new Error('commit failed');
    expect(await store.expire?.(50 * DAY, 10)).toBe(0);
    expect((await store.findByAlertId(base.alertId))?.value.archived).toBe(true);
    // Settled (its row reached Sentinel) on day 2: retention counts from then.
    await store.commit('', [{ kind: 'group', state: { ...base, changedAt: 2 * DAY }, etag: w.etags[0] }]);
    expect(await store.expire?.(50 * DAY, 10)).toBe(1);
    expect(await store.findByAlertId(base.alertId)).toBeUndefined();
  });
});
