/**
 * The playbook side of the twin: the same handler code the Function runs (`handlePlaybook`), called with the body
 * the Logic App shim forwards, against stand-ins that honour the remote contracts — Sentinel is the twin itself
 * (a playbook's PUT changes the twin's incident and raises an "incident updated" event), Teams, ServiceNow/Jira
 * and Defender for IoT record the exact requests they would have received. Nothing leaves the process.
 */
import type { PlaybookConfig } from '../../playbooks/config.js';
import { DEFENDER_STATUS, runDefenderStatus } from '../../playbooks/defenderStatus/run.js';
import { staticDirectory } from '../../playbooks/directory.js';
import { DownstreamError } from '../../playbooks/errors.js';
import { type HttpResult, handlePlaybook } from '../../playbooks/handler.js';
import {
  type LogAnalyticsQuery,
  logAnalyticsAlertFacts,
  logAnalyticsClassificationHistory,
} from '../../playbooks/logAnalytics.js';
import { type IncidentRef, parseIncidentArmId } from '../../playbooks/sentinel/armId.js';
import type { D4IoTAlertClient } from '../../playbooks/sentinel/d4iotAlert.js';
import {
  type Incident,
  type IncidentProperties,
  writableProperties,
} from '../../playbooks/sentinel/incident.js';
import { commentMessage, type IncidentClient } from '../../playbooks/sentinel/incidentClient.js';
import { memoryDefenderStatus } from '../../playbooks/state/defenderStatus.js';
import { memoryNotifyState } from '../../playbooks/state/playbookState.js';
import { memoryTicketMap } from '../../playbooks/state/ticketMap.js';
import type { TicketSystem } from '../../playbooks/tickets/fields.js';
import { recordingTicketSystem } from '../../playbooks/tickets/recording.js';
import type { PlaybookDeps, PlaybookName, PlaybookOutcome } from '../../playbooks/types.js';
import { logAnalyticsWatchlists } from '../../playbooks/watchlists.js';
import { type IncidentEvent, type IncidentStore, type TwinIncident, workspaceArm } from '../incidents.js';

/** What acts on incidents in the twin: the playbooks, and the defender-status timer. */
export type TwinActor = PlaybookName | typeof DEFENDER_STATUS;

/** One request a stand-in received (the outbox of the twin). */
export interface RecordedRequest {
  incidentNumber: number;
  playbook: TwinActor;
  service: 'sentinel' | 'teams' | 'serviceNow' | 'jira' | 'defenderForIoT';
  method: string;
  target: string;
  body: unknown;
}

export interface PlaybookRun {
  incidentNumber: number;
  playbook: TwinActor;
  /** `Timer`: the defender-status timer (no automation rule). */
  trigger: 'Create' | 'Update' | 'Timer';
  automationRule: string;
  status: number;
  /** HTTP attempts the shim made (its retry policy retries 408, 429 and 5xx). */
  attempts: number;
  outcome?: Omit<PlaybookOutcome, 'playbook'> & { playbook: TwinActor };
  error?: string;
  requests: RecordedRequest[];
}

export interface TwinPlaybookHost {
  run(
    playbook: PlaybookName,
    body: Record<string, unknown>,
    incident: TwinIncident,
    trigger: 'Create' | 'Update',
    automationRule: string,
    retries: number,
  ): Promise<PlaybookRun>;
  /**
   * One run of the defender-status timer at the clock's time: one run line per incident it changed (or failed
   * on), its writes raising update events like a playbook's.
   */
  followDefender(): Promise<PlaybookRun[]>;
}

/** The twin workspace's customer id (the Log Analytics query API's workspace id). */
export const TWIN_WORKSPACE_ID = '00000000-0000-0000-0000-0000000000ff';

