/**
 * The asset inventory as Sentinel's watchlist `OTAssetInventory`: the deployment uploads the same CSV the
 * pipeline enriches from (docs: "upload the asset inventory CSV as watchlist"), so the report reads the CSV named
 * by the run's config (`enrichment.inventory.file`, relative to the config file) with the watchlist columns.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ASSET_WATCHLIST, WATCHLIST_COLUMNS } from '../../analytics/schemas.js';
import { readCsv } from '../../pipeline/enrich/inventory/csv.js';
import type { KqlColumn, KqlTable, KqlType, KqlValue } from './engine.js';

/** The watchlists of the run (empty when its config names no CSV inventory). */
export function watchlistsOf(configFile: string | undefined): Record<string, KqlTable> {
  if (!configFile) return {};
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as {
    enrichment?: { inventory?: { file?: unknown } };
  };
  const file = config.enrichment?.inventory?.file;
  if (typeof file !== 'string' || !file.toLowerCase().endsWith('.csv')) return {};
  const path = resolve(dirname(configFile), file);
  const [header, ...records] = readCsv(readFileSync(path, 'utf8'), path).map((r) => r.fields);
  if (!header) return {};
  const known = new Set<string>(WATCHLIST_COLUMNS.map(([n]) => n));
  const columns: KqlColumn[] = [
    ...WATCHLIST_COLUMNS.map(([name, type]) => ({ name, type: type as KqlType })),
    ...header.filter((h) => !known.has(h)).map((name) => ({ name, type: 'string' as const })),
  ];
  const updated = statSync(path).mtime;
  const rows = records.map((fields, i) => {
    const item: Record<string, KqlValue> = Object.fromEntries(header.map((h, j) => [h, fields[j] ?? '']));
    const row: Record<string, KqlValue> = Object.fromEntries(columns.map((c) => [c.name, null]));
    return {
      ...row,
      ...item,
      _DTItemId: `${ASSET_WATCHLIST}-${i + 1}`,
      LastUpdatedTimeUTC: updated,
      WatchlistItem: item,
    };
  });
  return { [ASSET_WATCHLIST]: { columns, rows } };
}
