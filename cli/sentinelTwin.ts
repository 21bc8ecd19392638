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