const toIncident = (i: TwinIncident): Incident => ({
  id: i.armId,
  name: i.name,
  etag: `"${i.etag}"`,
  type: 'Microsoft.SecurityInsights/Incidents',
  properties: {
    title: i.title,
    description: i.description,
    severity: i.severity as IncidentProperties['severity'],
    status: i.status,
    ...(i.classification ? { classification: i.classification as IncidentProperties['classification'] } : {}),
    ...(i.classificationReason
      ? { classificationReason: i.classificationReason as IncidentProperties['classificationReason'] }
      : {}),
    ...(i.classificationComment ? { classificationComment: i.classificationComment } : {}),
    owner: structuredClone(i.owner),
    labels: structuredClone(i.labels),
    incidentNumber: i.number,
    createdTimeUtc: i.createdTimeUtc,
    lastModifiedTimeUtc: i.lastModifiedTimeUtc,
    firstActivityTimeUtc: i.firstActivityTimeUtc,
    lastActivityTimeUtc: i.lastActivityTimeUtc,
    relatedAnalyticRuleIds: [...i.ruleIds],
    additionalData: { alertsCount: i.alerts.length },
  },
});

/**
 * A host whose playbooks act on `store`: every incident write becomes an event passed to `onEvent` (so the
 * twin's automation rules see playbook updates), every outside request is recorded on the run.
 */
