/**
 * Devices that alerts of the controller families (scans, uploads and reads, programming, firmware, mode changes,
 * stops) were aimed at without a device type, for the summary. The attack-chain rule makes one incident per attacked
 * controller only when the destination is a known PLC, RTU, DCS, SIS or IED (docs/content.md "One incident per
 * attack"); the type comes from the asset inventory, or on the SecurityAlert export from Defender for IoT's device
 * entity. Syslog (CEF, LEEF) carries none, so a site that forwards syslog without an inventory gets each step of an
 * attack as an incident of its family rule. The summary names those devices so the controllers among them can be
 * added to the inventory.
 */
import { CHAIN_RULE, CONTROLLER_TYPES, isNetworkScan, ownerOf } from '../analytics/routing.js';
import { plural } from './plural.js';
import { textOf } from './rowValues.js';
import { cappedLines } from './sensorLines.js';

type Row = Record<string, unknown>;

export interface UntypedTarget {
  /** The destination as the rows name it: its name, else its IP, else its MAC. */
  device: string;
  site: string;
  zone: string;
  /** Sensor alerts aimed at it (their groups' Count). */
  alerts: number;
  /** The alert titles, most alerts first. */
  titles: string[];
  /** Only network scans (isNetworkScan) were aimed at it: one of a sweep's hosts, the weakest hint of a controller. */
  onlyNetworkScans: boolean;
}

/**
 * From the latest row of each group: the untyped destinations of controller-family alerts, most alerts first, those
 * only a port or address sweep reached last (a sweep of a subnet names every host in it, and would bury the device
 * that was programmed and stopped).
 */
export function untypedTargets(rows: Iterable<Row>): UntypedTarget[] {
  const found = new Map<string, UntypedTarget & { byTitle: Map<string, number> }>();
  for (const row of rows) {
    if (textOf(row.DestinationAssetType)) continue;
    const device = textOf(row.DestinationName) || textOf(row.DestinationIP) || textOf(row.DestinationMAC);
    if (!device) continue;
    // Would the chain rule own it, were the destination a controller?
    const route = {
      title: textOf(row.AlertTitle),
      category: textOf(row.Category),
      engine: textOf(row.Engine),
      sourceAssetType: textOf(row.SourceAssetType),
    };
    if (ownerOf({ ...route, destinationAssetType: CONTROLLER_TYPES[0] }) !== CHAIN_RULE) continue;
    const site = textOf(row.Site);
    const zone = textOf(row.Zone);
    const key = `${site}\u0000${zone}\u0000${device}`;
    const t = found.get(key) ?? {
      device,
      site,
      zone,
      alerts: 0,
      titles: [],
      onlyNetworkScans: true,
      byTitle: new Map(),
    };
    const count = Number(row.Count ?? 0);
    t.alerts += count;
    t.onlyNetworkScans &&= isNetworkScan(route.title, route.category);
    t.byTitle.set(route.title, (t.byTitle.get(route.title) ?? 0) + count);
    found.set(key, t);
  }
  return [...found.values()]
    .sort(
      (a, b) =>
        Number(a.onlyNetworkScans) - Number(b.onlyNetworkScans) ||
        b.alerts - a.alerts ||
        a.device.localeCompare(b.device),
    )
    .map(({ byTitle, ...t }) => ({
      ...t,
      titles: [...byTitle].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([title]) => title),
    }));
}

/**
 * The summary's lines under "untyped targets": per device its place, alerts and titles; the hosts only a sweep
 * reached in one line after them (a sweep of a subnet names every host: listed one by one they hid the rest).
 */
export function untypedLines(targets: readonly UntypedTarget[]): string[] {
  const aimed = targets.filter((t) => !t.onlyNetworkScans);
  const swept = targets.filter((t) => t.onlyNetworkScans);
  const lines = cappedLines(
    aimed,
    (t) =>
      `${t.device} at ${t.site || '(no site)'}/${t.zone || '(no zone)'}: ${plural(t.alerts, 'alert')}; ${t.titles.join(', ')}`,
    'devices',
  );
  if (!swept.length) return lines;
  const titles = [...new Set(swept.flatMap((t) => t.titles))].join(', ');
  const some = swept.slice(0, 3).map((t) => t.device);
  const more = swept.length > some.length ? ', …' : '';
  lines.push(
    `      ${plural(swept.length, aimed.length ? 'more device' : 'device')} only a network scan reached (${titles}): ${some.join(', ')}${more}`,
  );
  return lines;
}
