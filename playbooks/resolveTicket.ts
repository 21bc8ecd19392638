import { DownstreamError, PlaybookConfigError } from './errors.js';
import type { IncidentRef } from './sentinel/armId.js';
import type { IncidentProperties } from './sentinel/incident.js';
import { resolutionText } from './tickets/fields.js';
import type { PlaybookDeps } from './types.js';

/**
 * The ticket of a closed incident is resolved with it (`tickets.resolveWithIncident`): the OT engineers who work
 * from the ticket are not left chasing an incident the SOC, auto-close or Defender for IoT closed. Run by
 * sync-status on every status change, and by create-ticket when the incident was closed while its ticket was
 * being made. Reads before it writes (a resolved ticket is left as it is), so any re-run is safe. A reopened
 * incident does not reopen its ticket: the ticket is the OT team's to reopen; nor is the ticket of a confirmed
 * attack resolved (`tickets.keepOpenWhen`, TruePositive): the SOC closes it when it is contained, the plant when
 * its remediation is done.
 *
 * Returns the failure to raise once the caller's other work is done (the status still reaches Defender for IoT
 * and the groups); a ticket deleted meanwhile is a note.
 */
export async function resolveTicketWithIncident(
  ref: IncidentRef,
  p: Pick<IncidentProperties, 'status' | 'classification' | 'classificationReason' | 'classificationComment'>,
  incidentNumber: number,
  deps: PlaybookDeps,
  actions: string[],
  notes: string[],
): Promise<DownstreamError | PlaybookConfigError | undefined> {
  if (p.status !== 'Closed' || !deps.config.tickets.resolveWithIncident) return undefined;
  if (!deps.ticketMap || !deps.ticketSystem) return undefined;
  const t = (await deps.ticketMap.get(ref.armId))?.value;
  // A ticket still being created is resolved by the run creating it, which reads the status again after.
  if (t?.state !== 'created' || !t.system || !t.key || !t.id) return undefined;
  if (p.classification && deps.config.tickets.keepOpenWhen.includes(p.classification)) {
    notes.push(
      `ticket ${t.key} kept open: the incident was closed as ${p.classification} (tickets.keepOpenWhen), the plant's remediation is the OT team's to close`,
    );
    return undefined;
  }
  try {
    // A system renamed in the configuration since is a configuration error, raised after the caller's other work.
    const r = await deps
      .ticketSystem(t.system)
      .resolve(
        { key: t.key, id: t.id, url: t.url ?? '' },
        { incidentArmId: ref.armId, incidentNumber, text: resolutionText({ ...p, incidentNumber }) },
      );
    if (r.changed) actions.push(r.detail);
    return undefined;
  } catch (e) {
    if (!(e instanceof DownstreamError || e instanceof PlaybookConfigError)) throw e;
    notes.push(`ticket ${t.key}: ${e.message}`);
    return e instanceof DownstreamError && e.code === 'not-found' ? undefined : e;
  }
}
