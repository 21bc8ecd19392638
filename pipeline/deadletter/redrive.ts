import type { RecordOrigin } from '../model/alert.js';
import type { BatchMeta, BatchStats, PipelineDeps } from '../pipeline.js';
import { processBatch } from '../pipeline.js';
import { groupBy } from '../util/groupBy.js';
import { mapLimit } from '../util/mapLimit.js';
import {
  type DeadLetterStage,
  type DeadLetterStore,
  RETRYABLE_STAGES,
  type StoredDeadLetter,
} from './deadLetterStore.js';
import { originKey } from './letters.js';
import { MemoryDeadLetterStore } from './memoryDeadLetterStore.js';

/** Letters read per redrive run; keep it at or below the grouper's cap on redrive marks per group. */
export const DEFAULT_REDRIVE_LIMIT = 500;
/** Prefix of the per-record marks keys redriven records are judged and marked under. */
export const REDRIVE_MARK_PREFIX = 'redrive:';

export interface RedriveFailure {
  id: string;
  reason: string;
  /** The stage this attempt failed at, when known (recorded in the letter's history). */
  stage?: DeadLetterStage;
}

/** What the callback did with the letters it was given. */
export interface RedriveOutcome {
  /** Carried to Sentinel (or found already applied): resolved, i.e. deleted. */
  ok: string[];
  /** Failed again: attempts + 1, parked at `maxAttempts`. */
  failed: RedriveFailure[];
  /** Not tried (an outage of the pipeline's own services, not the record's fault): stay pending, no attempt counted. */
  deferred?: { id: string; reason: string }[];
}

export type RedriveProcess = (letters: readonly StoredDeadLetter[]) => Promise<RedriveOutcome>;

export interface RedriveOptions {
  /** Letters read in one run, oldest first. Default 500. */
  limit?: number;
  /** Park a letter when its attempts reach this. Default: the store's (5). */
  maxAttempts?: number;
  /** Stages redriven. Default `enrich`, `sink`, `commit`: `split`/`parse` letters fail the same way again. */
  stages?: readonly DeadLetterStage[];
  now?: () => Date;
}

export interface RedriveResult {
  /** Pending letters read. */
  read: number;
  /** Carried this time, and resolved. */
  redriven: number;
  /** Failed again, still pending. */
  stillFailing: number;
  /** Failed again and parked by this run (kept with their history, no longer retried). */
  parked: number;
  /** Left for the next run without counting an attempt. */
  deferred: number;
  /** Why letters were deferred (distinct messages). */
  errors: string[];
  /** Why letters failed again, most frequent first. */
  failures: FailureReason[];
}

/** One reason letters failed again in a run: how many, and how many of those were parked. */
export interface FailureReason {
  reason: string;
  letters: number;
  parked: number;
}

/**
 * One redrive run: reads up to `limit` pending letters of the retryable stages (oldest first), hands them to
 * `process`, resolves what succeeded, records a failure on what did not (parking it at `maxAttempts`), and
 * leaves deferred or unreported letters pending. A letter is never deleted unless `process` reports it ok.
 * If `process` throws, nothing is resolved or counted and the error propagates (the timer run fails
 * visibly; the next run retries).
 */
export async function redrive(
  store: DeadLetterStore,
  process: RedriveProcess,
  opts: RedriveOptions = {},
): Promise<RedriveResult> {
  const letters = await store.listPending(opts.limit ?? DEFAULT_REDRIVE_LIMIT, {
    stages: opts.stages ?? RETRYABLE_STAGES,
  });
  const result: RedriveResult = {
    read: letters.length,
    redriven: 0,
    stillFailing: 0,
    parked: 0,
    deferred: 0,
    errors: [],
    failures: [],
  };
  if (!letters.length) return result;

  const outcome = await process(letters);
  const known = new Set(letters.map((l) => l.id));
  // A failure wins over a success for the same id; ids the callback was not given are ignored.
  const failed = new Map<string, RedriveFailure>();
  for (const f of outcome.failed) if (known.has(f.id) && !failed.has(f.id)) failed.set(f.id, f);
  const ok = [...new Set(outcome.ok)].filter((id) => known.has(id) && !failed.has(id));

  if (ok.length) await store.resolve(ok);
  result.redriven = ok.length;

  const at = opts.now?.() ?? new Date();
  const failures = [...failed.values()];
  const recorded = await mapLimit(failures, 8, (f) =>
    store.recordFailure({ id: f.id }, f.reason, {
      at,
      ...(f.stage ? { stage: f.stage } : {}),
      ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    }),
  );
  const why = new Map<string, FailureReason>();
  recorded.forEach((r, i) => {
    if (!r) return; // resolved meanwhile by someone else
    const reason = failures[i]!.reason;
    const entry = why.get(reason) ?? { reason, letters: 0, parked: 0 };
    why.set(reason, entry);
    entry.letters++;
    if (r.state === 'parked') {
      result.parked++;
      entry.parked++;
    } else result.stillFailing++;
  });
  result.failures = [...why.values()].sort((a, b) => b.letters - a.letters);
  result.deferred = letters.length - ok.length - failed.size;
  const done = new Set([...ok, ...failed.keys()]);
  result.errors = [
    ...new Set(
      (outcome.deferred ?? []).filter((d) => known.has(d.id) && !done.has(d.id)).map((d) => d.reason),
    ),
  ];
  return result;
}

/** Per event of a redrive batch: the original origin of the one record it carries, and its marks key. */
export interface RedriveRecord {
  origin: RecordOrigin;
  /** `redrive:<hash of partition/sequence/index>`: one marks key per original record. */
  mark: string;
}

