// Azure-Sentinel parity: every class of template the Azure-Sentinel repository's detection validation rejects
// (.script/tests/detectionTemplateSchemaValidation) is rejected by `ot-soc validate` with file:line:col, one fixture
// per check; and what Sentinel accepts (IoTDevice entities, a shipped connector) is accepted.
import { beforeAll, describe, expect, it } from 'vitest';
import type { KqlAnalyzer } from '../../analytics/kusto.js';
import { createContentAnalyzer, formatProblem, validateContent } from '../../analytics/validate.js';
import { BASE_HUNTING, BASE_RULE, contentDir, OTSOC_CONNECTOR } from './helpers.js';

let analyzer: KqlAnalyzer;
beforeAll(() => {
  analyzer = createContentAnalyzer();
  analyzer.analyze('OTAlerts_CL | take 1');
}, 60_000);

function problems(files: Record<string, string>): string[] {
  const dir = contentDir(files);
  return validateContent(dir, { analyzer }).problems.map((p) => formatProblem(p, dir));
}
const rule = (edit: (s: string) => string) => ({ 'rules/test.yaml': edit(BASE_RULE) });

describe('Azure-Sentinel parity', () => {
  it('rejects a 5m frequency over a 7d period (a period of 2d or more needs at least 1h)', () => {
    expect(
      problems(
        rule((s) =>
          s.replace('queryFrequency: 1h', 'queryFrequency: 5m').replace('queryPeriod: 1h', 'queryPeriod: 7d'),
        ),
      ),
    ).toEqual([
      'rules/test.yaml:9:17: queryFrequency 5m is too frequent for queryPeriod 7d: a period of 2d or more needs a frequency of at least 1h',
    ]);
    expect(
      problems(
        rule((s) =>
          s
            .replace('queryFrequency: 1h', 'queryFrequency: 1h')
            .replace('queryPeriod: 1h', 'queryPeriod: 14d'),
        ),
      ),
    ).toEqual([]);
  });

  it('rejects a queryPeriod under 5m and a queryFrequency over 14d', () => {
    expect(
      problems(
        rule((s) =>
          s
            .replace('queryFrequency: 1h', 'queryFrequency: PT2M')
            .replace('queryPeriod: 1h', 'queryPeriod: PT2M'),
        ),
      ),
    ).toEqual([
      "rules/test.yaml:9:17: queryFrequency PT2M is below Sentinel's minimum of 5m",
      "rules/test.yaml:10:14: queryPeriod PT2M is below Sentinel's minimum of 5m",
    ]);
    expect(
      problems(
        rule((s) =>
          s
            .replace('queryFrequency: 1h', 'queryFrequency: 15d')
            .replace('queryPeriod: 1h', 'queryPeriod: 15d'),
        ),
      ),
    ).toEqual([
      "rules/test.yaml:9:17: queryFrequency 15d exceeds Sentinel's maximum of 14d",
      "rules/test.yaml:10:14: queryPeriod 15d exceeds Sentinel's maximum of 14d",
    ]);
  });

  it('rejects a pre-release version (X.Y.Z, all numbers)', () => {
    expect(problems(rule((s) => s.replace('version: 1.0.0', 'version: 1.0.0-beta.1')))).toEqual([
      'rules/test.yaml:31:10: version: must be X.Y.Z, all numbers (Azure-Sentinel rejects 1.0.0-beta.1)',
    ]);
  });

  it('rejects a Host mapped only by DnsDomain (no required identifier)', () => {
    const host = `  - entityType: Host
    fieldMappings:
      - identifier: DnsDomain
        columnName: SourceIP
customDetails:`;
    expect(problems(rule((s) => s.replace('customDetails:', host)))).toEqual([
      'rules/test.yaml:27:17: Host entity needs FullName or HostName or NetBiosName or AzureID or OMSAgentID (Sentinel drops it otherwise)',
    ]);
  });

  it('rejects the same identifier twice in one entity', () => {
    const twice = `        columnName: SourceIP
      - identifier: Address
        columnName: DestinationIP
customDetails:`;
    expect(problems(rule((s) => s.replace('        columnName: SourceIP\ncustomDetails:', twice)))).toEqual([
      'rules/test.yaml:27:21: identifier Address is mapped twice in this IP entity (also field mapping 1)',
    ]);
  });

  it('rejects a column name that is not a Log Analytics name, in entities and custom details', () => {
    expect(
      problems(
        rule((s) =>
          s
            .replace('columnName: SourceIP', 'columnName: Source-IP')
            .replace('AlertId: AlertId', 'AlertId: Alert Id'),
        ),
      ),
    ).toEqual([
      "rules/test.yaml:26:21: 'Source-IP' is not a column name (a letter or _, then letters, digits or _)",
      "rules/test.yaml:28:12: custom detail AlertId: 'Alert Id' is not a column name",
    ]);
  });

  it('accepts an IoTDevice entity (DeviceId, Manufacturer, FirmwareVersion) and rejects one without DeviceId', () => {
    const query = `  | project TimeGenerated, AlertId, AlertTitle, Severity, SourceIP, DestinationIP, DeviceId = SourceMAC, AssetVendor, AssetFirmware
entityMappings:
  - entityType: IoTDevice
    fieldMappings:
      - identifier: DeviceId
        columnName: DeviceId
      - identifier: Manufacturer
        columnName: AssetVendor
      - identifier: FirmwareVersion
        columnName: AssetFirmware`;
    const withDevice = (s: string) =>
      s.replace(
        / {2}\| project TimeGenerated, AlertId, AlertTitle, Severity, SourceIP, DestinationIP\nentityMappings:/,
        query,
      );
    expect(problems(rule(withDevice))).toEqual([]);
    expect(
      problems(
        rule((s) =>
          withDevice(s).replace('      - identifier: DeviceId\n        columnName: DeviceId\n', ''),
        ),
      ),
    ).toEqual(['rules/test.yaml:23:17: IoTDevice entity needs DeviceId (Sentinel drops it otherwise)']);
  });

  it('rejects an unknown connectorId, accepts a known one, and checks the data types of a shipped connector', () => {
    expect(problems(rule((s) => s.replace('connectorId: OtSoc', 'connectorId: OtSocc')))).toEqual([
      'rules/test.yaml:6:18: connectorId OtSocc is neither a known Sentinel connector nor defined in dataConnectors',
    ]);
    expect(
      problems({
        'rules/test.yaml': BASE_RULE.replace('connectorId: OtSoc', 'connectorId: IoT'),
        'dataConnectors/none.json': '',
      }).filter((l) => l.startsWith('rules/')),
    ).toEqual([]);
    expect(problems(rule((s) => s.replace('      - OTAlerts_CL', '      - OTAlert_CL')))).toEqual([
      "rules/test.yaml:8:9: data type OTAlert_CL is not one of connector OtSoc's (OTAlerts_CL)",
    ]);
    // A folder of rules written on top of ot-soc, without its definition: OtSoc is ot-soc's (the content pack
    // deploys it), its data types still checked; an id neither defines is still unknown.
    const onTop = (s: string) => ({ 'rules/test.yaml': s, 'dataConnectors/other.json': '{}' });
    expect(problems(onTop(BASE_RULE)).filter((l) => l.startsWith('rules/'))).toEqual([]);
    expect(problems(onTop(BASE_RULE.replace('      - OTAlerts_CL', '      - OTAlert_CL')))).toContain(
      "rules/test.yaml:8:9: data type OTAlert_CL is not one of connector OtSoc's (OTAlerts_CL)",
    );
    expect(problems(onTop(BASE_RULE.replace('connectorId: OtSoc', 'connectorId: OtSocc')))).toContain(
      'rules/test.yaml:6:18: connectorId OtSocc is neither a known Sentinel connector nor defined in dataConnectors',
    );
  });

  it('type-checks the queries of a shipped connector definition at their JSON position', () => {
    const bad = OTSOC_CONNECTOR.replace(
      'summarize Time = max(TimeGenerated)',
      'summarize Time = max(TimeGenerate)',
    );
    const out = problems({ 'rules/test.yaml': BASE_RULE, 'dataConnectors/OtSoc.json': bad });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^dataConnectors\/OtSoc\.json:\d+:\d+: KQL KS142: The name 'TimeGenerate' /);
  });

  it('rejects a technique listed without all of its ATT&CK for ICS 18.1 tactics, in rules and hunting queries', () => {
    const firmware = (s: string) =>
      s.replace('  - LateralMovement', '  - Persistence').replace('  - T0843', '  - T0857');
    expect(problems(rule(firmware))).toEqual([
      'rules/test.yaml:16:5: T0857 (System Firmware) also belongs to InhibitResponseFunction: list every tactic of the technique',
    ]);
    expect(
      problems(
        rule((s) => firmware(s).replace('  - Persistence', '  - Persistence\n  - InhibitResponseFunction')),
      ),
    ).toEqual([]);
    expect(problems({ 'hunting/h.yaml': BASE_HUNTING.replace('  - T0846', '  - T0846\n  - T0886') })).toEqual(
      [
        'hunting/h.yaml:12:5: T0886 (Remote Services) belongs to InitialAccess, LateralMovement; none of them is in tactics',
      ],
    );
  });

  it('rejects templateVersion without alertRuleTemplateName in the generated ARM template', () => {
    const arm = JSON.stringify(
      {
        resources: [
          {
            type: 'Microsoft.OperationalInsights/workspaces/providers/alertRules',
            properties: { displayName: 'a', templateVersion: '1.0.0' },
          },
          {
            type: 'Microsoft.OperationalInsights/workspaces/providers/alertRules',
            properties: { displayName: 'b', templateVersion: '1.0.0', alertRuleTemplateName: 'x' },
          },
        ],
      },
      null,
      2,
    );
    expect(problems({ 'rules/test.yaml': BASE_RULE, 'infra/sentinel-content.json': arm })).toEqual([
      "infra/sentinel-content.json:7:28: alert rule: 'templateVersion' can only be used with 'alertRuleTemplateName' (Azure-Sentinel rejects it)",
    ]);
  });
});
