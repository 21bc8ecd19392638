/**
 * Sentinel watchlists for the twin's queries (`_GetWatchlist('alias')`): a watchlist is a CSV whose first row names
 * the columns, one of them the SearchKey (Sentinel's upload format). The ot-soc asset inventory CSV is already in
 * that shape (SearchKey = IP address), so `OTAssetInventory` is the inventory file of the ot-soc configuration.
 * A rule that reads a watchlist the twin was not given stops the run, naming the rule and the alias.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readCsv } from '../pipeline/enrich/inventory/csv.js';
import type { KqlTable } from './engine.js';
import type { TwinRule } from './rules.js';

export const ASSET_WATCHLIST = 'OTAssetInventory';

export class WatchlistError extends Error {
  override name = 'WatchlistError';
}

/** A watchlist CSV as a table of strings (Sentinel stores watchlist values as text). */
export function watchlistTable(text: string, source: string): KqlTable {
  const [head, ...records] = readCsv(text, source);
  if (!head) throw new WatchlistError(`${source}: empty watchlist (a header row is required)`);
  const names = head.fields.map((f) => f.trim());
  if (!names.includes('SearchKey')) throw new WatchlistError(`${source}: no SearchKey column`);
  return {
    columns: names.map((name) => ({ name, type: 'string' })),
    rows: records.map((r) => Object.fromEntries(names.map((n, i) => [n, r.fields[i] ?? '']))),
  };
}

/** The aliases the rules read with `_GetWatchlist(...)`, with the rules that read them. */
export function watchlistsRead(rules: readonly TwinRule[]): Map<string, TwinRule[]> {
  const out = new Map<string, TwinRule[]>();
  for (const r of rules)
    for (const m of r.query.matchAll(/_GetWatchlist\s*\(\s*["']([^"']+)["']\s*\)/g))
      out.set(m[1]!, [...(out.get(m[1]!) ?? []), r]);
  return out;
}

/** The asset inventory file an ot-soc configuration names (relative to the configuration), if any. */
export async function inventoryOfConfig(configFile: string): Promise<string | undefined> {
  const json = JSON.parse(await readFile(configFile, 'utf8')) as {
    enrichment?: { inventory?: { file?: string } };
  };
  const file = json.enrichment?.inventory?.file;
  return file ? resolve(dirname(configFile), file) : undefined;
}

/** Loads the watchlists `files` names and checks every watchlist the rules read is among them. */
export async function loadWatchlists(
  rules: readonly TwinRule[],
  files: Readonly<Record<string, string>>,
): Promise<Record<string, KqlTable>> {
  const out: Record<string, KqlTable> = {};
  for (const [alias, readers] of watchlistsRead(rules)) {
    const file = files[alias];
    if (!file)
      throw new WatchlistError(
        `${readers.map((r) => r.file).join(', ')}: reads watchlist "${alias}", but the twin has no CSV for it`,
      );
    out[alias] = watchlistTable(await readFile(file, 'utf8'), file);
  }
  return out;
}
