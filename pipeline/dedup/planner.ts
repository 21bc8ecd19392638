import {
  type ApplyOutcome,
  alreadyApplied,
  applyMember,
  applyUpdate,
  cloneState,
  emissionFor,
  type Member,
  markApplied,
  markEmitted,
} from './grouper.js';
import { groupRow } from './groupRow.js';
import type { GroupState, GroupStore, IdEntry, OwedRow, StoreWrite, Versioned } from './groupState.js';
import { DAY_MS } from './identity.js';
import type { KeySpec } from './keySpec.js';
import { owedRow, type SettledRows } from './outbox.js';

/**
 * What a batch knows of one store partition: what it read (null: known absent) and what it committed since,
 * with the ETags to commit against. Planning never changes it; a commit's success does.
 */
export class PartitionWork {
  readonly heads = new Map<string, Versioned<GroupState> | null>();
  readonly groups = new Map<string, Versioned<GroupState> | null>();
  readonly ids = new Map<string, Versioned<IdEntry> | null>();

  constructor(readonly partition: string) {}

  /**
   * Point reads of what `members` need: the heads of their keys and, `withIds` or for a member that is likely an
   * update (`likelyUpdate`), their id entries, then the groups those entries name (a head of another key, or a
   * group a newer one superseded). Only what is not known yet. Any other id is planned as new and its entry is
   * inserted: the insert fails the commit if the id is known after all (409), and the retry reads the ids. Most
   * alerts are new, so the common batch reads no id entry at all (docs/state.md). Ids the store holds without a
   * request (the instance's cache, `peekIds`) are known either way.
   */
  async load(store: GroupStore, members: readonly Member[], withIds: boolean): Promise<void> {
    // Ids the instance's cache holds cost nothing: a copy or a status update of an alert it has seen is known
    // at once, instead of failing its insert and re-reading (what a zone's copies and updates cost otherwise).
    const unread =
      withIds || !store.peekIds
        ? []
        : members.flatMap((m) => (m.scopedId && !this.ids.has(m.scopedId) ? [m.scopedId] : []));
    const known = unread.length ? store.peekIds!(this.partition, unread) : undefined;
    for (const [id, entry] of known ?? []) this.ids.set(id, entry);
    const keys = new Set<string>();
    const ids = new Set<string>();
    for (const m of members) {
      // A member the cache knows is routed to its group by its entry, so the head read is that group's key, not
      // the member's own: a closed alert has a key of its own, and its update never touches that head. (Should the
      // entry not lead to a group after all, the member is planned on its own key's head as absent: its insert
      // fails (409) if it exists, and the retry reads everything.)
      const entry = m.scopedId === undefined ? undefined : known?.get(m.scopedId)?.value;
      const key = entry ? entry.key : m.key;
      if (!this.heads.has(key)) keys.add(key);
      if ((withIds || likelyUpdate(m)) && m.scopedId && !this.ids.has(m.scopedId)) ids.add(m.scopedId);
    }
    const first = await store.read(this.partition, { keys: [...keys], ids: [...ids] });
    for (const k of keys) this.heads.set(k, first.heads.get(k) ?? null);
    for (const id of ids) this.ids.set(id, first.ids.get(id) ?? null);
    const more = { keys: new Set<string>(), alertIds: new Set<string>() };
    for (const id of [...ids, ...(known?.keys() ?? [])]) {
      const e = this.ids.get(id)?.value;
      if (!e) continue;
      if (!this.heads.has(e.key)) more.keys.add(e.key);
      if (this.heads.get(e.key)?.value.alertId !== e.alertId && !this.groups.has(e.alertId))
        more.alertIds.add(e.alertId);
    }
    if (!more.keys.size && !more.alertIds.size) return;
    const second = await store.read(this.partition, { keys: [...more.keys], alertIds: [...more.alertIds] });
    for (const k of more.keys) this.heads.set(k, second.heads.get(k) ?? null);
    for (const a of more.alertIds) this.groups.set(a, second.groups.get(a) ?? null);
  }
}

/**
 * A record whose status is not New is nearly always an update of an alert already counted: Defender for IoT raises
 * every alert New and writes a new record of the same id at each status change (docs/identity.md). Its id entry is
 * read up front (one point read) when the instance's cache does not know it, instead of planning it as new: that
 * plan's insert would fail the batch's transaction (409), and the retry reads the id of every member. One status
 * update among a cold instance's 100 new alerts cost about 100 reads that way.
 */
