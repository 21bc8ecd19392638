import type { EnrichConfig } from '../pipeline/enrich/enricher.js';
import { isSplitError, parseRecord, splitEvent } from '../pipeline/parse/index.js';

/**
 * The Event Hubs partition key of an event: `site/zone` when it can be told (from the record or the
 * sensor placement in the config), else `sensor:<name>`, else `unknown`. One zone's alerts then reach
 * one consumer in order, which is what Defender for IoT's zone-scoped grouping needs. The forwarder and
 * the sender use the same rule as the demo.
 */
export function partitionKeyOf(body: unknown, sensors: EnrichConfig['sensors']): string {
  const first = splitEvent(body).find((p) => !isSplitError(p));
  if (!first || isSplitError(first)) return 'unknown';
  const parsed = parseRecord(first.value);
  if (!parsed.ok) return 'unknown';
  const a = parsed.alert;
  const placed = a.sensor ? (sensors[a.sensor] ?? sensors[a.sensor.toLowerCase()]) : undefined;
  const site = a.site ?? placed?.site;
  const zone = a.zone ?? placed?.zone;
  if (site || zone) return `${site ?? ''}/${zone ?? ''}`;
  return a.sensor ? `sensor:${a.sensor}` : 'unknown';
}

/** A stable partition for a key (FNV-1a): the same key always lands on the same partition. */
export function partitionFor(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
