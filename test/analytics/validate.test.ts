import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KqlAnalyzer } from '../../analytics/kusto.js';
import { createContentAnalyzer, formatProblem, validateContent } from '../../analytics/validate.js';
import { BASE_HUNTING, BASE_RULE, contentDir, workbookJson } from './helpers.js';

// One Kusto GlobalState for the file: the first analysis costs about a second.
let analyzer: KqlAnalyzer;
beforeAll(() => {
  analyzer = createContentAnalyzer();
  analyzer.analyze('OTAlerts_CL | take 1');
}, 60_000);

/** Problems of a content folder, as `file:line:col: message` with the folder stripped. */
function problems(files: Record<string, string>): string[] {
  const dir = contentDir(files);
  return validateContent(dir, { analyzer }).problems.map((p) => formatProblem(p, dir));
}

const rule = (edit: (s: string) => string = (s) => s) => ({ 'rules/test.yaml': edit(BASE_RULE) });

describe('validator', () => {
  it('accepts the minimal rule, hunting query and workbook', () => {
    expect(
      problems({
        ...rule(),
        'hunting/test.yaml': BASE_HUNTING,
        'workbooks/test.json': workbookJson([
          "OTAlerts_CL\n| where TimeGenerated {TimeRange}\n| where Site in ({Site}) or '*' in ({Site})\n| summarize count() by Site",
        ]),
      }),
    ).toEqual([]);
  });

  it('reports an unknown column in a rule query at its file line and column', () => {
    expect(problems(rule((s) => s.replace('where AlertTitle has', 'where AlertTitel has')))).toEqual([
      "rules/test.yaml:20:11: KQL KS142: The name 'AlertTitel' does not refer to any known column, table, variable or function.",
    ]);
  });

  it('reports a KQL syntax error at its file line and column', () => {
    const out = problems(
      rule((s) => s.replace('| where AlertTitle has "Program"', '| where AlertTitle has')),
    );
    expect(out.length).toBeGreaterThan(0);
    expect(out[0]).toMatch(/^rules\/test\.yaml:2[01]:\d+: KQL KS\d+: /);
    expect(out.join('\n')).toContain('KS006');
  });

  it('a syntax error is reported alone, without the binder errors that echo it', () => {
    // `| wher`: before, the two syntax errors came with one "does not refer to any known column" per column after.
    expect(problems(rule((s) => s.replace('| where AlertTitle has', '| wher AlertTitle has')))).toEqual([
      'rules/test.yaml:20:5: KQL KS176: Query operator expected.',
      'rules/test.yaml:20:10: KQL KS005: Expected: ;',
    ]);
  });

  it('reports an unknown table with the position of its name', () => {
    expect(problems(rule((s) => s.replace('  OTAlerts_CL\n', '  OTAlert_CL\n')))).toEqual([
      "rules/test.yaml:18:3: KQL KS204: The name 'OTAlert_CL' does not refer to any known table, tabular variable or function.",
    ]);
  });

  it('reports a tactic that is not in the Sentinel enum', () => {
    const out = problems(rule((s) => s.replace('  - LateralMovement', '  - LateralMovment')));
    expect(out[0]).toMatch(/^rules\/test\.yaml:14:5: tactics\.0: not a Sentinel tactic/);
  });

  it('reports a technique that is not in ATT&CK for ICS 18.1', () => {
    expect(problems(rule((s) => s.replace('  - T0843', '  - T0999')))).toContain(
      'rules/test.yaml:16:5: T0999 is not a technique of ATT&CK for ICS 18.1',
    );
  });

  it('reports an Enterprise technique id and a deprecated ICS technique', () => {
    const out = problems(rule((s) => s.replace('  - T0843', '  - T0843\n  - T1078\n  - T0818')));
    expect(out).toContain('rules/test.yaml:17:5: T1078 is not a technique of ATT&CK for ICS 18.1');
    expect(out).toContain(
      'rules/test.yaml:18:5: T0818 (Engineering Workstation Compromise) is deprecated in ATT&CK for ICS 18.1',
    );
  });

  it('reports a technique none of whose tactics is listed', () => {
    const out = problems(rule((s) => s.replace('  - T0843', '  - T0857')));
    expect(out).toContain(
      'rules/test.yaml:16:5: T0857 (System Firmware) belongs to Persistence, InhibitResponseFunction; none of them is in tactics',
    );
    expect(out).toContain('rules/test.yaml:14:5: tactic LateralMovement has none of the listed techniques');
  });

  it('reports a GUID used twice across rules and hunting queries, at the second file', () => {
    const dup = BASE_HUNTING.replace(
      '22222222-2222-4222-8222-222222222222',
      '11111111-1111-4111-8111-111111111111',
    );
    const dir = contentDir({ ...rule(), 'hunting/dup.yaml': dup });
    const out = validateContent(dir, { analyzer }).problems;
    expect(out).toHaveLength(1);
    expect(formatProblem(out[0]!, dir)).toMatch(
      /^hunting\/dup\.yaml:1:5: duplicate id 11111111-1111-4111-8111-111111111111 \(also .*rules\/test\.yaml:1:5\)$/,
    );
  });

  it('reports a malformed GUID', () => {
    expect(problems(rule((s) => s.replace(/^id: .*$/m, 'id: rule-1')))).toEqual([
      'rules/test.yaml:1:5: id: must be a GUID (8-4-4-4-12 hex digits)',
    ]);
  });

  it('reports queryFrequency longer than queryPeriod, and bad durations', () => {
    expect(problems(rule((s) => s.replace('queryFrequency: 1h', 'queryFrequency: 2h')))).toEqual([
      'rules/test.yaml:9:17: queryFrequency 2h is longer than queryPeriod 1h: events between runs would never be queried',
    ]);
    expect(problems(rule((s) => s.replace('queryPeriod: 1h', 'queryPeriod: 1 hour')))).toEqual([
      'rules/test.yaml:10:14: queryPeriod: must be a duration like 5m, 1h, 1d or ISO 8601 like PT5M, P1D',
    ]);
    expect(problems(rule((s) => s.replace('queryFrequency: 1h', 'queryFrequency: PT1M')))).toEqual([
      "rules/test.yaml:9:17: queryFrequency PT1M is below Sentinel's minimum of 5m",
    ]);
    expect(problems(rule((s) => s.replace('queryPeriod: 1h', 'queryPeriod: 15d')))).toEqual([
      "rules/test.yaml:10:14: queryPeriod 15d exceeds Sentinel's maximum of 14d",
    ]);
  });

  it('accepts ISO 8601 durations that agree', () => {
    expect(
      problems(
        rule((s) =>
          s
            .replace('queryFrequency: 1h', 'queryFrequency: PT30M')
            .replace('queryPeriod: 1h', 'queryPeriod: P1D'),
        ),
      ),
    ).toEqual([]);
  });

  it('reports scheduling fields on an NRT rule and their absence on a Scheduled one', () => {
    const nrt = problems(rule((s) => s.replace('kind: Scheduled', 'kind: NRT')));
    expect(nrt).toEqual([
      'rules/test.yaml:9:1: queryFrequency is not allowed on an NRT rule (it runs every minute)',
      'rules/test.yaml:10:1: queryPeriod is not allowed on an NRT rule (it runs every minute)',
      'rules/test.yaml:11:1: triggerOperator is not allowed on an NRT rule (it runs every minute)',
      'rules/test.yaml:12:1: triggerThreshold is not allowed on an NRT rule (it runs every minute)',
    ]);
    const scheduled = problems(rule((s) => s.replace('queryPeriod: 1h\n', '')));
    expect(scheduled).toEqual(['rules/test.yaml:31:7: queryPeriod is required on a Scheduled rule']);
  });

  it('reports an entity mapping to a column the query does not return', () => {
    expect(problems(rule((s) => s.replace('columnName: SourceIP', 'columnName: SrcIP')))).toEqual([
      "rules/test.yaml:26:21: entity mapping column 'SrcIP' is not a column of the query output",
    ]);
  });

  it('reports an identifier the entity type does not have', () => {
    expect(problems(rule((s) => s.replace('identifier: Address', 'identifier: HostName')))).toEqual([
      'rules/test.yaml:23:17: IP entity needs Address (Sentinel drops it otherwise)',
      "rules/test.yaml:25:21: 'HostName' is not an identifier of IP (Address, AddressScope)",
    ]);
  });

  it('uses the analyzer result type: a column dropped by project is missing', () => {
    // Count is a table column, but the final project drops it
    expect(problems(rule((s) => s.replace('AlertId: AlertId', 'AlertCount: Count')))).toEqual([
      "rules/test.yaml:28:15: custom detail AlertCount: column 'Count' is not a column of the query output",
    ]);
  });

  it('reports alert details override columns, grouping keys and unknown keys', () => {
    const out = problems(
      rule((s) =>
        s
          .replace(
            'eventGroupingSettings:',
            `alertDetailsOverride:
  alertDisplayNameFormat: "{{AlertTitle}} on {{Device}}"
  alertSeverityColumnName: Sev
incidentConfiguration:
  createIncident: true
  groupingConfiguration:
    enabled: true
    reopenClosedIncident: false
    lookbackDuration: 1d
    matchingMethod: Selected
    groupByCustomDetails:
      - Site
eventGroupingSettings:`,
          )
          .replace('version: 1.0.0', 'version: 1.0.0\nqueryFrequencey: 1h'),
      ),
    );
    expect(out).toEqual([
      "rules/test.yaml:30:27: alertDisplayNameFormat: {{Device}} 'Device' is not a column of the query output",
      "rules/test.yaml:31:28: alertSeverityColumnName 'Sev' is not a column of the query output",
      "rules/test.yaml:40:9: groupByCustomDetails 'Site' is not a key of customDetails",
      "rules/test.yaml:44:1: unknown key 'queryFrequencey'",
    ]);
  });

  it('reports a version that is not X.Y.Z', () => {
    expect(problems(rule((s) => s.replace('version: 1.0.0', 'version: 1.0')))).toEqual([
      'rules/test.yaml:31:10: version: must be a version X.Y.Z like 1.0.0 (quoted if YAML reads it as a number)',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const out = problems(
      rule((s) => s.replace('tactics:\n  - LateralMovement', 'tactics: [LateralMovement')),
    );
    expect(out.length).toBeGreaterThan(0);
    expect(out[0]).toMatch(/^rules\/test\.yaml:\d+:\d+: YAML: /);
  });

  it('checks hunting queries with the same KQL and ATT&CK rules', () => {
    const out = problems({
      'hunting/h.yaml': BASE_HUNTING.replace('by SourceIP', 'by SourceAddress').replace(
        '  - T0846',
        '  - T0843',
      ),
    });
    expect(out).toEqual(
      [
        'hunting/h.yaml:11:5: T0843 (Program Download) belongs to LateralMovement; none of them is in tactics',
        "hunting/h.yaml:15:35: KQL KS142: The name 'SourceAddress' does not refer to any known column, table, variable or function.",
        'hunting/h.yaml:9:5: tactic Discovery has none of the listed techniques',
      ].sort((a, b) => {
        const [, la, ca] = a.match(/:(\d+):(\d+):/)!.map(Number);
        const [, lb, cb] = b.match(/:(\d+):(\d+):/)!.map(Number);
        return la! - lb! || ca! - cb!;
      }),
    );
  });
});

describe('validator on workbooks', () => {
  it('substitutes parameters and reports a KQL error at the JSON position of the original text', () => {
    const dir = contentDir({
      'workbooks/w.json': workbookJson([
        "OTAlerts_CL\n| where TimeGenerated {TimeRange}\n| where Site in ({Site}) or '*' in ({Site})\n| summarize count() by Sitee",
      ]),
    });
    const out = validateContent(dir, { analyzer }).problems.map((p) => formatProblem(p, dir));
    expect(out).toHaveLength(1);
    // the query is one JSON string with \n escapes: the error points into that line, at "Sitee"
    const text = readFileSync(`${dir}/workbooks/w.json`, 'utf8');
    const lines = text.split('\n');
    const lineNo = lines.findIndex((l) => l.includes('Sitee')) + 1;
    const col = lines[lineNo - 1]!.indexOf('Sitee') + 1;
    expect(out[0]).toBe(
      `workbooks/w.json:${lineNo}:${col}: KQL KS142: The name 'Sitee' does not refer to any known column, table, variable or function.`,
    );
  });

  it('reports unknown placeholders and a string parameter used without quotes', () => {
    const out = problems({
      'workbooks/w.json': workbookJson([
        'OTAlerts_CL\n| where Zone in ({Zone})',
        'OTAlerts_CL\n| where TimeGenerated {TimeRange:middle}',
        'OTAlerts_CL\n| where TimeGenerated between ({TimeRange:start} .. {TimeRange:end})\n| summarize count() by bin(TimeGenerated, {TimeRange:grain})',
      ]),
    });
    expect(out.some((l) => /{Zone}: no workbook parameter named Zone/.test(l))).toBe(true);
    expect(out.some((l) => /{TimeRange:middle}: parameter TimeRange has no format 'middle'/.test(l))).toBe(
      true,
    );
    expect(out.every((l) => !l.includes('query 2'))).toBe(true);
  });

  it('reports a workbook that is not Notebook/1.0 and JSON syntax errors', () => {
    expect(problems({ 'workbooks/a.json': '{"version": "1.0", "items": []}' })).toEqual([
      'workbooks/a.json:1:1: not a workbook: expected {"version": "Notebook/1.0", "items": [...]}',
    ]);
    const out = problems({ 'workbooks/b.json': '{\n  "version": "Notebook/1.0",\n  "items": [,]\n}' });
    expect(out[0]).toMatch(/^workbooks\/b\.json:3:\d+: JSON: /);
  });
});
