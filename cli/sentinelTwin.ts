import { readFile } from 'node:fs/promises';
import { parseJsonText } from '../pipeline/util/jsonText.js';
import { parsePlaybookConfig } from '../playbooks/config.js';
import { PlaybookConfigError } from '../playbooks/errors.js';
import { runTwinOnOutput, TwinInputError, type TwinRunResult } from '../sentinel/run.js';
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
