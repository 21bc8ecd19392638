/**
 * What the twin writes under OUT/sentinel/ (one JSON object per line, exactly the fields issue 17 lists) and the
 * summary the demo prints: rules → alerts → incidents → playbook actions, all counted from the run.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type IncidentSeverity, severityRank } from '../playbooks/sentinel/incident.js';
import type { TwinResult } from './twin.js';

export interface AlertLine {
  RuleId: string;
  RuleName: string;
  AlertName: string;
  Severity: string;
  Tactics: string[];
  Techniques: string[];
  AlertIds: string[];
  TimeGenerated: string;
}

export interface IncidentLine {
  IncidentNumber: number;
  Title: string;
  Severity: string;
  Status: string;
  Classification: string | null;
  Owner: string | null;
  Labels: string[];
  RuleIds: string[];
  AlertIds: string[];
  AlertCount: number;
}

export interface ActionLine {
  IncidentNumber: number;
  Playbook: string;
  Action: string;
  Target: string;
}

export function alertLines(r: TwinResult): AlertLine[] {
  return r.alerts.map((a) => ({
    RuleId: a.ruleId,
    RuleName: a.ruleName,
    AlertName: a.displayName,
    Severity: a.severity,
    Tactics: a.tactics,
    Techniques: a.techniques,
    AlertIds: a.alertIds,
    TimeGenerated: a.timeGenerated,
  }));
}

export function incidentLines(r: TwinResult): IncidentLine[] {
  return r.incidents.map((i) => ({
    IncidentNumber: i.number,
    Title: i.title,
    Severity: i.severity,
    Status: i.status,
    Classification: i.classification ?? null,
    Owner: i.owner.assignedTo ?? i.owner.email ?? i.owner.userPrincipalName ?? i.owner.objectId ?? null,
    Labels: i.labels.map((l) => l.labelName),
    RuleIds: i.ruleIds,
    AlertIds: [...new Set(i.alerts.flatMap((a) => a.alertIds))],
    AlertCount: i.alerts.length,
  }));
}

/** One line per action a playbook reports, its targets being the requests it made; a failed run is one line. */
export function actionLines(r: TwinResult): ActionLine[] {
  const out: ActionLine[] = [];
  for (const run of r.playbookRuns) {
    const targets = [...new Set(run.requests.map((q) => q.target))];
    const target = targets.length ? targets.join('; ') : `incident ${run.incidentNumber}`;
    if (run.status !== 200) {
      out.push({
        IncidentNumber: run.incidentNumber,
        Playbook: run.playbook,
        Action: `failed (HTTP ${run.status}): ${run.error ?? ''}`,
        Target: target,
      });
      continue;
    }
    for (const action of run.outcome?.actions ?? [])
      out.push({
        IncidentNumber: run.incidentNumber,
        Playbook: run.playbook,
        Action: action,
        Target: target,
      });
  }
  return out;
}

const ndjson = (rows: readonly unknown[]) => rows.map((x) => `${JSON.stringify(x)}\n`).join('');

export interface TwinFiles {
  dir: string;
  alerts: string;
  incidents: string;
  actions: string;
  requests: string;
}

/** Writes alerts/incidents/actions.ndjson (and requests.ndjson: every request the playbooks made). */
export async function writeTwinOutputs(outDir: string, r: TwinResult): Promise<TwinFiles> {
  const dir = join(outDir, 'sentinel');
  await mkdir(dir, { recursive: true });
  const files: TwinFiles = {
    dir,
    alerts: join(dir, 'alerts.ndjson'),
    incidents: join(dir, 'incidents.ndjson'),
    actions: join(dir, 'actions.ndjson'),
    requests: join(dir, 'requests.ndjson'),
  };
  await writeFile(files.alerts, ndjson(alertLines(r)));
  await writeFile(files.incidents, ndjson(incidentLines(r)));
  await writeFile(files.actions, ndjson(actionLines(r)));
  await writeFile(files.requests, ndjson(r.playbookRuns.flatMap((p) => p.requests)));
  return files;
}

export interface TwinSummary {
  rules: number;
  rulesRun: number;
  runs: number;
  rulesAlerting: number;
  alerts: number;
  incidents: number;
  byStatus: Record<string, number>;
  automationRuns: number;
  playbookRuns: number;
  playbookFailures: number;
  actions: number;
  actionsByPlaybook: Record<string, number>;
  from: string;
  to: string;
  /** The incident queue as an analyst sorts it (open first, worst first, oldest first), its first QUEUE_SHOWN. */
  queue: QueueLine[];
}

