import { siteConfig } from './config.js';
import { DownstreamError, InProgressError, PlaybookConfigError } from './errors.js';
import { incidentFacts } from './facts.js';
import { commentId } from './ids.js';
import type { IncidentTrigger } from './payload.js';
import { resolveTicketWithIncident } from './resolveTicket.js';
import type { IncidentRef } from './sentinel/armId.js';
import { type IncidentProperties, severityRank, withLabels } from './sentinel/incident.js';
import type { Versioned } from './state/jsonStore.js';
import type { TicketRecord } from './state/ticketMap.js';
import { titleAfterStory } from './storyTitle.js';
import { oneLine, type TicketRef, ticketDraft, ticketSummary } from './tickets/fields.js';
import { nowOf, outcome, type PlaybookDeps, type PlaybookOutcome } from './types.js';

const PLAYBOOK = 'create-ticket';
const SYSTEM_NAMES = { serviceNow: 'ServiceNow', jira: 'Jira' } as const;

/** The Sentinel label that links an incident to its ticket. */
export const ticketLabel = (key: string): string => `ticket:${oneLine(key, 60).replace(/\s+/g, '')}`;

/**
 * Opens one ticket per incident in the site's system (ServiceNow or Jira), links it back (label + comment).
 * Exactly one ticket even under retries and concurrent runs: our TicketMap is reserved first (conditional
 * insert), the system is searched by correlation id before creating (the map may have been lost), and the
 * ticket is recorded before the incident is touched.
 */
export async function runCreateTicket(
  trigger: IncidentTrigger,
  ref: IncidentRef,
  deps: PlaybookDeps,
): Promise<PlaybookOutcome> {
  if (!deps.ticketMap || !deps.ticketSystem)
    throw new PlaybookConfigError(['create-ticket needs a TicketMap and ticket systems']);
  const notes: string[] = [];
  const actions: string[] = [];
  const current = await deps.incidents.get(ref);
  const p = current.properties;
  const number = p.incidentNumber ?? trigger.object.properties.incidentNumber;
  const alerts = trigger.object.properties.Alerts ?? [];

  // A ticket already recorded is only re-linked (idempotent), whatever the incident's state now.
  const existing = await deps.ticketMap.get(ref.armId);
  if (existing?.value.state === 'created') {
    await link(deps, ref, existing.value, actions);
    await followClose(ref, p, number, deps, actions, notes);
    const { ticketMap, ticketSystem } = deps;
    const title = titleAfterStory(p.title, alerts);
    await followIncident(ref, { ...p, title }, existing, { ticketMap, ticketSystem }, actions, notes);
    return outcome(PLAYBOOK, ref, number, actions, notes, `ticket ${existing.value.key} exists`);
  }
  if (p.status === 'Closed') return outcome(PLAYBOOK, ref, number, [], notes, 'incident is closed', true);
  if (severityRank(p.severity) < severityRank(deps.config.tickets.minSeverity))
    return outcome(
      PLAYBOOK,
      ref,
      number,
      [],
      notes,
      `severity ${p.severity} is below tickets.minSeverity`,
      true,
    );

  const facts = await incidentFacts(trigger, deps.facts, (e) =>
    notes.push(`facts query failed: ${(e as Error).message}`),
  );
  const systemName = siteConfig(deps.config, facts.site).ticketSystem;
  if (!systemName || systemName === 'none')
    return outcome(
      PLAYBOOK,
      ref,
      number,
      [],
      notes,
      `no ticket system for site ${facts.site ?? '(unknown)'}`,
      true,
    );
  const system = deps.ticketSystem(systemName);
  const now = nowOf(deps);
  const leaseMs = deps.config.tickets.leaseSeconds * 1000;

  // Record the intent (reserve the incident) before acting. A fresh reservation by another run means it is
  // creating the ticket right now; a stale one means a run stopped mid-way: look the ticket up, then create.
  const pending: TicketRecord = {
    incidentArmId: ref.armId,
    state: 'pending',
    since: now.toISOString(),
    system: systemName,
  };
  let reservation: string | undefined;
  for (let attempt = 0; attempt < 5 && !reservation; attempt++) {
    const entry = attempt === 0 ? existing : await deps.ticketMap.get(ref.armId);
    if (entry?.value.state === 'created') {
      await link(deps, ref, entry.value, actions);
      return outcome(PLAYBOOK, ref, number, actions, notes, `ticket ${entry.value.key} exists`);
    }
    const age = entry ? now.getTime() - Date.parse(entry.value.since) : Number.POSITIVE_INFINITY;
    if (age < leaseMs)
      throw new InProgressError(
        entry?.value.uncertain
          ? `incident #${number}: the last ticket creation got no clear answer (${entry.value.uncertain}); it is looked up again once the ${deps.config.tickets.leaseSeconds} s lease ends`
          : `another run is creating the ticket for incident #${number}`,
        leaseMs - age,
      );
    const put = await deps.ticketMap.put(ref.armId, pending, entry?.etag);
    if (put.ok) reservation = put.etag;
  }
  if (!reservation)
    throw new InProgressError(`incident #${number}: ticket reservation kept conflicting`, 5000);

  const correlationId = ref.incidentId;
  const draft = ticketDraft({
    correlationId,
    incidentArmId: ref.armId,
    incidentNumber: number,
    incidentUrl: p.incidentUrl ?? trigger.object.properties.incidentUrl,
    title: titleAfterStory(p.title, alerts),
    severity: p.severity,
    facts,
  });
  let ticket: TicketRef;
  try {
    const found = await system.findByCorrelationId(correlationId);
    if (found) {
      ticket = found;
      actions.push(
        `found ${SYSTEM_NAMES[system.kind]} ticket ${found.key} by correlation id (not created again)`,
      );
    } else {
      ticket = await system.create(draft);
      actions.push(`created ${SYSTEM_NAMES[system.kind]} ticket ${ticket.key}`);
    }
  } catch (e) {
    if (e instanceof DownstreamError && e.code === 'uncertain') {
      // The ticket may exist (a 504 after the insert): keep the reservation, note why, and let the retry look
      // it up by correlation id once the lease ends instead of creating a second one now.
      await deps.ticketMap
        .put(ref.armId, { ...pending, uncertain: e.message.slice(0, 300) }, reservation)
        .catch(() => {});
      throw new InProgressError(`incident #${number}: ${e.message}; looked up again on retry`, leaseMs);
    }
    // A clear refusal wrote nothing: give the reservation back so the Logic App's retry can try again at once.
    await deps.ticketMap.delete(ref.armId, reservation).catch(() => {});
    throw e;
  }
  const record: TicketRecord = {
    incidentArmId: ref.armId,
    state: 'created',
    since: now.toISOString(),
    system: systemName,
    kind: system.kind,
    key: ticket.key,
    id: ticket.id,
    url: ticket.url,
    // A ticket found by its correlation id most likely has this summary too; `follow` checks before it writes.
    summary: draft.summary,
    ...(facts.site ? { site: facts.site } : {}),
    ...(facts.criticality ? { criticality: facts.criticality } : {}),
  };
  const saved = await deps.ticketMap.put(ref.armId, record, reservation);
  if (!saved.ok)
    notes.push('the ticket map changed while the ticket was created (a stale reservation was taken over)');
  const linked = await link(deps, ref, record, actions);
  // Closed while the ticket was being made: sync-status found no ticket to resolve then, so it is done here.
  await followClose(ref, linked, number, deps, actions, notes);
  return outcome(PLAYBOOK, ref, number, actions, notes, `ticket ${ticket.key}`);
}

