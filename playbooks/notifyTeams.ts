import { siteConfig } from './config.js';
import { PlaybookConfigError } from './errors.js';
import { incidentFacts } from './facts.js';
import { commentId } from './ids.js';
import type { IncidentTrigger } from './payload.js';
import type { IncidentRef } from './sentinel/armId.js';
import type { Versioned } from './state/jsonStore.js';
import type { NotifyState } from './state/playbookState.js';
import { buildIncidentCard, teamsMessage } from './teams/card.js';
import { decideNotification } from './teams/throttle.js';
import { nowOf, outcome, type PlaybookDeps, type PlaybookOutcome } from './types.js';

const PLAYBOOK = 'notify-teams';
const MAX_CLAIMS = 5;

const auditMessage = (
  n: number,
  summary: string,
  severity: string,
  count: number | undefined,
  site?: string,
) =>
  `ot-soc ${PLAYBOOK}: posted Teams card #${n} to the ${site ?? 'default'} OT channel (${summary}; severity ${severity}${
    count !== undefined ? `, ${count} alert${count === 1 ? '' : 's'}` : ''
  }).`;

/**
 * Posts an Adaptive Card about the incident to the site's OT channel, then only updates when it gets worse.
 * The throttle state is claimed (ETag) before posting, so two runs racing on one incident send one card; a
 * failed post gives the claim back so the retry can send it.
 */
export async function runNotifyTeams(
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
): Promise<PlaybookOutcome> {
  if (!deps.teams || !deps.notifyState)
    throw new PlaybookConfigError(['notify-teams needs a Teams poster and a state store']);
  const notes: string[] = [];
  const actions: string[] = [];
  const current = await deps.incidents.get(ref);
  const p = current.properties;
  const number = p.incidentNumber ?? trigger.object.properties.incidentNumber;
  if (p.status === 'Closed') return outcome(PLAYBOOK, ref, number, [], notes, 'incident is closed', true);

  const facts = await incidentFacts(trigger, deps.facts, (e) =>
    notes.push(`facts query failed: ${(e as Error).message}`),
  );
  const site = siteConfig(deps.config, facts.site);
  for (let claim = 1; ; claim++) {
    const state = await deps.notifyState.get(ref.armId);
    const decision = decideNotification(
      state?.value,
      { severity: p.severity, count: facts.count },
      deps.config.teams,
      nowOf(deps),
    );
    if (!decision.send) {
      // A re-run after a crash between post and comment still leaves the audit comment.
      if (state) await ensureComment(deps, ref, state, facts.site, actions);
      return outcome(PLAYBOOK, ref, number, actions, notes, decision.reason);
    }
    const claimed = await deps.notifyState.put(ref.armId, decision.next, state?.etag);
    if (!claimed.ok) {
      if (claim >= MAX_CLAIMS) throw new Error('notify-teams: state kept changing under concurrent runs');
      continue; // another run claimed first: decide again on its state
    }
    const card = buildIncidentCard({
      incidentNumber: number,
      title: p.title,
      severity: p.severity,
      status: p.status,
      incidentUrl: p.incidentUrl ?? trigger.object.properties.incidentUrl,
      facts,
      ...(site.otTeam?.groupName ? { otTeamName: site.otTeam.groupName } : {}),
      ...(decision.reason === 'first' ? {} : { update: decision.summary }),
    });
    try {
      await deps.teams.post(facts.site, teamsMessage(card));
    } catch (e) {
      await (state
        ? deps.notifyState.put(ref.armId, state.value, claimed.etag)
        : deps.notifyState.delete(ref.armId, claimed.etag)
      ).catch(() => {});
      throw e;
    }
    actions.push(`posted Teams card #${decision.next.cards} (${decision.reason})`);
    const { created } = await deps.incidents.addComment(
      ref,
      commentId(ref.armId, PLAYBOOK, `card-${decision.next.cards}`),
      auditMessage(decision.next.cards, decision.summary, p.severity, facts.count, facts.site),
    );
    if (created) actions.push('added audit comment');
    return outcome(PLAYBOOK, ref, number, actions, notes, decision.summary);
  }
}

async function ensureComment(
  deps: PlaybookDeps,
  ref: IncidentRef,
  state: Versioned<NotifyState>,
  site: string | undefined,
  actions: string[],
): Promise<void> {
  const s = state.value;
  const { created } = await deps.incidents.addComment(
    ref,
    commentId(ref.armId, PLAYBOOK, `card-${s.cards}`),
    auditMessage(s.cards, s.cards === 1 ? 'New OT incident' : 'update', s.severity, s.lastCount, site),
  );
  if (created) actions.push('added missing audit comment');
}
