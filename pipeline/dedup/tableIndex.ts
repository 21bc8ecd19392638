// The Table group store's index entities (docs/state.md): due markers, AlertId aliases, the partition registry.
// Every read here is a point read or a key-range query in a known partition: no query filters on a non-key
// property, so its cost follows the work (groups due, AlertIds looked up), not the history kept.
import type { TableClient } from '@azure/data-tables';
import { mapLimit } from '../util/mapLimit.js';
import { statusOf } from '../util/tablePut.js';
import { readEntity } from '../util/tableRead.js';
import type { GroupState, Versioned } from './groupState.js';
import {
  aliasRow,
  archiveRow,
  type Entity,
  fromEntity,
  groupRowOfMarker,
  headRow,
  indexKeyOf,
  isDue,
  MARKER_RANGE,
  REGISTRY_PK,
} from './tableRows.js';

/** What the index functions need of the store: its client, its operation counter, its version memory. */
export interface TableContext {
  table: TableClient;
  op(n?: number): void;
  /** A group version read (so a later write replacing it knows whether it was due, and its AlertId). */
  saw(pk: string, v: Versioned<GroupState>): void;
  /** The registered partitions: `fresh` queries the registry, else the last list (under a minute old) is reused. */
  partitions(fresh: boolean): Promise<string[]>;
}

const CONCURRENCY = 16;

/** Point read; undefined when the entity does not exist. */
export async function getOrUndefined(ctx: TableContext, pk: string, rk: string): Promise<Entity | undefined> {
  ctx.op();
  return readEntity(ctx.table, pk, rk);
}

/** Deletes an entity if it still has `etag` ('*': any); gone or changed meanwhile is not an error. */
export async function deleteIf(ctx: TableContext, pk: string, rk: string, etag: string): Promise<boolean> {
  ctx.op();
  try {
    await ctx.table.deleteEntity(pk, rk, { etag });
    return true;
  } catch (e) {
    const status = statusOf(e);
    if (status === 404 || status === 412) return false;
    throw e;
  }
}

/** The entities of a key range of one partition, up to `max` (pages of 1,000; one operation per page). */
export async function listRange(
  ctx: TableContext,
  pk: string,
  range: string,
  max = Number.POSITIVE_INFINITY,
): Promise<Entity[]> {
  const out: Entity[] = [];
  const pages = ctx.table
    .listEntities({ queryOptions: { filter: `PartitionKey eq '${pk}' and ${range}` } })
    .byPage({ maxPageSize: Math.min(1000, max) });
  let requests = 0;
  for await (const page of pages) {
    requests++;
    out.push(...(page as Entity[]));
    if (out.length >= max) break;
  }
  ctx.op(Math.max(1, requests)); // an empty answer is still a request
  return out;
}

/** The scope partitions written so far (the registry: one entity per scope, bounded by the plant's zones). */
export async function registeredPartitions(ctx: TableContext): Promise<string[]> {
  const pages = ctx.table
    .listEntities({ queryOptions: { filter: `PartitionKey eq '${REGISTRY_PK}'`, select: ['RowKey'] } })
    .byPage({ maxPageSize: 1000 });
  const out: string[] = [];
  let requests = 0;
  for await (const page of pages) {
    requests++;
    for (const e of page) out.push(String(e.rowKey));
  }
  ctx.op(Math.max(1, requests));
  return out;
}

/**
 * Groups that are due (unwritten changes or owed rows): per registered partition, its markers (one key-range
 * query), then a point read of each group a marker names. A marker whose group is settled or gone is deleted with
 * the ETag listed: a batch that made the group due again meanwhile re-upserted it (new ETag), so it stays.
 */
export async function listDue(ctx: TableContext): Promise<Versioned<GroupState>[]> {
  const partitions = await ctx.partitions(true);
  const markers = (
    await mapLimit(partitions, CONCURRENCY, async (pk) =>
      (await listRange(ctx, pk, MARKER_RANGE)).map((m) => ({ pk, m })),
    )
  ).flat();
  const found = await mapLimit(markers, CONCURRENCY, async ({ pk, m }) => {
    const e = await getOrUndefined(ctx, pk, groupRowOfMarker(String(m.rowKey)));
    const v = e ? fromEntity(e) : undefined;
    if (v) ctx.saw(pk, v);
    if (v && isDue(v.value)) return v;
    await deleteIf(ctx, pk, String(m.rowKey), String(m.etag));
    return undefined;
  });
  return found.filter((v): v is Versioned<GroupState> => v !== undefined);
}

/**
 * The group that has this AlertId: its alias (`k~`, written with the group) read in every registered partition at
 * once, then its archive or its key's head there. The partition list is the last one (under a minute old) first,
 * then a fresh one; an AlertId with no alias anywhere is looked up in the layout before's index (findIndexed).
 * A lookup costs one point read per scope partition (site/zone) + 2; it runs once per incident status change, while
 * the alias saves every batch that opens groups a request before its commit (docs/state.md).
 */
export async function findByAlias(
  ctx: TableContext,
  alertId: string,
): Promise<Versioned<GroupState> | undefined> {
  const searched = new Set<string>();
  for (const fresh of [false, true]) {
    const partitions = (await ctx.partitions(fresh)).filter((pk) => !searched.has(pk));
    for (const pk of partitions) searched.add(pk);
    const aliases = await mapLimit(partitions, CONCURRENCY, async (pk) => ({
      pk,
      e: await getOrUndefined(ctx, pk, aliasRow(alertId)),
    }));
    for (const { pk, e } of aliases) {
      if (!e) continue;
      const found = await groupIn(ctx, pk, alertId, String(e.key));
      if (found) return found;
    }
  }
  return findIndexed(ctx, alertId);
}

/** The group with `alertId` in partition `pk`: its archive, or the head of `key` while it is that group. */
async function groupIn(
  ctx: TableContext,
  pk: string,
  alertId: string,
  key: string,
): Promise<Versioned<GroupState> | undefined> {
  const [archived, head] = await Promise.all([
    getOrUndefined(ctx, pk, archiveRow(alertId)),
    getOrUndefined(ctx, pk, headRow(key)),
  ]);
  for (const e of [archived, head]) {
    const v = e ? fromEntity(e) : undefined;
    if (v?.value.alertId === alertId) {
      ctx.saw(pk, v);
      return v;
    }
  }
  return undefined;
}

/** The layout before's lookup: the AlertId index entry (4 partitions by hash), then the group where it says. */
async function findIndexed(ctx: TableContext, alertId: string): Promise<Versioned<GroupState> | undefined> {
  const k = indexKeyOf(alertId);
  const entry = await getOrUndefined(ctx, k.partitionKey, k.rowKey);
  return entry ? groupIn(ctx, String(entry.pk), alertId, String(entry.key)) : undefined;
}
