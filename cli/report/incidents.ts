/**
 * Rules → alerts → incidents → playbook actions. From the local Sentinel twin's files when it ran
 * (OUT/sentinel/alerts|incidents|actions.ndjson, issue 17); otherwise the demo's offline playbook run.
 * Escalation reasons come from the OTAlerts_CL rows (latest revision) the incident covers.
 */
import type { OfflineSummary } from '../../playbooks/outbox.js';
import { plural } from '../plural.js';
import { shownText } from '../rowValues.js';
import { latestRows } from '../summary.js';
import { escapeHtml, formatNumber, table } from './html.js';
import type { Row, TwinOutput } from './workspace.js';

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(shownText) : []);

/** "Rule: reason" for each escalation on a row. */
export function escalationsOf(row: Row | undefined): string[] {
  return Array.isArray(row?.Escalations)
    ? row.Escalations.map((e) =>
        e && typeof e === 'object'
          ? `${shownText((e as Row).rule)}: ${shownText((e as Row).reason)}`
          : shownText(e),
      )
    : [];
}

/**
 * ", N sensor alerts" when the incident's groups hold more sensor alerts than there are groups: a storm's one group
 * (one alert, one incident) is 300 sensor alerts, which the analyst should see beside "1 alert".
 */
function sensorAlerts(groups: readonly Row[]): string {
  const n = groups.reduce((sum, g) => sum + (Number(g.Count) || 0), 0);
  return n > groups.length ? `, ${plural(n, 'sensor alert', formatNumber)}` : '';
}

function funnel(steps: readonly [string, number][]): string {
  return `<ol class="funnel" aria-label="${escapeHtml(steps.map(([k, v]) => `${v} ${k}`).join(' → '))}">${steps
    .map(([k, v]) => `<li><b>${escapeHtml(formatNumber(v))}</b>${escapeHtml(k)}</li>`)
    .join('')}</ol>`;
}

function fromTwin(twin: TwinOutput, rows: readonly Row[]): string {
  const latest = latestRows(rows as Row[]);
  const rules = new Map<string, { name: string; alerts: number; incidents: Set<string> }>();
  for (const a of twin.alerts) {
    const id = shownText(a.RuleId);
    const r = rules.get(id) ?? { name: shownText(a.RuleName) || id, alerts: 0, incidents: new Set<string>() };
    r.alerts++;
    rules.set(id, r);
  }
  for (const i of twin.incidents)
    for (const id of strs(i.RuleIds)) rules.get(id)?.incidents.add(shownText(i.IncidentNumber));
  const actionsOf = (n: string) => twin.actions.filter((a) => shownText(a.IncidentNumber) === n);
  const li = (items: readonly string[], none: string) =>
    items.length
      ? `<ul class="reasons">${items.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`
      : `<span class="muted">${escapeHtml(none)}</span>`;
  const incidentRows = twin.incidents.map((i) => {
    const n = shownText(i.IncidentNumber);
    const groups = strs(i.AlertIds).flatMap((id) => {
      const l = latest.get(id);
      return l ? [l.row] : [];
    });
    const reasons = [...new Set(groups.flatMap((g) => escalationsOf(g)))];
    const acts = actionsOf(n).map((a) => `${shownText(a.Playbook)}: ${shownText(a.Action)}`);
    const state = `${shownText(i.Severity)} · ${shownText(i.Status)}${i.Classification ? ` (${shownText(i.Classification)})` : ''}`;
    const rulesOf = strs(i.RuleIds).map((id) => rules.get(id)?.name ?? id);
    return `<tr data-incident="${escapeHtml(n)}"><td><b>${escapeHtml(n)}</b> ${escapeHtml(shownText(i.Title))}<br><span class="muted">${escapeHtml(
      `${state} · ${plural(Number(i.AlertCount ?? 0), 'alert', formatNumber)}, ${plural(groups.length, 'alert group')}${sensorAlerts(groups)} · ${rulesOf.join(', ')}`,
    )}</span></td><td>${li(reasons, 'No escalation on its alert groups.')}</td><td>${li(acts, 'No playbook action.')}</td></tr>`;
  });
  const incidentTable = `<div class="table-wrap"><table class="grid incidents"><caption class="sr-only">Incidents, why they were escalated and what the playbooks did</caption><thead><tr><th scope="col">Incident</th><th scope="col">Why: escalations and expected maintenance</th><th scope="col">What the playbooks did</th></tr></thead><tbody>${incidentRows.join('')}</tbody></table></div>`;
  return `${funnel([
    ['rules fired', rules.size],
    ['alerts', twin.alerts.length],
    ['incidents', twin.incidents.length],
    ['playbook actions', twin.actions.length],
  ])}
<h4>Per analytics rule</h4>${table(
    ['Rule', 'Alerts', 'Incidents'],
    [...rules.values()].map((r) => [r.name, r.alerts, r.incidents.size]),
  )}
<h4>Incidents</h4>${incidentTable}`;
}

function fromDemo(p: OfflineSummary, rows: readonly Row[], groups: number): string {
  const runs = p.perIncident.flatMap((i) => i.runs);
  const escalated = [...latestRows(rows as Row[]).values()]
    .map(({ row }) => row)
    .filter((r) => escalationsOf(r).length)
    .map((r) => [
      `${shownText(r.AlertTitle)} (${shownText(r.Site)} / ${shownText(r.Zone)})`,
      shownText(r.Severity),
      escalationsOf(r).join(' | '),
    ]);
  return `<p class="note">The local Sentinel twin did not run for this output (no <code>sentinel/incidents.ndjson</code>): the incidents below are the demo's stand-in (one per alert group that is High, escalated or scored 60+), not the analytics rules' output.</p>
${funnel([
  ['alert groups', groups],
  ['incidents', p.incidents],
  ['playbook runs', runs.length],
  ['Teams cards', p.cards],
  ['tickets', p.tickets],
  ['auto-closed', p.closed],
])}
<h4>Playbook outcome per incident</h4>${table(
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
  )}
<h4>Escalated alert groups and why</h4>${table(['Alert group', 'Severity', 'Escalation reasons'], escalated)}`;
}

export function incidentsHtml(
  twin: TwinOutput,
  playbooks: OfflineSummary | undefined,
  rows: readonly Row[],
  groups: number,
): string {
  const body = twin.ran
    ? fromTwin(twin, rows)
    : playbooks
      ? fromDemo(playbooks, rows, groups)
      : '<p class="muted">Neither the local Sentinel twin nor the playbooks ran for this output.</p>';
  return `<h3>Rules → alerts → incidents → playbook actions</h3>${body}`;
}