const likelyUpdate = (m: Member): boolean => m.alert.status !== 'New';

export interface PlanContext {
  spec: KeySpec;
  version: string;
  watermark: number;
  now: Date;
  settled: SettledRows;
}

/** A group as a chunk plans it: a working copy, the ETag it was read with, the rows it owes. */
interface Slot {
  state: GroupState | undefined;
  etag: string | undefined;
  owed: OwedRow[];
  touched: boolean;
}

export interface ChunkPlan {
  outcomes: ApplyOutcome[];
  /**
   * Per member, the key whose writes carry its effect (a key's head, its archived groups and the id entries that
   * name them commit together or not at all), or undefined when it changed nothing (a duplicate, a copy).
   */
  memberKeys: (string | undefined)[];
  /** The commit: groups first (in `committed` order), then id entries. */
  writes: StoreWrite[];
  committed: GroupState[];
  /** Groups the chunk visited without a change: their owed rows still go out (a redelivery after a crash). */
  unchanged: GroupState[];
}

/** The row a slot's group owes now (rows attached to compact entries while their head is unchanged). */
function owedOf(state: GroupState, settled: SettledRows): OwedRow[] {
  const owed: OwedRow[] = [];
  for (const o of state.outbox ?? [])
    if (!settled.has(o)) owed.push(o.row ? o : { ...o, row: owedRow(state, o) });
  return owed;
}

/**
 * Adds a row to an outbox: the newest revision of an AlertId supersedes an older one still owed (see OwedRow),
 * except a group's first row (Revision 1), which stays owed until sent: the analytics rules raise the incident
 * from it (`Revision == 1`, `FirstRevision == 1`), so a sink outage that outlasts a group's first update must not
 * swallow it. An outbox therefore holds at most two rows per AlertId.
 */
export function owe(outbox: OwedRow[], o: OwedRow): void {
  const i = outbox.findIndex((x) => owedSlot(x) === owedSlot(o));
  if (i < 0) outbox.push(o);
  else outbox[i] = o;
}

/** The slot of an owed row in an outbox: a group's first row has its own, any later revision shares one (see owe). */
export const owedSlot = (o: OwedRow): string => (o.revision === 1 ? `${o.alertId}#1` : o.alertId);

/**
 * Plans members of one partition in arrival order against `work`. A member whose vendor alert id has a live
 * entry is an update of the group the entry names, wherever that group is now (routed by id, not by key); any
 * other member joins the head of its key (grouper.applyMember) and gets an id entry. Every group changed, and
 * every entry created or moved, is in the one commit. Pure with respect to `work`.
 */
