/**
 * Drains the spool into Event Hubs, oldest first: reads a slice of events, groups it by partition key (order
 * kept within a key), sends each key's events in `createBatch({ partitionKey })` batches (keys in parallel), and
 * commits the slice in the spool only when every `sendBatch` of it resolved. A failure is retried with
 * exponential backoff (with jitter) until it succeeds or the publisher is stopped; batches that already
 * succeeded are not sent again, so the only duplicates are batches whose `sendBatch` failed after Event Hubs
 * had in fact stored them (counted in `resent`) and a crash between a send and the spool commit.
 *
 * The retry is not a core-rest-pipeline policy: `sendBatch` is AMQP, not an HTTP pipeline. The SDK's own
 * `retryOptions` retry within one send (eventHubs.ts); this loop retries on top without limit because it owns
 * what a policy cannot see: which key groups of the slice were already accepted, the health status and the log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CreateBatchOptions, EventDataBatch, OperationOptions } from '@azure/event-hubs';
import type { ForwarderCounters } from './counters.js';
import type { SiteDeadLetters } from './deadLetters.js';
import type { Logger } from './log.js';
import type { Spool, SpooledEntry } from './spool.js';

/** What the publisher needs of `EventHubProducerClient`. */
export interface BatchProducer {
  createBatch(options?: CreateBatchOptions): Promise<EventDataBatch>;
  sendBatch(batch: EventDataBatch, options?: OperationOptions): Promise<void>;
  close(): Promise<void>;
}

export interface RetryPolicy {
  /** First backoff delay. Default 500 ms. */
  initialMs: number;
  /** Largest backoff delay. Default 30 s. */
  maxMs: number;
}

export interface PublisherOptions {
  /** Events per spool slice. Default 2000. */
  sliceEvents?: number;
  /** Bytes per spool slice (about). Default 4 MiB. */
  sliceBytes?: number;
  retry?: Partial<RetryPolicy>;
  /** Where an event Event Hubs can never take (over its size limit) is kept. */
  deadLetters?: SiteDeadLetters;
}

interface KeyGroup {
  key: string;
  bodies: Buffer[];
  /** Events of this group Event Hubs accepted. */
  sent: number;
  /** Events of this group ever handed to a `sendBatch` (a retry below this index may duplicate). */
  attempted: number;
}

