/** The summary's per-sensor lines (unplacedSensors.ts, wallClockSensors.ts): `sensor: N alerts; detail`. */
import { plural } from './plural.js';

/** Sensors listed under one summary line at most. */
const MAX_SHOWN = 8;

/** One indented line per sensor, most first as given, at most MAX_SHOWN, then how many more. */
export function sensorLines<T extends { sensor: string; alerts: number }>(
  sensors: readonly T[],
  detail: (s: T) => string,
): string[] {
  const lines = sensors
    .slice(0, MAX_SHOWN)
    .map((s) => `      ${s.sensor}: ${plural(s.alerts, 'alert')}; ${detail(s)}`);
  if (sensors.length > MAX_SHOWN) lines.push(`      and ${sensors.length - MAX_SHOWN} more sensors`);
  return lines;
}
