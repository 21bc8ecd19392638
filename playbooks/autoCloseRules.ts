import type { PlaybookConfig } from './config.js';
import type { AlertFacts, OtFacts } from './facts.js';
import type { ClassificationHistory } from './logAnalytics.js';
import {
  type Classification,
  type ClassificationReason,
  type IncidentSeverity,
  severityRank,
} from './sentinel/incident.js';

type AutoCloseConfig = PlaybookConfig['autoClose'];

export type AutoCloseRule =
  | 'maintenance'
  | 'pipeline-maintenance'
  | 'known-benign'
  | 'learned-false-positive';

export type AutoCloseDecision =
  | { close: false; reason: string }
  | {
      close: true;
      rule: AutoCloseRule;
      classification: Classification;
      classificationReason: ClassificationReason;
      comment: string;
    };

const eq = (a: string | undefined, b: string) => !!a && a.trim().toLowerCase() === b.trim().toLowerCase();
const siteMatches = (rule: string, site: string | undefined) => rule === '*' || eq(site, rule);

/** The identities of an alert's source: IP, sensor-reported name, inventory name. */
function sourcesOf(a: AlertFacts): string[] {
  return [
    a.sourceIp,
    a.sourceName,
    ...a.assets.filter((x) => x.role === 'source').flatMap((x) => [x.name, x.ip]),
  ].filter((x): x is string => !!x);
}

const fromAny = (a: AlertFacts, allowed: readonly string[]) =>
  sourcesOf(a).some((s) => allowed.some((x) => eq(s, x)));

/** Why auto-closing is not allowed at all, whatever the rules say (OT safety guard). */
function guard(facts: OtFacts, severity: IncidentSeverity, cfg: AutoCloseConfig): string | undefined {
  const never = cfg.neverClose;
  if (never.severities.includes(severity)) return `severity ${severity} is never auto-closed`;
  const esc = facts.escalations.find((e) => never.escalations.some((n) => eq(e, n)));
  if (esc) return `escalation ${esc} is never auto-closed`;
  const crit = [
    facts.criticality,
    ...facts.alerts.map((a) => a.criticality),
    ...facts.assets.map((a) => a.criticality),
  ].find((c) => c && never.criticalities.some((n) => eq(c, n)));
  if (crit) return `asset criticality ${crit} is never auto-closed`;
  return undefined;
}

function inWindow(a: AlertFacts, start: string, end: string, fallback: string | undefined): boolean {
  const t = Date.parse(a.firstSeen ?? fallback ?? '');
  return !Number.isNaN(t) && t >= Date.parse(start) && t <= Date.parse(end);
}

/**
 * Decides whether an incident closes itself. Every alert of the incident must be covered (one unexplained
 * alert keeps it open), and the guard wins over every rule. Rules in order: declared maintenance windows,
 * the pipeline's ExpectedMaintenance tag, known-benign alert types per site, learned false positives.
 */
