// The entities of the Table group store and their keys (docs/state.md "Key design"). Types only from
// @azure/data-tables: see tableGroupStore.ts.
import { createHash } from 'node:crypto';
import type { TableEntity } from '@azure/data-tables';
import type { AlertStatus } from '../model/alert.js';
import type { GroupState, IdEntry, Versioned } from './groupState.js';

/** Table Storage string properties hold 64 KiB (32K UTF-16 chars); the state is split across s0, s1, …. */
const PART_CHARS = 30_000;

export type Entity = TableEntity<Record<string, unknown>> & { etag?: string };
export type NewEntity = TableEntity<Record<string, unknown>>;

export const hash22 = (text: string): string =>
  createHash('sha256').update(text).digest('base64url').slice(0, 22);

/** Scopes are free text (site and zone names), so a scope's PartitionKey is their hash (`p~`). */
export const partitionKeyOf = (partition: string): string => `p~${hash22(partition)}`;
export const headRow = (key: string): string => `h~${key}`;
export const archiveRow = (alertId: string): string => `a~${alertId}`;
/** Text in plain form when it is made of safe key characters (GUIDs are), else hashed (`/ \ # ?` are not allowed). */
const safe = (text: string): string => (/^[\w.:\- ]{1,200}$/.test(text) ? text : `~${hash22(text)}`);
export const idRow = (id: string): string => `i~${safe(id)}`;
export const groupRowOf = (s: GroupState): string => (s.archived ? archiveRow(s.alertId) : headRow(s.key));

/**
 * Due-for-flush marker of a group (`d~` + the group's RowKey), in the group's partition: upserted in the same
 * transaction as a group that becomes dirty or owes rows, deleted by the flush once the group is settled.
 */
export const markerRow = (groupRow: string): string => `d~${groupRow}`;
export const MARKER_RANGE = "RowKey ge 'd~' and RowKey lt 'e'";
export const groupRowOfMarker = (rowKey: string): string => rowKey.slice(2);

/**
 * Retention journal (`t~<hour>~<n>`): one per transaction that writes id entries, archived groups or opens groups,
 * listing them, so retention finds what is old by a key range instead of a scan (tableRetention.ts).
 */
const HOUR_MS = 3_600_000;
export const hourOf = (ms: number): string => String(Math.max(0, Math.floor(ms / HOUR_MS))).padStart(8, '0');
export const journalRow = (at: number): string =>
  `t~${hourOf(at)}~${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
export const journalRangeBefore = (before: number): string =>
  `RowKey ge 't~' and RowKey lt 't~${hourOf(before)}'`;
/** What a journal lists: an id entry or archived group by RowKey, or a group opened (its AlertId and key). */
export type JournalItem = ['i' | 'a', string] | ['x', string, string];

/** The partition registry: every scope partition the store has written, so the flush knows where to look. */
export const REGISTRY_PK = 'r~';

/**
 * AlertId → key, in the group's own partition (`k~<AlertId>`): written in the transaction that opens the group,
 * so it costs no request of its own and a group that exists always has it. A lookup by AlertId alone reads it
 * in every registered partition (tableIndex.ts findByAlias).
 */
export const aliasRow = (alertId: string): string => `k~${safe(alertId)}`;
export const aliasEntity = (pk: string, s: GroupState): NewEntity => ({
  partitionKey: pk,
  rowKey: aliasRow(s.alertId),
  key: s.key,
  alertId: s.alertId,
});

/**
 * The AlertId index of the layout before (session of 2026-12-06, still read: tableIndex.ts findIndexed): AlertId →
 * scope in 4 partitions by the AlertId's hash, written by a request of its own before each commit that opened
 * groups (42 % of a replay's requests). Entries still there are read when no alias is found, and deleted by retention.
 */
export const indexKeyOf = (alertId: string): { partitionKey: string; rowKey: string } => ({
  partitionKey: `x~${hash22(alertId).charCodeAt(0) % 4}`,
  rowKey: `a~${safe(alertId)}`,
});

export function groupEntity(pk: string, partition: string, state: GroupState): NewEntity {
  const json = JSON.stringify(state);
  const entity: NewEntity = {
    partitionKey: pk,
    rowKey: groupRowOf(state),
    scope: partition,
    dirty: state.dirty,
    owed: Boolean(state.outbox?.length),
    alertId: state.alertId,
    parts: Math.ceil(json.length / PART_CHARS) || 1,
  };
  for (let i = 0, p = 0; i < json.length; i += PART_CHARS, p++)
    entity[`s${p}`] = json.slice(i, i + PART_CHARS);
  return entity;
}

export function fromEntity(e: Entity): Versioned<GroupState> {
  let json = '';
  for (let p = 0; p < Number(e.parts); p++) json += String(e[`s${p}`] ?? '');
  return { value: JSON.parse(json) as GroupState, etag: String(e.etag) };
}

export function idEntity(pk: string, id: string, entry: IdEntry): NewEntity {
  return {
    partitionKey: pk,
    rowKey: idRow(id),
    alertId: entry.alertId,
    key: entry.key,
    status: entry.status,
    // A string: an epoch in ms is beyond Int32, and the SDK would send a JS number as a Double.
    at: String(entry.at),
  };
}

export const fromIdEntity = (e: Entity): Versioned<IdEntry> => ({
  value: {
    alertId: String(e.alertId),
    key: String(e.key),
    status: e.status as AlertStatus,
    at: Number(e.at),
  },
  etag: String(e.etag),
});

/** A group the flush must visit: unwritten changes, or rows owed to Sentinel. */
export const isDue = (s: GroupState): boolean => s.dirty || Boolean(s.outbox?.length);
