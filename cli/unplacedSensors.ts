/**
 * The sensors whose alerts reached Sentinel without a zone, for the summary: a sensor the configuration does not
 * place (`enrichment.sensors.<name>`) groups its CEF/LEEF/syslog alerts per sensor, apart from records of the same
 * zone that name it (docs/configuration.md). When its other records named a zone (a webhook or the export does),
 * that placement is the likely one, and the summary shows it as the configuration entry to add.
 */

import { textOf } from './rowValues.js';
import { sensorLines } from './sensorLines.js';

type Row = Record<string, unknown>;

export interface UnplacedSensor {
  sensor: string;
  /** Sensor alerts in its groups without a zone (their rows' Count). */
  alerts: number;
  /** `Site/Zone` its groups with a zone were in, in order of alerts. */
  namedIn: { site: string; zone: string }[];
}

const sensorsOf = (row: Row): string[] =>
  Array.isArray(row.Sensors) ? row.Sensors.filter((s): s is string => typeof s === 'string' && s !== '') : [];

/** From the latest row of each group: the sensors of groups without a zone, most alerts first. */
export function unplacedSensors(rows: Iterable<Row>): UnplacedSensor[] {
  const unplaced = new Map<string, number>();
  const named = new Map<string, Map<string, { site: string; zone: string; alerts: number }>>();
  for (const row of rows) {
    const count = Number(row.Count ?? 0);
    const zone = textOf(row.Zone);
    for (const sensor of sensorsOf(row)) {
      if (!zone) {
        unplaced.set(sensor, (unplaced.get(sensor) ?? 0) + count);
        continue;
      }
      const site = textOf(row.Site);
      const places = named.get(sensor) ?? new Map();
      named.set(sensor, places);
      const key = `${site}\u0000${zone}`;
      const p = places.get(key) ?? { site, zone, alerts: 0 };
      p.alerts += count;
      places.set(key, p);
    }
  }
  return [...unplaced]
    .map(([sensor, alerts]) => ({
      sensor,
      alerts,
      namedIn: [...(named.get(sensor)?.values() ?? [])]
        .sort((a, b) => b.alerts - a.alerts)
        .map(({ site, zone }) => ({ site, zone })),
    }))
    .sort((a, b) => b.alerts - a.alerts || a.sensor.localeCompare(b.sensor));
}

/** What the summary says of one unplaced sensor: where to place it, as an entry to paste when one zone was named. */
function placement({ sensor, namedIn }: UnplacedSensor): string {
  const [first] = namedIn;
  if (!first) return 'no record of it names a zone: place it in enrichment.sensors';
  if (namedIn.length > 1)
    return `its other records name ${namedIn.map((p) => `${p.site}/${p.zone}`).join(', ')}: place it in enrichment.sensors`;
  const entry = `${JSON.stringify(sensor)}: ${JSON.stringify({ ...(first.site ? { site: first.site } : {}), zone: first.zone })}`;
  return `its other records name ${first.site}/${first.zone}: add to enrichment.sensors ${entry}`;
}

/** The summary's lines under "without a zone": per sensor its alerts, and the entry to add when a zone is known. */
export const unplacedLines = (sensors: readonly UnplacedSensor[]): string[] =>
  sensorLines(sensors, placement);
