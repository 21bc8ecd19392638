import {
  capRaw,
  type DeadLetter,
  type DeadLetterStage,
  type DeadLetterStore,
} from './deadletter/deadLetterStore.js';
import { commitPartition } from './dedup/commitPartition.js';
import { type ApplyOutcome, emissionFor, type Member, markEmitted } from './dedup/grouper.js';
import { groupKey } from './dedup/groupKey.js';
import type { GroupState, GroupStore, OwedRow, PutResult } from './dedup/groupState.js';
import { DAY_MS, partitionOf, scopedIdOf } from './dedup/identity.js';
import { type KeySpec, keyVersion } from './dedup/keySpec.js';
import { OWED_GRACE_MS, owedRow, type SettledRows, settledRows } from './dedup/outbox.js';
import { owedSlot, type PlanContext } from './dedup/planner.js';
import type { EnrichedAlert } from './enrich/enriched.js';
import type { OtAlert, RecordOrigin } from './model/alert.js';
import { parseRecord } from './parse/index.js';
import { type RawRecord, splitEvent } from './parse/records.js';
import type { AlertSink } from './sink/logsIngestionSink.js';
import type { OtAlertsRow } from './sink/schema.js';
import { mapLimit } from './util/mapLimit.js';

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

export interface BatchStats {
  events: number;
  records: number;
  parsed: number;
  deadLettered: number;
  newGroups: number;
  merged: number;
  /** Records of a vendor alert id already applied: updates of its group (routed by id), never a new count. */
  repeats: number;
  duplicates: number;
  rowsWritten: number;
  rowsRejected: number;
  conflicts: number;
  sinkRetries: number;
}

export const emptyStats = (): BatchStats => ({
  events: 0,
  records: 0,
  parsed: 0,
  deadLettered: 0,
  newGroups: 0,
  merged: 0,
  repeats: 0,
  duplicates: 0,
  rowsWritten: 0,
  rowsRejected: 0,
  conflicts: 0,
  sinkRetries: 0,
});

export function addStats(into: BatchStats, add: BatchStats): BatchStats {
  for (const k of Object.keys(into) as (keyof BatchStats)[]) into[k] += add[k];
  return into;
}

interface Keyed {
  members: Member[];
  /**
   * Each member's raw record. Its `raw` text is read only for a dead letter: a record that arrived already
   * parsed (an export envelope's element, a body the host JSON-parsed) would otherwise be re-serialised.
   */
  records: RawRecord[];
}

function letter(
  stage: DeadLetterStage,
  reason: string,
  raw: string,
  origin: RecordOrigin,
  now: Date,
): DeadLetter {
  return { stage, reason, raw: capRaw(raw), origin, attempts: 1, failedAt: now.toISOString() };
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
  const now = deps.now?.() ?? new Date();
  const stats = emptyStats();
  const version = keyVersion(deps.spec);
  const letters: DeadLetter[] = [];
  const byPartition = new Map<string, Keyed>();
  let watermark = Number.NEGATIVE_INFINITY;
  stats.events = events.length;

  for (let i = 0; i < events.length; i++) {
    const sequence = meta.sequenceNumbers?.[i] ?? i;
    const locator = meta.locators?.[i] ?? `partition ${meta.partition} seq ${sequence}`;
    const enqueuedTime = meta.enqueuedTimes?.[i];
    const redo = meta.redrive?.[i];
    for (const rec of splitEvent(events[i])) {
      stats.records++;
      let origin: RecordOrigin;
      if (redo) {
        origin = { ...redo.origin };
        if (rec.index) {
          origin.index += rec.index;
          origin.locator += ` +${rec.index}`;
        }
      } else {
        origin = {
          partition: meta.partition,
          sequence,
          index: rec.index,
          locator: rec.index ? `${locator} #${rec.index}` : locator,
        };
        if (enqueuedTime) origin.enqueuedTime = enqueuedTime;
      }
      if ('error' in rec) {
        letters.push(letter('split', rec.error, rec.raw, origin, now));
        continue;
      }
      const parsed = parseRecord(rec.value, enqueuedTime ? { receivedAt: enqueuedTime } : undefined);
      if (!parsed.ok) {
        letters.push(letter('parse', parsed.reason, rec.raw, origin, now));
        continue;
      }
      stats.parsed++;
      let alert: EnrichedAlert;
      try {
        alert = deps.enrich(parsed.alert);
      } catch (e) {
        letters.push(letter('enrich', `enrichment failed: ${(e as Error).message}`, rec.raw, origin, now));
        continue;
      }
      // The record's own identity only keys it when a missing field must never group (missing = 'never').
      const unique =
        deps.spec.missing === 'never' ? `${origin.partition}/${origin.sequence}/${origin.index}` : '';
      const key = groupKey(alert, deps.spec, version, unique);
      const partition = partitionOf(alert, deps.spec);
      let keyed = byPartition.get(partition);
      if (!keyed) {
        keyed = { members: [], records: [] };
        byPartition.set(partition, keyed);
      }
      const member: Member = { alert, origin, key, partition };
      const scopedId = scopedIdOf(alert);
      if (scopedId) member.scopedId = scopedId;
      if (redo) member.mark = { partition: redo.mark, sequence: 0, index: rec.index };
      keyed.members.push(member);
      keyed.records.push(rec);
      const t = Date.parse(alert.firstSeen);
      if (t > watermark) watermark = t;
    }
  }

  const settled = settledRows(deps.store);
  const ctx: PlanContext = { spec: deps.spec, version, watermark, now, settled };
  const maxAttempts = 1 + (deps.maxConflictRetries ?? 8);
  // Commit, then write: rows go to the sink only once the state that owes them is committed (see `send`).
  const outgoing: Outgoing[] = [];
  const runPartition = async (partition: string, part: Keyed) => {
    const r = await commitPartition(deps.store, partition, part.members, ctx, maxAttempts);
    for (const o of r.outcomes) countOutcome(stats, o);
    stats.conflicts += r.conflicts;
    for (const st of r.sendable) outgoing.push(...owedOf(st));
    for (const f of r.failed) {
      /**
       * The group store failed (an outage beyond its SDK's retries). The trigger checkpoints even when the
       * handler throws, so throwing would drop the batch: its records are dead-lettered (`commit`) for the
       * redrive instead. A redrive batch still throws, so the redriver defers its letters without an attempt.
       */
      if (f.error !== undefined && meta.redrive) throw f.error;
      letters.push(
        letter('commit', f.reason, part.records[f.index]!.raw, part.members[f.index]!.origin, now),
      );
    }
  };
  await mapLimit([...byPartition.entries()], PARTITION_CONCURRENCY, ([partition, part]) =>
    runPartition(partition, part),
  );
  const sent = await send(deps.sink, outgoing, settled, now);
  stats.sinkRetries += sent.retries;
  stats.rowsWritten += sent.accepted;
  stats.rowsRejected += sent.rejected;
  letters.push(...sent.letters);

  stats.deadLettered = letters.length;
  if (letters.length) await deps.deadLetters.put(letters);
  return stats;
}

