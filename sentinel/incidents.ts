/**
 * Incidents as Sentinel makes them from a rule's alerts (incidentConfiguration, docs/local-sentinel.md):
 * - createIncident false: alerts only; no grouping: one incident per alert;
 * - grouping enabled: an alert joins the rule's newest incident that matches (AnyAlert: any; AllEntities: the
 *   same mapped entities; Selected: the same selected entity types, alert details and custom details) and was
 *   created within lookbackDuration of the alert; at most 150 alerts per incident (then a new incident with the
 *   same details); a matching Closed incident is reopened when reopenClosedIncident, else a new one is created.
 * Grouping never crosses rules. Every change is returned as an event for the automation rules.
 */

import { uuidV5 } from '../playbooks/ids.js';
import {
  type IncidentLabel,
  type IncidentOwner,
  WRITABLE_PROPERTIES,
} from '../playbooks/sentinel/incident.js';
import type { TwinAlert } from './alerts.js';
import type { TwinRule } from './rules.js';

export const MAX_ALERTS_PER_INCIDENT = 150;

/** What an update may change: the incident's writable properties (the activity times are the alerts'). */
const CHANGEABLE = WRITABLE_PROPERTIES.filter(
  (p): p is Exclude<(typeof WRITABLE_PROPERTIES)[number], 'firstActivityTimeUtc' | 'lastActivityTimeUtc'> =>
    p !== 'firstActivityTimeUtc' && p !== 'lastActivityTimeUtc',
);
export type IncidentChange = Partial<Pick<TwinIncident, (typeof CHANGEABLE)[number]>>;
const SEVERITY_RANK: Record<string, number> = { Informational: 0, Low: 1, Medium: 2, High: 3 };

export interface TwinComment {
  id: string;
  message: string;
  createdTimeUtc: string;
  /** Who wrote it (SecurityIncident `Comments[].author.name`). */
  author: string;
}

export interface TwinIncident {
  number: number;
  name: string;
  armId: string;
  title: string;
  description: string;
  severity: string;
  status: 'New' | 'Active' | 'Closed';
  classification?: string;
  classificationReason?: string;
  classificationComment?: string;
  owner: IncidentOwner;
  labels: IncidentLabel[];
  ruleIds: string[];
  alerts: TwinAlert[];
  comments: TwinComment[];
  createdTimeUtc: string;
  lastModifiedTimeUtc: string;
  firstActivityTimeUtc: string;
  lastActivityTimeUtc: string;
  etag: number;
  /** Who changed it last (SecurityIncident `ModifiedBy`): see `modifiedByOf`. */
  modifiedBy: string;
  /** The grouping key of the rule that made it (undefined: never grouped into). */
  groupKey?: string;
}

/** Who changed an incident (the automation condition IncidentUpdatedBySource). */
export type UpdatedBy = 'Alert' | 'AutomationRule' | 'Playbook' | 'User';

/**
 * The names the twin writes into SecurityIncident `ModifiedBy` and comment authors (its choice, documented in
 * docs/local-sentinel.md): the analyst's UPN, the automation rule's display name, the identity of the ot-soc
 * Function that runs the playbooks and the defender-status timer (named as infra/main.json names the app),
 * "Alert grouping" when alerts join, "Microsoft Sentinel" when an analytics rule creates the incident.
 */
export const TWIN_ANALYST = 'analyst@contoso.com';
export const TWIN_FUNCTION_IDENTITY = 'otsoc-func-demo';
export function modifiedByOf(by: UpdatedBy | 'Created', name?: string): string {
  switch (by) {
    case 'User':
      return name ?? TWIN_ANALYST;
    case 'AutomationRule':
      return `Automation rule - ${name ?? 'unnamed'}`;
    case 'Playbook':
      return name ?? TWIN_FUNCTION_IDENTITY;
    case 'Alert':
      return 'Alert grouping';
    case 'Created':
      return 'Microsoft Sentinel';
  }
}

export interface IncidentEvent {
  kind: 'Created' | 'Updated';
  incident: TwinIncident;
  /** The incident before the update (Updated only). */
  before?: TwinIncident;
  updatedBy?: UpdatedBy;
  /** Items added by the update, per list (Alerts, Labels, Comments, Tactics). */
  added: { Alerts?: number; Labels?: string[]; Comments?: number; Tactics?: string[] };
  at: number;
}

