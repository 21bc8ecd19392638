import type { OfflineSummary } from '../playbooks/outbox.js';
import type { GroupLine, RunSummary } from './summary.js';

/** Alert text comes from the network: everything is escaped, nothing from an alert is ever markup. */
export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const table = (head: string[], rows: unknown[][]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

/** One list of header and cell, so the group table's columns cannot drift apart. */
const GROUP_COLUMNS: [string, (g: GroupLine) => unknown][] = [
  ['Severity', (g) => g.severity],
  ['Risk', (g) => g.riskScore ?? ''],
  ['Count', (g) => g.count],
  ['Revisions', (g) => g.revisions],
  ['Site', (g) => g.site],
  ['Zone', (g) => g.zone],
  ['Title', (g) => g.title],
  ['Asset', (g) => g.asset],
  ['Status', (g) => g.status],
  ['Sensors', (g) => g.sensors.join(', ')],
  ['Tactics', (g) => g.tactics.join(', ')],
  ['Techniques', (g) => g.techniques.join(', ')],
  ['Escalations', (g) => g.escalations.join(' | ')],
  ['First seen', (g) => g.firstSeen],
  ['Last seen', (g) => g.lastSeen],
];

/** What the playbooks did (offline: the outbox holds what they would have sent). */
function renderPlaybooks(p: OfflineSummary): string {
  const head = `<h2>Playbooks</h2><p>${escapeHtml(
    `${p.incidents} incidents: ${p.cards} Teams cards, ${p.tickets} tickets, ${p.closed} auto-closed, ${p.reassigned} reassigned to OT teams. Outbox: ${p.outboxDir}`,
  )}</p>`;
  return `${head}${table(
    ['Incident', 'Title', 'Playbook', 'HTTP', 'Result', 'Actions / reason'],
    p.perIncident.flatMap((i) =>
      i.runs.map((r) => [
        i.incidentNumber ?? '',
        i.title ?? '',
        r.playbook,
        r.status,
        r.result ?? '',
        r.actions.length ? r.actions.join('; ') : (r.reason ?? r.error ?? ''),
      ]),
    ),
  )}`;
}

/** A self-contained HTML page (no scripts, no external assets) a person can open from `.ot-soc/`. */
export function renderReport(s: RunSummary, generatedAt: Date, playbooks?: OfflineSummary): string {
  const tiles: [string, string | number][] = [
    ['Records received', s.records],
    ['Alerts parsed', s.alertsParsed],
    ['Alert groups', s.groups],
    ['Rows to Sentinel', s.rowsWritten],
    ['Alerts per group', s.dedupRatio],
    ['Dead-lettered', s.deadLettered],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ot-soc report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1b1b1b}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
.tiles{display:flex;gap:1em;flex-wrap:wrap}.tile{border:1px solid #ccc;border-radius:6px;padding:.8em 1.2em;min-width:9em}
.tile b{display:block;font-size:1.6em}table{border-collapse:collapse;margin-top:.5em}
td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}
.muted{color:#666}
</style></head><body>
<h1>ot-soc: what reached Sentinel</h1>
<p class="muted">Input ${escapeHtml(s.input)} · generated ${escapeHtml(generatedAt.toISOString())} · ${escapeHtml(s.elapsedMs)} ms</p>
<div class="tiles">${tiles.map(([k, v]) => `<div class="tile"><b>${escapeHtml(v)}</b>${escapeHtml(k)}</div>`).join('')}</div>
<h2>Alert groups (latest revision, worst first)</h2>
${table(
  GROUP_COLUMNS.map(([h]) => h),
  s.topGroups.map((g) => GROUP_COLUMNS.map(([, cell]) => cell(g))),
)}
<h2>ATT&amp;CK for ICS techniques</h2>
${table(
  ['Technique', 'Name', 'Groups', 'Alerts'],
  s.topTechniques.map((t) => [t.id, t.name, t.groups, t.alerts]),
)}
<h2>Groups by site and zone</h2>
${table(['Site / Zone', 'Groups'], Object.entries(s.bySiteZone))}
${playbooks ? renderPlaybooks(playbooks) : ''}
<h2>Dead letters</h2>
${
  s.deadLettered
    ? table(
        ['Records', 'Reason'],
        Object.entries(s.deadLetterReasons).map(([r, n]) => [n, r]),
      )
    : '<p>None.</p>'
}
</body></html>
`;
}
