import { assetSummary } from './assetFacts.js';
import { type PlaybookConfig, siteConfig } from './config.js';
import { incidentFacts, type OtFacts } from './facts.js';
import { commentId } from './ids.js';
import type { IncidentTrigger } from './payload.js';
import type { IncidentRef } from './sentinel/armId.js';
import {
  combine,
  type IncidentOwner,
  type IncidentProperties,
  type IncidentSeverity,
  withLabels,
  withOwner,
  withSeverityAtLeast,
} from './sentinel/incident.js';
import { storyTitle } from './storyTitle.js';
import { outcome, type PlaybookDeps, type PlaybookOutcome } from './types.js';

const PLAYBOOK = 'reassign-ot';
const lower = (s: string) => s.toLowerCase();

/** Why the incident concerns OT (empty: it does not). */
export function otReasons(
  facts: OtFacts,
  p: Pick<IncidentProperties, 'additionalData'>,
  cfg: PlaybookConfig['reassign'],
): string[] {
  const reasons: string[] = [];
  if (facts.purdueLevel !== undefined && facts.purdueLevel <= cfg.maxPurdueLevel)
    reasons.push(`asset at Purdue level ${facts.purdueLevel} (≤ ${cfg.maxPurdueLevel})`);
  const tactics = new Set(
    [...facts.tactics, ...((p.additionalData?.tactics as string[] | undefined) ?? [])].map(lower),
  );
  const ics = cfg.otTactics.filter((t) => tactics.has(lower(t)));
  if (ics.length) reasons.push(`ICS tactic ${ics.join(', ')}`);
  const product = facts.productNames.find((n) => cfg.otProducts.some((o) => lower(n).includes(lower(o))));
  if (product) reasons.push(`raised by ${product}`);
  if (facts.hasIoTDevices) reasons.push('Defender for IoT device entities');
  if (facts.sensors.length) reasons.push(`OT sensors ${facts.sensors.slice(0, 5).join(', ')}`);
  else if (facts.alertIds.length) reasons.push('ot-soc OT alert groups');
  return reasons;
}

interface Team {
  id?: string;
  name?: string;
  source: string;
}

/** The OT teams an incident may go to, in order: the asset inventory's (zone-level), then the site's configured one. */
function teamCandidates(facts: OtFacts, config: PlaybookConfig): Team[] {
  const candidates: Team[] = [];
  if (facts.otTeam) candidates.push({ name: facts.otTeam, source: 'asset inventory' });
  const site = siteConfig(config, facts.site).otTeam;
  if (site)
    candidates.push({
      ...(site.groupId ? { id: site.groupId } : {}),
      ...(site.groupName ? { name: site.groupName } : {}),
      source: `site ${facts.site ?? 'defaults'}`,
    });
  return candidates;
}

const mappedGroupId = (config: PlaybookConfig, name: string | undefined): string | undefined =>
  name === undefined
    ? undefined
    : Object.entries(config.groupIds).find(([n]) => lower(n) === lower(name))?.[1];

/**
 * The name of the team reassign-ot hands the incident to, as far as the configuration decides it (an id or a
 * groupIds entry; without either, the first candidate): what the Teams card names, so it names the owner. A team
 * configured by its id alone has no name here (the card then names the inventory's team, if any).
 */
export function otTeamName(facts: OtFacts, config: PlaybookConfig): string | undefined {
  const candidates = teamCandidates(facts, config);
  return (candidates.find((c) => c.id || mappedGroupId(config, c.name)) ?? candidates[0])?.name;
}

/**
 * The OT team: the asset inventory's team (zone-level) when its group resolves, else the site's configured team.
 * `unresolved` names teams that were configured or inventoried but have no known Entra group id.
 */
async function resolveTeam(
  facts: OtFacts,
  deps: PlaybookDeps,
  notes: string[],
): Promise<{ team?: Team; unresolved: string[] }> {
  const unresolved: string[] = [];
  for (const c of teamCandidates(facts, deps.config)) {
    if (c.id) return { team: c, unresolved };
    const mapped = mappedGroupId(deps.config, c.name);
    if (mapped) return { team: { ...c, id: mapped }, unresolved };
    if (deps.directory) {
      const id = await deps.directory.groupIdByName(c.name!);
      if (id) return { team: { ...c, id }, unresolved };
    }
    notes.push(`no Entra group named "${c.name}" (${c.source})`);
    unresolved.push(c.name!);
  }
  return { unresolved };
}

