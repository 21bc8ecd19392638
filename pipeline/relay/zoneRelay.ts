/**
 * The zone-affinity relay: republishes the events of a hub that mixes zones to the alert hub, one event per record,
 * with the partition key the group store partitions by (the alert's scope, identity.ts partitionOf).
 *
 * Why: the SecurityAlert data export has no partition-key setting, so a zone's rows reach every partition and every
 * instance writes every zone's heads; instances then lose ETag races on each other's writes (docs/state.md
 * "Transactions": 2 instances, 1.4 Table operations per alert instead of 0.08). Keyed by scope, a zone's alerts
 * reach one partition, so one instance at a time writes it, in order, as with `ot-soc forward`.
 *
 * The relay only routes: a record it cannot key (unparseable, not enrichable, no scope) still goes through, under
 * UNSCOPED_KEY, and the pipeline dead-letters it with its usual reason. What does not split into records (broken
 * JSON, invalid UTF-8, too deep) the relay dead-letters itself, as the pipeline's first step would (stage `split`,
 * same reason), and relays the event's good records: re-sending the broken text would not keep its bytes.
 */
import type { CreateBatchOptions, EventDataBatch, OperationOptions } from '@azure/event-hubs';
import type { DeadLetter } from '../deadletter/deadLetterStore.js';
import { newLetter } from '../deadletter/letters.js';
import { partitionOf } from '../dedup/identity.js';
import type { RecordOrigin } from '../model/alert.js';
import { isSplitError, parseRecord, splitEvent } from '../parse/index.js';
import type { BatchMeta, PipelineDeps } from '../pipeline.js';
import { groupBy } from '../util/groupBy.js';

/** The key of records that have no store partition (or could not be keyed): one partition, like the store's ''. */
export const UNSCOPED_KEY = 'unscoped';
/** Application property naming where a relayed event came from (`relay partition 3 seq 1201 +2`), for tracing one. */
export const RELAYED_FROM = 'ot-soc-relayed-from';

/** What the relay needs of `EventHubProducerClient`. */
export interface RelayProducer {
  createBatch(options?: CreateBatchOptions): Promise<EventDataBatch>;
  sendBatch(batch: EventDataBatch, options?: OperationOptions): Promise<void>;
}

export interface RelayEvent {
  /** The Event Hubs partition key. */
  key: string;
  /** UTF-8 JSON of one record (or the line of a text record). */
  body: Buffer;
  /** Where it came from in the relay's own hub (its locator travels as the RELAYED_FROM property). */
  origin: RecordOrigin;
}

export interface RelayStats {
  events: number;
  records: number;
  /** Events sent to the alert hub. */
  sent: number;
  /** Pieces that did not split, and events the alert hub can never take (over its size), dead-lettered instead. */
  deadLettered: number;
  batches: number;
  /** Distinct partition keys. */
  keys: number;
  /** Records under UNSCOPED_KEY. */
  unscoped: number;
}

/** A record's partition key: the store partition of the alert it parses and enriches to, else UNSCOPED_KEY. */
export function relayKeyOf(
  value: unknown,
  deps: Pick<PipelineDeps, 'enrich' | 'spec'>,
  receivedAt?: string,
): string {
  const parsed = parseRecord(value, receivedAt ? { receivedAt } : undefined);
  if (!parsed.ok) return UNSCOPED_KEY;
  try {
    return partitionOf(deps.enrich(parsed.alert), deps.spec) || UNSCOPED_KEY;
  } catch {
    return UNSCOPED_KEY;
  }
}

/**
 * The events to send, per partition key, in the order their records came (order holds within a key), and the
 * dead letters of what did not split.
 */
