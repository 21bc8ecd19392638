import { type BatchStats, emptyStats } from './batch/batchStats.js';
import { commitBatch } from './batch/commitBatch.js';
import { type KeyedBatch, keyEvents } from './batch/keyEvents.js';
import { owedOf, sendOwed } from './batch/sendOwed.js';
import type { DeadLetterStore } from './deadletter/deadLetterStore.js';
import { emissionFor, markEmitted } from './dedup/grouper.js';
import {
  type CommitResult,
  type GroupState,
  type GroupStore,
  MAX_COMMIT_WRITES,
  type OwedRow,
  type PutResult,
  type StoreWrite,
} from './dedup/groupState.js';
import { DAY_MS } from './dedup/identity.js';
import { type KeySpec, keyVersion } from './dedup/keySpec.js';
import { OWED_GRACE_MS, owedRow, settledRows } from './dedup/outbox.js';
import { owedSlot } from './dedup/planner.js';
import type { EnrichedAlert } from './enrich/enriched.js';
import type { OtAlert, RecordOrigin } from './model/alert.js';
import type { AlertSink } from './sink/alertSink.js';
import { chunks } from './util/chunks.js';
import { groupBy } from './util/groupBy.js';
import { mapLimit } from './util/mapLimit.js';

// Batch statistics live in batch/batchStats.ts; re-exported as the pipeline's public surface.
export { addStats, type BatchStats, emptyStats } from './batch/batchStats.js';

/** Where a batch came from: the Event Hubs trigger metadata, or the file a replay reads. */
export interface BatchMeta {
  /** Event Hubs partition id, or `file:<sha256>` for a replayed file. */
  partition: string;
  /** Per event: Event Hubs sequence number (replay: record ordinal). Defaults to the event's index. */
  sequenceNumbers?: readonly number[];
  enqueuedTimes?: readonly (string | undefined)[];
  /** Per event: a human locator for dead letters (`plant.ndjson:17`). Defaults to `partition P seq S`. */
  locators?: readonly string[];
  /**
   * Redrive (pipeline/deadletter/redrive.ts): per event, the original origin of the one record it carries and
   * its per-record marks key. The record keeps that origin (index included), so a failure re-letters it under
   * the same id, and it is judged and marked under `mark` instead of the partition's high-water mark, which
   * later events of its group have passed.
   */
  redrive?: readonly ({ origin: RecordOrigin; mark: string } | undefined)[];
}

export interface PipelineDeps {
  enrich: (alert: OtAlert) => EnrichedAlert;
  store: GroupStore;
  sink: AlertSink;
  deadLetters: DeadLetterStore;
  spec: KeySpec;
  now?: () => Date;
  /** Commit attempts per key when another instance updated the same group meanwhile. */
  maxConflictRetries?: number;
}

/**
 * The whole pipeline for one batch of events: parse → enrich → key → group → commit → sink.
 * Never throws for bad records (they go to dead letters with the reason), nor when the group store fails
 * (its records are dead-lettered too); it throws only when the dead-letter store fails, or for a redrive batch
 * whose group store fails. At-least-once delivery is made exactly-once in effect by per-partition marks in each
 * group and by committing a group's new state together with the rows it owes (its outbox) before any of them is
 * sent: a row that reaches Sentinel is always a committed revision, so a re-send (retry, redelivery, flush
 * timer) repeats it identically and the loser of an ETag race has written nothing.
 */
export async function processBatch(
  events: readonly unknown[],
  meta: BatchMeta,
  deps: PipelineDeps,
): Promise<BatchStats> {
  return applyBatch(keyBatch(events, meta, deps), meta, deps);
}

/** A batch parsed, enriched and keyed (keyBatch): pure work, ready for applyBatch. */
export interface KeyedWork {
  keyed: KeyedBatch;
  now: Date;
  version: string;
  stats: BatchStats;
}

/**
 * processBatch's first half: parse → enrich → key, no I/O and nothing read from the group store, so a caller
 * that feeds batches back to back (the CLI) can key the next batch while the store answers this one.
 */
export function keyBatch(events: readonly unknown[], meta: BatchMeta, deps: PipelineDeps): KeyedWork {
  const now = deps.now?.() ?? new Date();
  const stats = emptyStats();
  const version = keyVersion(deps.spec);
  return { keyed: keyEvents(events, meta, deps, { now, version, stats }), now, version, stats };
}