export interface WorkspaceRef {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

export const workspaceArm = (w: WorkspaceRef) =>
  `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${w.workspace}`;
export const ruleArmId = (w: WorkspaceRef, ruleId: string) =>
  `${workspaceArm(w)}/providers/Microsoft.SecurityInsights/alertRules/${ruleId}`;

export const tacticsOf = (i: TwinIncident): string[] => [...new Set(i.alerts.flatMap((a) => a.tactics))];
export const clone = (i: TwinIncident): TwinIncident => structuredClone(i);

const maxSeverity = (alerts: readonly Pick<TwinAlert, 'severity'>[]): string =>
  alerts.reduce(
    (s, a) => ((SEVERITY_RANK[a.severity] ?? 0) > (SEVERITY_RANK[s] ?? 0) ? a.severity : s),
    'Informational',
  );

/** The key alerts of one rule must share to land in one incident. */
export function groupKey(rule: TwinRule, alert: TwinAlert): string {
  const g = rule.grouping;
  const entity = (types?: readonly string[]) =>
    alert.entities
      .filter((e) => !types || types.some((t) => (t === 'IP' ? 'Ip' : t) === e.kind))
      .map((e) =>
        `${e.kind}:${JSON.stringify(
          Object.entries(e.properties)
            .filter(([k]) => k !== 'friendlyName')
            .sort(),
        )}`.toLowerCase(),
      )
      .sort()
      .join('|');
  switch (g.matchingMethod) {
    case 'AnyAlert':
      return 'any';
    case 'AllEntities':
      return `entities=${entity()}`;
    case 'Selected':
      return JSON.stringify([
        g.groupByEntities.length ? entity(g.groupByEntities) : '',
        g.groupByAlertDetails.map((d) => (d === 'DisplayName' ? alert.displayName : alert.severity)),
        g.groupByCustomDetails.map((k) => (alert.customDetails[k] ?? []).join('\u0001')),
      ]);
  }
}

/** The incident as one change left it, and when: a SecurityIncident record. */
export interface IncidentRecord {
  at: number;
  incident: TwinIncident;
}

export class IncidentStore {
  readonly incidents: TwinIncident[] = [];
  readonly alerts: TwinAlert[] = [];
  /**
   * Every change's result, in order, as Sentinel writes a SecurityIncident record per change (creation, alerts
   * joined, property update, comment): what "when did an analyst first act" is read from.
   */
  readonly records: IncidentRecord[] = [];
  #next = 1;

  /**
   * A snapshot: the incident's own fields and lists copied, its alerts shared (an alert does not change once made).
   * A deep copy per change grew with alerts × changes: an incident of 150 alerts joined one run at a time.
   */
  #record(incident: TwinIncident, at: number): void {
    this.records.push({
      at,
      incident: {
        ...incident,
        owner: { ...incident.owner },
        labels: incident.labels.map((l) => ({ ...l })),
        ruleIds: [...incident.ruleIds],
        alerts: [...incident.alerts],
        comments: [...incident.comments],
      },
    });
  }

  constructor(readonly workspace: WorkspaceRef) {}

  byArmId(armId: string): TwinIncident | undefined {
    const key = armId.toLowerCase();
    return this.incidents.find((i) => i.armId.toLowerCase() === key);
  }

