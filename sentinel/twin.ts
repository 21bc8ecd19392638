/**
 * The local Sentinel, end to end: rules run on the simulated clock over the workspace, alerts become incidents,
 * incident events run the shipped automation rules, whose RunPlaybook actions call the playbook handlers through
 * the shim's contract. Returns everything it made, in order, for the outputs and the tests.
 */
import type { PlaybookConfig } from '../playbooks/config.js';
import type { TwinAlert } from './alerts.js';
import type { ShippedAutomation } from './automation/deployment.js';
import { AutomationEngine, type AutomationRun } from './automation/engine.js';
import { type PlaybookRun, twinPlaybookHost } from './automation/playbooks.js';
import type { KqlTable, QueryRunner } from './engine.js';
import { type IncidentChange, IncidentStore, type TwinIncident, type WorkspaceRef } from './incidents.js';
import type { TwinRule } from './rules.js';
import { type RuleRun, runSchedule } from './scheduler.js';
import { twinLogAnalytics } from './tables.js';
import type { TwinWorkspace } from './workspace.js';

/** The defender-status timer's period (functions/defenderStatus.ts: every 5 minutes). */
export const DEFENDER_STATUS_EVERY_MS = 5 * 60_000;

/** The twin's workspace, as ids in incident ARM ids and automation rule conditions. */
export const TWIN_WORKSPACE: WorkspaceRef & { location: string; tenantId: string } = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'ot-soc-demo',
  workspace: 'ot-soc-demo',
  location: 'westeurope',
  tenantId: '00000000-0000-0000-0000-0000000000aa',
};

export interface TwinOptions {
  rules: readonly TwinRule[];
  workspace: TwinWorkspace;
  /** The automation rules and shims to run (none: incidents only). */
  automation?: ShippedAutomation;
  /** The playbooks' configuration; without it RunPlaybook actions are recorded but no playbook runs. */
  playbookConfig?: PlaybookConfig;
  runner?: QueryRunner;
  /** `_GetWatchlist(alias)` tables the rules read. */
  watchlists?: Record<string, KqlTable>;
  start?: number;
  end?: number;
}

export interface TwinResult {
  rules: readonly TwinRule[];
  runs: RuleRun[];
  alerts: TwinAlert[];
  incidents: TwinIncident[];
  automationRuns: AutomationRun[];
  playbookRuns: PlaybookRun[];
  start: number;
  end: number;
  store: IncidentStore;
  engine: AutomationEngine;
  /**
   * An analyst changes an incident at `at` (default: the end of the run), e.g. closes it: the change is an
   * "incident updated" event, so the automation rules and playbooks run on it.
   */
  analyst(incidentNumber: number, change: IncidentChange, at?: number): Promise<void>;
  /** One more run of the defender-status timer at `at` (default: the end of the run). */
  followDefender(at?: number): Promise<void>;
}

export async function runTwin(o: TwinOptions): Promise<TwinResult> {
  const store = new IncidentStore(TWIN_WORKSPACE);
  let now = o.start ?? 0;
  const clock = () => now;
  let engine!: AutomationEngine;
  const logAnalytics = twinLogAnalytics(o.workspace, store, clock, o.runner, o.watchlists);
  const host = o.playbookConfig
    ? twinPlaybookHost(o.playbookConfig, store, clock, (ev) => engine.enqueue(ev), logAnalytics)
    : undefined;
  engine = new AutomationEngine(o.automation ?? { rules: [], apps: [] }, store, TWIN_WORKSPACE, host);
  // The defender-status Function's timer, on the simulated clock: its incident writes run the automation rules.
  const followDefender = async (at: number) => {
    if (!host) return;
    now = at;
    engine.playbookRuns.push(...(await host.followDefender()));
    await engine.drain();
  };
  const schedule = await runSchedule(
    o.rules,
    o.workspace,
    store,
    async (events, at) => {
      now = at;
      for (const ev of events) await engine.dispatch(ev);
    },
    {
      ...(o.start !== undefined ? { start: o.start } : {}),
      ...(o.end !== undefined ? { end: o.end } : {}),
      ...(o.runner ? { runner: o.runner } : {}),
      ...(o.watchlists ? { watchlists: o.watchlists } : {}),
      ...(host ? { timers: [{ everyMs: DEFENDER_STATUS_EVERY_MS, run: followDefender }] } : {}),
    },
  );
  return {
    rules: o.rules,
    runs: schedule.runs,
    alerts: schedule.alerts,
    incidents: store.incidents,
    automationRuns: engine.runs,
    playbookRuns: engine.playbookRuns,
    start: schedule.start,
    end: schedule.end,
    store,
    engine,
    async analyst(incidentNumber, change, at = schedule.end) {
      const inc = store.incidents.find((i) => i.number === incidentNumber);
      if (!inc) throw new Error(`no incident ${incidentNumber} in the twin`);
      now = at;
      const ev = store.update(inc, change, 'User', at);
      if (ev) await engine.dispatch(ev);
    },
    followDefender: (at = schedule.end) => followDefender(at),
  };
}
