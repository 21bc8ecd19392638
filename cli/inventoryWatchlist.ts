/**
 * An asset inventory as the OTAssetInventory watchlist CSV (docs/content.md "Watchlists"): the columns the rules and
 * workbooks read, SearchKey the IP (else the MAC, else the name). Whatever shape the inventory came in (the
 * watchlist's own, Defender for IoT's device inventory export, other spellings, JSON), this one file then serves the
 * pipeline (`enrichment.inventory.file`) and the deployment (`assetInventoryCsv`).
 */
import { ASSET_INVENTORY_COLUMNS, type AssetInventoryColumn } from '../analytics/watchlists.js';
import { type Asset, isController } from '../pipeline/enrich/inventory/index.js';
import { plural } from './plural.js';

/** Each watchlist column's value from an asset (every column: the type requires it). */
const VALUE_OF: Record<AssetInventoryColumn, (a: Asset) => string | number | undefined> = {
  SearchKey: (a) => a.ip ?? a.mac ?? a.name,
  IPAddress: (a) => a.ip,
  MACAddress: (a) => a.mac,
  AssetName: (a) => a.name,
  AssetType: (a) => a.type,
  Vendor: (a) => a.vendor,
  Model: (a) => a.model,
  Firmware: (a) => a.firmware,
  PurdueLevel: (a) => a.purdueLevel,
  Criticality: (a) => a.criticality,
  Owner: (a) => a.owner,
  OTTeam: (a) => a.otTeam,
  Site: (a) => a.site,
  Zone: (a) => a.zone,
  ProductionLine: (a) => a.productionLine,
};

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** The watchlist CSV of `assets`, header first, one line per asset, in the order given. */
export function inventoryWatchlistCsv(assets: readonly Asset[]): string {
  const line = (cells: readonly string[]) => `${cells.map(csvField).join(',')}\n`;
  return (
    line(ASSET_INVENTORY_COLUMNS) +
    assets.map((a) => line(ASSET_INVENTORY_COLUMNS.map((c) => String(VALUE_OF[c](a) ?? '')))).join('')
  );
}

/** One key per device: a device with several addresses is a row per address under one name (at one site). */
const deviceKeys = (assets: readonly Asset[]): string[] =>
  assets.map((a, i) => (a.name ? `${a.site ?? ''}|${a.name}`.toLowerCase() : `#${i}`));

/** What a conversion read: devices, controllers by type, devices without an IP (matched by MAC or name only). */
export function inventoryFacts(assets: readonly Asset[]): string {
  const keys = deviceKeys(assets);
  const devices = new Map<string, Asset>();
  assets.forEach((a, i) => {
    if (!devices.has(keys[i]!)) devices.set(keys[i]!, a);
  });
  const controllers = new Map<string, number>();
  for (const a of devices.values())
    if (isController(a)) controllers.set(a.type!, (controllers.get(a.type!) ?? 0) + 1);
  const noIp = assets.filter((a) => !a.ip).length;
  const typed = [...controllers].map(([t, n]) => `${n} ${t}`).join(', ');
  const rows =
    devices.size === assets.length
      ? ''
      : ` (${plural(assets.length, 'row')}: one per address of a device with several)`;
  return [
    `${plural(devices.size, 'device')}${rows}`,
    `controllers: ${typed || 'none (the chain rule groups an attack per controller: AssetType PLC, RTU, DCS, SIS or IED)'}`,
    ...(noIp ? [`${noIp} without an IP address (matched by MAC or name only)`] : []),
  ].join('; ');
}

/** A sensor of the inventory at the site and zone most of its devices are in. */
export interface SensorPlace {
  sensor: string;
  site: string;
  zone?: string;
}

/**
 * Where each sensor the inventory names is: the site and zone most of its devices have (Defender for IoT places a
 * device in its sensor's zone). Syslog forwarding (CEF, LEEF) names the sensor but not its zone, so these are the
 * `enrichment.sensors` entries such a site needs; a sensor without a device at a site is left out.
 */
export function sensorPlaces(assets: readonly Asset[]): SensorPlace[] {
  const counts = new Map<string, Map<string, { site: string; zone?: string; n: number }>>();
  for (const a of assets) {
    if (!a.sensor || !a.site) continue;
    const places = counts.get(a.sensor) ?? new Map();
    counts.set(a.sensor, places);
    const key = `${a.site}\n${a.zone ?? ''}`;
    const place = places.get(key) ?? { site: a.site, ...(a.zone ? { zone: a.zone } : {}), n: 0 };
    place.n++;
    places.set(key, place);
  }
  return [...counts].map(([sensor, places]) => {
    const best = [...places.values()].sort((x, y) => y.n - x.n)[0]!;
    return { sensor, site: best.site, ...(best.zone ? { zone: best.zone } : {}) };
  });
}

/** The `enrichment.sensors` object of `places`, one line per sensor, to paste into the configuration. */
export function sensorPlacesLines(places: readonly SensorPlace[]): string[] {
  if (!places.length) return [];
  const q = JSON.stringify;
  const entry = (p: SensorPlace) =>
    `    ${q(p.sensor)}: { "site": ${q(p.site)}${p.zone ? `, "zone": ${q(p.zone)}` : ''} }`;
  return [
    `${plural(places.length, 'sensor')} at the site and zone of their devices; a site that forwards syslog (CEF and LEEF name the sensor, not its zone) needs them in enrichment.sensors:`,
    ...places.map((p, i) => `${entry(p)}${i < places.length - 1 ? ',' : ''}`),
  ];
}
