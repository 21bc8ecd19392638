import type { DeadLetter } from '../deadletter/deadLetterStore.js';
import { newLetter } from '../deadletter/letters.js';
import type { Member } from '../dedup/grouper.js';
import { groupKey } from '../dedup/groupKey.js';
import { identityOf, partitionOf } from '../dedup/identity.js';
import type { EnrichedAlert } from '../enrich/enriched.js';
import type { RecordOrigin } from '../model/alert.js';
import { parseRecord } from '../parse/index.js';
import { type RawRecord, splitEvent } from '../parse/records.js';
import type { BatchMeta, PipelineDeps } from '../pipeline.js';
import type { BatchStats } from './batchStats.js';

/** A group-store partition's share of a batch: its members, in order, and each member's raw record. */
export interface Keyed {
  members: Member[];
  /**
   * Each member's raw record. Its `raw` text is read only for a dead letter: a record that arrived already
   * parsed (an export envelope's element, a body the host JSON-parsed) would otherwise be re-serialised.
   */
  records: RawRecord[];
  /**
   * How far event time has come in this partition (a scope: a zone, else a sensor): the latest first detection of
   * its members, each taken no later than its arrival ({@link FUTURE_TOLERANCE_MS}). Groups of the partition whose
   * window ended by then get their final row. Per partition, so a sensor with a wrong clock, or a syslog time read
   * in the wrong zone, cannot end the windows of other zones' groups (docs/grouping.md "Event time").
   */
  watermark: number;
}

export interface KeyedBatch {
  byPartition: Map<string, Keyed>;
  /** Records that could not be split, parsed or enriched. */
  letters: DeadLetter[];
}

/**
 * An alert cannot be detected after it arrived: a first detection later than its arrival (the event's enqueued
 * time, else the batch's clock) by more than this is a wrong clock, and moves event time only up to the arrival.
 */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Where record `rec` of event `i` came from: the event's place in its partition, or a redriven letter's origin. */
function originOf(meta: BatchMeta, i: number, recIndex: number): RecordOrigin {
  const redo = meta.redrive?.[i];
  if (redo) {
    const origin = { ...redo.origin };
    if (recIndex) {
      origin.index += recIndex;
      origin.locator += ` +${recIndex}`;
    }
    return origin;
  }
  const sequence = meta.sequenceNumbers?.[i] ?? i;
  const locator = meta.locators?.[i] ?? `partition ${meta.partition} seq ${sequence}`;
  const origin: RecordOrigin = {
    partition: meta.partition,
    sequence,
    index: recIndex,
    locator: recIndex ? `${locator} #${recIndex}` : locator,
  };
  const enqueuedTime = meta.enqueuedTimes?.[i];
  if (enqueuedTime) origin.enqueuedTime = enqueuedTime;
  return origin;
}

/**
 * Splits, parses and enriches every record of the batch and keys it to its group, grouped by group-store
 * partition; bad records become dead letters with the stage and reason. Counts events, records and parsed.
 */
export function keyEvents(
  events: readonly unknown[],
  meta: BatchMeta,
  deps: Pick<PipelineDeps, 'enrich' | 'spec'>,
  at: { now: Date; version: string; stats: BatchStats },
): KeyedBatch {
  const { now, version, stats } = at;
  const out: KeyedBatch = { byPartition: new Map(), letters: [] };
  const clock = now.getTime();
  stats.events = events.length;
  for (let i = 0; i < events.length; i++) {
    const enqueuedTime = meta.enqueuedTimes?.[i];
    // No record of this event moves event time past its arrival (+ tolerance): parsed once per event.
    const arrived = enqueuedTime ? Date.parse(enqueuedTime) : clock;
    const latest = (Number.isNaN(arrived) ? clock : arrived) + FUTURE_TOLERANCE_MS;
    const redo = meta.redrive?.[i];
    for (const rec of splitEvent(events[i])) {
      stats.records++;
      const origin = originOf(meta, i, rec.index);
      if ('error' in rec) {
        out.letters.push(newLetter('split', rec.error, rec.raw, origin, now));
        continue;
      }
      const parsed = parseRecord(rec.value, enqueuedTime ? { receivedAt: enqueuedTime } : undefined);
      if (!parsed.ok) {
        out.letters.push(newLetter('parse', parsed.reason, rec.raw, origin, now));
        continue;
      }
      stats.parsed++;
      let alert: EnrichedAlert;
      try {
        alert = deps.enrich(parsed.alert);
      } catch (e) {
        out.letters.push(
          newLetter('enrich', `enrichment failed: ${(e as Error).message}`, rec.raw, origin, now),
        );
        continue;
      }
      if (alert.wallClock) stats.wallClockUtc++;
      if (!alert.zone) stats.unplaced++;
      // The record's own identity only keys it when a missing field must never group (missing = 'never').
      const unique =
        deps.spec.missing === 'never' ? `${origin.partition}/${origin.sequence}/${origin.index}` : '';
      const key = groupKey(alert, deps.spec, version, unique);
      const partition = partitionOf(alert, deps.spec);
      let keyed = out.byPartition.get(partition);
      if (!keyed) {
        keyed = { members: [], records: [], watermark: Number.NEGATIVE_INFINITY };
        out.byPartition.set(partition, keyed);
      }
      const member: Member = { alert, origin, key, partition };
      const scopedId = identityOf(alert);
      if (scopedId) member.scopedId = scopedId;
      if (redo) member.mark = { partition: redo.mark, sequence: 0, index: rec.index };
      keyed.members.push(member);
      keyed.records.push(rec);
      const t = Math.min(Date.parse(alert.firstSeen), latest);
      if (t > keyed.watermark) keyed.watermark = t;
    }
  }
  return out;
}
