import type { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../../pipeline/dedup/identity.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { setGroupStatus } from '../../../pipeline/dedup/statusFeedback.js';
import { TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { aliasRow, indexKeyOf } from '../../../pipeline/dedup/tableRows.js';
import { flushGroups } from '../../../pipeline/pipeline.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { clockedPipeline } from '../../helpers/clockedPipeline.js';
import { minute, securityAlert } from '../../helpers/records.js';

// The Table store's key design on Azurite (docs/state.md): no query on a non-key property, a flush whose cost does
// not grow with settled history, retention by journal in bounded work.

const T0 = '2026-11-18T02:00:00.000Z';
const id = (i: number) => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** A TableClient that records every query filter it is asked for. */
function recording(table: TableClient): { table: TableClient; filters: string[] } {
  const filters: string[] = [];
  const proxy = new Proxy(table, {
    get(target, prop, receiver) {
      if (prop === 'listEntities')
        return (o?: { queryOptions?: { filter?: string } }) => {
          filters.push(o?.queryOptions?.filter ?? '(none)');
          return target.listEntities(o);
        };
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { table: proxy, filters };
}

async function setup(table = azuriteTable('keys'), retentionDays = 90) {
  const store = await new TableGroupStore(table).init();
  return clockedPipeline(store, {
    now: new Date('2026-11-18T12:00:00Z').getTime(),
    spec: { ...DEFAULT_KEY_SPEC, identityRetentionDays: retentionDays },
  });
}

/** `n` groups of one zone (distinct destinations), each with one alert. */
const groups = (n: number, from = 0, t = T0) =>
  Array.from({ length: n }, (_, i) =>
    securityAlert({ id: id(from + i), t, dst: `10.20.${Math.floor((from + i) / 250)}.${(from + i) % 250}` }),
  );

describe('Table group store keys (Azurite)', () => {
  it('asks no query that filters on a non-key property: batch, flush, feedback, retention', async () => {
    const rec = recording(azuriteTable('keys'));
    const { store, deps, batch, later, sink } = await setup(rec.table, 7);
    await batch(groups(30));
    await flushGroups(deps, { all: true });
    const alertId = [...sink.latest().keys()][0]!;
    expect(await setGroupStatus(store, alertId, 'Closed')).toMatchObject({ ok: true, changed: true });
    later(8 * DAY_MS);
    await flushGroups(deps, { all: true });
    expect(rec.filters.length).toBeGreaterThan(0);
    for (const f of rec.filters) expect(f).toMatch(/^PartitionKey eq '[^']+'( and RowKey (ge|lt) '[^']*')*$/);
  });

  it('flushes at the same cost with 0 and with 300 settled groups of history', async () => {
    const cost = async (history: number) => {
      const { store, deps, batch, later } = await setup();
      if (history) {
        await batch(groups(history, 1000));
        await flushGroups(deps, { all: true }); // rows sent, outboxes cleared
        await flushGroups(deps, {}); // markers of settled groups deleted
      }
      later(DAY_MS);
      // 5 open groups with unwritten changes (a second alert each): the flush's work.
      const t = minute(T0, 24 * 60);
      const dst = (i: number) => `10.30.0.${i}`;
      await batch(Array.from({ length: 5 }, (_, i) => securityAlert({ id: id(i), t, dst: dst(i) })));
      await batch(Array.from({ length: 5 }, (_, i) => securityAlert({ id: id(10 + i), t, dst: dst(i) })));
      const before = store.operations;
      const r = await flushGroups(deps, { all: true });
      expect(r.rowsWritten).toBe(5);
      return store.operations - before;
    };
    const [empty, full] = [await cost(0), await cost(300)];
    expect(full).toBe(empty);
  });

  it('counts the entities it writes (what a partition throughput target counts)', async () => {
    const table = azuriteTable('keys');
    const { store, batch } = await setup(table);
    // 30 new alerts in new groups: each entity is written once, so the table holds exactly what was counted.
    await batch(groups(30));
    const entities = [];
    for await (const e of table.listEntities()) entities.push(e);
    // 30 heads, 30 id entries, 30 due markers, 30 aliases, a retention journal and the partition's registration.
    expect(entities).toHaveLength(4 * 30 + 2);
    expect(store.entitiesWritten).toBe(entities.length);
    // A second alert of each group rewrites 30 heads and adds 30 id entries and a journal.
    await batch(
      Array.from({ length: 30 }, (_, i) =>
        securityAlert({ id: id(100 + i), t: minute(T0, 1), dst: `10.20.0.${i}` }),
      ),
    );
    expect(store.entitiesWritten).toBe(entities.length + 30 + 30 + 1);
  });

  it('finds a group by AlertId with point reads, head or archived, in any partition', async () => {
    const table = azuriteTable('keys');
    const { store, deps, batch, sink } = await setup(table);
    await batch([securityAlert({ id: id(1), t: T0, zone: 'Packaging' })]);
    await batch([securityAlert({ id: id(2), t: minute(T0, 30), zone: 'Packaging' })]); // a new group: the first is archived
    await batch([securityAlert({ id: id(3), t: T0, zone: 'Filling' })]);
    await flushGroups(deps, { all: true });
    const ids = [...sink.latest().keys()];
    expect(ids).toHaveLength(3);
    for (const alertId of ids) {
      const before = store.operations;
      expect((await store.findByAlertId(alertId))?.value.alertId).toBe(alertId);
      // Its alias read in each of the 2 registered partitions at once, then archive and head in parallel.
      expect(store.operations - before).toBe(2 + 2);
    }
    expect(await store.findByAlertId('bbbbbbbb-0000-5000-a000-000000000000')).toBeUndefined();
    // Another instance (no partition list yet) finds them too.
    const other = await new TableGroupStore(table).init();
    for (const alertId of ids) expect((await other.findByAlertId(alertId))?.value.alertId).toBe(alertId);
  });

  it('writes the AlertId alias of a group in the transaction that opens it, and still reads the index of the layout before', async () => {
    const table = azuriteTable('keys');
    const { deps, batch, sink } = await setup(table);
    await batch([securityAlert({ id: id(1), t: T0, zone: 'Packaging' })]);
    await flushGroups(deps, { all: true });
    const alertId = [...sink.latest().keys()][0]!;
    const entities = [];
    for await (const e of table.listEntities()) entities.push(e);
    const alias = entities.find((e) => e.rowKey === aliasRow(alertId))!;
    const head = entities.find((e) => String(e.rowKey).startsWith('h~'))!;
    expect(alias.partitionKey).toBe(head.partitionKey);
    expect(alias.key).toBe(JSON.parse(String(head.s0)).key);
    // No entity outside the scope partitions but the registry: no index request before a commit.
    expect(new Set(entities.map((e) => String(e.partitionKey).slice(0, 2)))).toEqual(new Set(['p~', 'r~']));

    // A group indexed by the layout before (an entry in x~N, no alias) is found by a new instance.
    await table.deleteEntity(String(alias.partitionKey), String(alias.rowKey));
    await table.upsertEntity({ ...indexKeyOf(alertId), pk: alias.partitionKey, key: alias.key, alertId });
    const fresh = await new TableGroupStore(table).init();
    expect((await fresh.findByAlertId(alertId))?.value.alertId).toBe(alertId);
  });

  it('deletes expired id entries and settled archives by the flush, in bounded work, and keeps heads', async () => {
    const { store, deps, batch, later, sink } = await setup(undefined, 7);
    await batch(groups(40));
    await flushGroups(deps, { all: true });
    const zone = 'zone:rotterdam/packaging';
    const probe = async () =>
      (await store.read(zone, { ids: groups(40).map((_, i) => `g:${id(i)}`) })).ids.size;
    const before = await probe();
    expect(before).toBe(40);
    later(8 * DAY_MS);
    // Bounded: at most `limit` journal items visited per call (the ids here, and the groups opened).
    const cutoff = new Date('2026-11-25T13:00:00Z').getTime();
    expect(await store.expire(cutoff, 15)).toBeLessThanOrEqual(15);
    expect(await probe()).toBeGreaterThanOrEqual(25);
    // The flush timer carries on: the rest goes at its next run.
    await flushGroups(deps, {});
    expect(await probe()).toBe(0);
    // Heads stay (a key's next group continues its AlertId sequence) and are still found by AlertId.
    const alertId = [...sink.latest().keys()][0]!;
    expect((await store.findByAlertId(alertId))?.value.alertId).toBe(alertId);
  });

  it('deletes a settled archived group with its AlertId alias, and keeps the head and its alias', async () => {
    const table = azuriteTable('keys');
    const { deps, batch, later, sink } = await setup(table, 7);
    await batch([securityAlert({ id: id(1), t: T0 })]);
    await batch([securityAlert({ id: id(2), t: minute(T0, 30) })]); // a new group: the first is archived
    await flushGroups(deps, { all: true });
    const [first, second] = [...sink.latest().keys()];
    const rows = async () => {
      const keys: string[] = [];
      for await (const e of table.listEntities()) keys.push(String(e.rowKey));
      return keys;
    };
    expect(await rows()).toEqual(expect.arrayContaining([`a~${first}`, aliasRow(first!), aliasRow(second!)]));
    later(8 * DAY_MS);
    await flushGroups(deps, {});
    await flushGroups(deps, {});
    const after = await rows();
    expect(after).not.toContain(`a~${first}`);
    expect(after).not.toContain(aliasRow(first!));
    expect(after).toContain(aliasRow(second!));
    expect(after.filter((k) => k.startsWith('h~'))).toHaveLength(1);
  });

  it('commits a full transaction of new groups (due markers beside 98 writes) and flushes them all', async () => {
    const { store, deps, batch } = await setup();
    await batch(groups(60));
    const due = await store.listDirty();
    expect(due).toHaveLength(60);
    await flushGroups(deps, { all: true });
    expect(await store.listDirty()).toEqual([]);
  });
});
