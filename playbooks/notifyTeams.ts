import { DownstreamError, InProgressError, PlaybookConfigError } from './errors.js';
import { commentId } from './ids.js';
import type { IncidentTrigger } from './payload.js';
import { otTeamName } from './reassignOt.js';
import type { IncidentRef } from './sentinel/armId.js';
import type { IncidentProperties } from './sentinel/incident.js';
import type { NotifyState } from './state/playbookState.js';
import { attackChain, titleAfterStory } from './storyTitle.js';
import { buildIncidentCard, teamsMessage } from './teams/card.js';
import { decideNotification } from './teams/throttle.js';
import { nowOf, openRun, outcome, type PlaybookDeps, type PlaybookOutcome } from './types.js';

const PLAYBOOK = 'notify-teams';
const MAX_CLAIMS = 5;

type Sent = Omit<NotifyState, 'pending'>;

/**
 * The audit comment says what is known: a Teams Workflows 2xx means the flow accepted the card (whether it
 * reached the channel shows only in the flow's run history), so it is never called "posted".
 */
function auditMessage(
  s: Sent,
  summary: string,
  count: number | undefined,
  site?: string,
  why?: string,
): string {
  const what = `${summary}; severity ${s.severity}${count !== undefined ? `, ${count} alert${count === 1 ? '' : 's'}` : ''}`;
  const channel = `the ${site ?? 'default'} OT channel's Teams workflow`;
  return s.outcome === 'unknown'
    ? `ot-soc ${PLAYBOOK}: Teams card #${s.cards} (${what}) was sent to ${channel}, but no clear answer came back${why ? ` (${why})` : ''}; it is not sent again, to avoid a duplicate. Check the channel.`
    : `ot-soc ${PLAYBOOK}: Teams card #${s.cards} accepted by ${channel} (${what}).`;
}

const withoutPending = (s: NotifyState): Sent => {
  const { pending: _p, ...rest } = s;
  return rest;
};

/** The state of the cards already sent (cards 0 before the first), under a pending one. */
const baseOf = (s: NotifyState | undefined, severity: NotifyState['severity']): Sent =>
  s ? withoutPending(s) : { cards: 0, severity, countLevel: 0, lastSentAt: '' };

/**
 * Sends an Adaptive Card about the incident to the site's OT channel, then only updates when it gets worse.
 * Intent → act → outcome: the card is claimed in the state store (ETag) before it is sent, marked `sending`
 * right before the request, and recorded with what the workflow answered. So two racing runs send one card,
 * a run that stopped before sending is completed by the next one, and a card that may have gone out is never
 * sent twice (its comment says the outcome is unknown).
 */