/** An incident as the printed queue shows it: who has it and under which ticket. */
export interface QueueLine {
  number: number;
  severity: string;
  status: string;
  alerts: number;
  owner: string;
  ticket: string;
  title: string;
}

/** Incidents the printed queue lists; the rest are in incidents.ndjson. */
export const QUEUE_SHOWN = 12;
const TICKET_LABEL = 'ticket:';

/** Open before closed, then by severity, then by number (the order they were raised). */
export function incidentQueue(lines: readonly IncidentLine[]): QueueLine[] {
  const closed = (i: IncidentLine) => Number(i.Status === 'Closed');
  // A severity Sentinel does not name sorts last.
  const rank = (i: IncidentLine) => severityRank(i.Severity as IncidentSeverity) ?? -1;
  const order = (a: IncidentLine, b: IncidentLine) =>
    closed(a) - closed(b) || rank(b) - rank(a) || a.IncidentNumber - b.IncidentNumber;
  return [...lines].sort(order).map((i) => ({
    number: i.IncidentNumber,
    severity: i.Severity,
    // A closed incident says how (BenignPositive: auto-close's expected maintenance or known-benign pattern).
    status: i.Status === 'Closed' && i.Classification ? `Closed (${i.Classification})` : i.Status,
    alerts: i.AlertCount,
    owner: i.Owner ?? '',
    ticket: i.Labels.filter((l) => l.startsWith(TICKET_LABEL))
      .map((l) => l.slice(TICKET_LABEL.length))
      .join(' '),
    title: i.Title,
  }));
}

export function summarizeTwin(r: TwinResult): TwinSummary {
  const count = <T>(xs: readonly T[], key: (x: T) => string) =>
    xs.reduce<Record<string, number>>((m, x) => {
      m[key(x)] = (m[key(x)] ?? 0) + 1;
      return m;
    }, {});
  const actions = actionLines(r);
  return {
    rules: r.rules.length,
    rulesRun: new Set(r.runs.map((x) => x.ruleId)).size,
    runs: r.runs.length,
    rulesAlerting: new Set(r.alerts.map((a) => a.ruleId)).size,
    alerts: r.alerts.length,
    incidents: r.incidents.length,
    byStatus: count(r.incidents, (i) => i.status),
    automationRuns: r.automationRuns.length,
    playbookRuns: r.playbookRuns.length,
    playbookFailures: r.playbookRuns.filter((p) => p.status !== 200).length,
    actions: actions.length,
    actionsByPlaybook: count(actions, (a) => a.Playbook),
    from: new Date(r.start).toISOString(),
    to: new Date(r.end).toISOString(),
    queue: incidentQueue(incidentLines(r)).slice(0, QUEUE_SHOWN),
  };
}

/** The queue as a table; the title last, whole (it tells an attack chain's steps). */
const QUEUE_HEADER = ['#', 'Severity', 'Status', 'Alerts', 'Owner', 'Ticket', 'Title'];
function queueTable(s: TwinSummary): string[] {
  const cells = (q: QueueLine) => [
    String(q.number),
    q.severity,
    q.status,
    String(q.alerts),
    q.owner || '-',
    q.ticket || '-',
    q.title,
  ];
  const rows = [QUEUE_HEADER, ...s.queue.map(cells)];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    `    ${r.map((v, c) => (c < r.length - 1 ? v.padEnd(widths[c]!) : v)).join('  ')}`;
  const more = s.incidents - s.queue.length;
  return [
    `  Incidents (open first, worst first${more ? `; ${s.queue.length} of ${s.incidents}` : ''}):`,
    ...rows.map(line),
  ];
}

export function formatTwinSummary(s: TwinSummary, files: TwinFiles): string {
  const status = Object.entries(s.byStatus)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  const per = Object.entries(s.actionsByPlaybook)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [
    '',
    `  Local Sentinel (simulated clock ${s.from} → ${s.to}):`,
    `    rules ${s.rules} (${s.runs} runs) → alerts ${s.alerts} from ${s.rulesAlerting} rules → incidents ${s.incidents}${status ? ` (${status})` : ''} → automation rule runs ${s.automationRuns} → playbook runs ${s.playbookRuns}${s.playbookFailures ? ` (${s.playbookFailures} failed)` : ''} → actions ${s.actions}${per ? ` (${per})` : ''}`,
    `    ${files.alerts}, ${files.incidents}, ${files.actions}`,
    ...(s.queue.length ? ['', ...queueTable(s)] : []),
  ].join('\n');
}
