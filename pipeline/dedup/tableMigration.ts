// Migration of the Table layout before identity (docs/state.md "State written before this layout"): one entity
// per key, PartitionKey = the key, RowKey `head`, the state JSON in s0, s1, … (as groupEntity still writes it).
import type { TableClient } from '@azure/data-tables';
import type { EnrichedAlert } from '../enrich/enriched.js';
import { scopeOf } from './groupKey.js';
import type { GroupState, GroupStore } from './groupState.js';
import type { KeySpec } from './keySpec.js';
import { statusOf } from './tablePut.js';
import { type Entity, fromEntity } from './tableRows.js';

const LEGACY_ROW = 'head';
/** Written once every legacy head is migrated: later starts read one entity and stop. */
const DONE = { partitionKey: 'm~', rowKey: 'legacy-heads-v1' };

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
 * its scope partition through the store's own commit (so it gets its due marker, AlertId index entry and partition
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
  op();
  try {
    await table.getEntity(DONE.partitionKey, DONE.rowKey);
    return { migrated: 0, kept: 0 };
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  let migrated = 0;
  let kept = 0;
  let left = 0;
  const pages = table
    .listEntities({ queryOptions: { filter: `RowKey eq '${LEGACY_ROW}'` } })
    .byPage({ maxPageSize: 1000 });
  for await (const page of pages) {
    op();
    for (const e of page as Entity[]) {
      const legacy = fromEntity(e).value;
      const partition = legacyPartitionOf(legacy, spec);
      const state: GroupState = { ...legacy, partition };
      const r = await store.commit(partition, [{ kind: 'group', state, etag: undefined }]);
      if (r.ok) migrated++;
      else if (r.reason === 'conflict') kept++;
      else throw new Error(`legacy group ${legacy.alertId} does not fit one transaction`);
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
