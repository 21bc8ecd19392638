import { groupBy } from '../util/groupBy.js';
import { mapLimit } from '../util/mapLimit.js';
import type { ApplyOutcome, Member } from './grouper.js';
import {
  type CommitResult,
  type GroupState,
  type GroupStore,
  MAX_COMMIT_WRITES,
  type StoreWrite,
} from './groupState.js';
import {
  applyCommitted,
  type ChunkPlan,
  PartitionWork,
  type PlanContext,
  planChunk,
  unitOf,
} from './planner.js';

/** What committing one partition's members did. */
export interface PartitionResult {
  /** Outcomes of the members whose effect is committed (or who had none). */
  outcomes: ApplyOutcome[];
  conflicts: number;
  /** Groups whose owed rows may go out now: committed, or visited without a change. */
  sendable: GroupState[];
  /** Members not applied, by index: the store failed (`error`) or the state kept changing. */
  failed: { index: number; reason: string; error?: unknown }[];
}

/** Transactions of one partition in flight at once (Table Storage: ≤ 2,000 entities/s per partition). */
const TX_CONCURRENCY = 8;
/** Members per transaction on the sequential path (a key with more new alerts than one transaction holds). */
const CHUNK_MEMBERS = 96;

const jitter = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 25 * attempt));

/**
 * Applies a partition's members and commits them. One plan for all members; its writes are split by key (a
 * key's head, archived groups and id entries commit together: see ChunkPlan.memberKeys), packed into
 * transactions of at most 100 writes that go out in parallel. The members of a key whose transaction lost a race
 * (or inserted an id entry that existed: the alert is known after all) are re-read, with their ids, and
 * re-planned. A key with more writes than one transaction holds (a storm of new alerts in one group) takes the
 * sequential path: chunks of members, each its own transaction, in order.
 */
export async function commitPartition(
  store: GroupStore,
  partition: string,
  members: readonly Member[],
  ctx: PlanContext,
  maxAttempts: number,
): Promise<PartitionResult> {
  const out: PartitionResult = { outcomes: [], conflicts: 0, sendable: [], failed: [] };
  let pending = members.map((_, i) => i);
  // Ids are read only once a commit failed (planner.load): most alerts are new, their inserts just succeed.
  let withIds = false;
  for (let attempt = 1; pending.length; attempt++) {
    if (attempt > maxAttempts) {
      for (const index of pending)
        out.failed.push({ index, reason: 'group state kept changing under concurrent writers; retry' });
      return out;
    }
    if (attempt > 2) await jitter(attempt);
    const batch = pending.map((i) => members[i]!);
    const work = new PartitionWork(partition);
    let plan: ChunkPlan;
    try {
      await work.load(store, batch, withIds);
      plan = planChunk(batch, work, ctx);
    } catch (error) {
      for (const index of pending) out.failed.push({ index, reason: storeReason(error), error });
      return out;
    }
    const units = groupBy(plan.writes, unitOf);
    // A key with more writes than one transaction holds goes the sequential path, after the others.
    const big = new Set<string>();
    for (const [k, u] of units) if (u.length > MAX_COMMIT_WRITES) big.add(k);
    for (const k of big) units.delete(k);

    // After a lost race, one transaction per key: a packed one fails for any of its keys, and under contention
    // (two instances on one zone) that starves them all. Isolated, a key loses only to a write of its own.
    const txs = pack([...units.entries()], attempt === 1 ? MAX_COMMIT_WRITES : 0);
    const results = await inParallel(txs, (tx) => store.commit(partition, tx.writes));
    const lost = new Set<string>();
    const broken = new Map<string, unknown>();
    let tooLarge = false;
    let inserted = false;
    results.forEach((r, t) => {
      const tx = txs[t]!;
      if ('error' in r) for (const k of tx.keys) broken.set(k, r.error);
      else if (!r.ok) {
        for (const k of tx.keys) lost.add(k);
        tooLarge ||= r.reason === 'too-large';
        inserted ||= r.reason === 'conflict' && r.inserted === true;
      } else applyCommitted(work, tx.writes, r.etags);
    });
    const next: number[] = [];
    const bigMembers: number[] = [];
    pending.forEach((index, j) => {
      const k = plan.memberKeys[j];
      if (k !== undefined && big.has(k)) bigMembers.push(index);
      else if (k !== undefined && broken.has(k)) {
        // A failed write may still have been applied: its rows then stay owed, and the flush timer sends them.
        const error = broken.get(k);
        out.failed.push({ index, reason: storeReason(error), error });
      } else if (k !== undefined && lost.has(k)) next.push(index);
      else out.outcomes.push(plan.outcomes[j]!);
    });
    for (const st of plan.committed)
      if (!lost.has(st.key) && !broken.has(st.key) && !big.has(st.key)) out.sendable.push(st);
    out.sendable.push(...plan.unchanged);
    if (bigMembers.length)
      await sequential(store, work, partition, members, bigMembers, ctx, maxAttempts, out, withIds);
    if (tooLarge && next.length) {
      // Over the payload limit (large states): fewer writes per transaction, in order.
      return sequential(
        store,
        new PartitionWork(partition),
        partition,
        members,
        next,
        ctx,
        maxAttempts,
        out,
        true,
      );
    }
    if (next.length) out.conflicts++;
    // A round that committed something made progress: only rounds that commit nothing use up attempts.
    if (next.length < pending.length) attempt = Math.min(attempt, 2);
    pending = next;
    // An insert met an existing entity: an id may be known after all, so the retry reads the ids. A stale
    // ETag alone is a race on a head: re-reading the heads is enough.
    withIds ||= inserted;
  }
  return out;
}

