import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Content, loadContent, packageRoot } from '../../analytics/content.js';
import type { KqlAnalyzer } from '../../analytics/kusto.js';
import { type ParsedContent, parseContent } from '../../analytics/package.js';
import { createContentAnalyzer, formatProblem, validateLoaded } from '../../analytics/validate.js';
import { workbookParameters, workbookQueries } from '../../analytics/workbook.js';
import { ICS_TACTICS, ICS_TECHNIQUES } from '../../pipeline/enrich/attack.js';

let analyzer: KqlAnalyzer;
let content: Content;
let parsed: ParsedContent;
beforeAll(() => {
  analyzer = createContentAnalyzer();
  content = loadContent();
  parsed = parseContent(content);
}, 60_000);

const ruleByFile = (file: string) => {
  const r = parsed.rules.find((x) => x.file.endsWith(`/${file}`));
  if (!r) throw new Error(`no rule ${file}`);
  return r.rule;
};

describe('shipped Sentinel content', () => {
  it('validates with zero problems: every query type-checks against OTAlerts_CL from OTALERTS_COLUMNS', () => {
    const result = validateLoaded(content, { analyzer });
    expect(result.problems.map((p) => formatProblem(p))).toEqual([]);
    expect(result.rules).toBeGreaterThanOrEqual(24);
    expect(result.hunting).toBeGreaterThanOrEqual(12);
    expect(result.workbooks).toBe(4);
    expect(result.queries).toBeGreaterThan(result.rules + result.hunting + 30);
  }, 300_000);

  it("covers every detection of the native Defender for IoT solution's 15 rules", () => {
    const native: [string, string, string][] = [
      ['Denial of Service', 'OtDenialOfService.yaml', 'Denial of Service'],
      ['Excessive Login Attempts', 'OtExcessiveLoginAttempts.yaml', 'Excessive Login Attempts'],
      ['Firmware Updates', 'OtFirmwareChange.yaml', 'Firmware'],
      ['High bandwidth in the network', 'OtHighBandwidth.yaml', 'Abnormal Traffic Bandwidth'],
      ['No traffic on Sensor Detected', 'OtSensorNoTraffic.yaml', 'No Traffic Detected on Sensor Interface'],
      ['Illegal Function Codes for ICS traffic', 'OtUnauthorizedProtocolCommands.yaml', 'Illegal Commands'],
      ['PLC unsecure key state', 'OtPlcOperatingModeChange.yaml', 'PLC Operating Mode Changed'],
      ['Internet Access', 'OtInternetAccess.yaml', 'Internet'],
      ['Suspicious malware found in the network', 'OtMalware.yaml', 'Malware'],
      ['Multiple scans in the network', 'OtNetworkScan.yaml', 'Scan'],
      ['PLC Stop Command', 'OtControllerStopRestart.yaml', 'An S7 Stop PLC Command was Sent'],
      ['Unauthorized device in the network', 'OtUnauthorizedDevice.yaml', 'New Asset Detected'],
      [
        'Unauthorized DHCP configuration in the network',
        'OtUnauthorizedNetworkConfiguration.yaml',
        'Device Failed to Receive a Dynamic IP Address',
      ],
      ['Unauthorized PLC changes', 'OtUnauthorizedPlcChange.yaml', 'Programming'],
      [
        'Unauthorized remote access to the network',
        'OtUnauthorizedRemoteAccess.yaml',
        'Unauthorized SSH Access',
      ],
    ];
    for (const [, file, needle] of native) expect(ruleByFile(file).query).toContain(needle);
  });

  it('has the OT correlations no native rule has', () => {
    expect(ruleByFile('OtReconThenControllerChange.yaml').query).toMatch(/FirstSeen - ReconFirstSeen <= 24h/);
    expect(ruleByFile('OtEscalatedControllerChange.yaml').query).toContain('InBusinessHours == false');
    expect(ruleByFile('OtEscalatedControllerChange.yaml').query).toContain('NotEngineeringStation');
    expect(ruleByFile('OtNewDeviceThenControllerChange.yaml').query).toContain('New Asset Detected');
    expect(ruleByFile('OtTechniqueSpreadAcrossZones.yaml').query).toMatch(/Zones >= MinZones/);
    expect(ruleByFile('OtPurdueBoundaryCrossing.yaml').query).toContain('PurdueLevel');
    expect(ruleByFile('OtSensorSilenceDuringActivity.yaml').query).toContain(
      'No Traffic Detected on Sensor Interface',
    );
  });

  it('runs near-real-time where minutes matter: controller stop and malware', () => {
    expect(ruleByFile('OtControllerStopRestart.yaml').kind).toBe('NRT');
    expect(ruleByFile('OtMalware.yaml').kind).toBe('NRT');
  });

  it('reads alert groups by their revisions: every rule alerts once per group or correlates latest revisions', () => {
    for (const { file, rule } of parsed.rules) {
      expect(rule.query, file).toContain('OTAlerts_CL');
      if (rule.kind === 'NRT') expect(rule.query, file).toMatch(/Revision == 1/);
      else expect(rule.query, file).toMatch(/arg_max\(Revision, \*\)/);
      expect(rule.requiredDataConnectors, file).toEqual([
        { connectorId: 'OtSoc', dataTypes: ['OTAlerts_CL'] },
      ]);
    }
    for (const { file, query } of parsed.hunting) expect(query.query, file).toContain('OTAlerts_CL');
  });

  it('maps IP entities from SourceIP/DestinationIP and carries the group id for the playbooks', () => {
    const single = parsed.rules.filter(({ rule }) => rule.customDetails?.AlertId === 'AlertId');
    expect(single.length).toBeGreaterThanOrEqual(15);
    for (const { file, rule } of parsed.rules) {
      const ip = (rule.entityMappings ?? []).filter((m) => m.entityType === 'IP' || m.entityType === 'Host');
      expect(ip.length, file).toBeGreaterThan(0);
    }
  });

  it('uses unique GUIDs across rules and hunting queries', () => {
    const ids = [...parsed.rules.map((r) => r.rule.id), ...parsed.hunting.map((h) => h.query.id)].map((s) =>
      s.toLowerCase(),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('shipped workbooks', () => {
  const read = (file: string) =>
    JSON.parse(readFileSync(join(packageRoot(), 'workbooks', file), 'utf8')) as unknown;

  it('ATT&CK matrix: one tile column per tactic in matrix order, listing every active technique, with drill-down', () => {
    const wb = read('ot-soc-attack-ics.json') as { items: { name: string; content: { query?: string } }[] };
    const columns = wb.items.filter((i) => i.name.startsWith('matrix - '));
    expect(columns.map((c) => c.name)).toEqual(ICS_TACTICS.map((t) => `matrix - ${t.shortname}`));
    const active = ICS_TECHNIQUES.filter((t) => !t.deprecated);
    expect(active).toHaveLength(83);
    for (const t of active) {
      for (const tactic of t.tactics) {
        expect(columns.find((c) => c.name === `matrix - ${tactic}`)!.content.query).toContain(
          `"${t.id}", ${JSON.stringify(t.name)}`,
        );
      }
    }
    const params = workbookParameters(wb);
    expect(params.get('SelectedTechnique')?.kind).toBe('exported');
    expect(wb.items.some((i) => i.name === 'drill-down')).toBe(true);
  });

  it('every workbook has a time range and site filter, and queries OTAlerts_CL or the incident tables', () => {
    for (const file of [
      'ot-soc-attack-ics.json',
      'ot-soc-alert-fatigue.json',
      'ot-soc-soc-efficiency.json',
      'ot-soc-sites-assets.json',
    ]) {
      const wb = read(file);
      const params = workbookParameters(wb);
      expect(params.get('TimeRange')?.kind, file).toBe(4);
      expect(params.get('Site')?.multiSelect, file).toBe(true);
      expect(workbookQueries(wb).length, file).toBeGreaterThan(4);
    }
  });

  it('alert fatigue and SOC efficiency find ot-soc incidents by the rule ids', () => {
    for (const file of ['ot-soc-alert-fatigue.json', 'ot-soc-soc-efficiency.json']) {
      const text = readFileSync(join(packageRoot(), 'workbooks', file), 'utf8');
      for (const { rule } of parsed.rules) expect(text, file).toContain(rule.id.toLowerCase());
      expect(text).toContain('SecurityIncident');
    }
    const fatigue = readFileSync(join(packageRoot(), 'workbooks', 'ot-soc-alert-fatigue.json'), 'utf8');
    expect(fatigue).toContain('FalsePositive');
    expect(fatigue).toContain('sum(Count)');
  });
});