/** processBatch's second half: group → commit → sink, for a batch keyBatch keyed. */
export async function applyBatch(work: KeyedWork, meta: BatchMeta, deps: PipelineDeps): Promise<BatchStats> {
  const { keyed, now, version, stats } = work;
  const { byPartition, letters } = keyed;
  const settled = settledRows(deps.store);
  const ctx = { spec: deps.spec, version, now, settled };
  // Commit, then write: rows go to the sink only once the state that owes them is committed (see `sendOwed`).
  const outgoing = await commitBatch(byPartition, meta, deps, ctx, { stats, letters });
  const sent = await sendOwed(deps.sink, outgoing, settled, now);
  stats.sinkRetries += sent.retries;
  stats.rowsWritten += sent.accepted;
  stats.rowsRejected += sent.rejected;
  letters.push(...sent.letters);

  stats.deadLettered = letters.length;
  if (letters.length) await deps.deadLetters.put(letters);
  return stats;
}

/** Flush transactions (and single puts) in flight at once: well within a storage partition's limits. */
const COMMIT_CONCURRENCY = 16;

type PutOutcome = PutResult | { error: unknown };

/**
 * Conditional group writes of a flush: one transaction per partition and MAX_COMMIT_WRITES groups (a flush
 * writing 1,000 groups of 4 zones sends 12 requests, not 1,000), in parallel (bounded). A transaction fails whole
 * when one of its groups was moved on by a live batch (or is over the payload limit): its groups are then written
 * one by one, so only that group is left to the batch. Per write its result, or the store's error.
 */
async function putAll(
  store: GroupStore,
  puts: readonly { head: GroupState; etag: string | undefined }[],
): Promise<PutOutcome[]> {
  const out = new Array<PutOutcome>(puts.length);
  const byPartition = groupBy(puts.keys(), (i) => puts[i]!.head.partition ?? '');
  const one = (i: number) => store.put(puts[i]!.head, puts[i]!.etag).catch((error: unknown) => ({ error }));
  const txs = [...byPartition].flatMap(([partition, ix]) =>
    chunks(ix, MAX_COMMIT_WRITES).map((chunk) => ({ partition, chunk })),
  );
  await mapLimit(txs, COMMIT_CONCURRENCY, async ({ partition, chunk }) => {
    if (chunk.length === 1) {
      out[chunk[0]!] = await one(chunk[0]!);
      return;
    }
    const writes: StoreWrite[] = chunk.map((i) => ({
      kind: 'group',
      state: puts[i]!.head,
      etag: puts[i]!.etag,
    }));
    let r: CommitResult;
    try {
      r = await store.commit(partition, writes);
    } catch (error) {
      for (const i of chunk) out[i] = { error };
      return;
    }
    const results = r.ok
      ? r.etags.map((etag): PutOutcome => ({ ok: true, etag }))
      : await mapLimit(chunk, COMMIT_CONCURRENCY, one);
    chunk.forEach((i, j) => {
      out[i] = results[j]!;
    });
  });
  return out;
}

/**
 * Writes the pending revisions of groups whose window has ended by `until` (event time), or of every
 * dirty group with `all`, and carries what groups still owe: rows owed longer than `owedGraceMs` (every owed
 * row with `all`) are sent again, identical, and settled rows are cleared from the outbox. A new revision is
 * committed before it is sent, as in a batch. In Azure a timer calls this; replay and demo call it at the end.
 */
