import type { DeadLetter } from '../pipeline/deadletter/deadLetterStore.js';
import type { WallClockSensor } from '../pipeline/enrich/wallClockSensors.js';
import type { BatchStats } from '../pipeline/pipeline.js';
import { plural } from './plural.js';
import { textOf } from './rowValues.js';
import { type UnplacedSensor, unplacedLines, unplacedSensors } from './unplacedSensors.js';
import { type UntypedTarget, untypedLines, untypedTargets } from './untypedTargets.js';
import { wallClockLines } from './wallClockSensors.js';

type Row = Record<string, unknown>;

export interface GroupLine {
  alertId: string;
  title: string;
  severity: string;
  site: string;
  zone: string;
  count: number;
  revisions: number;
  firstSeen: string;
  lastSeen: string;
  sensors: string[];
  techniques: string[];
  tactics: string[];
  status: string;
  riskScore: number | undefined;
  /** Why the group was escalated or tagged, as the row's Escalations say it. */
  escalations: string[];
  asset: string;
}

export interface EscalatedLine {
  title: string;
  site: string;
  zone: string;
  escalations: string[];
  groups: number;
  /** Sensor alerts in those groups. */
  alerts: number;
}

export interface RunSummary {
  input: string;
  records: number;
  alertsParsed: number;
  deadLettered: number;
  duplicatesIgnored: number;
  vendorUpdates: number;
  /** Syslog detection times without a zone from sensors without a configured `timeZone`, read as UTC. */
  timesReadAsUtc: number;
  /** Their sensors, with the offset their forwarding rules look set to. */
  wallClockSensors: WallClockSensor[];
  /** Alerts no zone was found for (no `enrichment.sensors` placement, none in the record or the inventory). */
  withoutZone: number;
  /** Their sensors, from this run's rows, with the zone their other records named. */
  unplacedSensors: UnplacedSensor[];
  /**
   * Devices that scans, programming, stops and the other controller-family alerts were aimed at with no device type
   * (no inventory entry; syslog carries none): the attack-chain rule cannot see them as controllers.
   */
  untypedTargets: UntypedTarget[];
  /** Lines of the input that were not valid UTF-8, read as Windows-1252 (cli/files/decode.ts). */
  windows1252Lines: number;
  groups: number;
  rowsWritten: number;
  /** Sensor alerts per alert group (sum of the groups' Count / groups): how much quieter Sentinel is than the sensors. */
  dedupRatio: number;
  bySeverity: Record<string, number>;
  bySiteZone: Record<string, number>;
  topTechniques: { id: string; name: string; groups: number; alerts: number }[];
  topGroups: GroupLine[];
  /** Escalated groups, worst first, those with the same title, place and reasons once (`groups`: how many). */
  escalated: EscalatedLine[];
  deadLetterReasons: Record<string, number>;
  elapsedMs: number;
  /** Where grouping state was kept. */
  state: string;
}

function escalationReasons(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((e) =>
    e && typeof e === 'object' ? `${textOf((e as Row).rule)}: ${textOf((e as Row).reason)}` : String(e),
  );
}

const strs = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The latest revision of each group, as `arg_max(Revision, *) by AlertId` gives it in Sentinel. */
export function latestRows(rows: Row[]): Map<string, { row: Row; revisions: number }> {
  const latest = new Map<string, { row: Row; revisions: number }>();
  for (const row of rows) {
    const id = textOf(row.AlertId);
    const cur = latest.get(id);
    if (!cur) latest.set(id, { row, revisions: 1 });
    else {
      cur.revisions++;
      if (Number(row.Revision) > Number(cur.row.Revision)) cur.row = row;
    }
  }
  return latest;
}

