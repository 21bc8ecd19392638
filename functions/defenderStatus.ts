/**
 * The `defender-status` timer (Defender for IoT → Sentinel): every 5 minutes, open incidents whose ot-soc groups
 * Defender for IoT closed or set in progress follow them (playbooks/defenderStatus/run.ts). A timer, not a
 * playbook: a change of a Defender for IoT alert reaches Sentinel only as a new OTAlerts_CL row revision, and a
 * scheduled rule over it can raise alerts but never changes an incident, so no incident event would start one.
 * Only `app` and types come from @azure/functions.
 */
import { app, type InvocationContext } from '@azure/functions';
import type { PlaybookRuntime } from '../playbooks/runtime.js';
import { lazy } from './lazy.js';
import { playbookRuntime } from './playbooks.js';

/** At second 20 of every fifth minute: after the flush timer's minute, so a status revision is usually written. */
export const DEFENDER_STATUS_SCHEDULE = '20 */5 * * * *';

const runModule = lazy(() => import('../playbooks/defenderStatus/run.js'));
const redactModule = lazy(() => import('../playbooks/redact.js'));

export function makeDefenderStatusHandler(runtime: () => Promise<PlaybookRuntime>) {
  return async (_timer: unknown, context: InvocationContext): Promise<void> => {
    const { redactSecrets } = await redactModule();
    let rt: PlaybookRuntime;
    try {
      rt = await runtime();
    } catch (e) {
      context.error(`defender-status: ${redactSecrets((e as Error)?.message ?? String(e))}`);
      throw e;
    }
    const { deps } = rt;
    if (!rt.followed || !rt.query || !deps.defenderStatus) {
      context.log(
        'defender-status: no workspace to follow (OTSOC_SENTINEL_WORKSPACE_RESOURCE_ID and OTSOC_SENTINEL_WORKSPACE_ID)',
      );
      return;
    }
    if (!deps.config.defenderForIoT.followStatus) {
      context.log('defender-status: off (defenderForIoT.followStatus is false)');
      return;
    }
    const { runDefenderStatus } = await runModule();
    const report = await runDefenderStatus(
      {
        config: deps.config,
        incidents: deps.incidents,
        query: rt.query,
        state: deps.defenderStatus,
        ...(deps.now ? { now: deps.now } : {}),
      },
      rt.followed,
    );
    // Incident numbers, results and reasons only: no alert payloads or secrets in the logs.
    const count = (r: string) => report.incidents.filter((i) => i.result === r).length;
    const line = `defender-status: incidents=${report.incidents.length} done=${count('done')} noop=${count('noop')} skipped=${count('skipped')} failed=${count('failed')} state=${rt.stateKind}`;
    for (const i of report.incidents)
      if (i.result === 'done' || i.result === 'failed')
        (i.result === 'failed' ? context.warn : context.log).call(
          context,
          `defender-status incident=${i.incidentNumber} ${i.result} target=${i.target ?? '-'} ${redactSecrets(i.reason)}`,
        );
    for (const n of report.notes) context.warn(`defender-status: ${redactSecrets(n)}`);
    if (count('failed')) context.error(line);
    else context.log(line);
  };
}

app.timer('defender-status', {
  schedule: DEFENDER_STATUS_SCHEDULE,
  handler: makeDefenderStatusHandler(playbookRuntime),
});
