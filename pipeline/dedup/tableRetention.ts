// Retention in the Table group store (docs/state.md "Retention"). Id entries are read by id and archived groups by
// AlertId, so neither can be listed by age without a scan: each transaction that writes them also writes a
// journal entity (`t~<hour>~…`) listing them, and retention walks the journals older than the cut-off (a key
// range per partition), checks each item (it may have been rewritten since: then a newer journal lists it) and
// deletes what is expired (with a group's AlertId alias), then the journal. Work per call is bounded by `limit` items.
import { mapLimit } from '../util/mapLimit.js';
import { statusOf } from '../util/tablePut.js';
import { deleteIf, getOrUndefined, listRange, type TableContext } from './tableIndex.js';
import {
  aliasRow,
  archiveRow,
  fromEntity,
  headRow,
  hourOf,
  indexKeyOf,
  isDue,
  type JournalItem,
  journalRangeBefore,
  journalRow,
} from './tableRows.js';

const HOUR_MS = 3_600_000;
const CONCURRENCY = 16;

/** `keep`: journal it again, for retention to visit from `at` (its own time, or a retention from now). */
type Verdict = 'deleted' | { keep: number } | 'drop';

/**
 * What one journal item's entity is now. An id entry goes once its `at` is before the cut-off; an archived group
 * once it owes nothing and its last change is before it (either rewritten later: a newer journal lists it, this
 * item is dropped). A group opened (its AlertId index entry) is kept while it is its key's head (checked again a
 * retention later), left to its archive's own item when it has one, else its index entry goes.
 */
async function judge(ctx: TableContext, pk: string, item: JournalItem, before: number): Promise<Verdict> {
  if (item[0] === 'i') {
    const e = await getOrUndefined(ctx, pk, item[1]);
    if (!e) return 'drop';
    if (Number(e.at) >= before) return { keep: Number(e.at) };
    return (await deleteIf(ctx, pk, item[1], String(e.etag))) ? 'deleted' : 'drop';
  }
  if (item[0] === 'a') {
    const e = await getOrUndefined(ctx, pk, item[1]);
    if (!e) return 'drop';
    const v = fromEntity(e);
    if (isDue(v.value)) return 'drop'; // settling it is a commit, which journals it again
    if ((v.value.changedAt ?? 0) >= before) return { keep: v.value.changedAt ?? 0 };
    if (!(await deleteIf(ctx, pk, item[1], v.etag))) return 'drop';
    await forgetAlertId(ctx, pk, v.value.alertId);
    return 'deleted';
  }
  const [, alertId, key] = item as ['x', string, string];
  const head = await getOrUndefined(ctx, pk, headRow(key));
  // A retention from now (the wall clock, or the cut-off when a test's clock is ahead of it).
  if (head && String(head.alertId) === alertId) return { keep: Math.max(Date.now(), before + HOUR_MS) };
  if (await getOrUndefined(ctx, pk, archiveRow(alertId))) return 'drop';
  return (await forgetAlertId(ctx, pk, alertId)) ? 'deleted' : 'drop';
}

/** Deletes an AlertId's alias, and its index entry of the layout before if it has one. */
async function forgetAlertId(ctx: TableContext, pk: string, alertId: string): Promise<boolean> {
  const k = indexKeyOf(alertId);
  const [alias, legacy] = await Promise.all([
    deleteIf(ctx, pk, aliasRow(alertId), '*'),
    deleteIf(ctx, k.partitionKey, k.rowKey, '*'),
  ]);
  return alias || legacy;
}

/**
 * Deletes id entries, settled archived groups and stale AlertId index entries whose time is before `before`, by
 * journal, visiting at most `limit` items. Returns how many entities it deleted. Items found not yet expired
 * (written within the journal's hour, after the cut-off) and index entries of live heads are journaled again.
 */
export async function expireJournaled(ctx: TableContext, before: number, limit: number): Promise<number> {
  let visited = 0;
  let deleted = 0;
  for (const pk of await ctx.partitions(false)) {
    if (visited >= limit) break;
    const journals = await listRange(ctx, pk, journalRangeBefore(before), 100);
    for (const j of journals) {
      if (visited >= limit) break;
      const all = JSON.parse(String(j.items)) as JournalItem[];
      const items = all.slice(0, limit - visited);
      visited += items.length;
      const verdicts = await mapLimit(items, CONCURRENCY, (item) => judge(ctx, pk, item, before));
      // What stays is journaled again (one journal per hour) before this one goes, so a crash loses nothing.
      const kept = new Map<string, { at: number; items: JournalItem[] }>();
      verdicts.forEach((v, i) => {
        if (v === 'deleted') deleted++;
        else if (v !== 'drop') {
          const slot = kept.get(hourOf(v.keep)) ?? { at: v.keep, items: [] };
          slot.items.push(items[i]!);
          kept.set(hourOf(v.keep), slot);
        }
      });
      for (const { at, items: list } of kept.values()) {
        ctx.op();
        await ctx.table.createEntity({
          partitionKey: pk,
          rowKey: journalRow(at),
          items: JSON.stringify(list),
        });
      }
      // Last: a crash before this re-visits the items, which is idempotent. Items beyond the limit stay listed.
      const rest = all.slice(items.length);
      if (!rest.length) await deleteIf(ctx, pk, String(j.rowKey), String(j.etag));
      else {
        ctx.op();
        // Another sweep changed it (412) or finished it (404): its own run carries on.
        await ctx.table
          .updateEntity(
            { partitionKey: pk, rowKey: String(j.rowKey), items: JSON.stringify(rest) },
            'Replace',
            {
              etag: String(j.etag),
            },
          )
          .catch((e: unknown) => {
            if (statusOf(e) !== 412 && statusOf(e) !== 404) throw e;
          });
      }
    }
  }
  return deleted;
}
