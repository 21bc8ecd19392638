/** The summary's lines for the sensors whose syslog times stayed UTC (pipeline/enrich/wallClockSensors.ts). */
import { describeWallClock, type WallClockSensor } from '../pipeline/enrich/wallClockSensors.js';

/** Sensors listed under the summary's "times read as UTC" line. */
const MAX_SHOWN = 8;

/** The summary's lines under "times read as UTC": per sensor, the offset its rule looks set to. */
export function wallClockLines(sensors: readonly WallClockSensor[]): string[] {
  const lines = sensors
    .slice(0, MAX_SHOWN)
    .map((s) => `      ${s.sensor}: ${s.alerts} alert${s.alerts === 1 ? '' : 's'}; ${describeWallClock(s)}`);
  if (sensors.length > MAX_SHOWN) lines.push(`      and ${sensors.length - MAX_SHOWN} more sensors`);
  return lines;
}
