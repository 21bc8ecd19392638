import {
  capRaw,
  type DeadLetter,
  type DeadLetterStage,
  type DeadLetterStore,
} from './deadletter/deadLetterStore.js';
import { type ApplyOutcome, applyMember, emissionFor, type Member, markEmitted } from './dedup/grouper.js';
import { groupKey } from './dedup/groupKey.js';
import { groupRow } from './dedup/groupRow.js';
import type { GroupState, GroupStore, OwedRow, PutResult, Versioned } from './dedup/groupState.js';
import { type KeySpec, keyVersion } from './dedup/keySpec.js';
import { OWED_GRACE_MS, owedRow, type SettledRows, settledRows } from './dedup/outbox.js';
import type { EnrichedAlert } from './enrich/enriched.js';
import type { OtAlert, RecordOrigin } from './model/alert.js';
import { parseRecord } from './parse/index.js';
import { type RawRecord, splitEvent } from './parse/records.js';
import type { AlertSink } from './sink/logsIngestionSink.js';
import type { OtAlertsRow } from './sink/schema.js';

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

/** The outcome of applying a key's members to its stored head. */
interface KeyPlan {
  key: string;
  etag: string | undefined;
  /** The state to commit, its outbox holding every row the group owes (the new ones included). */
  head: GroupState;
  outcomes: ApplyOutcome[];
  /** Whether the head changed or owes a new row (else the batch commits nothing for this key). */
  commit: boolean;
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
  const byKey = new Map<string, Keyed>();
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
      let keyed = byKey.get(key);
      if (!keyed) {
        keyed = { members: [], records: [] };
        byKey.set(key, keyed);
      }
      if (redo)
        keyed.members.push({
          alert,
          origin,
          key,
          mark: { partition: redo.mark, sequence: 0, index: rec.index },
        });
      else keyed.members.push({ alert, origin, key });
      keyed.records.push(rec);
      const t = Date.parse(alert.firstSeen);
      if (t > watermark) watermark = t;
    }
  }

  let pending = [...byKey.keys()];
  const maxAttempts = 1 + (deps.maxConflictRetries ?? 8);
  const settled = settledRows(deps.store);
  /**
   * The group store failed (an outage beyond its SDK's retries). The trigger checkpoints even when the handler
   * throws, so throwing would drop the batch: its records are dead-lettered (`commit`) for the redrive instead.
   * A redrive batch still throws, so the redriver defers its letters without counting an attempt.
   */
  const storeFailed = (keys: readonly string[], e: unknown) => {
    if (meta.redrive) throw e;
    const reason = `group store unavailable: ${(e as Error)?.message ?? String(e)}`;
    for (const key of keys) {
      const keyed = byKey.get(key)!;
      keyed.members.forEach((m, j) => {
        letters.push(letter('commit', reason, keyed.records[j]!.raw, m.origin, now));
      });
    }
  };
  // Commit, then write: rows go to the sink only once the state that owes them is committed (see `send`).
  const outgoing: Outgoing[] = [];
  for (let attempt = 1; attempt <= maxAttempts && pending.length; attempt++) {
    // Jittered backoff so two racing instances stop colliding on the same group.
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 25 * attempt));
    let heads: Map<string, Versioned<GroupState>>;
    try {
      heads = await deps.store.getMany(pending);
    } catch (e) {
      storeFailed(pending, e);
      pending = [];
      break;
    }
    const plans = pending.map((key) =>
      planKey(key, byKey.get(key)!.members, heads.get(key), deps.spec, version, watermark, now, settled),
    );
    if (attempt === 1) for (const p of plans) for (const o of p.outcomes) countOutcome(stats, o);

    const commits: { key: string; head: GroupState; etag: string | undefined }[] = [];
    for (const plan of plans) {
      // A pure redelivery commits nothing, but still sends what its group owes (a crash after the commit, an
      // unanswered write): the rows are committed already, and each goes out identical every time.
      if (plan.commit) commits.push({ key: plan.key, head: plan.head, etag: plan.etag });
      else outgoing.push(...owedOf(plan.head));
    }
    // Each key is its own conditional write, so they go out in parallel (bounded), as getMany's reads do;
    // a durable store pays one round trip per group, and one after the other they dominated a batch.
    const { conflicted, failed } = await commitAll(deps.store, commits);
    const lost = new Set([...conflicted, ...failed.map((f) => f.key)]);
    // A failed write may still have been applied: its rows then stay owed, and the flush timer sends them.
    for (const f of failed) storeFailed([f.key], f.error);
    for (const c of commits) if (!lost.has(c.key)) outgoing.push(...owedOf(c.head));
    // The loser of a race wrote nothing: it re-reads and re-applies.
    stats.conflicts += conflicted.length;
    pending = conflicted;
  }
  for (const key of pending) {
    const keyed = byKey.get(key)!;
    keyed.members.forEach((m, j) => {
      letters.push(
        letter(
          'commit',
          'group state kept changing under concurrent writers; retry',
          keyed.records[j]!.raw,
          m.origin,
          now,
        ),
      );
    });
  }
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
  outgoing: readonly Outgoing[],
  settled: SettledRows,
  now: Date,
): Promise<{ accepted: number; rejected: number; retries: number; letters: DeadLetter[] }> {
  const out = { accepted: 0, rejected: 0, retries: 0, letters: [] as DeadLetter[] };
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

/** Parallel commits per batch: the Table store's read concurrency, well within a storage partition's limits. */
const COMMIT_CONCURRENCY = 16;

/**
 * Puts every head with its ETag. Returns the keys that lost a race, in the order they were given, and those whose
 * write failed (the store's error): one failed write neither stops nor hides the others.
 */
async function commitAll(
  store: GroupStore,
  commits: readonly { key: string; head: GroupState; etag: string | undefined }[],
): Promise<{ conflicted: string[]; failed: { key: string; error: unknown }[] }> {
  const results = await putAll(store, commits);
  const conflicted: string[] = [];
  const failed: { key: string; error: unknown }[] = [];
  commits.forEach((c, i) => {
    const r = results[i]!;
    if ('error' in r) failed.push({ key: c.key, error: r.error });
    else if (!r.ok) conflicted.push(c.key);
  });
  return { conflicted, failed };
}

/** Conditional puts in parallel (bounded); per put its result, or the store's error. */
async function putAll(
  store: GroupStore,
  puts: readonly { head: GroupState; etag: string | undefined }[],
): Promise<(PutResult | { error: unknown })[]> {
  const results = new Array<PutResult | { error: unknown }>(puts.length);
  let next = 0;
  const worker = async () => {
    while (next < puts.length) {
      const i = next++;
      const p = puts[i]!;
      try {
        results[i] = await store.put(p.head, p.etag);
      } catch (error) {
        results[i] = { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(COMMIT_CONCURRENCY, puts.length) }, worker));
  return results;
}

function countOutcome(stats: BatchStats, o: ApplyOutcome): void {
  if (o === 'new-group') stats.newGroups++;
  else if (o === 'merged') stats.merged++;
  else if (o === 'repeat') stats.repeats++;
  else stats.duplicates++;
}

function planKey(
  key: string,
  members: readonly Member[],
  stored: Versioned<GroupState> | undefined,
  spec: KeySpec,
  version: string,
  watermark: number,
  now: Date,
  settled: SettledRows,
): KeyPlan {
  let head = stored?.value;
  const at = now.getTime();
  // What the group still owes, minus what this process knows is settled (the lazy clear). Each entry gets its
  // row now, while the head it was committed with is still unchanged. (An array: an outbox holds one or two.)
  const owed: OwedRow[] = [];
  for (const o of head?.outbox ?? [])
    if (!settled.has(o)) owed.push(o.row ? o : { ...o, row: owedRow(head!, o) });
  const outcomes: ApplyOutcome[] = [];
  for (const m of members) {
    const step = applyMember(head, m, spec, version);
    outcomes.push(step.outcome);
    if (step.superseded) {
      const s = step.superseded;
      const row = groupRow(s, s.revision === 0 ? 'Created' : 'Final', now);
      owe(owed, { alertId: s.alertId, revision: s.revision + 1, reason: 'Final', at, row });
    }
    head = step.head;
  }
  const changed = outcomes.some((o) => o !== 'duplicate');
  let next = head!;
  const reason = emissionFor(next, spec, watermark);
  if (reason) {
    next = markEmitted(next, reason);
    owe(owed, { alertId: next.alertId, revision: next.revision, reason, at });
  }
  next.outbox = owed.length ? owed : undefined;
  // A pure redelivery commits only when it owes a new row (its watermark ended the window of a group with
  // unwritten changes): that revision must be committed before it is written.
  return { key, etag: stored?.etag, head: next, outcomes, commit: changed || reason !== undefined };
}

/**
 * Adds a row to an outbox: the newest revision of an AlertId supersedes an older one still owed (see OwedRow),
 * except a group's first row (Revision 1), which stays owed until sent: the analytics rules raise the incident
 * from it (`Revision == 1`, `FirstRevision == 1`), so a sink outage that outlasts a group's first update must not
 * swallow it. An outbox therefore holds at most two rows per AlertId.
 */
function owe(outbox: OwedRow[], o: OwedRow): void {
  const i = outbox.findIndex((x) => owedSlot(x) === owedSlot(o));
  if (i < 0) outbox.push(o);
  else outbox[i] = o;
}

/** The slot of an owed row in an outbox: a group's first row has its own, any later revision shares one (see owe). */
const owedSlot = (o: OwedRow): string => (o.revision === 1 ? `${o.alertId}#1` : o.alertId);

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
  if (!jobs.length) return out;

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
  return out;
}
