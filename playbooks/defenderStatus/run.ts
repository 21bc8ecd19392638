/**
 * The `defender-status` timer: Defender for IoT → Sentinel. An open incident whose ot-soc groups Defender for
 * IoT has moved on follows them: all groups Closed → the incident is Closed (classification Undetermined:
 * Defender for IoT records no verdict); some group In progress or Closed while the incident is still New →
 * Active. Forward only: it never reopens, never closes an incident someone reopened after it followed the same
 * Defender for IoT state (the state record's fingerprint), and its own change is marked so that sync-status
 * does not send it back (playbooks/syncStatus.ts). Intent → act → outcome, each step re-read before it writes.
 */
import { createHash } from 'node:crypto';
import type { PlaybookConfig } from '../config.js';
import { commentId } from '../ids.js';
import type { LogAnalyticsQuery } from '../logAnalytics.js';
import { type IncidentRef, parseIncidentArmId } from '../sentinel/armId.js';
import { type IncidentProperties, type IncidentStatus, withClosed } from '../sentinel/incident.js';
import type { IncidentClient } from '../sentinel/incidentClient.js';
import {
  DEFENDER_STATUS_MARKER,
  type DefenderStatusRecord,
  type DefenderStatusStore,
} from '../state/defenderStatus.js';
import { type IncidentGroups, openIncidentsMovedByDefender } from './query.js';

export const DEFENDER_STATUS = 'defender-status';
export { DEFENDER_STATUS_MARKER };
/** Incidents one run handles at most; the rest wait for the next run. */
export const MAX_INCIDENTS_PER_RUN = 200;

const RANK: Record<IncidentStatus, number> = { New: 0, Active: 1, Closed: 2 };

export interface DefenderStatusDeps {
  config: PlaybookConfig;
  incidents: IncidentClient;
  query: LogAnalyticsQuery;
  state: DefenderStatusStore;
  now?: () => Date;
}

/** The workspace to follow: its ARM parts (incident ids) and its customer id (the Log Analytics query API). */
export interface FollowedWorkspace {
  resourceId: string;
  workspaceId: string;
}

export interface IncidentFollowResult {
  incident: string;
  incidentNumber: number;
  result: 'done' | 'noop' | 'skipped' | 'failed';
  target?: 'Active' | 'Closed';
  actions: string[];
  reason: string;
}

export interface DefenderStatusReport {
  incidents: IncidentFollowResult[];
  notes: string[];
}

interface Decision {
  target: 'Active' | 'Closed';
  fingerprint: string;
  summary: string;
}

/** What the groups ask of the incident (undefined: nothing; the incident is where they are or ahead). */
export function decide(inc: IncidentGroups): Decision | undefined {
  const closed = inc.groups.filter((g) => g.status === 'Closed');
  const active = inc.groups.filter((g) => g.status === 'Active');
  const target: Decision['target'] | undefined =
    closed.length === inc.groups.length
      ? 'Closed'
      : inc.status === 'New' && closed.length + active.length > 0
        ? 'Active'
        : undefined;
  if (!target || RANK[target] <= RANK[inc.status]) return undefined;
  const parts = inc.groups.map((g) => `${g.alertId}=${g.status ?? '?'}`).sort();
  const fingerprint = createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
  const n = inc.groups.length;
  const list = (gs: typeof inc.groups) =>
    gs
      .slice(0, 10)
      .map((g) => g.alertId)
      .join(', ') + (gs.length > 10 ? `, … (${gs.length - 10} more)` : '');
  const summary =
    target === 'Closed'
      ? `Defender for IoT closed ${n === 1 ? 'the alert' : `all ${n} alerts`} of this incident (ot-soc group${n === 1 ? '' : 's'} ${list(closed)})`
      : `Defender for IoT set ${active.length + closed.length} of ${n} alert${n === 1 ? '' : 's'} of this incident to ${[
          active.length ? `In progress (${list(active)})` : '',
          closed.length ? `Closed (${list(closed)})` : '',
        ]
          .filter(Boolean)
          .join(' and ')}`;
  return { target, fingerprint, summary };
}

function incidentRef(workspaceResourceId: string, name: string): IncidentRef {
  const ref = parseIncidentArmId(
    `${workspaceResourceId}/providers/Microsoft.SecurityInsights/Incidents/${name}`,
  );
  if (!ref) throw new Error(`incident ${name} of ${workspaceResourceId} does not make an incident id`);
  return ref;
}

