/**
 * The Sentinel watchlists the content reads, deployed by infra/sentinel-content.json (analytics/package.ts) with the
 * CSV a deployer passes as a template parameter (default: the header line only, an empty watchlist).
 *
 * - OTAssetInventory: read by the Purdue-crossing rule and the sites/assets workbook (and the same CSV is the
 *   pipeline's inventory file, samples/inventory.csv);
 * - OTSocMaintenance, OTSocKnownBenign: read by the playbooks (auto-close, issue 19), format agreed with them.
 * The formats are documented in docs/content.md; `_GetWatchlist('alias')` returns SearchKey plus these columns.
 */
export interface WatchlistDefinition {
  readonly alias: string;
  readonly displayName: string;
  readonly description: string;
  /** Column whose value Sentinel indexes as SearchKey. */
  readonly searchKey: string;
  readonly columns: readonly string[];
  /** ARM parameter holding the CSV text. */
  readonly parameter: string;
}

/** The OTAssetInventory watchlist's columns, a type too: its writer (`ot-soc inventory`) must give each a value. */
export const ASSET_INVENTORY_COLUMNS = [
  'SearchKey',
  'IPAddress',
  'MACAddress',
  'AssetName',
  'AssetType',
  'Vendor',
  'Model',
  'Firmware',
  'PurdueLevel',
  'Criticality',
  'Owner',
  'OTTeam',
  'Site',
  'Zone',
  'ProductionLine',
] as const;
export type AssetInventoryColumn = (typeof ASSET_INVENTORY_COLUMNS)[number];

export const WATCHLISTS: readonly WatchlistDefinition[] = [
  {
    alias: 'OTAssetInventory',
    displayName: 'OT asset inventory',
    description:
      'OT assets by IP address: name, type (PLC, RTU, DCS, SIS, IED are controllers), vendor, model, firmware, Purdue level, criticality, owner, OT team, site, zone, production line.',
    searchKey: 'SearchKey',
    columns: ASSET_INVENTORY_COLUMNS,
    parameter: 'assetInventoryCsv',
  },
  {
    alias: 'OTSocMaintenance',
    displayName: 'OT maintenance windows',
    description:
      'Declared maintenance windows: alerts of the listed titles from the listed sources in the listed zones of a site between Start and End are expected work (auto-close).',
    searchKey: 'Name',
    columns: ['Name', 'Site', 'Zones', 'Sources', 'Start', 'End', 'AlertTitles'],
    parameter: 'maintenanceWindowsCsv',
  },
  {
    alias: 'OTSocKnownBenign',
    displayName: 'OT known-benign alert types',
    description:
      'Alert titles known to be benign or false positives at a site (or everywhere with Site *), optionally only from the listed sources (auto-close with the classification).',
    searchKey: 'AlertTitle',
    columns: ['Site', 'AlertTitle', 'Sources', 'Classification', 'Comment'],
    parameter: 'knownBenignCsv',
  },
];

/** The CSV header line of a watchlist. */
export const csvHeader = (w: WatchlistDefinition): string => `${w.columns.join(',')}\n`;
