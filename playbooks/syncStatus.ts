import { setGroupStatus } from '../pipeline/dedup/statusFeedback.js';
import type { AlertStatus } from '../pipeline/model/alert.js';
import { DownstreamError } from './errors.js';
import type { OtFacts } from './facts.js';
import type { IncidentTrigger } from './payload.js';
import { resolveTicketWithIncident } from './resolveTicket.js';
import type { IncidentRef } from './sentinel/armId.js';
import { D4IOT_STATUS_OF, d4iotAlertTarget } from './sentinel/d4iotAlert.js';
import type { IncidentStatus } from './sentinel/incident.js';
import { DEFENDER_STATUS_MARKER } from './state/defenderStatus.js';
import { openRun, outcome, type PlaybookDeps, type PlaybookOutcome } from './types.js';

const PLAYBOOK = 'sync-status';

export interface SyncOptions {
  /** Defender for IoT alerts (AlertManagementUri) follow the incident. */
  defender: boolean;
  /** ot-soc dedup groups (AlertId) follow the incident. */
  groups: boolean;
}

/**
 * Makes every Defender for IoT alert and every ot-soc dedup group of an incident carry the incident's status
 * (New → New, Active → InProgress / Active, Closed → Closed), like the native AutoAlertStatusSync playbook but
 * for each alert, on every status change, with each AlertManagementUri used as given (its cloud's ARM host and
 * api-version). Reads before it writes, so a re-run writes nothing. One alert that fails does not stop the
 * others; the run fails at the end (503 when a retry can help) so the Logic App tries again.
 */
export async function syncIncidentStatus(
  status: IncidentStatus,
  facts: OtFacts,
  deps: PlaybookDeps,
  options: SyncOptions,
  actions: string[],
  notes: string[],
): Promise<void> {
  const failures: DownstreamError[] = [];
  if (options.groups) {
    if (!deps.groups && facts.alertIds.length)
      notes.push('no dedup group store configured: groups not synced');
    for (const alertId of deps.groups ? facts.alertIds : []) {
      const r = await setGroupStatus(deps.groups!, alertId, status as AlertStatus);
      if (r.ok && r.changed) actions.push(`set dedup group ${alertId} to ${status}`);
      else if (!r.ok) notes.push(`dedup group ${alertId}: ${r.reason}`);
    }
  }
  if (options.defender && deps.d4iot) {
    const target = D4IOT_STATUS_OF[status];
    for (const uri of facts.alertManagementUris) {
      const alert = d4iotAlertTarget(uri, deps.config.defenderForIoT.armHosts);
      if (!alert) {
        notes.push(
          `ignored AlertManagementUri that is not a Defender for IoT alert on an ARM host: ${uri.slice(0, 200)}`,
        );
        continue;
      }
      try {
        const r = await deps.d4iot.setStatus(alert, target);
        if (r.changed) actions.push(`set Defender for IoT alert ${alert.path.split('/').pop()} to ${target}`);
      } catch (e) {
        if (!(e instanceof DownstreamError)) throw e;
        notes.push(e.message);
        // An alert Defender for IoT no longer has is a note (nothing to sync); anything else fails the run.
        if (e.code !== 'not-found') failures.push(e);
      }
    }
  }
  const retryable = failures.find((f) => f.transient);
  if (retryable) throw retryable;
  if (failures.length) throw failures[0]!;
}

/**
 * The `sync-status` playbook, run by the automation rule on "incident updated: status changed": the incident's
 * status as Sentinel holds it now (not the trigger's copy) goes to its Defender for IoT alerts and dedup groups.
 */
export async function runSyncStatus(
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
): Promise<PlaybookOutcome> {
  const { notes, actions, p, number, facts } = await openRun(trigger, ref, deps);
  // The ticket follows the incident whoever closed it, also when the timer did (below: nothing goes back).
  const ticketFailure = await resolveTicketWithIncident(ref, p, number, deps, actions, notes);
  const finish = (reason: string) => {
    if (ticketFailure) throw ticketFailure;
    return outcome(PLAYBOOK, ref, number, actions, notes, reason, !actions.length);
  };
  if (!facts.alertManagementUris.length && !facts.alertIds.length)
    return finish('no Defender for IoT alert or ot-soc group in the incident');
  // The defender-status timer set this status from Defender for IoT: sending it back would be an echo (and, for
  // Active, would move alerts Defender for IoT closed back to In progress). Any other status change leads again.
  const followed = await deps.defenderStatus?.get(ref.armId);
  if (followed && !followed.value.superseded) {
    if (followed.value.status === p.status)
      return finish(
        `the incident follows Defender for IoT (${DEFENDER_STATUS_MARKER} set it ${p.status}): nothing to send back`,
      );
    const marked = await deps.defenderStatus!.put(
      ref.armId,
      { ...followed.value, superseded: true },
      followed.etag,
    );
    if (!marked.ok) notes.push('the defender-status record changed meanwhile; it is not marked superseded');
  }
  await syncIncidentStatus(
    p.status,
    facts,
    deps,
    { defender: deps.config.defenderForIoT.syncStatus, groups: deps.config.autoClose.closeDedupGroup },
    actions,
    notes,
  );
  if (ticketFailure) throw ticketFailure;
  return outcome(PLAYBOOK, ref, number, actions, notes, `alerts follow the incident status ${p.status}`);
}