  #create(rule: TwinRule, alert: TwinAlert, at: number, key?: string): TwinIncident {
    const number = this.#next++;
    const name = uuidV5(`twin-incident|${this.workspace.workspace}|${number}`);
    const iso = new Date(at).toISOString();
    const incident: TwinIncident = {
      number,
      name,
      armId: `${workspaceArm(this.workspace)}/providers/Microsoft.SecurityInsights/Incidents/${name}`,
      title: alert.displayName,
      description: alert.description,
      severity: alert.severity,
      status: 'New',
      owner: {},
      labels: [],
      ruleIds: [rule.id],
      alerts: [],
      comments: [],
      createdTimeUtc: iso,
      lastModifiedTimeUtc: iso,
      firstActivityTimeUtc: alert.startTimeUtc,
      lastActivityTimeUtc: alert.endTimeUtc,
      etag: 1,
      modifiedBy: modifiedByOf('Created'),
      ...(key !== undefined ? { groupKey: key } : {}),
    };
    this.incidents.push(incident);
    return incident;
  }

  #attach(incident: TwinIncident, alert: TwinAlert): void {
    incident.alerts.push(alert);
    // Raised to the joining alert's severity, never lowered: a severity an analyst or a playbook set (reassign-ot
    // raises it for a critical asset) stays when a lesser alert joins (docs/local-sentinel.md).
    incident.severity = maxSeverity([{ severity: incident.severity }, alert]);
    if (alert.startTimeUtc < incident.firstActivityTimeUtc)
      incident.firstActivityTimeUtc = alert.startTimeUtc;
    if (alert.endTimeUtc > incident.lastActivityTimeUtc) incident.lastActivityTimeUtc = alert.endTimeUtc;
  }

  /** The newest incident of `rule` an alert with `key` may join at `at`, if any. */
  #candidate(rule: TwinRule, key: string, at: number): TwinIncident | undefined {
    for (let i = this.incidents.length - 1; i >= 0; i--) {
      const inc = this.incidents[i]!;
      if (inc.ruleIds[0] !== rule.id || inc.groupKey !== key) continue;
      if (at - Date.parse(inc.createdTimeUtc) > rule.grouping.lookbackMs) return undefined;
      return inc;
    }
    return undefined;
  }

  /**
   * Turns one run's alerts into incidents. Incidents are made once all of the run's alerts exist ("the incident
   * is only created after all the alerts have been generated"), so a run yields at most one event per incident.
   */
  addAlerts(rule: TwinRule, alerts: readonly TwinAlert[], at: number): IncidentEvent[] {
    this.alerts.push(...alerts);
    if (!rule.createIncident) return [];
    const created = new Set<TwinIncident>();
    const updated = new Map<
      TwinIncident,
      { before: TwinIncident; alerts: number; tactics: Set<string>; reopened: boolean }
    >();
    for (const alert of alerts) {
      if (!rule.grouping.enabled) {
        const inc = this.#create(rule, alert, at);
        this.#attach(inc, alert);
        created.add(inc);
        continue;
      }
      const key = groupKey(rule, alert);
      let inc = this.#candidate(rule, key, at);
      if (inc && inc.alerts.length >= MAX_ALERTS_PER_INCIDENT) inc = undefined;
      if (inc && inc.status === 'Closed' && !rule.grouping.reopenClosedIncident) inc = undefined;
      if (!inc) {
        inc = this.#create(rule, alert, at, key);
        created.add(inc);
      } else if (!created.has(inc)) {
        let u = updated.get(inc);
        if (!u) {
          u = { before: clone(inc), alerts: 0, tactics: new Set(), reopened: false };
          updated.set(inc, u);
        }
        const known = new Set(tacticsOf(inc));
        for (const t of alert.tactics) if (!known.has(t)) u.tactics.add(t);
        u.alerts++;
        if (inc.status === 'Closed') {
          // Reopened by a new alert: back to Active, the closing classification no longer applies.
          inc.status = 'Active';
          delete inc.classification;
          delete inc.classificationReason;
          delete inc.classificationComment;
          u.reopened = true;
        }
      }
      this.#attach(inc, alert);
    }
    const events: IncidentEvent[] = [];
    for (const inc of created) {
      this.#record(inc, at);
      events.push({ kind: 'Created', incident: inc, added: {}, at });
    }
    for (const [inc, u] of updated) {
      inc.etag++;
      inc.modifiedBy = modifiedByOf('Alert');
      inc.lastModifiedTimeUtc = new Date(at).toISOString();
      this.#record(inc, at);
      events.push({
        kind: 'Updated',
        incident: inc,
        before: u.before,
        updatedBy: 'Alert',
        added: { Alerts: u.alerts, ...(u.tactics.size ? { Tactics: [...u.tactics] } : {}) },
        at,
      });
    }
    return events;
  }

  /** Applies a property change (automation rule, playbook PUT, analyst); undefined when nothing changed. */
  update(
    incident: TwinIncident,
    change: IncidentChange,
    by: UpdatedBy,
    at: number,
    /** The name behind `by` (an automation rule's display name); default per `modifiedByOf`. */
    who?: string,
  ): IncidentEvent | undefined {
    const before = clone(incident);
    const next = { ...incident, ...change };
    const fields = CHANGEABLE;
    if (fields.every((f) => JSON.stringify(next[f] ?? null) === JSON.stringify(before[f] ?? null)))
      return undefined;
    Object.assign(incident, change);
    for (const f of fields) if (incident[f] === undefined) delete incident[f];
    if (incident.status !== 'Closed') {
      delete incident.classification;
      delete incident.classificationReason;
      delete incident.classificationComment;
    }
    incident.etag++;
    incident.lastModifiedTimeUtc = new Date(at).toISOString();
    incident.modifiedBy = modifiedByOf(by, who);
    this.#record(incident, at);
    const had = new Set(before.labels.map((l) => l.labelName.toLowerCase()));
    const labels = incident.labels.map((l) => l.labelName).filter((n) => !had.has(n.toLowerCase()));
    return {
      kind: 'Updated',
      incident,
      before,
      updatedBy: by,
      added: labels.length ? { Labels: labels } : {},
      at,
    };
  }

  /** Adds a comment under a client-chosen id; undefined when that id exists already. */
  comment(
    incident: TwinIncident,
    id: string,
    message: string,
    by: UpdatedBy,
    at: number,
    who?: string,
  ): IncidentEvent | undefined {
    if (incident.comments.some((c) => c.id === id)) return undefined;
    const before = clone(incident);
    incident.comments.push({
      id,
      message,
      createdTimeUtc: new Date(at).toISOString(),
      author: modifiedByOf(by, who),
    });
    this.#record(incident, at);
    return { kind: 'Updated', incident, before, updatedBy: by, added: { Comments: 1 }, at };
  }
}
