import { createHash } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
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

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

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

const time = (s: string) => Date.parse(s) || 0;

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

function capHistory(h: DeadLetterFailure[]): DeadLetterFailure[] {
  return h.length > MAX_HISTORY ? [h[0]!, ...h.slice(h.length - (MAX_HISTORY - 1))] : h;
}

const failureKey = (f: DeadLetterFailure) => `${f.at}\n${f.stage}\n${f.reason}`;

/** Builds the stored form in a fixed field order (readable NDJSON: `raw` last). */
function shape(l: Omit<StoredDeadLetter, 'failedAt'>): StoredDeadLetter {
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

const stageSchema = z.enum(['split', 'parse', 'enrich', 'sink', 'commit', 'row']);
const storedSchema = z.object({
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

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export type PutChange = 'new' | 'merged' | 'unchanged';

export class MemoryDeadLetterStore implements DeadLetterStore {
  readonly kind: string = 'memory';
  /** Every letter handed to `put` on this instance, as given: this run's log (the stored set is `list()`). */
  readonly letters: DeadLetter[] = [];
  readonly maxAttempts: number;
  protected readonly now: () => Date;
  protected readonly byId = new Map<string, StoredDeadLetter>();

  constructor(opts: DeadLetterStoreOptions = {}) {
    this.maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.now = opts.now ?? (() => new Date());
  }

  /** Stores `letter` by id (`stored`: read back from storage, already normalised and capped). */
  protected upsert(letter: DeadLetter, stored = false): { letter: StoredDeadLetter; change: PutChange } {
    const fresh = toStored(letter, this.maxAttempts, stored);
    const cur = this.byId.get(fresh.id);
    if (!cur) {
      this.byId.set(fresh.id, fresh);
      return { letter: fresh, change: 'new' };
    }
    const merged = mergeLetter(cur, letter, this.maxAttempts);
    if (!merged.changed) return { letter: cur, change: 'unchanged' };
    this.byId.set(fresh.id, merged.letter);
    return { letter: merged.letter, change: 'merged' };
  }

  async put(letters: readonly DeadLetter[]): Promise<void> {
    for (const l of letters) this.upsert(l);
    this.letters.push(...letters);
  }

  async list(): Promise<StoredDeadLetter[]> {
    return [...this.byId.values()].map((l) => structuredClone(l));
  }

  async listPending(limit?: number, filter: PendingFilter = {}): Promise<StoredDeadLetter[]> {
    const stages = filter.stages && new Set(filter.stages);
    return [...this.byId.values()]
      .filter((l) => l.state === 'pending' && (!stages || stages.has(l.stage)))
      .sort(byAge)
      .slice(0, limit ?? Number.POSITIVE_INFINITY)
      .map((l) => structuredClone(l));
  }

  async listParked(): Promise<StoredDeadLetter[]> {
    return [...this.byId.values()]
      .filter((l) => l.state === 'parked')
      .sort(byAge)
      .map((l) => structuredClone(l));
  }

  async resolve(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of new Set(ids)) if (this.byId.delete(id)) n++;
    return n;
  }

  async recordFailure(
    letter: Pick<StoredDeadLetter, 'id'>,
    reason: string,
    opts: FailureOptions = {},
  ): Promise<StoredDeadLetter | undefined> {
    const cur = this.byId.get(letter.id);
    if (!cur) return undefined;
    const next = withFailure(cur, reason, {
      ...(opts.stage ? { stage: opts.stage } : {}),
      at: opts.at ?? this.now(),
      maxAttempts: opts.maxAttempts ?? this.maxAttempts,
    });
    this.byId.set(letter.id, next);
    return structuredClone(next);
  }

  async close(): Promise<void> {}
}

/**
 * One NDJSON line per letter (`id`, `state`, `stage`, `reason`, `attempts`, times, `origin`, `history`,
 * `raw`): what `ot-soc replay` writes. New letters are appended; a merge, resolve or failure rewrites the
 * file (temporary file + rename, so a crash leaves the old or the new file, never half of one). Lines that
 * are not letters are kept as they are. One writer per file (one process); operations are serialised.
 */
export class FileDeadLetterStore extends MemoryDeadLetterStore {
  override readonly kind = 'file';
  #loaded = false;
  /** The file differs from memory (duplicate lines merged on load): the next write rewrites it. */
  #stale = false;
  #foreign: string[] = [];
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    opts: DeadLetterStoreOptions = {},
  ) {
    super(opts);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const letter = parseStoredLetter(line, this.maxAttempts);
      if (!letter) {
        this.#foreign.push(line);
        continue;
      }
      const { change } = this.upsert(letter, true);
      if (change !== 'new' || JSON.stringify(letter) !== line) this.#stale = true;
    }
    this.#loaded = true;
  }

  async #rewrite(): Promise<void> {
    const lines = [...[...this.byId.values()].map((l) => JSON.stringify(l)), ...this.#foreign];
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, lines.map((l) => `${l}\n`).join(''));
    await rename(tmp, this.file);
    this.#stale = false;
  }

  override put(letters: readonly DeadLetter[]): Promise<void> {
    return this.#serial(async () => {
      if (!letters.length) return;
      await this.#load();
      const results = letters.map((l) => this.upsert(l));
      this.letters.push(...letters);
      if (this.#stale || results.some((r) => r.change === 'merged')) return this.#rewrite();
      const fresh = results.filter((r) => r.change === 'new');
      if (fresh.length)
        await appendFile(this.file, fresh.map((r) => `${JSON.stringify(r.letter)}\n`).join(''));
    });
  }

  override list(): Promise<StoredDeadLetter[]> {
    return this.#serial(async () => {
      await this.#load();
      return super.list();
    });
  }

  override listPending(limit?: number, filter?: PendingFilter): Promise<StoredDeadLetter[]> {
    return this.#serial(async () => {
      await this.#load();
      return super.listPending(limit, filter);
    });
  }

  override listParked(): Promise<StoredDeadLetter[]> {
    return this.#serial(async () => {
      await this.#load();
      return super.listParked();
    });
  }

  override resolve(ids: readonly string[]): Promise<number> {
    return this.#serial(async () => {
      await this.#load();
      const n = await super.resolve(ids);
      if (n) await this.#rewrite();
      return n;
    });
  }

  override recordFailure(
    letter: Pick<StoredDeadLetter, 'id'>,
    reason: string,
    opts?: FailureOptions,
  ): Promise<StoredDeadLetter | undefined> {
    return this.#serial(async () => {
      await this.#load();
      const next = await super.recordFailure(letter, reason, opts);
      if (next) await this.#rewrite();
      return next;
    });
  }
}
