/**
 * Sentinel watchlists for the twin's queries (`_GetWatchlist('alias')`): a watchlist is a CSV whose first row names
 * the columns, one of them the SearchKey (Sentinel's upload format). The ot-soc asset inventory CSV is already in
 * that shape (SearchKey = IP address), so `OTAssetInventory` is the inventory file of the ot-soc configuration.
 * A rule that reads a watchlist the twin was not given stops the run, naming the rule and the alias.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readCsv } from '../pipeline/enrich/inventory/csv.js';
import { parseJsonText } from '../pipeline/util/jsonText.js';
import { type DeploymentContext, TemplateEvaluator } from '../scripts/armEval.js';
import type { KqlTable } from './engine.js';
import type { TwinRule } from './rules.js';

export const ASSET_WATCHLIST = 'OTAssetInventory';

export class WatchlistError extends Error {
  override name = 'WatchlistError';
}

/**
 * A watchlist CSV as a table of strings (Sentinel stores watchlist values as text); SearchKey is the value of the
 * watchlist's `itemsSearchKey` column (a CSV that has a SearchKey column already keeps it).
 */
export function watchlistTable(text: string, source: string, itemsSearchKey = 'SearchKey'): KqlTable {
  const [head, ...records] = readCsv(text, source);
  if (!head) throw new WatchlistError(`${source}: empty watchlist (a header row is required)`);
  const names = head.fields.map((f) => f.trim());
  const key = names.indexOf(itemsSearchKey);
  if (key < 0)
    throw new WatchlistError(`${source}: no ${itemsSearchKey} column (the watchlist's search key)`);
  const withKey = names.includes('SearchKey') ? names : ['SearchKey', ...names];
  return {
    columns: withKey.map((name) => ({ name, type: 'string' })),
    rows: records.map((r) => ({
      ...(names.includes('SearchKey') ? {} : { SearchKey: r.fields[key] ?? '' }),
      ...Object.fromEntries(names.map((n, i) => [n, r.fields[i] ?? ''])),
    })),
  };
}

/**
 * The watchlists infra/sentinel-content.json deploys, with the CSV its parameters default to (what a deployment
 * without those parameters creates), by alias.
 */
export function deployedWatchlists(
  template: Record<string, unknown>,
  ctx: Omit<DeploymentContext, 'parameters'>,
  workspace: string,
): Record<string, KqlTable> {
  const arm = new TemplateEvaluator(template, { ...ctx, parameters: { workspace } });
  const out: Record<string, KqlTable> = {};
  for (const w of arm.resourcesOfType('Microsoft.SecurityInsights/watchlists')) {
    const p = (w.properties ?? {}) as Record<string, unknown>;
    const alias = String(p.watchlistAlias ?? String(w.name).split('/').pop());
    out[alias] = watchlistTable(
      String(p.rawContent ?? ''),
      `watchlist ${alias}`,
      String(p.itemsSearchKey ?? 'SearchKey'),
    );
  }
  return out;
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
  const json = parseJsonText(await readFile(configFile, 'utf8')) as {
    enrichment?: { inventory?: { file?: string } };
  };
  const file = json.enrichment?.inventory?.file;
  return file ? resolve(dirname(configFile), file) : undefined;
}

/** Loads the watchlists `files` names and checks every watchlist the rules read is among them. */
export async function loadWatchlists(
  rules: readonly TwinRule[],
  files: Readonly<Record<string, string>>,
  deployed: Readonly<Record<string, KqlTable>> = {},
): Promise<Record<string, KqlTable>> {
  const out: Record<string, KqlTable> = { ...deployed };
  for (const [alias, readers] of watchlistsRead(rules)) {
    const file = files[alias];
    if (!file && out[alias]) continue;
    if (!file)
      throw new WatchlistError(
        `${readers.map((r) => r.file).join(', ')}: reads watchlist "${alias}", but the twin has no CSV for it`,
      );
    out[alias] = watchlistTable(await readFile(file, 'utf8'), file);
  }
  return out;
}