export function twinPlaybookHost(
  config: PlaybookConfig,
  store: IncidentStore,
  clock: () => number,
  onEvent: (ev: IncidentEvent) => void,
  /** The workspace as Log Analytics (facts by AlertId, classification history), if the playbooks may query. */
  logAnalytics?: LogAnalyticsQuery,
): TwinPlaybookHost {
  let current: PlaybookRun | undefined;
  const record = (r: Omit<RecordedRequest, 'incidentNumber' | 'playbook'>, incidentNumber?: number) => {
    if (current)
      current.requests.push({
        incidentNumber: incidentNumber ?? current.incidentNumber,
        playbook: current.playbook,
        ...r,
      });
  };
  const find = (ref: IncidentRef): TwinIncident => {
    const inc = store.byArmId(ref.armId);
    if (!inc)
      throw new DownstreamError('sentinel', 'not-found', `no incident ${ref.incidentId} in the twin`, 404);
    return inc;
  };
  const incidents: IncidentClient = {
    async get(ref) {
      return toIncident(find(ref));
    },
    async update(ref, change) {
      const inc = find(ref);
      const current = toIncident(inc);
      const next = change(current.properties);
      if (!next) return { incident: current, changed: false, attempts: 0 };
      const body = { etag: current.etag, properties: writableProperties(next) };
      record({ service: 'sentinel', method: 'PUT', target: `incident ${inc.number}`, body }, inc.number);
      const p = body.properties;
      const ev = store.update(
        inc,
        {
          title: p.title,
          description: p.description ?? '',
          severity: p.severity,
          status: p.status,
          classification: p.classification,
          classificationReason: p.classificationReason,
          classificationComment: p.classificationComment,
          owner: p.owner ?? {},
          labels: (p.labels ?? []).map((l) => ({ labelName: l.labelName, labelType: 'User' })),
        },
        'Playbook',
        clock(),
      );
      if (ev) onEvent(ev);
      return { incident: toIncident(inc), changed: !!ev, attempts: 1 };
    },
    async addComment(ref, id, message) {
      const inc = find(ref);
      const ev = store.comment(inc, id, commentMessage(message), 'Playbook', clock());
      if (!ev) return { created: false };
      record(
        {
          service: 'sentinel',
          method: 'PUT',
          target: `incident ${inc.number} comment`,
          body: { properties: { message: commentMessage(message) } },
        },
        inc.number,
      );
      onEvent(ev);
      return { created: true };
    },
  };
  const d4iot: D4IoTAlertClient = {
    async setStatus(target, status) {
      record({
        service: 'defenderForIoT',
        method: 'PATCH',
        target: `https://${target.host}${target.path}?api-version=${target.apiVersion}`,
        body: { properties: { status } },
      });
      return { changed: true };
    },
  };
  const systems = new Map<string, TicketSystem>();
  const deps: PlaybookDeps = {
    config,
    incidents,
    now: () => new Date(clock()),
    teams: {
      post: async (site, message) =>
        record({ service: 'teams', method: 'POST', target: `Teams ${site ?? 'default'}`, body: message }),
    },
    notifyState: memoryNotifyState(),
    ticketMap: memoryTicketMap(),
    ticketSystem: (name) => {
      let s = systems.get(name);
      if (!s) {
        const c = config.ticketSystems[name];
        if (!c) throw new Error(`no ticketSystems entry named "${name}"`);
        s = recordingTicketSystem(name, c, (r) =>
          record({ service: r.service, method: r.method, target: `${r.system} ${r.key}`, body: r.body }),
        );
        systems.set(name, s);
      }
      return s;
    },
    directory: staticDirectory(config.groupIds),
    d4iot,
    defenderStatus: memoryDefenderStatus(),
    ...(logAnalytics
      ? {
          facts: logAnalyticsAlertFacts(logAnalytics),
          history: logAnalyticsClassificationHistory(logAnalytics),
          watchlists: logAnalyticsWatchlists(logAnalytics),
        }
      : {}),
  };

  return {
    async run(playbook, body, incident, trigger, automationRule, retries) {
      const run: PlaybookRun = {
        incidentNumber: incident.number,
        playbook,
        trigger,
        automationRule,
        status: 0,
        attempts: 0,
        requests: [],
      };
      current = run;
      let res: HttpResult | undefined;
      try {
        // The shim's HTTP action retries 408, 429 and 5xx (Logic Apps retry policy); anything else is final.
        do {
          run.attempts++;
          res = await handlePlaybook(playbook, { body: JSON.stringify(body) }, deps);
        } while ((res.status === 408 || res.status === 429 || res.status >= 500) && run.attempts <= retries);
      } finally {
        current = undefined;
      }
      run.status = res.status;
      const json = res.jsonBody as Partial<PlaybookOutcome> & { message?: string };
      if (res.status === 200) run.outcome = json as PlaybookOutcome;
      else run.error = json.message ?? `HTTP ${res.status}`;
      return run;
    },

    async followDefender() {
      if (!logAnalytics || !config.defenderForIoT.followStatus) return [];
      const scratch: PlaybookRun = {
        incidentNumber: 0,
        playbook: DEFENDER_STATUS,
        trigger: 'Timer',
        automationRule: 'timer defender-status (every 5 minutes)',
        status: 0,
        attempts: 1,
        requests: [],
      };
      current = scratch;
      let report: Awaited<ReturnType<typeof runDefenderStatus>>;
      try {
        report = await runDefenderStatus(
          {
            config,
            incidents,
            query: logAnalytics,
            state: deps.defenderStatus!,
            now: () => new Date(clock()),
          },
          { resourceId: workspaceArm(store.workspace), workspaceId: TWIN_WORKSPACE_ID },
        );
      } finally {
        current = undefined;
      }
      // Incidents it acted on (or failed on); skipped and no-op incidents would repeat every five minutes.
      return report.incidents
        .filter((i) => i.result === 'done' || i.result === 'failed')
        .map((i) => ({
          ...scratch,
          incidentNumber: i.incidentNumber,
          status: i.result === 'failed' ? 500 : 200,
          requests: scratch.requests.filter((r) => r.incidentNumber === i.incidentNumber),
          ...(i.result === 'failed'
            ? { error: i.reason }
            : {
                outcome: {
                  playbook: DEFENDER_STATUS,
                  incident: i.incident,
                  incidentNumber: i.incidentNumber,
                  result: i.result === 'done' ? 'done' : 'noop',
                  actions: i.actions,
                  reason: i.reason,
                  notes: report.notes,
                },
              }),
        }));
    },
  };
}

export const isIncidentArmId = (s: string) => parseIncidentArmId(s) !== undefined;