function contextComment(
  facts: OtFacts,
  reasons: string[],
  owner: string,
  severity: { from: IncidentSeverity; to: IncidentSeverity } | undefined,
): string {
  const lines = [
    `ot-soc ${PLAYBOOK}: OT incident (${reasons.join('; ')}).`,
    `Site / zone: ${[facts.site, facts.zone].filter(Boolean).join(' / ') || 'unknown'}.`,
    owner,
    ...(severity
      ? [
          `Severity raised from ${severity.from} to ${severity.to} for asset criticality ${facts.criticality}.`,
        ]
      : []),
    'Assets:',
    ...facts.assets.slice(0, 20).map((a) => `- ${assetSummary(a, { owner: true, separator: ': ' })}`),
  ];
  return lines.join('\n');
}

/**
 * Hands OT incidents to the OT team: owner = the team's Entra group, label OT, severity raised by the asset's
 * criticality (never lowered), an attack chain's title naming its steps (storyTitle.ts), and a comment with the
 * asset context. One GET+PUT for all the changes.
 */
export async function runReassignOt(
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
): Promise<PlaybookOutcome> {
  const notes: string[] = [];
  const actions: string[] = [];
  const cfg = deps.config.reassign;
  const current = await deps.incidents.get(ref);
  const number = current.properties.incidentNumber ?? trigger.object.properties.incidentNumber;
  if (current.properties.status === 'Closed')
    return outcome(PLAYBOOK, ref, number, [], notes, 'incident is closed', true);

  const facts = await incidentFacts(trigger, deps.facts, (e) =>
    notes.push(`facts query failed: ${(e as Error).message}`),
  );
  const reasons = otReasons(facts, current.properties, cfg);
  if (!reasons.length) return outcome(PLAYBOOK, ref, number, [], notes, 'not an OT incident', true);

  const { team, unresolved } = await resolveTeam(facts, deps, notes);
  const criticality = facts.criticality as keyof typeof cfg.severityFloor | undefined;
  const floor = criticality ? cfg.severityFloor[criticality] : undefined;
  const owner: IncidentOwner | undefined = team?.id
    ? { objectId: team.id, ownerType: 'Group', ...(team.name ? { assignedTo: team.name } : {}) }
    : undefined;

  const result = await deps.incidents.update(ref, (p) =>
    combine(
      p,
      (q) => withLabels(q, [cfg.label]),
      (q) => {
        if (!owner) return undefined;
        const person = q.owner?.objectId && q.owner.ownerType !== 'Group';
        if (person && !cfg.overrideUserOwner) return undefined;
        return withOwner(q, owner);
      },
      (q) => (floor ? withSeverityAtLeast(q, floor) : undefined),
      (q) => {
        const title = storyTitle(q.title, trigger.object.properties.Alerts ?? []);
        return title ? { ...q, title } : undefined;
      },
    ),
  );
  const before = current.properties;
  const after = result.incident.properties;
  if (result.changed) {
    if (!(before.labels ?? []).some((l) => lower(l.labelName) === lower(cfg.label)))
      actions.push(`added label ${cfg.label}`);
    if (owner && after.owner?.objectId === owner.objectId && before.owner?.objectId !== owner.objectId)
      actions.push(`assigned to OT team ${team?.name ?? team?.id}`);
    if (after.severity !== before.severity)
      actions.push(`raised severity ${before.severity} → ${after.severity}`);
    if (after.title !== before.title) actions.push(`retitled "${after.title}"`);
    if (!actions.length) actions.push('updated incident');
  }
  const person = after.owner;
  const kept = owner && person?.objectId && person.objectId !== owner.objectId;
  if (kept)
    notes.push(
      `kept owner ${person.assignedTo ?? person.objectId}: an analyst owns the incident (reassign.overrideUserOwner is false)`,
    );
  const ownerLine = kept
    ? `Owner kept: ${person.assignedTo ?? person.objectId} (an analyst owns it); OT team ${team?.name ?? team?.id}.`
    : team
      ? `Owner: OT team ${team.name ?? team.id} (${team.source}).`
      : unresolved.length
        ? `Owner unchanged: no Entra group id known for OT team ${unresolved.join(' / ')} (configure groupIds or otTeam.groupId, or grant Graph GroupMember.Read.All).`
        : 'Owner unchanged: no OT team configured for this site.';
  const severityChange =
    after.severity !== before.severity ? { from: before.severity, to: after.severity } : undefined;
  const { created } = await deps.incidents.addComment(
    ref,
    commentId(ref.armId, PLAYBOOK, 'context'),
    contextComment(facts, reasons, ownerLine, severityChange),
  );
  if (created) actions.push('added asset context comment');
  return outcome(PLAYBOOK, ref, number, actions, notes, reasons.join('; '));
}
