/** The dead-letter store: what a dead letter is, its stages and states, and the one interface of its stores. */
import type { RecordOrigin } from '../model/alert.js';

/**
 * The pipeline stage that gave up on a record. `enrich`, `sink` and `commit` letters are retryable by redrive.
 * `row` is not a record but a group's committed row the sink refused for good (4xx once isolated): its `raw` is
 * the row as sent, kept for a person (the same row would be refused again).
 */
export type DeadLetterStage = 'split' | 'parse' | 'enrich' | 'sink' | 'commit' | 'row';

export const DEAD_LETTER_STAGES: readonly DeadLetterStage[] = [
  'split',
  'parse',
  'enrich',
  'sink',
  'commit',
  'row',
];

/**
 * Stages worth retrying: the record was good but something downstream failed (or the enricher threw).
 * `split`/`parse` letters are bad input: the same bytes fail the same way, so redrive takes them only when
 * asked (after a parser fix), and they are kept forever.
 */
export const RETRYABLE_STAGES: readonly DeadLetterStage[] = ['enrich', 'sink', 'commit'];

/** A record the pipeline could not carry to Sentinel: never dropped, kept with why and where from. */
export interface DeadLetter {
  reason: string;
  stage: DeadLetterStage;
  /** The record's own text, as received (capped at 1 MiB). */
  raw: string;
  origin: RecordOrigin;
  attempts: number;
  failedAt: string;
}

/** One failed attempt at a record, in its history. */
export interface DeadLetterFailure {
  at: string;
  /** Where this attempt failed (a redrive of a `sink` letter may fail at `commit`). */
  stage: DeadLetterStage;
  reason: string;
}

/** `pending` letters are redriven; `parked` ones failed `maxAttempts` times and wait for a person. */
export type DeadLetterState = 'pending' | 'parked';

/** A letter as stored: identified, counted, with every failure it had. */
export interface StoredDeadLetter extends DeadLetter {
  /** Deterministic: a hash of origin partition/sequence/index and stage (a redelivery overwrites). */
  id: string;
  state: DeadLetterState;
  /** Failed attempts so far, the first one included. */
  attempts: number;
  firstFailedAt: string;
  lastFailedAt: string;
  /** Every failure, oldest first (capped at MAX_HISTORY: the first and the latest ones). */
  history: DeadLetterFailure[];
  /** The latest failure's reason; `stage` stays the stage that first dead-lettered the record. */
  reason: string;
  /** Same as `lastFailedAt` (kept for readers of the original shape). */
  failedAt: string;
}

export interface PendingFilter {
  /** Only letters first dead-lettered at these stages (default: all). */
  stages?: readonly DeadLetterStage[];
}

export interface FailureOptions {
  /** The stage this attempt failed at (default: the letter's stage). */
  stage?: DeadLetterStage;
  /** Park when attempts reach this (default: the store's `maxAttempts`). */
  maxAttempts?: number;
  at?: Date;
}

export interface DeadLetterStoreOptions {
  /** A letter is parked when its attempts reach this. Default 5. */
  maxAttempts?: number;
  now?: () => Date;
}

/**
 * Where dead letters live: memory for one process, a file for the CLI, Azure Blob for a fleet. All three
 * pass one contract test (test/pipeline/deadletter/deadLetterStore.contract.test.ts).
 */
export interface DeadLetterStore {
  readonly kind: string;
  /**
   * Upserts by id. A new id is stored as given (`pending`, 1 attempt); a known id (a redelivered batch that
   * failed again) keeps its id, first failure and state, and gains the new failures in its history. Putting
   * the same letter twice changes nothing.
   */
  put(letters: readonly DeadLetter[]): Promise<void>;
  /** Every stored letter, pending and parked. */
  list(): Promise<StoredDeadLetter[]>;
  /** Pending letters, oldest first (first failure, then partition/sequence/index), at most `limit`. */
  listPending(limit?: number, filter?: PendingFilter): Promise<StoredDeadLetter[]>;
  /** Parked letters, oldest first. */
  listParked(): Promise<StoredDeadLetter[]>;
  /** Deletes letters (after a successful redrive); unknown ids are ignored. Returns how many were deleted. */
  resolve(ids: readonly string[]): Promise<number>;
  /**
   * One more failed attempt: attempts + 1, history appended, `reason` updated; parked when attempts reach
   * `maxAttempts` (kept, excluded from pending). Undefined when the letter is no longer stored (resolved).
   */
  recordFailure(
    letter: Pick<StoredDeadLetter, 'id'>,
    reason: string,
    opts?: FailureOptions,
  ): Promise<StoredDeadLetter | undefined>;
  close(): Promise<void>;
}

export const MAX_RAW_BYTES = 1 << 20;
export const DEFAULT_MAX_ATTEMPTS = 5;
/** History entries kept per letter: the first failure and the latest ones. */
export const MAX_HISTORY = 50;

export function capRaw(raw: string): string {
  return raw.length > MAX_RAW_BYTES
    ? `${raw.slice(0, MAX_RAW_BYTES)}…[truncated ${raw.length - MAX_RAW_BYTES} chars]`
    : raw;
}
