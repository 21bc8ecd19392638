import { scopeOf } from '../pipeline/dedup/groupKey.js';
import type { EnrichConfig } from '../pipeline/enrich/enricher.js';
import { isSplitError, parseRecord, splitEvent } from '../pipeline/parse/index.js';
import { UNSCOPED_KEY } from '../pipeline/relay/zoneRelay.js';

/**
 * The Event Hubs partition key of an event: the scope the pipeline will group it in, as far as the record and the
 * sensor placement in the config tell it (`zone:<site>/<zone>` in lower case, else `sensor:<name>`: groupKey.ts
 * scopeOf), else `unscoped`. These are the keys the zone relay gives the SecurityAlert export
 * (pipeline/relay/zoneRelay.ts), so a zone reached by both paths lands on one partition, and one zone's alerts
 * reach one consumer in order, which is what Defender for IoT's zone-scoped grouping needs. The forwarder and the
 * sender use the same rule as the demo.
 */
export function partitionKeyOf(body: unknown, sensors: EnrichConfig['sensors']): string {
  const first = splitEvent(body).find((p) => !isSplitError(p));
  if (!first || isSplitError(first)) return UNSCOPED_KEY;
  const parsed = parseRecord(first.value);
  if (!parsed.ok) return UNSCOPED_KEY;
  const a = parsed.alert;
  const placed = a.sensor ? (sensors[a.sensor] ?? sensors[a.sensor.toLowerCase()]) : undefined;
  const scope = scopeOf({
    site: a.site ?? placed?.site,
    zone: a.zone ?? placed?.zone,
    sensor: a.sensor,
  });
  return scope ?? UNSCOPED_KEY;
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
