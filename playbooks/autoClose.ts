import { decideAutoClose } from './autoCloseRules.js';
import type { OtFacts } from './facts.js';
import { commentId } from './ids.js';
import { AUTO_CLOSE_MARKER } from './logAnalytics.js';
import type { IncidentTrigger } from './payload.js';
import type { IncidentRef } from './sentinel/armId.js';
import { withClosed } from './sentinel/incident.js';
import { syncIncidentStatus } from './syncStatus.js';
import { openRun, outcome, type PlaybookDeps, type PlaybookOutcome } from './types.js';
import { withWatchlists } from './watchlists.js';

const PLAYBOOK = 'auto-close';

/**
 * Closes incidents the rules explain (maintenance, known-benign, learned false positives) with classification,
 * reason and an audit comment; then closes the ot-soc dedup group (the next occurrence is a new alert, as in
 * Defender for IoT) and the Defender for IoT alert itself. Each step checks before it writes, so a re-run
 * after a crash finishes what is missing and a complete re-run writes nothing.
 */
export async function runAutoClose(
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
): Promise<PlaybookOutcome> {
  const { notes, actions, p, number, facts } = await openRun(trigger, ref, deps);

  if (p.status === 'Closed') {
    if (!p.classificationComment?.startsWith(AUTO_CLOSE_MARKER))
      return outcome(PLAYBOOK, ref, number, [], notes, 'incident was closed by someone else', true);
    await syncClosed(facts, deps, actions, notes);
    return outcome(PLAYBOOK, ref, number, actions, notes, 'already closed by ot-soc');
  }

  const decision = await decideAutoClose(
    facts,
    {
      severity: p.severity,
      firstActivityTimeUtc: p.firstActivityTimeUtc ?? trigger.object.properties.firstActivityTimeUtc,
      relatedAnalyticRuleIds: p.relatedAnalyticRuleIds ?? trigger.object.properties.relatedAnalyticRuleIds,
    },
    await withWatchlists(deps.config.autoClose, deps.watchlists, trigger.workspaceId, notes),
    { ...(deps.history ? { source: deps.history } : {}), workspaceId: trigger.workspaceId },
  );
  if (!decision.close) return outcome(PLAYBOOK, ref, number, [], notes, decision.reason, true);

  const text = `${AUTO_CLOSE_MARKER} (${decision.rule}): ${decision.comment}`;
  const comment = await deps.incidents.addComment(
    ref,
    commentId(ref.armId, PLAYBOOK, 'close'),
    `${text}. Closed as ${decision.classification} / ${decision.classificationReason}.`,
  );
  if (comment.created) actions.push('added audit comment');
  const closed = await deps.incidents.update(ref, (props) =>
    withClosed(props, {
      classification: decision.classification,
      classificationReason: decision.classificationReason,
      classificationComment: text,
    }),
  );
  if (closed.changed) actions.push(`closed as ${decision.classification}/${decision.classificationReason}`);
  await syncClosed(facts, deps, actions, notes);
  return outcome(PLAYBOOK, ref, number, actions, notes, decision.comment);
}

/** Closes the dedup groups and the Defender for IoT alerts of a closed incident (no-ops when already closed). */
function syncClosed(facts: OtFacts, deps: PlaybookDeps, actions: string[], notes: string[]): Promise<void> {
  const cfg = deps.config.autoClose;
  return syncIncidentStatus(
    'Closed',
    facts,
    deps,
    {
      defender: cfg.syncDefenderForIoT && deps.config.defenderForIoT.syncStatus,
      groups: cfg.closeDedupGroup,
    },
    actions,
    notes,
  );
}
