/**
 * `ot-soc demo` / `ot-soc replay --sentinel`: the twin after the pipeline, over the rows the pipeline posted
 * (OUT/OTAlerts_CL.ndjson), with the shipped rules, the shipped automation rules and shims, and the playbooks
 * configured by `--playbooks`. Writes OUT/sentinel/*.ndjson and returns the summary.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../analytics/content.js';
import { parseJsonText } from '../pipeline/util/jsonText.js';
import { parsePlaybookConfig } from '../playbooks/config.js';
import { loadAutomation, shippedDeployments } from './automation/deployment.js';
import {
  formatTwinSummary,
  summarizeTwin,
  type TwinFiles,
  type TwinSummary,
  writeTwinOutputs,
} from './output.js';
import { loadTwinRules } from './rules.js';
import { runTwin, TWIN_WORKSPACE, type TwinResult } from './twin.js';
import { ASSET_WATCHLIST, deployedWatchlists, inventoryOfConfig, loadWatchlists } from './watchlists.js';
import { loadWorkspaceFile } from './workspace.js';

export interface TwinRunOptions {
  /** The pipeline's output directory (holds OTAlerts_CL.ndjson). */
  out: string;
  /** Playbook configuration file (JSON). */
  playbooks: string;
  /** The ot-soc configuration (its asset inventory is the OTAssetInventory watchlist). Default: the sample's. */
  config?: string;
  /** Content root (default: the package). */
  root?: string;
}

export interface TwinRunResult {
  result: TwinResult;
  summary: TwinSummary;
  files: TwinFiles;
  text: string;
}

export class TwinInputError extends Error {
  override name = 'TwinInputError';
}

export async function runTwinOnOutput(o: TwinRunOptions): Promise<TwinRunResult> {
  const root = o.root ?? packageRoot();
  let config: unknown;
  try {
    config = parseJsonText(await readFile(o.playbooks, 'utf8'));
  } catch (e) {
    throw new TwinInputError(`cannot read --playbooks ${o.playbooks}: ${(e as Error).message}`);
  }
  const playbookConfig = parsePlaybookConfig(config, o.playbooks);
  const workspace = await loadWorkspaceFile(join(o.out, 'OTAlerts_CL.ndjson'));
  const rules = loadTwinRules(root);
  const ctx = { ...TWIN_WORKSPACE, workspaceName: TWIN_WORKSPACE.workspace };
  const automation = loadAutomation(shippedDeployments(ctx, root), ctx);
  const configFile = o.config ?? join(root, 'samples', 'ot-soc.config.json');
  let inventory: string | undefined;
  try {
    inventory = await inventoryOfConfig(configFile);
  } catch (e) {
    throw new TwinInputError(`cannot read --config ${configFile}: ${(e as Error).message}`);
  }
  let watchlists: Awaited<ReturnType<typeof loadWatchlists>>;
  try {
    const content = JSON.parse(
      await readFile(join(root, 'infra', 'sentinel-content.json'), 'utf8'),
    ) as Record<string, unknown>;
    watchlists = await loadWatchlists(
      rules,
      inventory ? { [ASSET_WATCHLIST]: inventory } : {},
      deployedWatchlists(content, ctx, ctx.workspaceName),
    );
  } catch (e) {
    throw new TwinInputError((e as Error).message);
  }
  const result = await runTwin({ rules, workspace, automation, playbookConfig, watchlists });
  const files = await writeTwinOutputs(o.out, result);
  const summary = summarizeTwin(result);
  return { result, summary, files, text: formatTwinSummary(summary, files) };
}
