import type { PlaybookConfig } from '../config.js';
import { type IncidentSeverity, type IncidentStatus, severityRank } from '../sentinel/incident.js';
import type { NotifyState } from '../state/playbookState.js';

/** Highest threshold the count has reached (0 when none). */
export function countLevel(count: number | undefined, thresholds: readonly number[]): number {
  let level = 0;
  for (const t of thresholds) if (count !== undefined && count >= t && t > level) level = t;
  return level;
}

export type NotifyDecision =
  | { send: false; reason: 'unchanged' | 'below-min-severity' | 'closed' }
  | {
      send: true;
      reason: 'first' | 'severity-raised' | 'attack-step' | 'count-threshold' | 'closed' | 'reopened';
      summary: string;
      next: NotifyState;
    };

/** What notify-teams knows of the incident now. */
export interface NotifyCurrent {
  severity: IncidentSeverity;
  count?: number;
  status: IncidentStatus;
  /** How it was closed, in words (" as benign positive (suspicious but expected)"), for the closing card. */
  closing?: string;
  /** An attack chain's steps in the order they began (storyTitle.ts attackChain). */
  steps?: readonly string[];
  /** Those steps are announced maintenance (an incident auto-close left open), not an attack's. */
  maintenance?: boolean;
}

/**
 * One card per incident, then an update only when it gets worse in a way the OT team must hear about: the
 * severity rises, an attack on a controller takes a step the cards have not shown (a scan announced at 22:00, the
 * controller programmed and stopped at 22:25: the severity was High from the start, so nothing else would say so),
 * or the alert count first reaches a threshold (10, 100, 1000 by default). A storm that grows
 * from 11 to 99 alerts stays one card. With `teams.notifyOnClose`, a channel that had a card also hears when the
 * incident is closed (and, after that, reopened): the OT engineers who saw an alarming card are not left acting on
 * an incident the SOC or auto-close has closed as benign. A closed incident gets no other update.
 */
export function decideNotification(
  previous: NotifyState | undefined,
  current: NotifyCurrent,
  teams: PlaybookConfig['teams'],
  now: Date,
): NotifyDecision {
  const level = countLevel(current.count, teams.countThresholds);
  const closed = current.status === 'Closed';
  if (!previous) {
    if (closed) return { send: false, reason: 'closed' };
    if (severityRank(current.severity) < severityRank(teams.minSeverity))
      return { send: false, reason: 'below-min-severity' };
    return {
      send: true,
      reason: 'first',
      summary: 'New OT incident',
      next: {
        cards: 1,
        severity: current.severity,
        countLevel: level,
        ...(current.steps?.length ? { steps: [...current.steps] } : {}),
        ...(current.count !== undefined ? { lastCount: current.count } : {}),
        lastSentAt: now.toISOString(),
      },
    };
  }
  const announceClose = closed && teams.notifyOnClose && !previous.closed;
  if (closed && !announceClose) return { send: false, reason: 'closed' };
  const reopened = !closed && previous.closed === true;
  const raised = !closed && severityRank(current.severity) > severityRank(previous.severity);
  const crossed = !closed && level > previous.countLevel;
  // State from before steps were recorded has no `steps`: what its cards showed is unknown, so nothing is announced.
  const shown = previous.steps;
  const stepped = closed || !shown ? [] : (current.steps ?? []).filter((s) => !shown.includes(s));
  if (!announceClose && !reopened && !raised && !crossed && !stepped.length)
    return { send: false, reason: 'unchanged' };
  const changes = [
    raised ? `Severity raised from ${previous.severity} to ${current.severity}` : undefined,
    stepped.length
      ? `${current.maintenance ? 'The maintenance went on' : 'The attack went on'}: ${stepped.join(' → ')}`
      : undefined,
    crossed
      ? `Alert count reached ${level}${current.count !== undefined ? ` (now ${current.count})` : ''}`
      : undefined,
  ].filter(Boolean);
  const summary = announceClose
    ? `Closed${current.closing ?? ''}`
    : reopened
      ? [`Reopened: the incident is ${current.status} again`, ...changes].join('; ')
      : `Update: ${changes.join('; ')}`;
  return {
    send: true,
    reason: announceClose
      ? 'closed'
      : reopened
        ? 'reopened'
        : raised
          ? 'severity-raised'
          : stepped.length
            ? 'attack-step'
            : 'count-threshold',
    summary,
    next: {
      cards: previous.cards + 1,
      severity: raised ? current.severity : previous.severity,
      countLevel: Math.max(crossed ? level : 0, previous.countLevel),
      ...(current.count !== undefined ? { lastCount: current.count } : {}),
      lastSentAt: now.toISOString(),
      ...(shown ? { steps: [...shown, ...stepped] } : {}),
      ...(announceClose ? { closed: true } : {}),
    },
  };
}
