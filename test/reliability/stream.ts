/**
 * The alert stream the fault-injection suite sends: deterministic (seeded), real-shaped records from
 * test/helpers/records.ts (Sentinel SecurityAlert rows, some in Log Analytics data-export envelopes, and CEF
 * lines), each carrying its own vendor alert id (`rel-000001`…) so that every alert can be found again in the
 * rows that reach the workspace or in the dead-letter store.
 *
 * Eight sensors in four zones (see SENSORS for how they map to Event Hubs partitions). Incident popularity is
 * Zipf-like over a few hours, with alert storms that overflow `maxGroupSize` into linked groups.
 */
import { partitionFor } from '../../cli/partitionKey.js';
import { mulberry32 } from '../../scripts/scenario/random.js';
import { cefLine, securityAlert } from '../helpers/records.js';

// The scenario generator's seeded PRNG (scripts/scenario/random.ts), re-exported for the suite's other files.
export { mulberry32 };

interface Sensor {
  name: string;
  site: string;
  zone: string;
  format: 'SecurityAlert' | 'CEF';
  partition: string;
}

const ZONES = [
  { site: 'Rotterdam', zone: 'Packaging', net: '10.10', format: 'SecurityAlert', sensors: ['rtm-pkg'] },
  { site: 'Rotterdam', zone: 'Utilities', net: '10.11', format: 'SecurityAlert', sensors: ['rtm-utl'] },
  { site: 'Lyon', zone: 'Filling', net: '10.20', format: 'CEF', sensors: ['lyn-fil'] },
  { site: 'Lyon', zone: 'Brewhouse', net: '10.21', format: 'CEF', sensors: ['lyn-brw'] },
] as const;

export const PARTITIONS = ['0', '1', '2', '3'] as const;

/**
 * Two sensors per zone. Rotterdam's are cloud-connected: Log Analytics data export spreads their SecurityAlert
 * rows over partitions, here one partition per sensor, (2z, 2z+1) mod 4, so each of its zones' keys arrives on
 * two partitions at once. Lyon's CEF comes through the on-site forwarder, whose partition key is the site/zone
 * (cli/partitionKey.ts): one zone, one partition.
 */
export const SENSORS: readonly Sensor[] = ZONES.flatMap((z, zi) =>
  [1, 2].map((n) => ({
    name: `${z.sensors[0]}-sensor-0${n}`,
    site: z.site,
    zone: z.zone,
    format: z.format,
    partition:
      z.format === 'CEF'
        ? PARTITIONS[partitionFor(`${z.site}/${z.zone}`, PARTITIONS.length)]!
        : PARTITIONS[(zi * 2 + n - 1) % PARTITIONS.length]!,
  })),
);

/** Sensor placement for the CEF sensors (CEF carries no site/zone): what OTSOC_CONFIG holds in production. */
export const SENSOR_PLACEMENT: Record<string, { site: string; zone: string }> = Object.fromEntries(
  SENSORS.filter((s) => s.format === 'CEF').map((s) => [s.name, { site: s.site, zone: s.zone }]),
);

const TITLES: Record<'SecurityAlert' | 'CEF', readonly (readonly [string, string])[]> = {
  SecurityAlert: [
    ['Unauthorized PLC Programming', 'S7'],
    ['Illegal MODBUS Operation (Function Code Zero)', 'MODBUS'],
    ['Address Scan Detected', 'ICMP'],
    ['Firmware Version Changed', 'S7'],
    ['Internet Access Detected', 'HTTP'],
  ],
  CEF: [
    ['Excessive Number of Sessions', 'CIP'],
    ['Abnormal Traffic Bandwidth', 'TCP'],
    ['Unauthorized SMB Login', 'SMB'],
    ['Function Code Raised Unauthorized Exception', 'MODBUS'],
  ],
};

const SEVERITIES = ['Low', 'Medium', 'High'] as const;

interface Incident {
  zone: (typeof ZONES)[number];
  title: string;
  protocol: string;
  src: string;
  dst: string;
}

/** One Event Hubs event as sent: its body (object = JSON the host parsed, string = text) and the alert ids in it. */
export interface SentEvent {
  body: unknown;
  sequence: number;
  enqueued: string;
  ids: string[];
}

export interface AlertStream {
  /** Every vendor alert id sent, in send order. */
  ids: string[];
  /** Ids of records that can never be parsed (bad time): they must end in the dead-letter store. */
  poison: Set<string>;
  /** Per partition, the events in Event Hubs order (sequence numbers from 0). */
  partitions: Map<string, SentEvent[]>;
  /** Event time span of the stream (epoch ms), skew excluded. */
  start: number;
  end: number;
}

export interface StreamOptions {
  alerts: number;
  seed: number;
  /** First alert time (epoch ms); the stream spans `hours` after it. */
  start: number;
  hours: number;
  /** Records with an unparseable time. */
  poison: number;
  /** Sensors whose clock is off: their alerts carry times shifted by `offsetMs` (hours ahead or behind). */
  skew?: Record<string, number>;
}

interface Planned {
  id: string;
  t: number;
  sensor: Sensor;
  incident: Incident;
  severity: string;
  poison: boolean;
}

