import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { PlaybookConfig } from './config.js';
import type { GroupDirectory } from './directory.js';
import { type AlertFactsSource, incidentFacts } from './facts.js';
import type { ClassificationHistory } from './logAnalytics.js';
import type { IncidentTrigger } from './payload.js';
import type { IncidentRef } from './sentinel/armId.js';
import type { D4IoTAlertClient } from './sentinel/d4iotAlert.js';
import type { IncidentClient } from './sentinel/incidentClient.js';
import type { DefenderStatusStore } from './state/defenderStatus.js';
import type { NotifyStateStore } from './state/playbookState.js';
import type { TicketMap } from './state/ticketMap.js';
import type { TeamsPoster } from './teams/webhook.js';
import type { TicketSystem } from './tickets/fields.js';
import type { WatchlistSource } from './watchlists.js';

export const PLAYBOOK_NAMES = [
  'notify-teams',
  'create-ticket',
  'auto-close',
  'reassign-ot',
  'sync-status',
] as const;
export type PlaybookName = (typeof PLAYBOOK_NAMES)[number];

/**
 * Everything a playbook core talks to, each behind an interface: the Function wires Azure implementations
 * (playbooks/runtime.ts), tests wire the real clients to contract-honouring fakes, the outbox wires recorders.
 */
export interface PlaybookDeps {
  config: PlaybookConfig;
  incidents: IncidentClient;
  now?: () => Date;
  /** OTAlerts_CL rows by AlertId, for facts the rule did not surface. */
  facts?: AlertFactsSource;
  teams?: TeamsPoster;
  notifyState?: NotifyStateStore;
  ticketMap?: TicketMap;
  /** The ticket system configured under this name in `ticketSystems`. */
  ticketSystem?: (name: string) => TicketSystem;
  directory?: GroupDirectory;
  history?: ClassificationHistory;
  /** Sentinel watchlists (maintenance windows, known-benign types) read by auto-close. */
  watchlists?: WatchlistSource;
  d4iot?: D4IoTAlertClient;
  /** The dedup group store, so auto-close can close the group. */
  groups?: GroupStore;
  /** What the defender-status timer set (sync-status does not send that change back). */
  defenderStatus?: DefenderStatusStore;
}

/** What one run did. `noop`: nothing new (an idempotent re-run); `skipped`: the playbook does not apply. */
export interface PlaybookOutcome {
  playbook: PlaybookName;
  incident: string;
  incidentNumber: number;
  result: 'done' | 'noop' | 'skipped';
  /** Changes made, in order ("posted Teams card #1", "added label OT", …). */
  actions: string[];
  reason?: string;
  /** Things that went wrong without failing the run (a facts query, an unsafe AlertManagementUri). */
  notes: string[];
}

export function outcome(
  playbook: PlaybookName,
  ref: { armId: string },
  incidentNumber: number,
  actions: string[],
  notes: string[],
  reason?: string,
  skipped = false,
): PlaybookOutcome {
  return {
    playbook,
    incident: ref.armId,
    incidentNumber,
    result: skipped ? 'skipped' : actions.length ? 'done' : 'noop',
    actions,
    ...(reason ? { reason } : {}),
    notes,
  };
}

export const nowOf = (deps: PlaybookDeps): Date => deps.now?.() ?? new Date();

/**
 * How a playbook run starts: the incident as Sentinel holds it now (not the trigger's copy), its number, and
 * the OT facts (a failing facts query is a note, never the end of the run).
 */
export async function openRun(trigger: IncidentTrigger, ref: IncidentRef, deps: PlaybookDeps) {
  const notes: string[] = [];
  const actions: string[] = [];
  const current = await deps.incidents.get(ref);
  const p = current.properties;
  const number = p.incidentNumber ?? trigger.object.properties.incidentNumber;
  const facts = await incidentFacts(trigger, deps.facts, (e) =>
    notes.push(`facts query failed: ${(e as Error).message}`),
  );
  return { notes, actions, current, p, number, facts };
}
