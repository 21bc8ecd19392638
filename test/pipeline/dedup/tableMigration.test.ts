import type { TableClient, TableEntity } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import type { GroupState } from '../../../pipeline/dedup/groupState.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { partitionKeyOf, TableGroupStore } from '../../../pipeline/dedup/tableGroupStore.js';
import { groupEntity, idEntity } from '../../../pipeline/dedup/tableRows.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { flushGroups, processBatch } from '../../../pipeline/pipeline.js';
import { azuriteTable } from '../../helpers/azurite.js';
import { clockedPipeline } from '../../helpers/clockedPipeline.js';
import { minute, securityAlert } from '../../helpers/records.js';

// An upgrade from the Table layout before identity (commit 141c59c: one entity per key, PartitionKey = key,
// RowKey `head`) keeps its open groups: the new store migrates them once (tableMigration.ts), on Azurite.

const T0 = '2026-11-18T02:00:00.000Z';
const NOW = new Date('2026-11-18T02:05:00Z');
const _enrich = createEnricher({ sensors: {}, attackMappings: {} });
const id = (i: number) => `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** The entity the previous version wrote for a head (its toEntity, verbatim but for the 30,000-char split). */
function legacyEntity(state: GroupState): TableEntity<Record<string, unknown>> {
  const json = JSON.stringify(state);
  return {
    partitionKey: state.key,
    rowKey: 'head',
    dirty: state.dirty,
    owed: Boolean(state.outbox?.length),
    alertId: state.alertId,
    parts: 1,
    s0: json,
  };
}

/** Open groups as the previous version left them: processed in memory, stripped of what it did not write. */
async function legacyHeads(): Promise<GroupState[]> {
  const store = new MemoryGroupStore();
  const { deps } = clockedPipeline(store, { now: NOW.getTime() });
  const events = [
    ...[1, 2, 3].map((i) => securityAlert({ id: id(i), t: minute(T0, i / 10), dst: '10.40.0.1' })),
    ...[4, 5].map((i) =>
      securityAlert({ id: id(i), t: minute(T0, i / 10), dst: '10.40.0.2', zone: 'Filling' }),
    ),
  ];
  await processBatch(events, { partition: '0', sequenceNumbers: events.map((_, i) => i) }, deps);
  const dirty = await store.listDirty();
  return dirty.map(({ value }) => {
    const { partition, closedMembers, activeMembers, changedAt, archived, ...old } = value;
    return old as GroupState;
  });
}

async function upgraded(table: TableClient) {
  const store = await new TableGroupStore(table).init({ spec: DEFAULT_KEY_SPEC });
  const { sink, deps } = clockedPipeline(store, { now: NOW.getTime() + 60_000 });
  return { store, sink, deps };
}

describe('upgrade from the Table layout before identity (Azurite)', () => {
  it('continues open groups: later alerts join them, known ids are not counted again', async () => {
    const heads = await legacyHeads();
    expect(heads.map((h) => h.count).sort()).toEqual([2, 3]);
    const table = azuriteTable('legacy');
    await table.createTable();
    for (const h of heads) await table.createEntity(legacyEntity(h));

    const { store, sink, deps } = await upgraded(table);
    // Two new alerts of the first group, and a re-published copy of one it already counts.
    const events = [
      securityAlert({ id: id(6), t: minute(T0, 1), dst: '10.40.0.1' }),
      securityAlert({ id: id(7), t: minute(T0, 2), dst: '10.40.0.1' }),
      securityAlert({ id: id(2), t: minute(T0, 0.2), dst: '10.40.0.1' }),
    ];
    const s = await processBatch(events, { partition: '1', sequenceNumbers: [0, 1, 2] }, deps);
    expect(s).toMatchObject({ newGroups: 0, merged: 2 });
    await flushGroups(deps, { all: true });
    const latest = [...sink.latest().values()];
    expect(latest.map((r) => r.AlertId).sort()).toEqual(heads.map((h) => h.alertId).sort());
    expect(latest.map((r) => Number(r.Count)).sort()).toEqual([2, 5]);
    // Found by AlertId (the index), and nothing of the old layout is left.
    for (const h of heads) expect((await store.findByAlertId(h.alertId))?.value.key).toBe(h.key);
    const left = [];
    for await (const e of table.listEntities({ queryOptions: { filter: "RowKey eq 'head'" } })) left.push(e);
    expect(left).toEqual([]);
  });

  it('migrates once, idempotently, with several instances starting at once', async () => {
    const heads = await legacyHeads();
    const table = azuriteTable('legacy');
    await table.createTable();
    for (const h of heads) await table.createEntity(legacyEntity(h));
    const [a, b] = await Promise.all([upgraded(table), upgraded(table)]);
    const again = await upgraded(table); // a later start: one point read per pass, nothing else
    expect(again.store.operations).toBe(3);
    const due = await a.store.listDirty();
    expect(due.map((d) => d.value.alertId).sort()).toEqual(heads.map((h) => h.alertId).sort());
    await flushGroups(b.deps, { all: true });
    expect(b.sink.totalCount()).toBe(5);
  });

  it('gives state of the identity layout (no index entities) its markers, AlertId index and journals', async () => {
    const [head] = await legacyHeads();
    const partition = 'zone:rotterdam/packaging';
    const state = { ...head!, partition, changedAt: NOW.getTime() };
    const table = azuriteTable('legacy');
    await table.createTable();
    const pk = partitionKeyOf(partition);
    // What the identity version wrote: the head and an id entry, nothing else.
    await table.createEntity(groupEntity(pk, partition, state));
    const entry = { alertId: state.alertId, key: state.key, status: 'New' as const, at: NOW.getTime() };
    await table.createEntity(idEntity(pk, `g:${id(1)}`, entry));
    const { store } = await upgraded(table);
    expect((await store.listDirty()).map((d) => d.value.alertId)).toEqual([state.alertId]);
    expect((await store.findByAlertId(state.alertId))?.value.key).toBe(state.key);
    // Retention now finds the id entry (by its journal).
    expect(await store.expire(NOW.getTime() + 91 * 86_400_000, 100)).toBe(1);
    expect((await store.read(partition, { ids: [`g:${id(1)}`] })).ids.size).toBe(0);
  });
});
