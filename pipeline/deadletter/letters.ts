/**
 * Dead-letter records shared by every store: ids from the record's origin, ordering by age, the merge rule for a
 * letter dead-lettered again, and the stored JSON's schema.
 */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RecordOrigin } from '../model/alert.js';
import {
  capRaw,
  DEFAULT_MAX_ATTEMPTS,
  type DeadLetter,
  type DeadLetterFailure,
  type DeadLetterStage,
  MAX_HISTORY,
  type StoredDeadLetter,
} from './deadLetterStore.js';

export const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** The record a letter is about, whatever stage failed: partition, sequence and index. */
export function originKey(origin: Pick<RecordOrigin, 'partition' | 'sequence' | 'index'>): string {
  return hash(`${origin.partition}\n${origin.sequence}\n${origin.index}`);
}

/** A letter's id: the record and the stage, so a redelivered batch's letter overwrites its earlier copy. */
export function deadLetterId(
  origin: Pick<RecordOrigin, 'partition' | 'sequence' | 'index'>,
  stage: DeadLetterStage,
): string {
  return hash(`${origin.partition}\n${origin.sequence}\n${origin.index}\n${stage}`);
}

/** A record's first failure, as a batch dead-letters it (its text capped). */
export function newLetter(
  stage: DeadLetterStage,
  reason: string,
  raw: string,
  origin: RecordOrigin,
  now: Date,
): DeadLetter {
  return { stage, reason, raw: capRaw(raw), origin, attempts: 1, failedAt: now.toISOString() };
}

export const time = (s: string) => Date.parse(s) || 0;

/** Oldest first: first failure, then partition, sequence, index. */
export function byAge(a: StoredDeadLetter, b: StoredDeadLetter): number {
  return (
    time(a.firstFailedAt) - time(b.firstFailedAt) ||
    (a.origin.partition < b.origin.partition ? -1 : a.origin.partition > b.origin.partition ? 1 : 0) ||
    a.origin.sequence - b.origin.sequence ||
    a.origin.index - b.origin.index ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function capHistory(h: DeadLetterFailure[]): DeadLetterFailure[] {
  return h.length > MAX_HISTORY ? [h[0]!, ...h.slice(h.length - (MAX_HISTORY - 1))] : h;
}

export const failureKey = (f: DeadLetterFailure) => `${f.at}\n${f.stage}\n${f.reason}`;

/** Builds the stored form in a fixed field order (readable NDJSON: `raw` last). */
export function shape(l: Omit<StoredDeadLetter, 'failedAt'>): StoredDeadLetter {
  return {
    id: l.id,
    state: l.state,
    stage: l.stage,
    reason: l.reason,
    attempts: l.attempts,
    firstFailedAt: l.firstFailedAt,
    lastFailedAt: l.lastFailedAt,
    failedAt: l.lastFailedAt,
    origin: { ...l.origin },
    history: l.history.map((h) => ({ ...h })),
    raw: l.raw,
  };
}

/**
 * The stored form of a letter handed to `put`: a fresh one from the pipeline (1 attempt), or one that
 * already carries its history (moved from another store).
 */
export function toStored(
  letter: DeadLetter | StoredDeadLetter,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
  /** Read back from storage: already capped (capping again would truncate the truncation marker). */
  stored = false,
): StoredDeadLetter {
  const s = letter as Partial<StoredDeadLetter>;
  const history = s.history?.length
    ? [...s.history].sort((a, b) => time(a.at) - time(b.at))
    : [{ at: letter.failedAt, stage: letter.stage, reason: letter.reason }];
  const attempts = Math.max(1, letter.attempts || 0, history.length);
  const last = history[history.length - 1]!;
  return shape({
    id: deadLetterId(letter.origin, letter.stage),
    state: s.state === 'parked' || attempts >= maxAttempts ? 'parked' : 'pending',
    stage: letter.stage,
    reason: letter.reason,
    attempts,
    firstFailedAt: s.firstFailedAt ?? history[0]!.at,
    lastFailedAt: s.lastFailedAt ?? last.at,
    origin: letter.origin,
    history: capHistory(history),
    raw: stored ? letter.raw : capRaw(letter.raw),
  });
}

/** `existing` with the failures of `incoming` it does not have yet (same letter id). */
export function mergeLetter(
  existing: StoredDeadLetter,
  incoming: DeadLetter | StoredDeadLetter,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): { letter: StoredDeadLetter; changed: boolean } {
  const inc = toStored(incoming, Number.POSITIVE_INFINITY);
  const seen = new Set(existing.history.map(failureKey));
  const fresh = inc.history.filter((h) => !seen.has(failureKey(h)));
  if (!fresh.length) return { letter: existing, changed: false };
  const history = [...existing.history, ...fresh].sort((a, b) => time(a.at) - time(b.at));
  const last = history[history.length - 1]!;
  const attempts = existing.attempts + fresh.length;
  return {
    letter: shape({
      ...existing,
      state: existing.state === 'parked' || attempts >= maxAttempts ? 'parked' : 'pending',
      reason: last.reason,
      attempts,
      firstFailedAt:
        time(inc.firstFailedAt) < time(existing.firstFailedAt) ? inc.firstFailedAt : existing.firstFailedAt,
      lastFailedAt: time(last.at) > time(existing.lastFailedAt) ? last.at : existing.lastFailedAt,
      history: capHistory(history),
    }),
    changed: true,
  };
}

/** `letter` after one more failed attempt. */
export function withFailure(
  letter: StoredDeadLetter,
  reason: string,
  opts: { stage?: DeadLetterStage; at: Date; maxAttempts: number },
): StoredDeadLetter {
  const entry: DeadLetterFailure = { at: opts.at.toISOString(), stage: opts.stage ?? letter.stage, reason };
  const attempts = letter.attempts + 1;
  return shape({
    ...letter,
    state: letter.state === 'parked' || attempts >= opts.maxAttempts ? 'parked' : 'pending',
    reason,
    attempts,
    lastFailedAt: entry.at,
    history: capHistory([...letter.history, entry]),
  });
}

export const stageSchema = z.enum(['split', 'parse', 'enrich', 'sink', 'commit', 'row']);
export const storedSchema = z.object({
  reason: z.string(),
  stage: stageSchema,
  raw: z.string(),
  origin: z.object({
    partition: z.string(),
    sequence: z.number(),
    index: z.number(),
    locator: z.string(),
    enqueuedTime: z.string().optional(),
  }),
  attempts: z.number().optional(),
  failedAt: z.string().optional(),
  state: z.enum(['pending', 'parked']).optional(),
  firstFailedAt: z.string().optional(),
  lastFailedAt: z.string().optional(),
  history: z.array(z.object({ at: z.string(), stage: stageSchema, reason: z.string() })).optional(),
});

/** A letter read back from a file line or a blob (any earlier shape), or undefined when it is not one. */
export function parseStoredLetter(
  json: string,
  maxAttempts = DEFAULT_MAX_ATTEMPTS,
): StoredDeadLetter | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const r = storedSchema.safeParse(value);
  if (!r.success) return undefined;
  const v = r.data;
  const failedAt =
    v.failedAt ?? v.lastFailedAt ?? v.history?.at(-1)?.at ?? v.firstFailedAt ?? new Date(0).toISOString();
  const { enqueuedTime, ...origin } = v.origin;
  return toStored(
    {
      ...v,
      origin: enqueuedTime === undefined ? origin : { ...origin, enqueuedTime },
      attempts: v.attempts ?? 1,
      failedAt,
    } as StoredDeadLetter,
    maxAttempts,
    true,
  );
}
