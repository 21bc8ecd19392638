import { z } from 'zod';
import { timeZoneSchema } from './time/index.js';

/**
 * Sensor → site/zone, for formats that do not carry them (CEF, LEEF, sensor API), and the time zone of its
 * forwarding rules: syslog records give their detection time in it without an offset (docs/formats.md).
 *
 * A sensor's name is found in any case: it is typed into the config by hand, and the formats spell it as the sensor
 * reports it (a CEF header, the export's `DeviceName`). So two entries that differ only in case are refused.
 */
export const sensorPlacementSchema = z
  .record(
    z.string().min(1),
    z
      .object({
        site: z.string().min(1),
        zone: z.string().min(1).optional(),
        timeZone: timeZoneSchema.optional(),
      })
      .strict(),
  )
  .superRefine((sensors, ctx) => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(sensors)) {
      const other = seen.get(name.toLowerCase());
      if (other === undefined) seen.set(name.toLowerCase(), name);
      else
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" and "${other}" name one sensor (names are compared in any case): keep one entry`,
        });
    }
  });
export type SensorPlacements = z.infer<typeof sensorPlacementSchema>;
export type SensorPlacement = SensorPlacements[string];

/** A sensor's placement by name in any case. */
export type PlacementOf = (sensor: string | undefined) => SensorPlacement | undefined;

const lookups = new WeakMap<SensorPlacements, PlacementOf>();

/**
 * The one lookup of a sensor's placement, for the enricher, the partition key (forwarder, sender, replay lanes) and
 * the forwarder's time-zone check alike: each once had its own case rule, so a sensor configured `Ham-Sensor-7`
 * was placed by the pipeline but keyed `sensor:…` by the forwarder. Built once per config object.
 */
export function placementOf(sensors: SensorPlacements): PlacementOf {
  let lookup = lookups.get(sensors);
  if (!lookup) {
    const byName = new Map(Object.entries(sensors).map(([k, v]) => [k.toLowerCase(), v]));
    lookup = (sensor) => (sensor === undefined ? undefined : byName.get(sensor.toLowerCase()));
    lookups.set(sensors, lookup);
  }
  return lookup;
}
