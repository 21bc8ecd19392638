import { scopeOf } from '../pipeline/dedup/groupKey.js';
import { placementOf, type SensorPlacements } from '../pipeline/enrich/sensorPlacement.js';
import type { OtAlert } from '../pipeline/model/alert.js';
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
export function partitionKeyOf(body: unknown, sensors: SensorPlacements): string {
  const first = splitEvent(body).find((p) => !isSplitError(p));
  if (!first || isSplitError(first)) return UNSCOPED_KEY;
  const parsed = parseRecord(first.value);
  return parsed.ok ? alertPartitionKey(parsed.alert, sensors) : UNSCOPED_KEY;
}

/** {@link partitionKeyOf} of a record already parsed (the forwarder's intake parses each message to check it). */
export function alertPartitionKey(alert: OtAlert, sensors: SensorPlacements): string {
  const placed = placementOf(sensors)(alert.sensor);
  const scope = scopeOf({
    site: alert.site ?? placed?.site,
    zone: alert.zone ?? placed?.zone,
    sensor: alert.sensor,
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
