import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Content, loadContent, packageRoot } from '../../analytics/content.js';
import type { KqlAnalyzer } from '../../analytics/kusto.js';
import { type ParsedContent, parseContent } from '../../analytics/package.js';
import { ownerOf } from '../../analytics/routing.js';
import { createContentAnalyzer, formatProblem, validateLoaded } from '../../analytics/validate.js';
import { workbookParameters, workbookQueries } from '../../analytics/workbook.js';
import { ICS_TACTICS, ICS_TECHNIQUES } from '../../pipeline/enrich/attack.js';
import { D4IOT_CATALOG } from '../../pipeline/enrich/catalog.generated.js';

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
    expect(result.rules).toBeGreaterThanOrEqual(25);
    expect(result.hunting).toBeGreaterThanOrEqual(12);
    expect(result.workbooks).toBe(4);
    expect(result.queries).toBeGreaterThan(result.rules + result.hunting + 30);
  }, 300_000);

  it("owns every alert type the native Defender for IoT solution's 15 rules detect (routing, executed in routing.test)", () => {
    // native rule → the alert titles its KQL matches (research: Azure-Sentinel Solutions/…DefenderforIoT) → our owner
    const native: [string, string[], string][] = [
      ['Denial of Service', ['Suspicion of Denial Of Service Attack'], 'OtDenialOfService'],
      [
        'Excessive Login Attempts',
        [
          'Excessive Login Attempts',
          'Excessive SMB login attempts',
          'Password Guessing Attempt Detected',
          'Excessive Number of Sessions',
        ],
        'OtExcessiveLoginAttempts',
      ],
      [
        'Firmware Updates',
        [
          'Beckhoff Software Changed',
          'Firmware Version Changed',
          'Firmware Change Detected',
          'Firmware Update',
        ],
        'OtFirmwareChange',
      ],
      [
        'High bandwidth in the network',
        [
          'Abnormal Traffic Bandwidth',
          'Abnormal Traffic Bandwidth Between Devices',
          'ARP Spoofing',
          'ICMP Flooding',
        ],
        'OtHighBandwidth',
      ],
      ['No traffic on Sensor Detected', ['No Traffic Detected on Sensor Interface'], 'OtSensorNoTraffic'],
      ['PLC unsecure key state', ['PLC Operating Mode Changed'], 'OtPlcOperatingModeChange'],
      [
        'Internet Access',
        ['Internet Access Detected', 'Unauthorized Internet Connectivity Detected'],
        'OtInternetAccess',
      ],
      [
        'Suspicious malware found in the network',
        [
          'Suspicion of Malicious Activity',
          'Connection Attempt to Known Malicious IP',
          'Suspicion of Remote Code Execution with PsExec',
        ],
        'OtMalware',
      ],
      [
        'Multiple scans in the network',
        ['Port Scan Detected', 'PLC Scan Detected', 'Address Scan Detected'],
        'OtNetworkScan',
      ],
      [
        'PLC Stop Command',
        [
          'An S7 Stop PLC Command was Sent',
          'Controller Stop',
          'Slave Device Unrecoverable Failure',
          'Suspicion of Hardware Problems in Outstation',
        ],
        'OtControllerStopRestart',
      ],
      [
        'Unauthorized device in the network',
        ['New Asset Detected', 'Field Device Discovered Unexpectedly', 'New LLDP Device Configuration'],
        'OtUnauthorizedDevice',
      ],
      [
        'Unauthorized DHCP configuration in the network',
        ['Device Failed to Receive a Dynamic IP Address'],
        'OtUnauthorizedNetworkConfiguration',
      ],
      [
        'Unauthorized PLC changes',
        ['Unauthorized PLC Programming', 'Unauthorized PLC Configuration Write'],
        'OtUnauthorizedPlcChange',
      ],
      [
        'Unauthorized remote access to the network',
        ['Unauthorized SSH Access'],
        'OtUnauthorizedRemoteAccess',
      ],
      [
        'Illegal Function Codes for ICS traffic',
        ['Illegal DNP3 Operation', 'Function Code Not Supported by Outstation'],
        'OtProtocolViolations',
      ],
      [
        'Illegal Function Codes for ICS traffic',
        [
          'Unpermitted Usage of Modbus Function Code',
          'Unauthorized Operation was detected by a User Defined Rule',
        ],
        'OtUnauthorizedProtocolCommands',
      ],
    ];
    for (const [nativeRule, titles, owner] of native) {
      expect(
        parsed.rules.some((r) => r.file.endsWith(`/${owner}.yaml`)),
        owner,
      ).toBe(true);
      for (const title of titles) {
        const e = D4IOT_CATALOG.find((x) => x.title === title);
        expect(e, title).toBeDefined();
        expect(ownerOf({ title, category: e!.category, engine: e!.engine }), `${nativeRule}: ${title}`).toBe(
          owner,
        );
        // aimed at a known controller, the controller families' titles are the attack-chain rule's
        const atPlc = ownerOf({
          title,
          category: e!.category,
          engine: e!.engine,
          destinationAssetType: 'PLC',
        });
        expect([owner, 'OtControllerAttackChain']).toContain(atPlc);
      }
    }
  });

  it('has the OT correlations no native rule has, and the attack-chain rule per controller', () => {
    expect(ruleByFile('OtTechniqueSpreadAcrossZones.yaml').query).toMatch(/Zones >= MinZones/);
    expect(ruleByFile('OtPurdueBoundaryCrossing.yaml').query).toContain('PurdueLevel');
    expect(ruleByFile('OtSensorSilenceDuringActivity.yaml').query).toContain(
      'No Traffic Detected on Sensor Interface',
    );
    const chain = ruleByFile('OtControllerAttackChain.yaml');
    expect(chain.incidentConfiguration?.groupingConfiguration.groupByCustomDetails).toEqual([
      'Site',
      'Controller',
      'Work',
    ]);
    expect(chain.query).toContain('InBusinessHours == false');
    expect(chain.query).toContain('NotEngineeringStation');
  });

  it('runs every single-alert owner near-real-time (late rows still alert), and maps the asset as an IoTDevice', () => {
    for (const f of [
      'OtControllerStopRestart.yaml',
      'OtMalware.yaml',
      'OtControllerAttackChain.yaml',
      'OtUncataloguedAlert.yaml',
    ])
      expect(ruleByFile(f).kind, f).toBe('NRT');
    for (const { file, rule } of parsed.rules.filter((r) => r.rule.kind === 'NRT')) {
      const device = (rule.entityMappings ?? []).find((m) => m.entityType === 'IoTDevice');
      expect(
        device?.fieldMappings.map((f) => f.identifier),
        file,
      ).toEqual(['DeviceId', 'Manufacturer', 'FirmwareVersion']);
    }
  });

  it('reads alert groups by their revisions: every rule alerts once per group or correlates latest revisions', () => {
    for (const { file, rule } of parsed.rules) {
      expect(rule.query, file).toContain('OTAlerts_CL');
      if (rule.kind === 'NRT') expect(rule.query, file).toMatch(/Revision == 1/);
      // scheduled: new rows by ingestion time (late rows alert once), or correlations over latest revisions
      else expect(rule.query, file).toMatch(/ingestion_time\(\)/);
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
