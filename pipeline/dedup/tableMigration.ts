// Migrations of earlier Table layouts (docs/state.md "State written by earlier versions"), once each, idempotent:
// - before identity: one entity per key, PartitionKey = the key, RowKey `head`, the state JSON in s0, s1, …;
// - identity without index entities (scope partitions `p~…`, `h~`/`a~`/`i~` rows): no due markers, partition
//   registry, AlertId index or retention journals yet.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { EnrichedAlert } from '../enrich/enriched.js';
import { chunks } from '../util/chunks.js';
import { mapLimit } from '../util/mapLimit.js';
import { statusOf } from '../util/tablePut.js';
import { MAX_TRANSACTION_ACTIONS, submitTransaction } from '../util/tableTransaction.js';
import { legacyMemberStatus } from './grouper.js';
import { scopeOf } from './groupKey.js';
import { type GroupState, type GroupStore, MAX_COMMIT_WRITES, type StoreWrite } from './groupState.js';
import { scopedIdOf } from './identity.js';
import type { KeySpec } from './keySpec.js';
import {
  aliasEntity,
  type Entity,
  fromEntity,
  isDue,
  type JournalItem,
  journalRow,
  markerRow,
  REGISTRY_PK,
} from './tableRows.js';

const LEGACY_ROW = 'head';
/** Written once every legacy head is migrated: later starts read one entity and stop. */
const DONE = { partitionKey: 'm~', rowKey: 'legacy-heads-v1' };
const INDEXED = { partitionKey: 'm~', rowKey: 'index-entities-v1' };

async function done(table: TableClient, marker: typeof DONE, op: (n?: number) => void): Promise<boolean> {
  op();
  try {
    await table.getEntity(marker.partitionKey, marker.rowKey);
    return true;
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
    return false;
  }
}

/**
 * The partition the pipeline gives the group's alerts (identity.ts partitionOf): their scope when the key spec
 * groups by scope (a key holds one scope; the latest member's site/zone, else its sensor), else the one partition.
 */
export function legacyPartitionOf(s: GroupState, spec: KeySpec): string {
  if (!spec.fields.includes('scope')) return '';
  const alert: Pick<EnrichedAlert, 'site' | 'zone' | 'sensor'> = {
    site: s.latest.site,
    zone: s.latest.zone,
    sensor: s.sensors[0],
  };
  return scopeOf(alert) ?? '';
}

/**
 * Moves every legacy head into the current layout, once and idempotently: each is inserted as its key's head in
 * its scope partition through the store's own commit (so it gets its due marker, AlertId alias and partition
 * registration), then the legacy entity is deleted. A head already there (another instance migrated it first) is
 * kept, and the legacy one deleted. Finding the legacy entities is a query on RowKey alone, i.e. a scan; it runs
 * until nothing is left and is then marked done, so later starts cost one point read.
 */
export async function migrateLegacyLayout(
  table: TableClient,
  store: GroupStore,
  spec: KeySpec,
  op: (n?: number) => void,
): Promise<{ migrated: number; kept: number }> {
  await indexIdentityLayout(table, op);
  if (await done(table, DONE, op)) return { migrated: 0, kept: 0 };
  let migrated = 0;
  let kept = 0;
  let left = 0;
  const pages = table
    .listEntities({ queryOptions: { filter: `RowKey eq '${LEGACY_ROW}'` } })
    .byPage({ maxPageSize: 1000 });
  for await (const page of pages) {
    op();
    for (const e of page as Entity[]) {
      const r = await migrateHead(store, fromEntity(e).value, spec);
      if (r === 'migrated') migrated++;
      else kept++;
      op();
      try {
        await table.deleteEntity(String(e.partitionKey), LEGACY_ROW, { etag: String(e.etag) });
      } catch (err) {
        const status = statusOf(err);
        // Changed meanwhile (a previous version still running): left for the next start.
        if (status === 412) left++;
        else if (status !== 404) throw err;
      }
    }
  }
  if (!left) {
    op();
    await table.upsertEntity({ ...DONE, at: new Date().toISOString(), migrated, kept }, 'Replace');
  }
  return { migrated, kept };
}

/**
 * One legacy head, inserted with id entries for the vendor ids it lists (the last `maxVendorIds`): they are the
 * alerts it counts, and without entries a re-published copy would count again once the group's member counters
 * exist (grouper.applyMember recognises listed ids only before that). GUIDs are ids of their own; another id is
 * scoped by sensor, known only when the group has one sensor. An entry that exists already (another instance,
 * or the alert seen again since) is left as it is.
 */