/** One incident: intent → comment → incident PUT (etag) → done; a re-run after a crash completes the rest. */
async function follow(
  deps: DefenderStatusDeps,
  ref: IncidentRef,
  inc: IncidentGroups,
  d: Decision,
): Promise<IncidentFollowResult> {
  const base = { incident: ref.armId, incidentNumber: inc.number, target: d.target };
  const actions: string[] = [];
  const record = await deps.state.get(ref.armId);
  const same = record?.value.fingerprint === d.fingerprint && record.value.status === d.target;
  if (same && (record.value.phase === 'done' || record.value.superseded))
    return {
      ...base,
      result: 'skipped',
      actions,
      reason: `already followed this Defender for IoT state; the incident was changed since (${inc.status}), so it is left as it is`,
    };
  const current = (await deps.incidents.get(ref)).properties;
  const resumed = same && record.value.phase === 'intent';
  if (!resumed && RANK[current.status] >= RANK[d.target])
    return { ...base, result: 'noop', actions, reason: `the incident is ${current.status} already` };
  if (!resumed) {
    const intent: DefenderStatusRecord = {
      status: d.target,
      fingerprint: d.fingerprint,
      phase: 'intent',
      seen: current.lastModifiedTimeUtc ?? '',
      since: (deps.now?.() ?? new Date()).toISOString(),
    };
    const put = await deps.state.put(ref.armId, intent, record?.etag);
    if (!put.ok)
      return { ...base, result: 'skipped', actions, reason: 'another run is following this incident' };
  }
  // The comment first: it says what ot-soc is doing, and a run that dies after the PUT leaves nothing unsaid.
  const comment = await deps.incidents.addComment(
    ref,
    commentId(ref.armId, DEFENDER_STATUS, `${d.target}|${d.fingerprint}`),
    `${DEFENDER_STATUS_MARKER}: ${d.summary}. ${
      d.target === 'Closed'
        ? 'ot-soc closes the incident as Undetermined (Defender for IoT records no classification).'
        : 'ot-soc sets the incident Active.'
    } If you set it back, ot-soc leaves it so unless these alerts change again in Defender for IoT.`,
  );
  if (comment.created) actions.push('added audit comment');
  const seen = resumed ? record.value.seen : undefined;
  let interrupted = false;
  const classificationComment = `${DEFENDER_STATUS_MARKER}: closed in Defender for IoT (${d.summary.replace(/^Defender for IoT closed /, '')})`;
  const updated = await deps.incidents.update(ref, (p: IncidentProperties) => {
    if (RANK[p.status] >= RANK[d.target]) return undefined;
    // A resumed run cannot tell "never applied" from "applied, then changed back by someone": it applies only
    // to an incident nobody touched since the intent was recorded.
    if (seen !== undefined && (p.lastModifiedTimeUtc ?? '') !== seen) {
      interrupted = true;
      return undefined;
    }
    return d.target === 'Closed'
      ? withClosed(p, { classification: 'Undetermined', classificationComment })
      : { ...p, status: 'Active' };
  });
  if (updated.changed)
    actions.push(
      d.target === 'Closed' ? 'closed the incident as Undetermined' : 'set the incident to Active',
    );
  if (interrupted) {
    const note = await deps.incidents.addComment(
      ref,
      commentId(ref.armId, DEFENDER_STATUS, `${d.target}|${d.fingerprint}|interrupted`),
      `${DEFENDER_STATUS_MARKER}: ot-soc leaves the incident as it is: it was changed by someone else since an interrupted run started to apply this. ot-soc follows Defender for IoT again when these alerts change there.`,
    );
    if (note.created) actions.push('added comment: not changed');
  }
  const latest = await deps.state.get(ref.armId);
  if (latest && latest.value.fingerprint === d.fingerprint && latest.value.phase === 'intent')
    await deps.state.put(ref.armId, { ...latest.value, phase: 'done' }, latest.etag);
  return {
    ...base,
    result: interrupted ? 'skipped' : actions.length ? 'done' : 'noop',
    actions,
    reason: interrupted ? 'changed by someone else during an interrupted run' : d.summary,
  };
}

/** One run of the timer over one workspace; one incident's failure is reported and does not stop the others. */
export async function runDefenderStatus(
  deps: DefenderStatusDeps,
  ws: FollowedWorkspace,
): Promise<DefenderStatusReport> {
  const notes: string[] = [];
  const candidates = await openIncidentsMovedByDefender(
    deps.query,
    ws.workspaceId,
    deps.config.defenderForIoT.followLookbackDays,
    notes,
  );
  if (candidates.length > MAX_INCIDENTS_PER_RUN)
    notes.push(
      `${candidates.length} incidents to follow; this run takes ${MAX_INCIDENTS_PER_RUN}, the next the rest`,
    );
  const results: IncidentFollowResult[] = [];
  for (const inc of candidates.slice(0, MAX_INCIDENTS_PER_RUN)) {
    const d = decide(inc);
    if (!d) continue;
    const ref = incidentRef(ws.resourceId, inc.name);
    try {
      results.push(await follow(deps, ref, inc, d));
    } catch (e) {
      // Reported per incident (the handler logs it); the next run starts again from what is recorded.
      results.push({
        incident: ref.armId,
        incidentNumber: inc.number,
        result: 'failed',
        target: d.target,
        actions: [],
        reason: e instanceof Error ? e.message : String(e),
      });
    }
  }
  return { incidents: results, notes };
}
