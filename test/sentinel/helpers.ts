import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../analytics/content.js';
import { runFile } from '../../cli/commands/runFile.js';
import { parseTwinRule, type TwinRule } from '../../sentinel/rules.js';
import { runTwinOnOutput, type TwinRunResult } from '../../sentinel/run.js';
import { TwinWorkspace } from '../../sentinel/workspace.js';

export const T0 = Date.parse('2026-11-18T00:00:00Z');

/** A CEF line as a sensor forwards it over syslog, of alert `n` (its UUID), for the attack-chain tests. */
export const chainCef = (
  t: string,
  sensor: string,
  title: string,
  cat: string,
  src: string,
  dst: string,
  n: number,
) =>
  `<9>Dec 12 22:00:00 ${sensor} CEF:0|Microsoft Defender for IoT/CyberX|${sensor}|24.1.3|Microsoft Defender for IoT Alert|${title}|8|` +
  `msg=${title}. protocol=Modbus severity=Major type=Policy Violation UUID=00000000-0000-4000-8000-${String(n).padStart(12, '0')} ` +
  `start=${Date.parse(t)} src_ip=${src} dst_ip=${dst} cat=${cat}`;
export const min = (n: number) => n * 60_000;
export const at = (offsetMs: number) => new Date(T0 + offsetMs);

let seq = 0;
/** An OTAlerts_CL row as the pipeline posts it. */
export function row(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    TimeGenerated: at(0).toISOString(),
    AlertId: `group-${seq}`,
    Revision: 1,
    RowReason: 'Created',
    AlertTitle: 'PLC Scan Detected',
    Description: 'A PLC scan was detected.',
    Engine: 'Anomaly',
    Category: 'Scan',
    Severity: 'High',
    Status: 'New',
    Protocol: 'S7',
    SourceIP: '10.10.1.66',
    DestinationIP: '10.10.2.21',
    Site: 'Rotterdam',
    Zone: 'Packaging',
    Count: 1,
    FirstSeen: at(0).toISOString(),
    LastSeen: at(0).toISOString(),
    Tactics: ['Discovery'],
    Techniques: ['T0846'],
    ...over,
  };
}

/** A valid scheduled rule document (Azure-Sentinel YAML shape) whose query is the bare table. */
export function ruleDoc(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    name: 'Test rule',
    description: 'A rule for the twin tests.',
    severity: 'Medium',
    status: 'Available',
    requiredDataConnectors: [{ connectorId: 'OtSoc', dataTypes: ['OTAlerts_CL'] }],
    queryFrequency: '5m',
    queryPeriod: '5m',
    triggerOperator: 'gt',
    triggerThreshold: 0,
    tactics: ['Discovery'],
    relevantTechniques: ['T0846'],
    query: 'OTAlerts_CL',
    eventGroupingSettings: { aggregationKind: 'AlertPerResult' },
    version: '1.0.0',
    kind: 'Scheduled',
    ...over,
  };
}

export const rule = (over: Record<string, unknown> = {}): TwinRule =>
  parseTwinRule(ruleDoc(over), 'test-rule.yaml');

/** A workspace holding `rows`, each accepted at its `ingested` offset (default: its TimeGenerated). */
export function workspace(...rows: { row: Record<string, unknown>; ingested?: number }[]): TwinWorkspace {
  const ws = new TwinWorkspace();
  for (const r of rows) ws.ingest(r.row, r.ingested === undefined ? undefined : at(r.ingested));
  return ws;
}

/** A file of the bundled samples. */
export const samples = (f: string) => join(packageRoot(), 'samples', f);

/**
 * `input` through the real pipeline as `ot-soc demo` runs it (bundled config, 4 partitions, batches of 100, Table
 * state in `out/state`), then the local Sentinel over what it wrote: the rows posted and the twin's result.
 */
export async function replayThenTwin(
  input: string,
  out: string,
): Promise<{ rows: Record<string, unknown>[]; twin: TwinRunResult }> {
  await runFile({
    input,
    out,
    state: join(out, 'state'),
    fresh: true,
    config: samples('ot-soc.config.json'),
    partitions: 4,
    batchSize: 100,
    progress: false,
  });
  const rows = (await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const twin = await runTwinOnOutput({ out, playbooks: samples('playbooks.config.json') });
  return { rows, twin };
}

/**
 * `lines` through the real pipeline one record per batch, the pipeline's clock 30 minutes further at each reading
 * from `firstReading`: the rows reach the workspace apart, so the rules see each step in a later run (as when the
 * steps happen an hour apart). Writes `out/input.txt`; bundled config.
 */
export async function replayHalfHourApart(
  lines: readonly string[],
  out: string,
  firstReading: string,
): Promise<void> {
  await writeFile(join(out, 'input.txt'), `${lines.join('\n')}\n`);
  let readings = 0;
  await runFile({
    input: join(out, 'input.txt'),
    out,
    config: samples('ot-soc.config.json'),
    partitions: 1,
    batchSize: 1,
    progress: false,
    now: () => new Date(Date.parse(firstReading) + readings++ * 1_800_000),
  });
}