export function summarize(
  input: string,
  stats: BatchStats,
  rows: Row[],
  letters: DeadLetter[],
  elapsedMs: number,
  state: string,
  more: { windows1252Lines?: number; wallClockSensors?: WallClockSensor[] } = {},
): RunSummary {
  const latest = latestRows(rows);
  const groups: GroupLine[] = [...latest.values()].map(({ row, revisions }) => ({
    alertId: textOf(row.AlertId),
    title: textOf(row.AlertTitle),
    severity: textOf(row.Severity),
    site: textOf(row.Site),
    zone: textOf(row.Zone),
    count: Number(row.Count ?? 0),
    revisions,
    firstSeen: textOf(row.FirstSeen),
    lastSeen: textOf(row.LastSeen),
    sensors: strs(row.Sensors),
    techniques: strs(row.Techniques),
    tactics: strs(row.Tactics),
    status: textOf(row.Status),
    riskScore: typeof row.RiskScore === 'number' ? row.RiskScore : undefined,
    escalations: escalationReasons(row.Escalations),
    asset: [
      textOf(row.DestinationAssetName) || textOf(row.SourceAssetName),
      textOf(row.PurdueLevel ?? '') && `L${row.PurdueLevel}`,
    ]
      .filter(Boolean)
      .join(' '),
  }));
  const bySeverity: Record<string, number> = {};
  const bySiteZone: Record<string, number> = {};
  const techniques = new Map<string, { id: string; name: string; groups: number; alerts: number }>();
  let counted = 0;
  for (const { row } of latest.values()) {
    counted += Number(row.Count ?? 0);
    const sev = textOf(row.Severity) || 'Unknown';
    bySeverity[sev] = (bySeverity[sev] ?? 0) + 1;
    const place = `${textOf(row.Site) || '(no site)'} / ${textOf(row.Zone) || '(no zone)'}`;
    bySiteZone[place] = (bySiteZone[place] ?? 0) + 1;
    const names = strs(row.TechniqueNames);
    strs(row.Techniques).forEach((id, i) => {
      const t = techniques.get(id) ?? { id, name: names[i] ?? '', groups: 0, alerts: 0 };
      t.groups++;
      t.alerts += Number(row.Count ?? 0);
      techniques.set(id, t);
    });
  }
  const deadLetterReasons: Record<string, number> = {};
  for (const l of letters) {
    const reason = l.reason.length > 90 ? `${l.reason.slice(0, 90)}…` : l.reason;
    deadLetterReasons[reason] = (deadLetterReasons[reason] ?? 0) + 1;
  }
  const sevRank: Record<string, number> = { High: 3, Medium: 2, Low: 1 };
  const worst = groups.sort(
    (a, b) =>
      (sevRank[b.severity] ?? 0) - (sevRank[a.severity] ?? 0) ||
      (b.riskScore ?? 0) - (a.riskScore ?? 0) ||
      b.count - a.count,
  );
  return {
    input,
    records: stats.records,
    alertsParsed: stats.parsed,
    deadLettered: stats.deadLettered,
    duplicatesIgnored: stats.duplicates,
    vendorUpdates: stats.repeats,
    timesReadAsUtc: stats.wallClockUtc,
    wallClockSensors: more.wallClockSensors ?? [],
    withoutZone: stats.unplaced,
    unplacedSensors: unplacedSensors([...latest.values()].map((l) => l.row)),
    untypedTargets: untypedTargets([...latest.values()].map((l) => l.row)),
    windows1252Lines: more.windows1252Lines ?? 0,
    groups: latest.size,
    rowsWritten: rows.length,
    // From the groups' Counts, not the records parsed: a status update of a known alert is parsed but not counted.
    dedupRatio: latest.size ? Math.round((counted / latest.size) * 10) / 10 : 0,
    bySeverity,
    bySiteZone,
    topTechniques: [...techniques.values()]
      .sort((a, b) => b.alerts - a.alerts || a.id.localeCompare(b.id))
      .slice(0, 10),
    topGroups: worst.slice(0, 25),
    escalated: escalatedLines(worst).slice(0, 8),
    deadLetterReasons,
    elapsedMs,
    state,
  };
}

/**
 * The escalated groups, those with the same title, place and reasons once, with how many: a long replay has many
 * groups of one key over time (a historian programming PLCs all week), which listed the same lines again and again.
 */
function escalatedLines(groups: readonly GroupLine[]): EscalatedLine[] {
  const seen = new Map<string, EscalatedLine>();
  for (const g of groups) {
    if (!g.escalations.length) continue;
    const key = JSON.stringify([g.title, g.site, g.zone, g.escalations]);
    const line = seen.get(key);
    if (line) {
      line.groups++;
      line.alerts += g.count;
    } else
      seen.set(key, {
        title: g.title,
        site: g.site,
        zone: g.zone,
        escalations: g.escalations,
        groups: 1,
        alerts: g.count,
      });
  }
  return [...seen.values()];
}

/** `Site/Zone`, or what is missing: a sensor not placed in the configuration has neither. */
const placeOf = (g: Pick<GroupLine, 'site' | 'zone'>) => `${g.site || '(no site)'}/${g.zone || '(no zone)'}`;

