/**
 * Runs the automation rules on incident events, as Sentinel does: rules whose trigger (Incidents, Created or
 * Updated) matches and whose conditions hold run in `order`; their actions run in their own order.
 * ModifyProperties changes the incident at once (later rules see it, "regardless of whether the incident was
 * created with the value or it was assigned by another automation rule"); RunPlaybook starts the Logic App, which
 * forwards the trigger body to the playbook function. A playbook's own writes are "incident updated" events and go
 * through the rules again; an automation rule's writes do not (the twin's loop guard, docs/local-sentinel.md).
 */
import {
  type IncidentView,
  type IncidentEvent as MatchEvent,
  matchingRules,
} from '../../playbooks/automation/automationRules.js';
import type { PlaybookName } from '../../playbooks/types.js';
import {
  type IncidentChange,
  type IncidentEvent,
  type IncidentStore,
  ruleArmId,
  type TwinIncident,
  tacticsOf,
  type UpdatedBy,
  type WorkspaceRef,
} from '../incidents.js';
import type { ShimApp, ShippedAutomation, TwinAutomationRule } from './deployment.js';
import { incidentTrigger } from './payload.js';
import type { PlaybookRun, TwinPlaybookHost } from './playbooks.js';

/** More events than this for one incident means rules and playbooks feed each other: fail, never spin. */
export const MAX_EVENTS_PER_INCIDENT = 100;

export interface AutomationRun {
  at: string;
  incidentNumber: number;
  event: 'Created' | 'Updated';
  rule: string;
  order: number;
  actions: string[];
}

export class AutomationError extends Error {
  override name = 'AutomationError';
}

const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

/** What automation conditions see of a twin incident. */
export function incidentView(i: TwinIncident, ws: WorkspaceRef): IncidentView {
  const owner = i.owner.objectId ?? i.owner.userPrincipalName ?? i.owner.email ?? undefined;
  return {
    title: i.title,
    description: i.description,
    severity: i.severity,
    status: i.status,
    relatedAnalyticRuleIds: i.ruleIds.map((id) => ruleArmId(ws, id)),
    tactics: tacticsOf(i),
    labels: i.labels.map((l) => l.labelName),
    providerName: 'Azure Sentinel',
    alertProductNames: ['Azure Sentinel'],
    ...(owner ? { owner } : {}),
  };
}

function matchEvent(ev: IncidentEvent, ws: WorkspaceRef): MatchEvent {
  const at = new Date(ev.at);
  if (ev.kind === 'Created') return { kind: 'Created', incident: incidentView(ev.incident, ws), at };
  const n = (v: number | readonly string[] | undefined) =>
    Array.isArray(v) ? v.length : ((v as number | undefined) ?? 0);
  return {
    kind: 'Updated',
    incident: incidentView(ev.incident, ws),
    previous: incidentView(ev.before ?? ev.incident, ws),
    added: {
      Alerts: n(ev.added.Alerts),
      Labels: n(ev.added.Labels),
      Tactics: n(ev.added.Tactics),
      Comments: n(ev.added.Comments),
    },
    at,
  };
}

export class AutomationEngine {
  readonly runs: AutomationRun[] = [];
  readonly playbookRuns: PlaybookRun[] = [];
  readonly #queue: IncidentEvent[] = [];
  readonly #events = new Map<number, number>();
  #draining = false;

  constructor(
    readonly automation: ShippedAutomation,
    readonly store: IncidentStore,
    readonly ws: WorkspaceRef,
    readonly host: TwinPlaybookHost | undefined,
  ) {
    // The twin raises incident events only: an alert-triggered rule would silently never run, so refuse it.
    const alertRule = automation.rules.find((r) => r.properties.triggeringLogic.triggersOn !== 'Incidents');
    if (alertRule)
      throw new AutomationError(
        `${alertRule.source}: automation rule "${alertRule.properties.displayName}" triggers on ${alertRule.properties.triggeringLogic.triggersOn}; the twin models incident triggers only`,
      );
  }

  /** Queues an event (from alerts, a playbook, an analyst) and processes the queue to the end. */
  async dispatch(ev: IncidentEvent): Promise<void> {
    this.#queue.push(ev);
    await this.drain();
  }

