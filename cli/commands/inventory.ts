import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { InventoryError, loadInventoryFile } from '../../pipeline/enrich/inventory/index.js';
import {
  inventoryFacts,
  inventoryWatchlistCsv,
  sensorPlaces,
  sensorPlacesLines,
} from '../inventoryWatchlist.js';
import { UsageError } from './usageError.js';

export interface InventoryOptions {
  readonly input: string;
  readonly out?: string;
}

/**
 * Reads an inventory in any shape the pipeline reads and writes it as the OTAssetInventory watchlist CSV to `out`
 * (else stdout); what it read goes to `log`. A file it cannot read or with bad rows is a usage error listing them.
 */
export async function runInventory(
  o: InventoryOptions,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<void> {
  let assets: Awaited<ReturnType<typeof loadInventoryFile>>;
  try {
    assets = await loadInventoryFile(o.input);
  } catch (e) {
    if (e instanceof InventoryError) throw new UsageError(e.message);
    throw e;
  }
  const csv = inventoryWatchlistCsv(assets);
  if (o.out) await writeFile(o.out, csv);
  else process.stdout.write(csv);
  log(`${o.input}: ${inventoryFacts(assets)}${o.out ? ` → ${o.out}` : ''}`);
  for (const line of sensorPlacesLines(sensorPlaces(assets))) log(line);
}

/** `ot-soc inventory`: an asset inventory as the OTAssetInventory watchlist CSV. */
export function registerInventory(program: Command): void {
  program
    .command('inventory')
    .description(
      "Convert an asset inventory into the OTAssetInventory watchlist CSV (docs/content.md \"Watchlists\"): any CSV the pipeline reads (the watchlist's columns, Defender for IoT's device inventory export from the Azure portal, other common spellings) or JSON, checked row by row. The output is both the pipeline's inventory (enrichment.inventory.file) and the deployment's assetInventoryCsv parameter, so the rules, the workbooks and the pipeline see the same devices. Prints what it read (devices, controllers, devices without an IP) to stderr, and where the sensors it names are (the enrichment.sensors entries a site that forwards syslog needs).",
    )
    .requiredOption('--input <file>', 'inventory to read (CSV or JSON)')
    .option('--out <file>', 'where to write the watchlist CSV (default: stdout)')
    .action(async (o: InventoryOptions) => {
      await runInventory(o);
    });
}
