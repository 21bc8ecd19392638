import type { PlaybookConfig } from '../config.js';
import { type IncidentSeverity, severityRank } from '../sentinel/incident.js';
import type { NotifyState } from '../state/playbookState.js';

/** Highest threshold the count has reached (0 when none). */
export function countLevel(count: number | undefined, thresholds: readonly number[]): number {
  let level = 0;
  for (const t of thresholds) if (count !== undefined && count >= t && t > level) level = t;
  return level;
}

export type NotifyDecision =
  | { send: false; reason: 'unchanged' | 'below-min-severity' }
  | {
      send: true;
      reason: 'first' | 'severity-raised' | 'count-threshold';
      summary: string;
      next: NotifyState;
    };

/**
 * One card per incident, then an update only when it gets worse in a way the OT team must hear about: the
 * severity rises, or the alert count first reaches a threshold (10, 100, 1000 by default). A storm that grows
 * from 11 to 99 alerts stays one card.
 */
export function decideNotification(
  previous: NotifyState | undefined,
  current: { severity: IncidentSeverity; count?: number },
  teams: PlaybookConfig['teams'],
  now: Date,
): NotifyDecision {
  const level = countLevel(current.count, teams.countThresholds);
  if (!previous) {
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
        ...(current.count !== undefined ? { lastCount: current.count } : {}),
        lastSentAt: now.toISOString(),
      },
    };
  }
  const raised = severityRank(current.severity) > severityRank(previous.severity);
  const crossed = level > previous.countLevel;
  if (!raised && !crossed) return { send: false, reason: 'unchanged' };
  const summary = [
    raised ? `Severity raised from ${previous.severity} to ${current.severity}` : undefined,
    crossed
      ? `Alert count reached ${level}${current.count !== undefined ? ` (now ${current.count})` : ''}`
      : undefined,
  ]
    .filter(Boolean)
    .join('; ');
  return {
    send: true,
    reason: raised ? 'severity-raised' : 'count-threshold',
    summary: `Update: ${summary}`,
    next: {
      cards: previous.cards + 1,
      severity: raised ? current.severity : previous.severity,
      countLevel: Math.max(level, previous.countLevel),
      ...(current.count !== undefined ? { lastCount: current.count } : {}),
      lastSentAt: now.toISOString(),
    },
  };
}
