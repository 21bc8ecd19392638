import { readFile } from 'node:fs/promises';
import { parseJsonText } from '../pipeline/util/jsonText.js';
import { parsePlaybookConfig } from '../playbooks/config.js';
import { PlaybookConfigError } from '../playbooks/errors.js';
import { runTwinOnOutput, TwinInputError, type TwinRunResult } from '../sentinel/run.js';
import { inventoryOfConfig, WatchlistError, watchlistTable } from '../sentinel/watchlists.js';
import { UsageError } from './commands/usageError.js';

/**
 * The local Sentinel after the pipeline (`demo`, `replay --sentinel`): the shipped rules over OUT/OTAlerts_CL.ndjson,
 * incidents, the shipped automation rules and the playbooks (offline, against in-process stand-ins). A bad
 * `--playbooks` file is a usage error naming the file; anything else the twin refuses is thrown as is.
 */
export async function runSentinelTwin(
  out: string,
  playbooks: string,
  config?: string,
): Promise<TwinRunResult> {
  try {
    return await runTwinOnOutput({ out, playbooks, ...(config ? { config } : {}) });
  } catch (e) {
    if (e instanceof TwinInputError) throw new UsageError(e.message);
    if (e instanceof PlaybookConfigError)
      throw new UsageError(`--playbooks ${playbooks}: ${e.problems.join('; ')}`);
    throw e;
  }
}

/**
 * Reads and validates `--playbooks` before the pipeline runs: a bad file must fail at start (exit 2), not after a
 * whole replay has written its rows and state.
 */
export async function checkPlaybooksFile(playbooks: string): Promise<void> {
  let value: unknown;
  try {
    value = parseJsonText(await readFile(playbooks, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read --playbooks ${playbooks}: ${code ?? (e as Error).message}`);
  }
  try {
    parsePlaybookConfig(value, playbooks);
  } catch (e) {
    if (!(e instanceof PlaybookConfigError)) throw e;
    throw new UsageError(`invalid playbook configuration (--playbooks):\n  - ${e.problems.join('\n  - ')}`);
  }
}

/**
 * The configuration's asset inventory is also the OTAssetInventory watchlist the rules read (as in Azure, where the
 * same CSV is the `assetInventoryCsv` parameter): checked before the pipeline runs, so a file the pipeline reads but
 * the watchlist cannot (no SearchKey column: Defender for IoT's own export, other spellings) fails at start, saying
 * how to convert it, instead of after a whole replay.
 */
export async function checkTwinInventory(config: string | undefined): Promise<void> {
  if (!config) return;
  let file: string | undefined;
  try {
    file = await inventoryOfConfig(config);
  } catch {
    return; // an unreadable --config is the pipeline's to report, with its own message
  }
  if (!file) return;
  let problem: string | undefined;
  if (file.toLowerCase().endsWith('.json')) problem = `${file}: a JSON inventory is not a watchlist (CSV)`;
  else {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return; // likewise a missing inventory file
    }
    try {
      watchlistTable(text, file);
    } catch (e) {
      if (!(e instanceof WatchlistError)) throw e;
      problem = e.message;
    }
  }
  if (problem)
    throw new UsageError(
      `--config ${config}: its inventory is also the OTAssetInventory watchlist the rules read, and ${problem}. Convert it once with \`ot-soc inventory --input ${file} --out inventory.csv\` and name that file in enrichment.inventory.file (the pipeline reads it too)`,
    );
}