/** A committed row on its way to the sink. */
interface Outgoing {
  owed: OwedRow;
  row: OtAlertsRow;
}

function owedOf(head: GroupState): Outgoing[] {
  return (head.outbox ?? []).map((owed) => ({ owed, row: owedRow(head, owed) }));
}

/**
 * Sends committed rows. Accepted ones are settled (the group's next commit, or the flush timer, drops them from
 * its outbox). A retryable refusal (5xx, timeout, deadline) leaves the row owed: the group's next batch or the
 * flush timer sends it again, identical; its records are not dead-lettered, their state is committed. A row
 * refused for good (4xx once isolated) would be refused every time: it is dead-lettered on its own (stage `row`,
 * the row as sent, for a person) and settled, so its group moves on and nothing loops.
 */
async function send(
  sink: AlertSink,
  outgoing: Outgoing[],
  settled: SettledRows,
  now: Date,
): Promise<{ accepted: number; rejected: number; retries: number; letters: DeadLetter[] }> {
  const out = { accepted: 0, rejected: 0, retries: 0, letters: [] as DeadLetter[] };
  // A group a batch committed in two chunks lists a row it still owes twice: one (AlertId, Revision) is one row.
  const seen = new Set<string>();
  outgoing = outgoing.filter((o) => {
    const k = `${o.owed.alertId}#${o.owed.revision}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (!outgoing.length) return out;
  const result = await sink.write(outgoing.map((o) => o.row));
  out.retries = result.retries;
  out.accepted = result.accepted.length;
  out.rejected = result.rejected.length;
  for (const i of result.accepted) settled.add(outgoing[i]!.owed.alertId, outgoing[i]!.owed.revision);
  for (const r of result.rejected) {
    if (r.retryable) continue;
    const { owed, row } = outgoing[r.index]!;
    const origin: RecordOrigin = {
      partition: `row:${owed.alertId}`,
      sequence: owed.revision,
      index: 0,
      locator: `OTAlerts_CL row ${owed.alertId} revision ${owed.revision}`,
    };
    out.letters.push(
      letter('row', `the sink refused the row: ${r.reason}`, JSON.stringify(row), origin, now),
    );
    settled.add(owed.alertId, owed.revision);
  }
  return out;
}

/** Partitions committed in parallel per batch: each is its own transaction, as reads of the Table store are. */
const PARTITION_CONCURRENCY = 16;
/** Parallel single-group writes (flushes): well within a storage partition's limits. */
const COMMIT_CONCURRENCY = 16;

/** Conditional puts in parallel (bounded); per put its result, or the store's error. */
function putAll(
  store: GroupStore,
  puts: readonly { head: GroupState; etag: string | undefined }[],
): Promise<(PutResult | { error: unknown })[]> {
  return mapLimit(puts, COMMIT_CONCURRENCY, (p) =>
    store.put(p.head, p.etag).catch((error: unknown) => ({ error })),
  );
}

function countOutcome(stats: BatchStats, o: ApplyOutcome): void {
  if (o === 'new-group') stats.newGroups++;
  else if (o === 'merged') stats.merged++;
  else if (o === 'update') stats.repeats++;
  else stats.duplicates++;
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
      ? (emissionFor(s, deps.spec, until) ?? (opts.all ? 'Updated' : undefined))
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
  const sent = await send(deps.sink, outgoing, settled, now);
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