export function planChunk(members: readonly Member[], work: PartitionWork, ctx: PlanContext): ChunkPlan {
  const at = ctx.now.getTime();
  const expiredBefore = at - ctx.spec.identityRetentionDays * DAY_MS;
  const heads = new Map<string, Slot>();
  const archived = new Map<string, Slot>();
  const idWrites = new Map<string, { entry: IdEntry; etag: string | undefined }>();
  const outcomes: ApplyOutcome[] = [];
  const memberKeys: (string | undefined)[] = [];

  const slotOf = (v: Versioned<GroupState> | null | undefined): Slot => {
    const state = v ? cloneState(v.value) : undefined;
    return { state, etag: v?.etag, owed: state ? owedOf(state, ctx.settled) : [], touched: false };
  };
  const head = (key: string): Slot => {
    let s = heads.get(key);
    if (!s) {
      s = slotOf(work.heads.get(key));
      heads.set(key, s);
    }
    return s;
  };
  const archive = (alertId: string): Slot | undefined => {
    let s = archived.get(alertId);
    if (!s) {
      const read = work.groups.get(alertId);
      if (!read) return undefined;
      s = slotOf(read);
      archived.set(alertId, s);
    }
    return s;
  };
  /** The live entry of an id (this chunk's own writes first), and the ETag a write of it must carry. */
  const entryOf = (id: string): { live?: IdEntry; etag: string | undefined } => {
    const planned = idWrites.get(id);
    if (planned) return { live: planned.entry, etag: planned.etag };
    const read = work.ids.get(id);
    if (!read) return { etag: undefined };
    return read.value.at >= expiredBefore ? { live: read.value, etag: read.etag } : { etag: read.etag };
  };
  const groupOf = (e: IdEntry): Slot | undefined => {
    const h = head(e.key);
    return h.state?.alertId === e.alertId ? h : archive(e.alertId);
  };

  for (const m of members) {
    const mark = m.mark ?? m.origin;
    const id = m.scopedId ? entryOf(m.scopedId) : undefined;
    const target = id?.live ? groupOf(id.live) : undefined;
    if (id?.live && target?.state) {
      // Routed by id: an update of the alert wherever its group is now.
      if (alreadyApplied(target.state, mark)) {
        outcomes.push('duplicate');
        memberKeys.push(undefined);
        continue;
      }
      const r = applyUpdate(target.state, m, id.live.status);
      outcomes.push('update');
      if (r.changed) {
        markApplied(target.state, mark);
        target.touched = true;
      }
      // The entry follows the member's status, and is refreshed a day at a time (its retention runs from it).
      const refresh = r.status !== id.live.status || id.live.at < at - DAY_MS;
      if (refresh) idWrites.set(m.scopedId!, { entry: { ...id.live, status: r.status, at }, etag: id.etag });
      memberKeys.push(r.changed || refresh ? target.state.key : undefined);
      continue;
    }
    const slot = head(m.key);
    const prev = slot.state;
    const step = applyMember(prev, m, ctx.spec, ctx.version);
    outcomes.push(step.outcome);
    memberKeys.push(step.outcome === 'duplicate' ? undefined : m.key);
    if (step.outcome === 'duplicate') continue;
    slot.touched = true;
    if (step.outcome === 'new-group' && prev) {
      let old = prev;
      if (step.superseded) {
        // Its final row: owed by the new head (as before identity), and the archive holds that revision.
        const row = groupRow(prev, prev.revision === 0 ? 'Created' : 'Final', ctx.now);
        owe(slot.owed, { alertId: prev.alertId, revision: prev.revision + 1, reason: 'Final', at, row });
        old = markEmitted(prev, 'Final');
      }
      // Kept by AlertId while its alerts may still send updates: every member has an identity (its vendor id, else
      // its content: identity.ts identityOf), so every group may get one.
      archived.set(old.alertId, {
        state: { ...old, archived: true, outbox: undefined },
        etag: undefined,
        owed: [],
        touched: true,
      });
    }
    slot.state = step.head;
    if (m.scopedId) {
      const status = m.alert.status;
      idWrites.set(m.scopedId, {
        entry: { alertId: step.head.alertId, key: m.key, status, at },
        etag: id?.etag,
      });
    }
  }

  const committed: GroupState[] = [];
  const unchanged: GroupState[] = [];
  const writes: StoreWrite[] = [];
  for (const s of [...heads.values(), ...archived.values()]) {
    if (!s.state) continue;
    let next = s.state;
    const reason = emissionFor(next, ctx.spec, ctx.watermark);
    if (reason) {
      next = markEmitted(next, reason);
      owe(s.owed, { alertId: next.alertId, revision: next.revision, reason, at });
    }
    next.outbox = s.owed.length ? s.owed : undefined;
    // A pure redelivery commits only when it owes a new row (its watermark ended the window of a group with
    // unwritten changes): that revision must be committed before it is written.
    if (!s.touched && !reason) {
      unchanged.push(next);
      continue;
    }
    next.changedAt = at;
    committed.push(next);
    writes.push({ kind: 'group', state: next, etag: s.etag });
  }
  for (const [id, w] of idWrites) writes.push({ kind: 'id', id, entry: w.entry, etag: w.etag });
  return { outcomes, memberKeys, writes, committed, unchanged };
}

/** The key a write belongs to: its group's, or (an id entry) the group's it names. */
export const unitOf = (w: StoreWrite): string => (w.kind === 'id' ? w.entry.key : w.state.key);

/** After a successful commit: the partition's known state is what was committed, with the new ETags. */
export function applyCommitted(
  work: PartitionWork,
  writes: readonly StoreWrite[],
  etags: readonly string[],
): void {
  writes.forEach((w, i) => {
    const etag = etags[i]!;
    if (w.kind === 'id') work.ids.set(w.id, { value: w.entry, etag });
    else if (w.state.archived) work.groups.set(w.state.alertId, { value: w.state, etag });
    else work.heads.set(w.state.key, { value: w.state, etag });
  });
}