  /** Processes the queued events (those a timer's writes raised) to the end. */
  async drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) await this.#handle(next);
    } finally {
      this.#draining = false;
    }
  }

  /** For the playbook host: events its writes cause (queued, handled after the current one). */
  readonly enqueue = (ev: IncidentEvent): void => {
    this.#queue.push(ev);
  };

  /** The rules of the event's trigger in Sentinel's order (conditions are checked one by one, as they run). */
  #rulesFor(ev: IncidentEvent): TwinAutomationRule[] {
    return this.automation.rules
      .filter((r) => r.properties.triggeringLogic.triggersWhen === ev.kind)
      .sort((a, b) => a.properties.order - b.properties.order || a.name.localeCompare(b.name));
  }

  #app(resourceId: string | undefined, rule: TwinAutomationRule): ShimApp {
    const app = this.automation.apps.find((a) => a.resourceId.toLowerCase() === resourceId?.toLowerCase());
    if (!app)
      throw new AutomationError(
        `${rule.source}: automation rule "${rule.properties.displayName}" runs ${resourceId}, which no shipped template deploys as an ot-soc playbook shim`,
      );
    if (!app.incidentTrigger)
      throw new AutomationError(
        `${rule.source}: ${resourceId} does not start with the Microsoft Sentinel incident trigger, so automation rules cannot run it`,
      );
    return app;
  }

  #modify(inc: TwinIncident, cfg: Record<string, unknown>, at: number, rule: string): string {
    const change: IncidentChange = {};
    if (cfg.status) change.status = String(cfg.status) as TwinIncident['status'];
    if (cfg.severity) change.severity = String(cfg.severity);
    if (cfg.classification) change.classification = String(cfg.classification);
    if (cfg.classificationReason) change.classificationReason = String(cfg.classificationReason);
    if (cfg.classificationComment) change.classificationComment = String(cfg.classificationComment);
    if (cfg.owner && typeof cfg.owner === 'object' && !Array.isArray(cfg.owner)) {
      const o = cfg.owner as Record<string, unknown>;
      change.owner = {
        ...(str(o.objectId) ? { objectId: str(o.objectId) } : {}),
        ...(str(o.email) ? { email: str(o.email) } : {}),
        ...(str(o.assignedTo) ? { assignedTo: str(o.assignedTo) } : {}),
        ...(str(o.userPrincipalName) ? { userPrincipalName: str(o.userPrincipalName) } : {}),
        ...(str(o.ownerType) ? { ownerType: str(o.ownerType) as 'User' | 'Group' | 'Unknown' } : {}),
      };
    }
    if (Array.isArray(cfg.labels)) {
      const names = new Set(inc.labels.map((l) => l.labelName.toLowerCase()));
      const add = cfg.labels
        .map((l) => String((l as Record<string, unknown>).labelName ?? ''))
        .filter((n) => n && !names.has(n.toLowerCase()));
      change.labels = [
        ...inc.labels,
        ...add.map((labelName) => ({ labelName, labelType: 'AutomationRule' })),
      ];
    }
    const by: UpdatedBy = 'AutomationRule';
    const ev = this.store.update(inc, change, by, at, rule);
    return ev ? `modified ${Object.keys(change).join(', ')}` : 'modified nothing (already so)';
  }

  async #handle(ev: IncidentEvent): Promise<void> {
    const n = (this.#events.get(ev.incident.number) ?? 0) + 1;
    this.#events.set(ev.incident.number, n);
    if (n > MAX_EVENTS_PER_INCIDENT)
      throw new AutomationError(
        `incident ${ev.incident.number}: over ${MAX_EVENTS_PER_INCIDENT} events: automation rules and playbooks keep updating each other`,
      );
    const pending: { app: ShimApp; rule: TwinAutomationRule }[] = [];
    for (const rule of this.#rulesFor(ev)) {
      // Evaluated on the incident as it is now: an earlier rule's ModifyProperties counts.
      if (!matchingRules([rule], matchEvent(ev, this.ws)).length) continue;
      const done: string[] = [];
      for (const a of [...rule.properties.actions].sort((x, y) => x.order - y.order)) {
        const cfg = (a.actionConfiguration ?? {}) as Record<string, unknown>;
        if (a.actionType === 'ModifyProperties')
          done.push(this.#modify(ev.incident, cfg, ev.at, rule.properties.displayName));
        else if (a.actionType === 'RunPlaybook') {
          const app = this.#app(str(cfg.logicAppResourceId), rule);
          pending.push({ app, rule });
          done.push(`run playbook ${app.playbook}`);
        } else
          throw new AutomationError(
            `${rule.source}: action type ${a.actionType} is not supported by the twin`,
          );
      }
      this.runs.push({
        at: new Date(ev.at).toISOString(),
        incidentNumber: ev.incident.number,
        event: ev.kind,
        rule: rule.properties.displayName,
        order: rule.properties.order,
        actions: done,
      });
    }
    // Playbooks run after the rules (Logic Apps start asynchronously), each with the incident as it is then.
    for (const { app, rule } of pending) {
      if (!this.host) continue;
      const body = incidentTrigger(this.ws, ev.incident, ev.kind === 'Created' ? 'Create' : 'Update');
      const run = await this.host.run(
        app.playbook as PlaybookName,
        body,
        ev.incident,
        ev.kind === 'Created' ? 'Create' : 'Update',
        rule.properties.displayName,
        app.retries,
      );
      this.playbookRuns.push(run);
    }
  }
}
