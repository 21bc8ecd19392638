/**
 * The summary's lists under a count (unplacedSensors.ts, wallClockSensors.ts, untypedTargets.ts): one indented line
 * per item, at most MAX_SHOWN, then how many more.
 */
import { plural } from './plural.js';

/** Items listed under one summary line at most. */
const MAX_SHOWN = 8;

/** `line` of each item, most first as given, at most MAX_SHOWN, then "and N more <noun>". */
export function cappedLines<T>(items: readonly T[], line: (item: T) => string, noun: string): string[] {
  const lines = items.slice(0, MAX_SHOWN).map((item) => `      ${line(item)}`);
  if (items.length > MAX_SHOWN) lines.push(`      and ${items.length - MAX_SHOWN} more ${noun}`);
  return lines;
}

/** Per sensor: `sensor: N alerts; detail`. */
export const sensorLines = <T extends { sensor: string; alerts: number }>(
  sensors: readonly T[],
  detail: (s: T) => string,
): string[] =>
  cappedLines(sensors, (s) => `${s.sensor}: ${plural(s.alerts, 'alert')}; ${detail(s)}`, 'sensors');
