/** The summary's lines for the sensors whose syslog times stayed UTC (pipeline/enrich/wallClockSensors.ts). */
import { describeWallClock, type WallClockSensor } from '../pipeline/enrich/wallClockSensors.js';
import { sensorLines } from './sensorLines.js';

/** The summary's lines under "times read as UTC": per sensor, the offset its rule looks set to. */
export const wallClockLines = (sensors: readonly WallClockSensor[]): string[] =>
  sensorLines(sensors, describeWallClock);