/**
 * The ticket follows its incident's title and severity: reassign-ot names an attack chain's incident after its
 * steps as they arrive, rules and analysts raise the severity, and the OT engineers work from the ticket. Runs on
 * the alerts-added and severity-changed triggers, after reassign-ot. Only a ticket that is open and still has
 * the summary ot-soc gave it is changed (a person's edit stays); the new summary is recorded either way, so an
 * unchanged incident costs no request.
 */
async function followIncident(
  ref: IncidentRef,
  p: IncidentProperties,
  entry: Versioned<TicketRecord>,
  deps: Required<Pick<PlaybookDeps, 'ticketMap' | 'ticketSystem'>>,
  actions: string[],
  notes: string[],
): Promise<void> {
  const t = entry.value;
  if (p.status === 'Closed' || t.summary === undefined || !t.system || !t.key || !t.id) return;
  const summary = ticketSummary(t.site, p.severity, p.title);
  if (summary === t.summary) return;
  try {
    const r = await deps.ticketSystem(t.system).follow(
      { key: t.key, id: t.id, url: t.url ?? '' },
      {
        previous: t.summary,
        summary,
        severity: p.severity,
        ...(t.criticality ? { criticality: t.criticality } : {}),
      },
    );
    (r.changed ? actions : notes).push(r.detail);
  } catch (e) {
    // Deleted in the ticket system meanwhile: nothing to follow. Anything else is raised (retried by the Logic App).
    if (!(e instanceof DownstreamError && e.code === 'not-found')) throw e;
    notes.push(`ticket ${t.key}: ${e.message}`);
  }
  const saved = await deps.ticketMap.put(ref.armId, { ...t, summary }, entry.etag);
  if (!saved.ok)
    notes.push('the ticket map changed meanwhile: the summary is compared again on the next run');
}

async function followClose(...args: Parameters<typeof resolveTicketWithIncident>): Promise<void> {
  const failure = await resolveTicketWithIncident(...args);
  if (failure) throw failure;
}

/**
 * Label `ticket:<key>` and the audit comment with the link; both no-ops when already there. Returns the incident as
 * the label's update read it (its status then).
 */
async function link(
  deps: PlaybookDeps,
  ref: IncidentRef,
  t: TicketRecord,
  actions: string[],
): Promise<IncidentProperties> {
  const label = ticketLabel(t.key ?? t.id ?? 'unknown');
  const labelled = await deps.incidents.update(ref, (p) => withLabels(p, [label]));
  if (labelled.changed) actions.push(`added label ${label}`);
  const system = t.kind ? SYSTEM_NAMES[t.kind] : 'ticket';
  const { created } = await deps.incidents.addComment(
    ref,
    commentId(ref.armId, PLAYBOOK, 'ticket'),
    `ot-soc ${PLAYBOOK}: ${system} ticket ${oneLine(t.key, 60)} ${t.url ?? ''}`.trim(),
  );
  if (created) actions.push('added audit comment');
  return labelled.incident.properties;
}