export function planRelay(
  events: readonly unknown[],
  meta: BatchMeta,
  deps: Pick<PipelineDeps, 'enrich' | 'spec'>,
  now: Date = new Date(),
): { byKey: Map<string, RelayEvent[]>; records: number; letters: DeadLetter[] } {
  const out: RelayEvent[] = [];
  const letters: DeadLetter[] = [];
  let records = 0;
  for (let i = 0; i < events.length; i++) {
    const sequence = meta.sequenceNumbers?.[i] ?? i;
    const locator = `relay partition ${meta.partition} seq ${sequence}`;
    // Its own partition namespace: dead-letter ids hash partition/sequence/index, and the alert hub's
    // partitions have the same ids.
    const origin = (index: number): RecordOrigin => ({
      partition: `relay:${meta.partition}`,
      sequence,
      index,
      locator: index ? `${locator} +${index}` : locator,
    });
    const pieces = splitEvent(events[i]);
    records += pieces.length;
    const receivedAt = meta.enqueuedTimes?.[i];
    for (const rec of pieces) {
      if (isSplitError(rec)) {
        letters.push(newLetter('split', rec.error, rec.raw, origin(rec.index), now));
        continue;
      }
      const text = typeof rec.value === 'string' ? rec.value : JSON.stringify(rec.value);
      out.push({
        key: relayKeyOf(rec.value, deps, receivedAt),
        body: Buffer.from(text, 'utf8'),
        origin: origin(rec.index),
      });
    }
  }
  return { byKey: groupBy(out, (e) => e.key), records, letters };
}

/**
 * The dead letter of a record the hub can never take (over its maximum size: a record came inside an event of at
 * most that size, so only one at the limit, plus the relay's property, can be): retrying would hold the partition
 * forever. Stage `split`, kept whole for a person like what the pipeline cannot split.
 */
export function tooLargeLetter(e: RelayEvent, maxBytes: number, now: Date): DeadLetter {
  const reason = `relay: ${e.body.length} bytes, over the alert hub's maximum event size (${maxBytes} bytes)`;
  return newLetter('split', reason, e.body.toString('utf8'), e.origin, now);
}

/**
 * Sends each key's events in `createBatch({ partitionKey })` batches, keys at once, in order within a key.
 * Resolves when every event was accepted; rejects with the first failure once every key has settled (a key that
 * failed stops at its failed batch; the others finish). A re-run of the trigger batch then sends again what had
 * arrived: copies the pipeline's vendor-id identity absorbs.
 */
export async function sendRelay(
  byKey: ReadonlyMap<string, readonly RelayEvent[]>,
  producer: RelayProducer,
  tooLarge: (e: RelayEvent, maxBytes: number) => Promise<void>,
  options: OperationOptions = {},
): Promise<{ sent: number; batches: number; tooLarge: number }> {
  let sent = 0;
  let batches = 0;
  let over = 0;
  const sendKey = async (key: string, events: readonly RelayEvent[]) => {
    let next = 0;
    while (next < events.length) {
      const batch = await producer.createBatch({ ...options, partitionKey: key });
      let n = 0;
      while (
        next + n < events.length &&
        batch.tryAdd({
          body: events[next + n]!.body,
          contentType: 'application/json',
          properties: { [RELAYED_FROM]: events[next + n]!.origin.locator },
        })
      )
        n++;
      if (n === 0) {
        await tooLarge(events[next]!, batch.maxSizeInBytes);
        next++;
        over++;
        continue;
      }
      await producer.sendBatch(batch, options);
      next += n;
      sent += n;
      batches++;
    }
  };
  const results = await Promise.allSettled([...byKey].map(([key, events]) => sendKey(key, events)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { sent, batches, tooLarge: over };
}

/** Plans and sends one trigger batch; the stats say what went where. */
export async function relayBatch(
  events: readonly unknown[],
  meta: BatchMeta,
  deps: Pick<PipelineDeps, 'enrich' | 'spec' | 'deadLetters'> & { producer: RelayProducer; now?: () => Date },
  options: OperationOptions = {},
): Promise<RelayStats> {
  const now = deps.now ?? (() => new Date());
  const { byKey, records, letters } = planRelay(events, meta, deps, now());
  // Before the send: a re-run puts the same letters again, which changes nothing (ids from their origin).
  if (letters.length) await deps.deadLetters.put(letters);
  const r = await sendRelay(
    byKey,
    deps.producer,
    async (e, max) => {
      await deps.deadLetters.put([tooLargeLetter(e, max, now())]);
    },
    options,
  );
  return {
    events: events.length,
    records,
    sent: r.sent,
    batches: r.batches,
    deadLettered: letters.length + r.tooLarge,
    keys: byKey.size,
    unscoped: byKey.get(UNSCOPED_KEY)?.length ?? 0,
  };
}