/**
 * `BatchMeta` for a redrive: what `processBatch` takes today (partition, sequence numbers, locators, enqueued
 * times: the origin minus its index), plus `redrive`, the per-event field it needs to make redrive exact:
 * with it, the event's record keeps its original origin (index included, so a record that was not the first
 * of its event is neither mistaken for record 0 nor re-lettered under another id), and the grouper judges and
 * marks it under `mark`, one key per original record, instead of the partition's high-water mark (which any
 * later event of the same group has passed, so the record would be skipped as a duplicate and lost).
 */
export interface RedriveBatchMeta extends BatchMeta {
  sequenceNumbers: readonly number[];
  locators: readonly string[];
  enqueuedTimes: readonly (string | undefined)[];
  redrive: readonly RedriveRecord[];
}

export interface RedriveBatch {
  /** One event per letter: its `raw` text, split and parsed again like an Event Hubs body. */
  events: string[];
  meta: RedriveBatchMeta;
  letters: StoredDeadLetter[];
}

export const redriveMark = (origin: Pick<RecordOrigin, 'partition' | 'sequence' | 'index'>): string =>
  `${REDRIVE_MARK_PREFIX}${originKey(origin)}`;

/**
 * Letters as `processBatch` input, one batch per origin partition (`meta.partition` is per batch), in the
 * order given. Each letter's `raw` is one event with `sequenceNumbers = [origin.sequence]`, its original
 * locator and enqueued time, and in `redrive` its full origin and per-record mark.
 */
export function redriveBatches(letters: readonly StoredDeadLetter[]): RedriveBatch[] {
  const out = new Map<
    string,
    {
      events: string[];
      sequences: number[];
      locators: string[];
      enqueued: (string | undefined)[];
      redrive: RedriveRecord[];
      letters: StoredDeadLetter[];
    }
  >();
  for (const l of letters) {
    let b = out.get(l.origin.partition);
    if (!b) {
      b = { events: [], sequences: [], locators: [], enqueued: [], redrive: [], letters: [] };
      out.set(l.origin.partition, b);
    }
    b.events.push(l.raw);
    b.sequences.push(l.origin.sequence);
    b.locators.push(l.origin.locator);
    b.enqueued.push(l.origin.enqueuedTime);
    b.redrive.push({ origin: { ...l.origin }, mark: redriveMark(l.origin) });
    b.letters.push(l);
  }
  return [...out].map(([partition, b]) => ({
    events: b.events,
    meta: {
      partition,
      sequenceNumbers: b.sequences,
      locators: b.locators,
      enqueuedTimes: b.enqueued,
      redrive: b.redrive,
    },
    letters: b.letters,
  }));
}

export type ProcessBatch = (
  events: readonly unknown[],
  meta: BatchMeta,
  deps: PipelineDeps,
) => Promise<BatchStats>;

export interface PipelineRedriverOptions {
  /** Default `processBatch`. */
  run?: ProcessBatch;
}

const SUFFIX = / #\d+$/;

/**
 * The callback `redrive` needs, wired to the real pipeline: letters re-enter `processBatch` (one batch per
 * partition, see `redriveBatches`) with the same deps except dead letters, which are captured: a record that
 * fails again is reported as a failure of its letter (history in the store), not stored as a new letter.
 * Letters of one record under two stages go through once and share the outcome. A batch whose
 * `processBatch` throws (group store or sink unreachable) is deferred, not counted as an attempt.
 */
export function pipelineRedriver(deps: PipelineDeps, opts: PipelineRedriverOptions = {}): RedriveProcess {
  const run = opts.run ?? processBatch;
  return async (letters) => {
    const sameRecord = groupBy(letters, (l) => originKey(l.origin));
    const outcome: Required<RedriveOutcome> = { ok: [], failed: [], deferred: [] };
    const idsOf = (l: StoredDeadLetter) => sameRecord.get(originKey(l.origin))!.map((x) => x.id);

    for (const batch of redriveBatches([...sameRecord.values()].map((g) => g[0]!))) {
      const captured = new MemoryDeadLetterStore();
      try {
        await run(batch.events, batch.meta, { ...deps, deadLetters: captured });
      } catch (e) {
        const reason = `redrive deferred: ${(e as Error).message}`;
        for (const l of batch.letters) for (const id of idsOf(l)) outcome.deferred.push({ id, reason });
        continue;
      }
      // Which event each captured letter came from: by sequence and locator (exact once processBatch keeps
      // the original origin; today the locator is the original one and the index is 0).
      const at = new Map<string, number>();
      batch.letters.forEach((l, i) => {
        at.set(`${l.origin.sequence}\n${l.origin.locator}`, i);
      });
      const failures = new Map<number, { reasons: string[]; stage: DeadLetterStage }>();
      for (const c of captured.letters) {
        const key = `${c.origin.sequence}\n${c.origin.locator}`;
        const hit = at.get(key) ?? at.get(key.replace(SUFFIX, ''));
        const hits =
          hit !== undefined
            ? [hit]
            : batch.letters.flatMap((l, i) => (l.origin.sequence === c.origin.sequence ? [i] : []));
        for (const i of hits) {
          const f = failures.get(i) ?? { reasons: [], stage: c.stage };
          f.reasons.push(c.reason);
          failures.set(i, f);
        }
      }
      batch.letters.forEach((l, i) => {
        const f = failures.get(i);
        for (const id of idsOf(l)) {
          if (f) outcome.failed.push({ id, reason: f.reasons.join('; '), stage: f.stage });
          else outcome.ok.push(id);
        }
      });
    }
    return outcome;
  };
}