export async function flushGroups(
  deps: Pick<PipelineDeps, 'store' | 'sink' | 'spec' | 'now' | 'deadLetters'>,
  opts: { until?: number; all?: boolean; owedGraceMs?: number },
): Promise<{ rowsWritten: number; rowsRejected: number; conflicts: number; deadLettered: number }> {
  const now = deps.now?.() ?? new Date();
  const at = now.getTime();
  const settled = settledRows(deps.store);
  const listed = await deps.store.listDirty();
  const until = opts.all ? Number.POSITIVE_INFINITY : (opts.until ?? at);
  const owedBefore = opts.all ? Number.POSITIVE_INFINITY : at - (opts.owedGraceMs ?? OWED_GRACE_MS);
  const out = { rowsWritten: 0, rowsRejected: 0, conflicts: 0, deadLettered: 0 };

  interface Job {
    state: GroupState;
    etag: string;
    /** Entries still owed (rows attached), and whether the stored outbox holds settled ones to drop. */
    owed: Map<string, OwedRow>;
    dropped: boolean;
    commit: boolean;
    due: boolean;
  }
  const jobs: Job[] = [];
  for (const group of listed) {
    const s = group.value;
    const owed = new Map<string, OwedRow>();
    let dropped = false;
    let due = false;
    for (const o of s.outbox ?? []) {
      // A settled row is cleared once it is as old as an owed one would be re-sent (else the group's next
      // batch clears it for free).
      if (settled.has(o)) dropped ||= o.at <= owedBefore;
      else {
        owed.set(owedSlot(o), o); // a compact entry stays valid: only markEmitted below changes the head
        due ||= o.at <= owedBefore;
      }
    }
    const reason = s.dirty
      ? (emissionFor(s, deps.spec, until, 'flush') ?? (opts.all ? 'Updated' : undefined))
      : undefined;
    let state = s;
    if (reason) {
      // The head moves on: a compact entry (rebuilt from the head) gets its row first.
      for (const [slot, o] of owed) if (!o.row) owed.set(slot, { ...o, row: owedRow(s, o) });
      state = markEmitted(s, reason);
      const entry: OwedRow = { alertId: state.alertId, revision: state.revision, reason, at };
      owed.set(owedSlot(entry), entry);
    }
    if (!reason && !due && !dropped) continue;
    state.outbox = owed.size ? [...owed.values()] : undefined;
    jobs.push({ state, etag: group.etag, owed, dropped, commit: reason !== undefined, due });
  }
  if (!jobs.length) {
    await expireIdentity(deps);
    return out;
  }

  // Commit the new revisions first; a group a live batch moved on meanwhile is left to it.
  const commits = jobs.filter((j) => j.commit);
  const results = await putAll(
    deps.store,
    commits.map((j) => ({ head: j.state, etag: j.etag })),
  );
  let failure: unknown;
  const live: Job[] = [];
  commits.forEach((j, i) => {
    const r = results[i]!;
    if ('error' in r) failure ??= r.error;
    else if (!r.ok) out.conflicts++;
    else {
      j.etag = r.etag;
      live.push(j);
    }
  });
  for (const j of jobs) if (!j.commit) live.push(j);

  const outgoing = live.flatMap((j) => (j.commit || j.due ? owedOf(j.state) : []));
  const sent = await sendOwed(deps.sink, outgoing, settled, now);
  out.rowsWritten = sent.accepted;
  out.rowsRejected = sent.rejected;
  out.deadLettered = sent.letters.length;
  if (sent.letters.length) await deps.deadLetters.put(sent.letters);

  // Clear what is settled now: one more put for a group that has something to drop.
  const clears: { head: GroupState; etag: string }[] = [];
  for (const j of live) {
    const left = [...j.owed.values()].filter((o) => !settled.has(o));
    if (left.length === j.owed.size && !(j.dropped && !j.commit)) continue;
    clears.push({ head: { ...j.state, outbox: left.length ? left : undefined }, etag: j.etag });
  }
  for (const r of await putAll(deps.store, clears)) {
    if ('error' in r) failure ??= r.error;
    else if (!r.ok) out.conflicts++; // a live batch moved the group on; its commit drops what is settled
  }
  if (failure !== undefined) throw failure;
  await expireIdentity(deps);
  return out;
}

/** Id entries and archived groups deleted per flush (bounded work; the next flush continues). */
const EXPIRE_PER_FLUSH = 10_000;

/** Retention (docs/identity.md): what is older than `identityRetentionDays` goes, in bounded work per flush. */
async function expireIdentity(deps: Pick<PipelineDeps, 'store' | 'spec' | 'now'>): Promise<void> {
  const at = (deps.now?.() ?? new Date()).getTime();
  await deps.store.expire?.(at - deps.spec.identityRetentionDays * DAY_MS, EXPIRE_PER_FLUSH);
}