export class Publisher {
  readonly #retry: RetryPolicy;
  readonly #sliceEvents: number;
  readonly #sliceBytes: number;
  readonly #deadLetters: SiteDeadLetters | undefined;
  readonly #abort = new AbortController();
  #draining = false;
  #running: Promise<void> | undefined;
  #wake: () => void = () => {};
  readonly #stopRequested = new Promise<void>((resolve) => {
    this.#wake = resolve;
  });
  #failing = false;

  constructor(
    private readonly spool: Spool,
    private readonly producer: BatchProducer,
    private readonly counters: ForwarderCounters,
    private readonly log: Logger,
    opts: PublisherOptions = {},
  ) {
    this.#retry = { initialMs: opts.retry?.initialMs ?? 500, maxMs: opts.retry?.maxMs ?? 30_000 };
    this.#sliceEvents = opts.sliceEvents ?? 2000;
    this.#sliceBytes = opts.sliceBytes ?? 4 * 1024 * 1024;
    this.#deadLetters = opts.deadLetters;
  }

  start(): void {
    this.#running ??= this.#run().catch((e: unknown) => {
      this.log.error('publisher stopped on an unexpected error', { error: errorText(e) });
      this.counters.error(`publisher: ${errorText(e)}`);
    });
  }

  /**
   * Delivers what is left in the spool, then stops; gives up (leaving the rest in the spool for the next start)
   * after `timeoutMs`. Resolves true when the spool was drained.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.#draining = true;
    this.#wake();
    const timer = setTimeout(() => this.#abort.abort(), timeoutMs);
    try {
      await this.#running;
    } finally {
      clearTimeout(timer);
      this.#abort.abort();
    }
    return this.spool.stats.backlog === 0;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const slice = await this.spool.read(this.#sliceEvents, this.#sliceBytes);
      if (slice.length === 0) {
        if (this.#draining) return;
        await Promise.race([this.spool.waitForData(1000), this.#stopRequested]);
        continue;
      }
      if (!(await this.#deliver(slice))) {
        this.spool.rewind();
        return;
      }
      // A letter taken from this slice is on disk before the slice leaves the spool.
      await this.#deadLetters?.flushed().catch(() => {});
      await this.spool.commit(slice[slice.length - 1]!.end, slice.length);
    }
  }

  /** Sends one slice until every event of it was accepted; false when stopped first. */
  async #deliver(slice: SpooledEntry[]): Promise<boolean> {
    const groups = new Map<string, KeyGroup>();
    for (const e of slice) {
      let g = groups.get(e.key);
      if (!g) {
        g = { key: e.key, bodies: [], sent: 0, attempted: 0 };
        groups.set(e.key, g);
      }
      g.bodies.push(Buffer.from(e.body, 'utf8'));
    }
    const signal = this.#abort.signal;
    for (let attempt = 0; ; attempt++) {
      const pending = [...groups.values()].filter((g) => g.sent < g.bodies.length);
      const results = await Promise.allSettled(pending.map((g) => this.#sendGroup(g)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failed) {
        if (this.#failing) {
          this.log.info('Event Hubs reachable again', { afterAttempts: attempt });
          this.#failing = false;
        }
        if (this.counters.status !== 'stopping') this.counters.status = 'ok';
        return true;
      }
      if (signal.aborted) return false;
      const message = errorText(failed.reason);
      this.counters.sendFailures++;
      this.counters.error(`send: ${message}`);
      if (this.counters.status !== 'stopping') this.counters.status = 'degraded';
      const delay = backoff(attempt, this.#retry);
      if (!this.#failing || attempt % 10 === 0)
        this.log.warn('Event Hubs send failed; events stay in the spool', {
          error: message,
          attempt: attempt + 1,
          retryInMs: delay,
          backlog: this.spool.stats.backlog,
        });
      this.#failing = true;
      await sleep(delay, undefined, { signal }).catch(() => {}); // stop() aborts the wait
      if (signal.aborted) return false;
    }
  }

  async #sendGroup(g: KeyGroup): Promise<void> {
    const signal = this.#abort.signal;
    while (g.sent < g.bodies.length) {
      const batch = await this.producer.createBatch({ partitionKey: g.key, abortSignal: signal });
      let n = 0;
      while (g.sent + n < g.bodies.length && batch.tryAdd({ body: g.bodies[g.sent + n]! })) n++;
      if (n === 0) {
        // One event larger than Event Hubs takes: it can never be sent. It leaves the spool for the site's
        // dead letters (a Premium namespace takes up to 1 MB: `forward --redrive` sends it then).
        this.counters.dropped++;
        const reason = `larger than the Event Hubs maximum (${batch.maxSizeInBytes} bytes)`;
        const kept = this.#deadLetters?.add({
          kind: 'eventHubsLimit',
          reason,
          transport: 'publish',
          peer: '',
          key: g.key,
          raw: g.bodies[g.sent]!,
        });
        this.log.error('event larger than the Event Hubs maximum; moved from the spool to the dead letters', {
          partitionKey: g.key,
          bytes: g.bodies[g.sent]!.length,
          maxBytes: batch.maxSizeInBytes,
          deadLettered: kept ?? false,
        });
        g.sent++;
        continue;
      }
      const end = g.sent + n;
      const again = Math.max(0, Math.min(end, g.attempted) - g.sent);
      g.attempted = Math.max(g.attempted, end);
      await this.producer.sendBatch(batch, { abortSignal: signal });
      this.counters.resent += again;
      g.sent = end;
      this.counters.published += n;
      this.counters.publishedBatches++;
      this.counters.lastPublishedAt = new Date().toISOString();
    }
  }
}

/** Exponential backoff with jitter: initial·2^attempt capped at max, then 50–100 % of that. */
export function backoff(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export function errorText(e: unknown): string {
  // The SDK's retries end in an AggregateError (empty message) of each attempt's error.
  if (e instanceof AggregateError && e.errors.length > 0) {
    const last = errorText(e.errors[e.errors.length - 1]);
    return e.errors.length > 1 ? `${last} (${e.errors.length} attempts)` : last;
  }
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const message = e.message || e.name;
    return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
  }
  return String(e);
}