export async function runNotifyTeams(
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
): Promise<PlaybookOutcome> {
  if (!deps.teams || !deps.notifyState)
    throw new PlaybookConfigError(['notify-teams needs a Teams poster and a state store']);
  const store = deps.notifyState;
  const { notes, actions, p, number, facts } = await openRun(trigger, ref, deps);
  const leaseMs = deps.config.teams.leaseSeconds * 1000;
  const now = nowOf(deps);
  const alerts = trigger.object.properties.Alerts ?? [];
  // Read once: the card's steps and its title (titleAfterStory) both come from it.
  const chain = attackChain(alerts);

  for (let claim = 1; ; claim++) {
    if (claim > MAX_CLAIMS) throw new Error('notify-teams: state kept changing under concurrent runs');
    const state = await store.get(ref.armId);
    const pending = state?.value.pending;
    let next: Sent;
    let reason: string;
    let summary: string;
    let etag = state?.etag;
    if (pending) {
      const age = now.getTime() - Date.parse(pending.since);
      if (age < leaseMs)
        throw new InProgressError(
          `another run is sending card #${pending.next.cards} for incident #${number}`,
          leaseMs - age,
        );
      if (pending.stage === 'sending') {
        // The run stopped while the card may have been on its way: record the unknown, never send it twice.
        const done: Sent = { ...pending.next, outcome: 'unknown' };
        const put = await store.put(ref.armId, done, etag);
        if (!put.ok) continue;
        notes.push(
          `card #${done.cards}: an earlier run stopped while sending it; outcome unknown, not re-sent`,
        );
        await comment(
          deps,
          ref,
          done,
          pending.summary,
          facts.count,
          facts.site,
          actions,
          'the run stopped while sending',
        );
        return outcome(PLAYBOOK, ref, number, actions, notes, 'card outcome unknown (not re-sent)');
      }
      // `claimed`: the run stopped before sending, so nothing went out: send this card now.
      ({ next, reason, summary } = pending);
    } else {
      const previous = state && state.value.cards > 0 ? withoutPending(state.value) : undefined;
      // No card about an incident closed before its first one (auto-close runs first): nobody was alarmed.
      if (p.status === 'Closed' && !previous)
        return outcome(PLAYBOOK, ref, number, [], notes, 'incident is closed', true);
      const decision = decideNotification(
        previous,
        {
          severity: p.severity,
          count: facts.count,
          status: p.status,
          closing: closingWords(p),
          ...(chain ? { steps: chain.steps, maintenance: chain.maintenance } : {}),
        },
        deps.config.teams,
        now,
      );
      if (!decision.send) {
        // A re-run after a crash between the outcome and the comment still leaves the audit comment.
        if (state && state.value.cards > 0)
          await comment(
            deps,
            ref,
            state.value,
            state.value.cards === 1 ? 'New OT incident' : 'update',
            state.value.lastCount,
            facts.site,
            actions,
          );
        return outcome(PLAYBOOK, ref, number, actions, notes, decision.reason);
      }
      ({ next, reason, summary } = decision);
      const claimed = await store.put(
        ref.armId,
        {
          ...baseOf(state?.value, p.severity),
          pending: { stage: 'claimed', since: now.toISOString(), reason, summary, next },
        },
        etag,
      );
      if (!claimed.ok) continue; // another run claimed first: decide again on its state
      etag = claimed.etag;
    }
    const base = baseOf(state?.value, p.severity);
    const sending = await store.put(
      ref.armId,
      { ...base, pending: { stage: 'sending', since: now.toISOString(), reason, summary, next } },
      etag,
    );
    if (!sending.ok) continue;

    // The team reassign-ot assigns (the inventory's before the site's), not the site's alone.
    const team = otTeamName(facts, deps.config);
    const card = buildIncidentCard({
      incidentNumber: number,
      title: titleAfterStory(p.title, alerts, chain),
      severity: p.severity,
      status: p.status,
      incidentUrl: p.incidentUrl ?? trigger.object.properties.incidentUrl,
      facts,
      ...(team ? { otTeamName: team } : {}),
      ...(reason === 'first' ? {} : { update: summary }),
      ...(reason === 'closed' && p.classificationComment ? { comment: p.classificationComment } : {}),
    });
    let sent: Sent;
    let why: string | undefined;
    try {
      await deps.teams.post(facts.site, teamsMessage(card));
      sent = { ...next, outcome: 'accepted' };
      actions.push(`Teams workflow accepted card #${next.cards} (${reason})`);
    } catch (e) {
      const refused =
        e instanceof PlaybookConfigError || (e instanceof DownstreamError && e.code !== 'uncertain');
      // Anything unexplained may have happened after the card left: keep `sending` (the next run records the
      // outcome as unknown) rather than risk a second card.
      if (!refused && !(e instanceof DownstreamError)) throw e;
      if (refused) {
        // A clear refusal sent nothing: give the claim back so a retry can send it.
        await (base.cards === 0
          ? store.delete(ref.armId, sending.etag)
          : store.put(ref.armId, base, sending.etag)
        ).catch(() => {});
        throw e;
      }
      sent = { ...next, outcome: 'unknown' };
      why = e.message;
      notes.push(`card #${next.cards}: ${e.message}; not re-sent`);
    }
    const recorded = await store.put(ref.armId, sent, sending.etag);
    if (!recorded.ok) notes.push('the notification state changed while the card was sent');
    await comment(deps, ref, sent, summary, facts.count, facts.site, actions, why);
    return outcome(PLAYBOOK, ref, number, actions, notes, summary);
  }
}

/** "BenignPositive" → "benign positive". */
const words = (enumName: string) => enumName.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();

/** How the incident was closed, for the closing card: " as benign positive (suspicious but expected)". */
function closingWords(p: Pick<IncidentProperties, 'classification' | 'classificationReason'>): string {
  if (!p.classification) return '';
  return ` as ${words(p.classification)}${p.classificationReason ? ` (${words(p.classificationReason)})` : ''}`;
}

async function comment(
  deps: PlaybookDeps,
  ref: IncidentRef,
  s: NotifyState,
  summary: string,
  count: number | undefined,
  site: string | undefined,
  actions: string[],
  why?: string,
): Promise<void> {
  const { created } = await deps.incidents.addComment(
    ref,
    commentId(ref.armId, PLAYBOOK, `card-${s.cards}`),
    auditMessage(withoutPending(s), summary, count, site, why),
  );
  if (created) actions.push('added audit comment');
}