/** Builds the stream. Same options, same stream, byte for byte. */
export function generateStream(o: StreamOptions): AlertStream {
  const rand = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const span = o.hours * 3_600_000;

  // Incidents per zone: a title and a device pair. Popularity is Zipf-like (rank^-0.9).
  const incidents: Incident[] = [];
  for (const zone of ZONES) {
    for (let i = 0; i < 10; i++) {
      const [title, protocol] = pick(TITLES[zone.format]);
      incidents.push({
        zone,
        title,
        protocol,
        src: `${zone.net}.1.${1 + Math.floor(rand() * 4)}`,
        dst: `${zone.net}.2.${1 + Math.floor(rand() * 20)}`,
      });
    }
  }
  const weights = incidents.map((_, r) => 1 / (r + 1) ** 0.9);
  const cumulative: number[] = [];
  weights.reduce((acc, w, i) => {
    cumulative[i] = acc + w;
    return acc + w;
  }, 0);
  const total = cumulative[cumulative.length - 1]!;
  const zipf = (): Incident => {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return incidents[lo]!;
  };
  const sensorOf = (inc: Incident): Sensor => {
    const pair = SENSORS.filter((s) => s.zone === inc.zone.zone);
    return pick(pair);
  };

  // 15% of the alerts are storms: 6 incidents, each a burst inside 8 minutes (more than maxGroupSize).
  const planned: Omit<Planned, 'id' | 'poison'>[] = [];
  const stormAlerts = Math.floor(o.alerts * 0.15);
  const storms = 6;
  for (let s = 0; s < storms; s++) {
    const inc = incidents[Math.floor(rand() * incidents.length)]!;
    const at = o.start + rand() * (span - 10 * 60_000);
    const n = Math.floor(stormAlerts / storms);
    for (let i = 0; i < n; i++)
      planned.push({ t: at + rand() * 8 * 60_000, sensor: sensorOf(inc), incident: inc, severity: 'High' });
  }
  while (planned.length < o.alerts) {
    const inc = zipf();
    planned.push({
      t: o.start + rand() * span,
      sensor: sensorOf(inc),
      incident: inc,
      severity: pick(SEVERITIES),
    });
  }
  planned.sort((a, b) => a.t - b.t);
  const poisonAt = new Set<number>();
  while (poisonAt.size < o.poison) poisonAt.add(Math.floor(rand() * planned.length));

  const ids: string[] = [];
  const poison = new Set<string>();
  const perPartition = new Map<string, Planned[]>(PARTITIONS.map((p) => [p, []]));
  planned.forEach((p, i) => {
    const id = `rel-${String(i + 1).padStart(6, '0')}`;
    ids.push(id);
    const isPoison = poisonAt.has(i);
    if (isPoison) poison.add(id);
    perPartition.get(p.sensor.partition)!.push({ ...p, id, poison: isPoison });
  });

  const iso = (ms: number) => new Date(ms).toISOString();
  const recordOf = (p: Planned): unknown => {
    const t = p.poison ? 'not-a-time' : iso(Math.round(p.t + (o.skew?.[p.sensor.name] ?? 0)));
    const common = {
      id: p.id,
      t,
      sensor: p.sensor.name,
      title: p.incident.title,
      protocol: p.incident.protocol,
      src: p.incident.src,
      dst: p.incident.dst,
    };
    if (p.sensor.format === 'CEF') return cefLine(common);
    return securityAlert({ ...common, site: p.sensor.site, zone: p.sensor.zone, severity: p.severity });
  };

  // Events: one record each, or (SecurityAlert sensors, 15%) a data-export envelope of 2-4 records.
  const partitions = new Map<string, SentEvent[]>();
  for (const [partition, list] of perPartition) {
    const events: SentEvent[] = [];
    for (let i = 0; i < list.length; ) {
      const p = list[i]!;
      const enqueued = iso(Math.round(p.t) + 2_000);
      if (p.sensor.format === 'SecurityAlert' && rand() < 0.15) {
        const n = Math.min(2 + Math.floor(rand() * 3), list.length - i);
        const group = list.slice(i, i + n);
        events.push({
          body: { records: group.map(recordOf) },
          sequence: events.length,
          enqueued,
          ids: group.map((g) => g.id),
        });
        i += n;
        continue;
      }
      const record = recordOf(p);
      // The host hands a JSON body over parsed; some producers send it as text.
      const body = typeof record === 'string' || rand() < 0.7 ? record : JSON.stringify(record);
      events.push({ body, sequence: events.length, enqueued, ids: [p.id] });
      i++;
    }
    partitions.set(partition, events);
  }
  return { ids, poison, partitions, start: o.start, end: o.start + span };
}

/** A slice of one partition's events, as one trigger invocation receives it. */
export interface Batch {
  partition: string;
  events: SentEvent[];
}

/** Cuts a partition's events from `from` into batches of `min`..`max` events. */
export function cutBatches(
  partition: string,
  events: readonly SentEvent[],
  rand: () => number,
  min: number,
  max: number,
  from = 0,
): Batch[] {
  const out: Batch[] = [];
  for (let i = from; i < events.length; ) {
    const n = min + Math.floor(rand() * (max - min + 1));
    out.push({ partition, events: events.slice(i, i + n) });
    i += n;
  }
  return out;
}

/** Partitions' batches interleaved one by one, as one instance consuming all partitions sees them. */
export function roundRobin(perPartition: readonly Batch[][]): Batch[] {
  const out: Batch[] = [];
  const longest = Math.max(...perPartition.map((b) => b.length));
  for (let i = 0; i < longest; i++) for (const list of perPartition) if (list[i]) out.push(list[i]!);
  return out;
}