export async function decideAutoClose(
  facts: OtFacts,
  incident: {
    severity: IncidentSeverity;
    firstActivityTimeUtc?: string | null;
    /** The incident's analytics rule ids (ARM ids or GUIDs): history is read for the same rules. */
    relatedAnalyticRuleIds?: readonly string[] | null;
  },
  cfg: AutoCloseConfig,
  history: { source?: ClassificationHistory; workspaceId?: string | null },
): Promise<AutoCloseDecision> {
  const alerts = facts.alerts;
  if (!alerts.length) return { close: false, reason: 'the incident has no alerts to judge' };
  const blocked = guard(facts, incident.severity, cfg);
  if (blocked) return { close: false, reason: blocked };

  // 1. Declared maintenance: the source is allowed in a window of the alert's site (and zone) at first detection.
  const maintenance = alerts.map((a) =>
    cfg.maintenance.find(
      (r) =>
        siteMatches(r.site, a.site ?? facts.site) &&
        (!r.zones || r.zones.some((z) => eq(a.zone ?? facts.zone, z))) &&
        (!r.alertTitles || r.alertTitles.some((t) => eq(a.title, t))) &&
        fromAny(a, r.sources) &&
        inWindow(a, r.start, r.end, incident.firstActivityTimeUtc ?? undefined),
    ),
  );
  if (maintenance.every((r) => r)) {
    const names = [...new Set(maintenance.map((r) => r!.name))];
    return {
      close: true,
      rule: 'maintenance',
      classification: 'BenignPositive',
      classificationReason: 'SuspiciousButExpected',
      comment: `known maintenance: ${names.join('; ')} (allowed source inside the declared window)`,
    };
  }

  // 2. The pipeline already matched its site calendar and tagged the alert as expected maintenance.
  if (
    cfg.trustPipelineMaintenanceTag &&
    alerts.every((a) => a.escalations.some((e) => eq(e, 'ExpectedMaintenance')))
  )
    return {
      close: true,
      rule: 'pipeline-maintenance',
      classification: 'BenignPositive',
      classificationReason: 'SuspiciousButExpected',
      comment:
        'every alert was tagged ExpectedMaintenance by the ot-soc pipeline (maintenance window, allowed device)',
    };

  // 3. Alert types this site declared benign (optionally only from given sources).
  const benign = alerts.map((a) =>
    cfg.knownBenign.find(
      (r) =>
        siteMatches(r.site, a.site ?? facts.site) &&
        r.alertTitles.some((t) => eq(a.title, t)) &&
        (!r.sources || fromAny(a, r.sources)),
    ),
  );
  if (benign.every((r) => r)) {
    const first = benign[0]!;
    const fp = benign.some((r) => r!.classification === 'FalsePositive');
    return {
      close: true,
      rule: 'known-benign',
      classification: fp ? 'FalsePositive' : 'BenignPositive',
      classificationReason: fp ? 'IncorrectAlertLogic' : 'SuspiciousButExpected',
      comment: `known benign for ${first.site === '*' ? 'all sites' : first.site}: ${first.comment}`,
    };
  }

  // 4. History: alert types mostly closed as false positives by analysts (our own closes excluded).
  const learn = cfg.learnedFalsePositives;
  if (!learn.enabled) return { close: false, reason: 'no auto-close rule matched' };
  if (!history.source || !history.workspaceId)
    return { close: false, reason: 'no rule matched and no classification history available' };
  if (severityRank(incident.severity) > severityRank(learn.maxSeverity))
    return {
      close: false,
      reason: `no rule matched; severity ${incident.severity} is above learnedFalsePositives.maxSeverity`,
    };
  const titles = [...new Set(alerts.map((a) => a.title).filter((t): t is string => !!t))];
  if (titles.length !== 1 || alerts.some((a) => !a.title))
    return { close: false, reason: 'no rule matched; learned rule needs one alert type' };
  const title = titles[0]!;
  const ruleIds = [
    ...new Set((incident.relatedAnalyticRuleIds ?? []).map((id) => id.split('/').pop()!.toLowerCase())),
  ];
  const h = await history.source.forAlertType(history.workspaceId, { title, ruleIds }, learn.lookbackDays);
  // One rule: false and benign positives both say "no one needed to look"; the ratio is of all closed ones.
  const notMalicious = h.falsePositive + h.benignPositive;
  const ratio = h.closed ? notMalicious / h.closed : 0;
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const counted = `${notMalicious} of ${h.closed} closed incidents of "${title}"${ruleIds.length ? ' from the same analytics rule' : ''} in ${learn.lookbackDays} days were not malicious (${h.falsePositive} false positive, ${h.benignPositive} benign positive): ${pct(ratio)}`;
  if (h.closed >= learn.minClosed && ratio >= learn.minRatio) {
    const benign = h.benignPositive > h.falsePositive;
    return {
      close: true,
      rule: 'learned-false-positive',
      classification: benign ? 'BenignPositive' : 'FalsePositive',
      classificationReason: benign ? 'SuspiciousButExpected' : 'IncorrectAlertLogic',
      comment: `learned: ${counted} ≥ ${pct(learn.minRatio)}`,
    };
  }
  return {
    close: false,
    reason: `no rule matched; history: ${counted} (needs ${learn.minClosed} closed and ${pct(learn.minRatio)})`,
  };
}
