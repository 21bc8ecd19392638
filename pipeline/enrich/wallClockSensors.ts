/**
 * The sensors whose syslog detection times were read as UTC for want of `enrichment.sensors.<name>.timeZone`
 * (docs/formats.md "Times without a zone"), for `replay`'s summary, the Function's and the forwarder's warnings.
 * A forwarding rule in local time writes its detection times an offset away from the syslog header's time (the
 * sensor's send time, UTC): the median of that difference, to the nearest quarter hour, says which offset the rule
 * is set to — or that it is UTC and the times are right.
 */
import type { OtAlert } from '../model/alert.js';
import type { EnrichedAlert } from './enriched.js';

export interface WallClockSensor {
  sensor: string;
  /** Its alerts whose detection time stayed a zone-less reading, taken as UTC. */
  alerts: number;
  /** Median of detection time − header time, to the nearest 15 minutes; absent without a header time. */
  offsetMinutes?: number;
  /** Alerts the median is over (at most SAMPLES). */
  compared: number;
}

/** Differences kept per sensor: the median of the first ones is as good as of all, and memory stays bounded. */
const SAMPLES = 1001;
/** Sensors watched at most: a plant has tens to hundreds. */
const MAX_SENSORS = 1000;
/** Comparisons at which a sensor is judged for a warning (`settled`): the first, and twice more as they add up. */
const CHECKS = new Set([20, 200, SAMPLES]);
const QUARTER_HOUR_MS = 15 * 60_000;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Collects what enrichment left in UTC, per sensor (see the module comment). */
export class WallClockSensors {
  readonly #seen = new Map<string, { alerts: number; diffs: number[] }>();
  /** Sensors that reached a check since the last `settled`. */
  #due: string[] = [];
  readonly #reported = new Set<string>();

  /** `enrich`, reporting here every alert it returns (the CLI's and the Function's pipeline). */
  watch(enrich: (alert: OtAlert) => EnrichedAlert): (alert: OtAlert) => EnrichedAlert {
    return (alert) => {
      const enriched = enrich(alert);
      this.observe(enriched);
      return enriched;
    };
  }

  /**
   * An alert whose `wallClock` lists what stayed zone-less: enriched (the enricher keeps `sentAt` while it does),
   * or as parsed by the forwarder, which does not enrich, for a sensor without a `timeZone`.
   */
  observe(alert: Pick<OtAlert, 'wallClock' | 'sensor' | 'firstSeen' | 'sentAt'>): void {
    if (!alert.wallClock?.includes('firstSeen')) return;
    const sensor = alert.sensor ?? '(no sensor name)';
    let s = this.#seen.get(sensor);
    if (!s) {
      // A long-lived instance keeps at most MAX_SENSORS (sensor names come from the records).
      if (this.#seen.size >= MAX_SENSORS) return;
      s = { alerts: 0, diffs: [] };
      this.#seen.set(sensor, s);
    }
    s.alerts++;
    if (alert.sentAt && s.diffs.length < SAMPLES) {
      s.diffs.push(Date.parse(alert.firstSeen) - Date.parse(alert.sentAt));
      if (CHECKS.has(s.diffs.length) && !this.#reported.has(sensor)) this.#due.push(sensor);
    }
  }

  /**
   * Sensors whose rule looks set to another offset than UTC, judged when their comparisons reach 20, 200 and 1,001,
   * each returned once (what the Function and the forwarder warn about). Cheap between checks: called per message.
   */
  settled(): WallClockSensor[] {
    if (!this.#due.length) return [];
    const due = this.#due;
    this.#due = [];
    const out: WallClockSensor[] = [];
    for (const sensor of due) {
      const s = this.#sensor(sensor);
      if (s.offsetMinutes === 0 || this.#reported.has(sensor)) continue;
      this.#reported.add(sensor);
      out.push(s);
    }
    return out;
  }

  /** Most alerts first. */
  list(): WallClockSensor[] {
    return [...this.#seen.keys()]
      .map((sensor) => this.#sensor(sensor))
      .sort((a, b) => b.alerts - a.alerts || a.sensor.localeCompare(b.sensor));
  }

  #sensor(sensor: string): WallClockSensor {
    const { alerts, diffs } = this.#seen.get(sensor)!;
    return {
      sensor,
      alerts,
      compared: diffs.length,
      ...(diffs.length
        ? // `+ 0`: a difference rounded up to zero is 0, not -0.
          { offsetMinutes: (Math.round(median(diffs) / QUARTER_HOUR_MS) * QUARTER_HOUR_MS) / 60_000 + 0 }
        : {}),
    };
  }
}

/** `UTC+01:00`, `UTC−05:30` (a minus sign, as time zone names are written). */
export function utcOffset(minutes: number): string {
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `UTC${minutes < 0 ? '−' : '+'}${hh}:${mm}`;
}

/** What a sensor's comparison says, and what to do about it (the summary's line, the Function's warning). */
export function describeWallClock({ sensor, offsetMinutes, compared }: WallClockSensor): string {
  const setting = `enrichment.sensors.${sensor}.timeZone`;
  if (offsetMinutes === undefined)
    return `nothing to compare its times with (only CEF and LEEF headers carry the send time in UTC): set ${setting} unless its forwarding rule is in UTC`;
  const of = `(median of ${compared})`;
  if (offsetMinutes === 0)
    return `detection times match the syslog header's ${of}: its forwarding rule is likely set to UTC, and they are right`;
  const direction = offsetMinutes > 0 ? 'after' : 'before';
  return `detection times ${Math.abs(offsetMinutes)} min ${direction} the syslog header's ${of}: its forwarding rule looks set to ${utcOffset(offsetMinutes)}; set ${setting} to its zone (IANA, e.g. Europe/Berlin)`;
}