const storeReason = (e: unknown): string => `group store unavailable: ${(e as Error)?.message ?? String(e)}`;

/** Units into transactions of at most `max` writes (first fit, in plan order); `max` 0: one per unit. */
function pack(units: [string, StoreWrite[]][], max: number): { keys: string[]; writes: StoreWrite[] }[] {
  const txs: { keys: string[]; writes: StoreWrite[] }[] = [];
  for (const [key, writes] of units) {
    const tx = txs.find((t) => t.writes.length + writes.length <= max);
    if (tx) {
      tx.keys.push(key);
      tx.writes.push(...writes);
    } else txs.push({ keys: [key], writes: [...writes] });
  }
  return txs;
}

/** Commits in parallel (bounded); per transaction its result, or the store's error. */
function inParallel<T>(
  items: readonly T[],
  run: (item: T) => Promise<CommitResult>,
): Promise<(CommitResult | { error: unknown })[]> {
  return mapLimit(items, TX_CONCURRENCY, (item) => run(item).catch((error: unknown) => ({ error })));
}

/**
 * The sequential path: chunks of members in arrival order, each planned on what the previous ones committed and
 * committed as one transaction; a chunk over the transaction's limits is halved and planned again.
 */
async function sequential(
  store: GroupStore,
  work: PartitionWork,
  partition: string,
  members: readonly Member[],
  pending: readonly number[],
  ctx: PlanContext,
  maxAttempts: number,
  out: PartitionResult,
  withIds: boolean,
): Promise<PartitionResult> {
  let size = CHUNK_MEMBERS;
  let attempt = 1;
  for (let i = 0; i < pending.length; ) {
    const chunk = pending.slice(i, i + size).map((j) => members[j]!);
    let result: CommitResult;
    let plan: ChunkPlan;
    try {
      await work.load(store, chunk, withIds);
      plan = planChunk(chunk, work, ctx);
      if (plan.writes.length > MAX_COMMIT_WRITES && size > 1) {
        // Members write one id entry each, plus their groups: shrink by the excess.
        size = Math.max(1, Math.min(size - 1, size - (plan.writes.length - MAX_COMMIT_WRITES)));
        continue;
      }
      result = plan.writes.length ? await store.commit(partition, plan.writes) : { ok: true, etags: [] };
    } catch (error) {
      for (const index of pending.slice(i)) out.failed.push({ index, reason: storeReason(error), error });
      return out;
    }
    if (!result.ok && result.reason === 'too-large' && size > 1) {
      size = Math.ceil(size / 2);
      continue;
    }
    if (!result.ok) {
      out.conflicts++;
      if (++attempt > maxAttempts || result.reason === 'too-large') {
        const reason =
          result.reason === 'too-large'
            ? 'the group state of this record does not fit one store transaction'
            : 'group state kept changing under concurrent writers; retry';
        for (const index of pending.slice(i)) out.failed.push({ index, reason });
        return out;
      }
      if (attempt > 2) await jitter(attempt);
      withIds ||= result.reason === 'conflict' && result.inserted === true;
      work = new PartitionWork(partition);
      continue;
    }
    applyCommitted(work, plan.writes, result.etags);
    out.outcomes.push(...plan.outcomes);
    out.sendable.push(...plan.committed, ...plan.unchanged);
    i += chunk.length;
    attempt = 1;
  }
  return out;
}