async function migrateHead(
  store: GroupStore,
  legacy: GroupState,
  spec: KeySpec,
): Promise<'migrated' | 'kept'> {
  const partition = legacyPartitionOf(legacy, spec);
  const state: GroupState = { ...legacy, partition };
  const sensor = state.sensors.length === 1 ? state.sensors[0] : undefined;
  const at = Date.now();
  const entry = { alertId: state.alertId, key: state.key, status: legacyMemberStatus(state), at };
  let ids = [
    ...new Set(
      state.vendorIds
        .map((id) => scopedIdOf({ id, sensor }))
        .filter((x): x is string => !!x && (x.startsWith('g:') || sensor !== undefined)),
    ),
  ].slice(-(MAX_COMMIT_WRITES - 1));
  for (let attempt = 0; attempt < 3; attempt++) {
    const writes: StoreWrite[] = [
      { kind: 'group', state, etag: undefined },
      ...ids.map((id): StoreWrite => ({ kind: 'id', id, entry, etag: undefined })),
    ];
    const r = await store.commit(partition, writes);
    if (r.ok) return 'migrated';
    if (r.reason === 'too-large')
      throw new Error(`legacy group ${state.alertId} does not fit one transaction`);
    const read = await store.read(partition, { keys: [state.key], ids });
    if (read.heads.has(state.key)) return 'kept';
    ids = ids.filter((id) => !read.ids.has(id));
  }
  throw new Error(`legacy group ${state.alertId}: migration kept conflicting; retry at the next start`);
}

/**
 * Gives state of the identity layout its index entities (docs/state.md "Index entities"): per scope partition a
 * registry entry, per group its AlertId alias and (when due) its marker, per id entry or archived group a
 * retention journal item (journals of ≤ 98 items, at the oldest item's time). All upserts or new journals: a
 * second run (several instances starting at once) only repeats them. Finding the entities is a scan of the scope
 * partitions, once.
 */
async function indexIdentityLayout(table: TableClient, op: (n?: number) => void): Promise<void> {
  if (await done(table, INDEXED, op)) return;
  const pages = table
    .listEntities({ queryOptions: { filter: "PartitionKey ge 'p~' and PartitionKey lt 'p~~'" } })
    .byPage({ maxPageSize: 1000 });
  const registered = new Set<string>();
  for await (const page of pages) {
    op();
    const byPk = new Map<
      string,
      { actions: TransactionAction[]; items: JournalItem[]; oldest: number; aliases: Set<string> }
    >();
    const registry: TransactionAction[] = [];
    for (const e of page as Entity[]) {
      const pk = String(e.partitionKey);
      const rk = String(e.rowKey);
      const slot = byPk.get(pk) ?? {
        actions: [],
        items: [],
        oldest: Number.POSITIVE_INFINITY,
        aliases: new Set<string>(),
      };
      byPk.set(pk, slot);
      if (!registered.has(pk)) {
        registered.add(pk);
        registry.push([
          'upsert',
          { partitionKey: REGISTRY_PK, rowKey: pk, scope: String(e.scope ?? '') },
          'Replace',
        ]);
      }
      if (rk.startsWith('i~')) {
        slot.items.push(['i', rk]);
        slot.oldest = Math.min(slot.oldest, Number(e.at));
      } else if (rk.startsWith('h~') || rk.startsWith('a~')) {
        const s = fromEntity(e).value;
        // Its AlertId alias (once per transaction: a head and its archive may both be listed).
        if (!slot.aliases.has(s.alertId)) slot.actions.push(['upsert', aliasEntity(pk, s), 'Replace']);
        slot.aliases.add(s.alertId);
        if (isDue(s)) slot.actions.push(['upsert', { partitionKey: pk, rowKey: markerRow(rk) }, 'Replace']);
        if (s.archived) {
          slot.items.push(['a', rk]);
          slot.oldest = Math.min(slot.oldest, s.changedAt ?? 0);
        } else {
          slot.items.push(['x', s.alertId, s.key]);
          slot.oldest = Math.min(slot.oldest, s.changedAt ?? Date.now());
        }
      }
    }
    const txs: TransactionAction[][] = [];
    for (const [pk, slot] of byPk) {
      for (const list of chunks(slot.items, 98)) {
        const items = JSON.stringify(list);
        slot.actions.push(['create', { partitionKey: pk, rowKey: journalRow(slot.oldest), items }]);
      }
      txs.push(...chunks(slot.actions, MAX_TRANSACTION_ACTIONS));
    }
    // Registry entries go one by one (their partition differs from the page's).
    await mapLimit(registry, 16, async (a) => {
      op();
      await table.upsertEntity(a[1], 'Replace');
    });
    await mapLimit(txs, 8, async (tx) => {
      op();
      await submitTransaction(table, tx);
    });
  }
  op();
  await table.upsertEntity({ ...INDEXED, at: new Date().toISOString() }, 'Replace');
}