/** The summary a SOC lead reads in the terminal. */
export function formatSummary(s: RunSummary): string {
  const pad = (v: string | number, n: number) => String(v).padEnd(n);
  const shown = s.topGroups.slice(0, 12);
  const lines = [
    `ot-soc: ${s.input}`,
    '',
    `  records received      ${s.records}`,
    ...(s.windows1252Lines
      ? [
          `  not UTF-8             ${plural(s.windows1252Lines, 'line')}, read as Windows-1252 (what Windows tools save as "ANSI"; convert the file to UTF-8 if it is another encoding)`,
        ]
      : []),
    `  alerts parsed         ${s.alertsParsed}`,
    `  dead-lettered         ${s.deadLettered}${s.deadLettered ? '  (kept with reasons, nothing dropped)' : ''}`,
    `  vendor updates        ${s.vendorUpdates}  (a record of an alert already counted, by its id or, without one, its content: not counted again)`,
    `  redeliveries ignored  ${s.duplicatesIgnored}${s.duplicatesIgnored ? '  (records this grouping state had already applied: the same input replayed again, or an event delivered twice; not counted again)' : ''}`,
    ...(s.timesReadAsUtc
      ? [
          `  times read as UTC     ${s.timesReadAsUtc}  (syslog detection times without a zone, from sensors with no enrichment.sensors.<name>.timeZone: right only if their forwarding rules use UTC; docs/formats.md)`,
          ...wallClockLines(s.wallClockSensors),
        ]
      : []),
    ...(s.withoutZone
      ? [
          `  without a zone        ${s.withoutZone}  (no zone in the record, in enrichment.sensors.<name> for its sensor or in the inventory: grouped per sensor, apart from records of the same zone that name it; docs/configuration.md)`,
          ...unplacedLines(s.unplacedSensors),
        ]
      : []),
    ...(s.untypedTargets.length
      ? [
          `  untyped targets       ${s.untypedTargets.length}  (devices that scans, programming, stops and other controller alerts were aimed at, whose type no inventory gives: add the controllers among them to the inventory as PLC, RTU, DCS, SIS or IED, so that an attack on one is one incident; docs/content.md)`,
          ...untypedLines(s.untypedTargets),
        ]
      : []),
    `  alert groups          ${s.groups}`,
    `  rows to Sentinel      ${s.rowsWritten}  (OTAlerts_CL revisions)`,
    `  dedup ratio           ${s.dedupRatio} alerts per group`,
    `  grouping state        ${s.state}`,
    `  by severity           ${
      Object.entries(s.bySeverity)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || 'none'
    }`,
    '',
  ];
  if (!shown.length) lines.push('  No row reached Sentinel in this run (nothing new to write).');
  else
    lines.push(
      `  What reached Sentinel (latest revision per group, worst first${s.groups > shown.length ? `; ${shown.length} of ${s.groups} groups` : ''}):`,
      `    ${pad('Severity', 8)} ${pad('Risk', 4)} ${pad('Count', 6)} ${pad('Site / Zone', 22)} ${pad('Title', 42)} Techniques`,
      ...shown.map(
        (g) =>
          `    ${pad(g.severity, 8)} ${pad(g.riskScore ?? '', 4)} ${pad(g.count, 6)} ${pad(placeOf(g), 22)} ${pad(g.title.slice(0, 42), 42)} ${g.techniques.join(' ')}`,
      ),
    );
  if (s.escalated.length)
    lines.push(
      '',
      '  Why (escalations and expected maintenance):',
      ...s.escalated.flatMap((g) => [
        `    ${g.title} (${placeOf(g)})${g.groups > 1 ? `, ${g.groups} groups, ${plural(g.alerts, 'alert')}` : ''}:`,
        ...g.escalations.map((e) => `      - ${e}`),
      ]),
    );
  if (s.topTechniques.length)
    lines.push(
      '',
      '  Top ATT&CK for ICS techniques (by alerts):',
      ...s.topTechniques
        .slice(0, 6)
        .map(
          (t) =>
            `    ${pad(t.id, 6)} ${pad(t.name, 36)} ${plural(t.alerts, 'alert')} in ${plural(t.groups, 'group')}`,
        ),
    );
  if (s.deadLettered) {
    lines.push('', '  Dead-letter reasons:');
    for (const [reason, n] of Object.entries(s.deadLetterReasons)) lines.push(`    ${n} × ${reason}`);
  }
  return lines.join('\n');
}
