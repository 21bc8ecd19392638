import { assetSummary } from '../assetFacts.js';
import type { OtFacts } from '../facts.js';
import { escalationLines } from '../factValues.js';
import type { IncidentSeverity } from '../sentinel/incident.js';
import { safeLink } from '../teams/escape.js';

/**
 * Ticket fields end up in CSV exports that people open in Excel: a cell starting with = + - @ (or tab/CR,
 * or their full-width forms) is run as a formula (OWASP "CSV injection"). Such text is prefixed with a quote,
 * which spreadsheets show as text.
 */
export function neutraliseFormula(s: string): string {
  return /^[\s]*[=+\-@\t\r＝＋－＠]/.test(s) ? `'${s}` : s;
}

/** Every line neutralised (some exports split multi-line fields). */
export const neutraliseLines = (text: string): string => text.split('\n').map(neutraliseFormula).join('\n');

/**
 * Control characters out, whitespace collapsed, length capped: one clean line for a summary. Angle brackets
 * become look-alikes (‹ ›): ticket text reaches HTML (ServiceNow notification e-mails, portals, reports), and
 * alert text from the plant network must not arrive there as markup.
 */
export function oneLine(value: unknown, max: number): string {
  const s = String(value ?? '')
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'))
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export interface TicketSection {
  heading: string;
  items: { text: string; url?: string }[];
}

/** What a ticket says, independent of the system it goes to. */
export interface TicketDraft {
  /** The Sentinel incident id (the GUID name): ServiceNow correlation_id, Jira label sentinel-<id>. */
  correlationId: string;
  incidentArmId: string;
  incidentNumber: number;
  incidentUrl?: string;
  severity: IncidentSeverity;
  criticality?: string;
  site?: string;
  zone?: string;
  summary: string;
  sections: TicketSection[];
  labels: string[];
}

export interface TicketRef {
  key: string;
  id: string;
  url: string;
}

/** A ticketing system. ServiceNow and Jira below; the offline outbox records instead. */
export interface TicketSystem {
  readonly kind: 'serviceNow' | 'jira';
  /** The ticket made earlier for this incident (when our map lost it). */
  findByCorrelationId(correlationId: string): Promise<TicketRef | undefined>;
  create(draft: TicketDraft): Promise<TicketRef>;
  /**
   * Resolves the ticket because its Sentinel incident was closed, reading first: a ticket already resolved,
   * closed or done is left as it is (`changed: false`). Safe to repeat after any failure.
   */
  resolve(ticket: TicketRef, resolution: TicketResolution): Promise<{ changed: boolean; detail: string }>;
  /**
   * Brings an open ticket's summary and priority in line with its incident (renamed, severity changed), reading
   * first: a ticket already resolved, closed or done, or whose summary is no longer `change.previous` (a person
   * edited it), is left as it is (`changed: false`). Safe to repeat.
   */
  follow(ticket: TicketRef, change: TicketChange): Promise<{ changed: boolean; detail: string }>;
}

/** What a ticket follows of its incident: the summary it was given last (`previous`) and the one it should have. */
export interface TicketChange {
  previous: string;
  summary: string;
  severity: IncidentSeverity;
  criticality?: string;
}

/** Why a ticket is resolved: the Sentinel incident it was opened for was closed. */
export interface TicketResolution {
  incidentArmId: string;
  incidentNumber: number;
  /** One paragraph for the ticket's resolution notes or closing comment. */
  text: string;
}

/** The resolution text: who closed what, the classification and its comment, formula-neutral. */
export function resolutionText(p: {
  incidentNumber: number;
  classification?: string | undefined;
  classificationReason?: string | undefined;
  classificationComment?: string | undefined;
}): string {
  const verdict = [p.classification, p.classificationReason].filter(Boolean).join(' / ');
  const comment = p.classificationComment ? `: ${p.classificationComment}` : '';
  return neutraliseFormula(
    oneLine(
      `Microsoft Sentinel incident #${p.incidentNumber} was closed${verdict ? ` as ${verdict}` : ''}${comment}. ` +
        'ot-soc resolved this ticket with it (tickets.resolveWithIncident).',
      3000,
    ),
  );
}

const when = (iso: string | undefined) => (iso ? oneLine(iso, 40) : '—');

/** Labels safe for Jira (no spaces) and for spreadsheets (no formula start). */
export function labelOf(s: string): string {
  return oneLine(s, 100)
    .replace(/\s+/g, '-')
    .replace(/^[=+\-@＝＋－＠']+/, '')
    .toLowerCase();
}

/** A ticket's one-line summary: the site, the incident's severity and title (kept in step by create-ticket). */
export const ticketSummary = (site: string | undefined, severity: IncidentSeverity, title: string): string =>
  oneLine(`[OT${site ? ` ${site}` : ''}] ${severity}: ${title}`, 160);

/** Maps an incident and its OT facts to the ticket content. */
export function ticketDraft(input: {
  correlationId: string;
  incidentArmId: string;
  incidentNumber: number;
  incidentUrl?: string | null;
  title: string;
  severity: IncidentSeverity;
  facts: OtFacts;
}): TicketDraft {
  const f = input.facts;
  const where = [f.site, f.zone].filter(Boolean).join(' / ');
  // The payload's link only when it is the incident in a Microsoft portal (normalised: no raw `<>"`).
  const incidentUrl = safeLink(input.incidentUrl);
  const overview: TicketSection = {
    heading: 'Incident',
    items: [
      {
        text: `Sentinel incident #${input.incidentNumber}: ${oneLine(input.title, 200)}`,
        ...(incidentUrl ? { url: incidentUrl } : {}),
      },
      {
        text: `Severity: ${input.severity}${f.criticality ? ` (asset criticality ${oneLine(f.criticality, 20)})` : ''}`,
      },
      ...(where ? [{ text: `Site / zone: ${oneLine(where, 120)}` }] : []),
      ...(f.count !== undefined ? [{ text: `Alerts: ${f.count}` }] : []),
      { text: `First seen: ${when(f.firstSeen)}; last seen: ${when(f.lastSeen)}` },
      ...(f.riskScore !== undefined ? [{ text: `Risk score: ${f.riskScore}/100` }] : []),
    ],
  };
  const why: TicketSection = {
    heading: 'Why it was escalated',
    items: escalationLines(f.escalations).map((reason) => ({ text: oneLine(reason, 300) })),
  };
  const assets: TicketSection = {
    heading: 'Assets',
    items: f.assets
      .slice(0, 20)
      .map((a) => ({ text: oneLine(assetSummary(a, { owner: true, separator: ': ' }), 300) })),
  };
  const techniques: TicketSection = {
    heading: 'ATT&CK for ICS',
    items: f.techniques.map((t) => ({ text: `${t.id}${t.name ? ` ${t.name}` : ''}`, url: t.url })),
  };
  const trace: TicketSection = {
    heading: 'Source',
    items: [{ text: `Opened by ot-soc create-ticket for ${oneLine(input.incidentArmId, 400)}` }],
  };
  const summary = ticketSummary(f.site, input.severity, input.title);
  return {
    correlationId: input.correlationId,
    incidentArmId: input.incidentArmId,
    incidentNumber: input.incidentNumber,
    ...(incidentUrl ? { incidentUrl } : {}),
    severity: input.severity,
    ...(f.criticality ? { criticality: f.criticality } : {}),
    ...(f.site ? { site: f.site } : {}),
    ...(f.zone ? { zone: f.zone } : {}),
    summary,
    sections: [overview, why, assets, techniques, trace].filter((s) => s.items.length),
    labels: [
      `sentinel-${input.correlationId}`,
      ...(f.site ? [`site-${f.site}`] : []),
      `severity-${input.severity}`,
      ...f.techniques.map((t) => t.id),
    ].map(labelOf),
  };
}

/** ServiceNow urgency (1–3) from severity; impact also from the asset's criticality, the worse of the two. */
export function serviceNowPriority(
  severity: IncidentSeverity,
  criticality?: string,
): { urgency: string; impact: string } {
  const bySeverity: Record<IncidentSeverity, number> = { High: 1, Medium: 2, Low: 3, Informational: 3 };
  const byCriticality: Record<string, number> = { critical: 1, high: 1, medium: 2, low: 3 };
  const urgency = bySeverity[severity];
  // Own keys only: a criticality spelled `constructor` must not find Object's (impact "NaN" is a 400).
  const c = criticality?.toLowerCase() ?? '';
  const impact = Math.min(bySeverity[severity], Object.hasOwn(byCriticality, c) ? byCriticality[c]! : 3);
  return { urgency: String(urgency), impact: String(impact) };
}

/**
 * The draft as plain text (ServiceNow description, comments), every line formula-neutral. Items are bulleted
 * with "•" (a "-" bullet would itself be a formula start and get the quote on every line); the text after it
 * is neutralised on its own, and headings are ours.
 */
export function plainText(draft: TicketDraft): string {
  return neutraliseLines(
    draft.sections
      .map((s) =>
        [
          `${s.heading}:`,
          ...s.items.map((i) => `• ${neutraliseFormula(i.text)}${i.url ? ` <${i.url}>` : ''}`),
        ].join('\n'),
      )
      .join('\n\n'),
  );
}
