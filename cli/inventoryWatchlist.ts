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
