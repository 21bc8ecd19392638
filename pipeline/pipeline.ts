import {
  capRaw,
  type DeadLetter,
  type DeadLetterStage,
  type DeadLetterStore,
} from './deadletter/deadLetterStore.js';
import {
  type ApplyOutcome,
  applyMember,
  emissionFor,
  type Member,
  markEmitted,
  type RowReason,
} from './dedup/grouper.js';
import { groupKey } from './dedup/groupKey.js';
import { groupRow } from './dedup/groupRow.js';
import type { GroupState, GroupStore, Versioned } from './dedup/groupState.js';
import { type KeySpec, keyVersion } from './dedup/keySpec.js';
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
  head: GroupState;
  /** Rows to write, each with the state to commit when it is the head's row. */
  rows: { row: OtAlertsRow; reason: RowReason; isHead: boolean }[];
  outcomes: ApplyOutcome[];
  changed: boolean;
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
 * The whole pipeline for one batch of events: parse → enrich → key → group → sink → commit.
 * Never throws for bad records (they go to dead letters with the reason), nor when the group store fails
 * (its records are dead-lettered too); it throws only when the dead-letter store fails, or for a redrive batch
 * whose group store fails. At-least-once delivery is made exactly-once in effect by per-partition marks in each
 * group and by committing a group only after the sink accepted its row.
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
      planKey(key, byKey.get(key)!.members, heads.get(key), deps.spec, version, watermark, now),
    );
    if (attempt === 1) for (const p of plans) for (const o of p.outcomes) countOutcome(stats, o);

    const rows = plans.flatMap((p) => p.rows.map((r) => r.row));
    const result = rows.length ? await deps.sink.write(rows) : { accepted: [], rejected: [], retries: 0 };
    stats.sinkRetries += result.retries;
    stats.rowsWritten += result.accepted.length;
    stats.rowsRejected += result.rejected.length;
    const rejectedAt = new Map(result.rejected.map((r) => [r.index, r.reason]));

    const commits: { key: string; head: GroupState; etag: string | undefined }[] = [];
    let rowIndex = 0;
    for (const plan of plans) {
      const reasons: string[] = [];
      let head = plan.head;
      for (const r of plan.rows) {
        const reason = rejectedAt.get(rowIndex++);
        if (reason !== undefined) reasons.push(reason);
        else if (r.isHead) head = markEmitted(head, r.reason);
      }
      const keyed = byKey.get(plan.key)!;
      if (reasons.length) {
        // The store stays as it was, so a redrive of these records re-applies them cleanly.
        keyed.members.forEach((m, j) => {
          letters.push(
            letter(
              'sink',
              `sink rejected the group's row: ${reasons.join('; ')}`,
              keyed.records[j]!.raw,
              m.origin,
              now,
            ),
          );
        });
        continue;
      }
      // A pure redelivery commits nothing, unless it wrote a row (its watermark ended the window of a group with
      // unwritten changes): that revision must be recorded, or a later row would reuse it with other content.
      if (!plan.changed && !plan.rows.length) continue;
      commits.push({ key: plan.key, head, etag: plan.etag });
    }
    // Each key is its own conditional write, so they go out in parallel (bounded), as getMany's reads do;
    // a durable store pays one round trip per group, and one after the other they dominated a batch.
    const { conflicted, failed } = await commitAll(deps.store, commits);
    // The rows of a failed commit may be in Sentinel already: the redrive rewrites the same revision.
    for (const f of failed) storeFailed([f.key], f.error);
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

  stats.deadLettered = letters.length;
  if (letters.length) await deps.deadLetters.put(letters);
  return stats;
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
  const lost = new Array<boolean>(commits.length).fill(false);
  const failed: { key: string; error: unknown }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < commits.length) {
      const i = next++;
      const c = commits[i]!;
      try {
        const put = await store.put(c.head, c.etag);
        if (!put.ok) lost[i] = true;
      } catch (error) {
        failed.push({ key: c.key, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(COMMIT_CONCURRENCY, commits.length) }, worker));
  return { conflicted: commits.filter((_, i) => lost[i]).map((c) => c.key), failed };
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
): KeyPlan {
  let head = stored?.value;
  const rows: KeyPlan['rows'] = [];
  const outcomes: ApplyOutcome[] = [];
  for (const m of members) {
    const step = applyMember(head, m, spec, version);
    outcomes.push(step.outcome);
    if (step.superseded) {
      const s = step.superseded;
      rows.push({
        row: groupRow(s, s.revision === 0 ? 'Created' : 'Final', now),
        reason: 'Final',
        isHead: false,
      });
    }
    head = step.head;
  }
  const changed = outcomes.some((o) => o !== 'duplicate');
  const plan: KeyPlan = { key, etag: stored?.etag, head: head!, rows, outcomes, changed };
  const reason = emissionFor(plan.head, spec, watermark);
  if (reason) rows.push({ row: groupRow(plan.head, reason, now), reason, isHead: true });
  return plan;
}

/**
 * Writes the pending revisions of groups whose window has ended by `until` (event time), or of every
 * dirty group with `all`. In Azure a timer calls this; replay and demo call it at the end.
 */
export async function flushGroups(
  deps: Pick<PipelineDeps, 'store' | 'sink' | 'spec' | 'now'>,
  opts: { until?: number; all?: boolean },
): Promise<{ rowsWritten: number; rowsRejected: number; conflicts: number }> {
  const now = deps.now?.() ?? new Date();
  const dirty = await deps.store.listDirty();
  const until = opts.all ? Number.POSITIVE_INFINITY : (opts.until ?? now.getTime());
  const due: { group: Versioned<GroupState>; reason: RowReason }[] = [];
  for (const group of dirty) {
    const reason = emissionFor(group.value, deps.spec, until) ?? (opts.all ? 'Updated' : undefined);
    if (reason) due.push({ group, reason });
  }
  const out = { rowsWritten: 0, rowsRejected: 0, conflicts: 0 };
  if (!due.length) return out;
  const result = await deps.sink.write(due.map((d) => groupRow(d.group.value, d.reason, now)));
  out.rowsWritten = result.accepted.length;
  out.rowsRejected = result.rejected.length;
  for (const i of result.accepted) {
    const d = due[i]!;
    const put = await deps.store.put(markEmitted(d.group.value, d.reason), d.group.etag);
    if (!put.ok) out.conflicts++; // a live batch moved the group on; it will write its own revision
  }
  return out;
}
