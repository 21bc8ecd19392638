import { type AssetFacts, assetSummary } from '../assetFacts.js';
import type { OtFacts } from '../facts.js';
import { escalationLines } from '../factValues.js';
import type { IncidentSeverity } from '../sentinel/incident.js';
import { cardText, safeLink } from './escape.js';

/** The Workflows webhook body: a message with one Adaptive Card attachment (docs/contracts.md#teams). */
export interface TeamsMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: AdaptiveCard;
  }[];
}

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  msteams?: { width: 'Full' };
  body: CardElement[];
  actions?: { type: 'Action.OpenUrl'; title: string; url: string }[];
}

export type CardElement =
  | {
      type: 'TextBlock';
      text: string;
      wrap?: boolean;
      weight?: 'Bolder';
      size?: 'Medium' | 'Large' | 'Small';
      color?: 'Attention' | 'Warning' | 'Accent' | 'Good' | 'Default';
      isSubtle?: boolean;
      spacing?: 'Medium' | 'Small';
    }
  | { type: 'FactSet'; facts: { title: string; value: string }[] };

export interface CardInput {
  incidentNumber: number;
  title: string;
  severity: IncidentSeverity;
  status: string;
  incidentUrl?: string | null;
  facts: OtFacts;
  otTeamName?: string;
  /** Why this card is sent (first notification or what changed). */
  update?: string;
  /** The closing comment, on the card that says the incident was closed. */
  comment?: string;
}

const SEVERITY_COLOR: Record<IncidentSeverity, 'Attention' | 'Warning' | 'Accent' | 'Default'> = {
  High: 'Attention',
  Medium: 'Warning',
  Low: 'Accent',
  Informational: 'Default',
};

/** Teams refuses messages over ~28 KB; we stay well below it by capping lists first, then text. */
export const MAX_CARD_BYTES = 24_000;
const MAX_ASSETS = 8;
const MAX_TECHNIQUES = 8;

function when(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t)
    ? cardText(iso, 40)
    : `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const MAX_ESCALATIONS = 4;

const assetLine = (a: AssetFacts): string =>
  cardText(`• ${assetSummary(a, { owner: false, separator: ' — ' })}`, 300);

const facts = (pairs: [string, string | undefined][]) =>
  pairs.filter((p): p is [string, string] => !!p[1]).map(([title, value]) => ({ title, value }));

/** Builds the card. Every alert-derived string goes through `cardText`; links only through `safeLink`. */
export function buildIncidentCard(
  input: CardInput,
  limits = { assets: MAX_ASSETS, techniques: MAX_TECHNIQUES },
): AdaptiveCard {
  // A card about a closed incident only says so: the assets, techniques and reasons were on the cards before it.
  const closed = input.status === 'Closed';
  const f = closed ? { ...input.facts, assets: [], techniques: [], escalations: [] } : input.facts;
  const where = [f.site, f.zone].filter(Boolean).join(' / ');
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      // Ours only: an enum and an integer.
      text: `${closed ? 'Closed · ' : ''}${input.severity} severity · OT incident #${Math.trunc(input.incidentNumber)}`,
      weight: 'Bolder',
      color: closed ? 'Good' : SEVERITY_COLOR[input.severity],
      wrap: true,
    },
    {
      type: 'TextBlock',
      // A title of invisible characters only is empty once cleaned, and Teams refuses an empty TextBlock.
      text: cardText(input.title, 200) || '(no title)',
      size: 'Large',
      weight: 'Bolder',
      wrap: true,
    },
  ];
  if (input.update)
    body.push({ type: 'TextBlock', text: cardText(input.update, 200), isSubtle: true, wrap: true });
  if (input.comment) body.push({ type: 'TextBlock', text: cardText(input.comment, 600), wrap: true });
  body.push({
    type: 'FactSet',
    facts: facts([
      ['Site / zone', where ? cardText(where, 120) : undefined],
      ['Alerts', f.count !== undefined ? String(f.count) : undefined],
      ['First seen', when(f.firstSeen)],
      ['Last seen', when(f.lastSeen)],
      ['Risk score', f.riskScore !== undefined ? `${f.riskScore}/100` : undefined],
      [
        'OT team',
        input.otTeamName ? cardText(input.otTeamName, 80) : f.otTeam ? cardText(f.otTeam, 80) : undefined,
      ],
      ['Status', cardText(input.status, 20)],
    ]),
  });
  const assets = f.assets.slice(0, limits.assets);
  if (assets.length) {
    body.push({ type: 'TextBlock', text: 'Assets', weight: 'Bolder', spacing: 'Medium' });
    for (const a of assets)
      body.push({ type: 'TextBlock', text: assetLine(a), wrap: true, spacing: 'Small' });
    if (f.assets.length > assets.length)
      body.push({ type: 'TextBlock', text: `… and ${f.assets.length - assets.length} more`, isSubtle: true });
  }
  const techniques = f.techniques.slice(0, limits.techniques);
  if (techniques.length) {
    body.push({ type: 'TextBlock', text: 'ATT&CK for ICS', weight: 'Bolder', spacing: 'Medium' });
    for (const t of techniques) {
      // The id is validated (T0nnn) and the URL built by us; only the name needs neutralising.
      const label = cardText(`${t.id}${t.name ? ` ${t.name}` : ''}`, 120);
      body.push({
        type: 'TextBlock',
        text: `[${label}](https://attack.mitre.org/techniques/${t.id})`,
        wrap: true,
        spacing: 'Small',
      });
    }
  }
  const why = escalationLines(f.escalations);
  if (why.length) {
    body.push({ type: 'TextBlock', text: 'Why it was escalated', weight: 'Bolder', spacing: 'Medium' });
    for (const line of why.slice(0, MAX_ESCALATIONS))
      body.push({ type: 'TextBlock', text: cardText(`• ${line}`, 300), wrap: true, spacing: 'Small' });
    if (why.length > MAX_ESCALATIONS)
      body.push({ type: 'TextBlock', text: `… and ${why.length - MAX_ESCALATIONS} more`, isSubtle: true });
  }

  const actions: NonNullable<AdaptiveCard['actions']> = [];
  const incident = safeLink(input.incidentUrl);
  if (incident) actions.push({ type: 'Action.OpenUrl', title: 'Open incident', url: incident });
  for (const a of f.assets) {
    const link = safeLink(a.link);
    if (link && actions.length < 3)
      actions.push({ type: 'Action.OpenUrl', title: cardText(`Open ${a.name ?? 'asset'}`, 60), url: link });
  }
  const card: AdaptiveCard = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    msteams: { width: 'Full' },
    body,
    ...(actions.length ? { actions } : {}),
  };
  if (JSON.stringify(card).length > MAX_CARD_BYTES && (limits.assets > 1 || limits.techniques > 1))
    return buildIncidentCard(input, {
      assets: Math.floor(limits.assets / 2),
      techniques: Math.floor(limits.techniques / 2),
    });
  return card;
}

export function teamsMessage(card: AdaptiveCard): TeamsMessage {
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
