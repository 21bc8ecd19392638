import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent, packageRoot } from '../../analytics/content.js';
import {
  ALERT_RULES_API,
  ARM_TEMPLATE_FILE,
  generate,
  type ParsedContent,
  parseContent,
  staleFiles,
} from '../../analytics/package.js';

interface Resource {
  type: string;
  apiVersion: string;
  name: string;
  kind?: string;
  location?: string;
  properties: Record<string, unknown>;
}

let parsed: ParsedContent;
let template: { parameters: Record<string, unknown>; resources: Resource[] };
beforeAll(() => {
  parsed = parseContent(loadContent());
  template = JSON.parse(readFileSync(join(packageRoot(), ARM_TEMPLATE_FILE), 'utf8'));
});

describe('infra/sentinel-content.json', () => {
  it('is current: regenerating workbooks/ and the ARM template changes nothing', () => {
    expect(
      staleFiles(),
      'run `npm run build && node dist/analytics/package.js` and commit the result',
    ).toEqual([]);
  });

  it('is deterministic', () => {
    const a = generate();
    const b = generate();
    expect(a.map((f) => f.text)).toEqual(b.map((f) => f.text));
  });

  it('takes workspace and location parameters, and the CSV of each watchlist (default: its header line)', () => {
    expect(Object.keys(template.parameters)).toEqual([
      'workspace',
      'location',
      'assetInventoryCsv',
      'maintenanceWindowsCsv',
      'knownBenignCsv',
    ]);
    const inventory = template.parameters.assetInventoryCsv as { defaultValue: string };
    expect(inventory.defaultValue.split(',')[0]).toBe('SearchKey');
  });

  it('deploys the three watchlists the rules and playbooks read, from their CSV parameters', () => {
    const lists = template.resources.filter((r) => r.type === 'Microsoft.SecurityInsights/watchlists');
    expect(lists.map((r) => [r.name, r.properties.itemsSearchKey, r.properties.rawContent])).toEqual([
      ['OTAssetInventory', 'SearchKey', "[parameters('assetInventoryCsv')]"],
      ['OTSocMaintenance', 'Name', "[parameters('maintenanceWindowsCsv')]"],
      ['OTSocKnownBenign', 'AlertTitle', "[parameters('knownBenignCsv')]"],
    ]);
  });

  it('deploys the shipped OtSoc data connector definition and no templateVersion on any rule', () => {
    const connectors = template.resources.filter((r) => r.type.endsWith('/dataConnectors'));
    expect(connectors.map((r) => [r.kind, (r.properties.connectorUiConfig as { id: string }).id])).toEqual([
      ['GenericUI', 'OtSoc'],
    ]);
    for (const r of template.resources.filter((x) => x.type.endsWith('/alertRules')))
      expect(r.properties.templateVersion).toBeUndefined();
  });

  it('has one alert rule per YAML rule, Scheduled or NRT, with ISO 8601 durations', () => {
    const rules = template.resources.filter(
      (r) => r.type === 'Microsoft.OperationalInsights/workspaces/providers/alertRules',
    );
    expect(rules).toHaveLength(parsed.rules.length);
    for (const [i, r] of rules.entries()) {
      const src = parsed.rules[i]!.rule;
      expect(r.apiVersion).toBe(ALERT_RULES_API);
      expect(r.name).toBe(`[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', '${src.id}')]`);
      expect(r.kind).toBe(src.kind);
      expect(r.properties.displayName).toBe(src.name);
      expect(r.properties.query).toBe(src.query);
      expect(r.properties.tactics).toEqual(src.tactics);
      expect(r.properties.techniques).toEqual(src.relevantTechniques);
      expect(r.properties.suppressionDuration).toMatch(/^P/);
      if (src.kind === 'NRT') {
        expect(r.properties).not.toHaveProperty('queryFrequency');
        expect(r.properties).not.toHaveProperty('triggerOperator');
      } else {
        expect(r.properties.queryFrequency).toMatch(/^PT?\d/);
        expect(r.properties.triggerOperator).toBe('GreaterThan');
      }
      const g = (
        r.properties.incidentConfiguration as { groupingConfiguration: { lookbackDuration: string } }
      ).groupingConfiguration;
      expect(g.lookbackDuration).toMatch(/^P/);
    }
    const stop = rules.find(
      (r) => r.properties.displayName === 'OT controller stop, reset or restart (NRT)',
    )!;
    expect(stop.kind).toBe('NRT');
    const violations = rules.find((r) => r.properties.displayName === 'OT industrial protocol violations')!;
    expect([violations.properties.queryFrequency, violations.properties.queryPeriod]).toEqual([
      'PT1H',
      'P14D',
    ]);
  });

  it('has the hunting queries as saved searches in category "Hunting Queries" with tactic and technique tags', () => {
    const saved = template.resources.filter(
      (r) => r.type === 'Microsoft.OperationalInsights/workspaces/savedSearches',
    );
    expect(saved).toHaveLength(parsed.hunting.length);
    for (const [i, s] of saved.entries()) {
      const src = parsed.hunting[i]!.query;
      expect(s.properties.category).toBe('Hunting Queries');
      expect(s.properties.query).toBe(src.query);
      expect(s.properties.tags).toContainEqual({ name: 'tactics', value: src.tactics.join(',') });
      expect(s.properties.tags).toContainEqual({
        name: 'techniques',
        value: src.relevantTechniques.join(','),
      });
    }
  });

  it('deploys each committed workbook file as serializedData, byte for byte', () => {
    const books = template.resources.filter((r) => r.type === 'Microsoft.Insights/workbooks');
    expect(books).toHaveLength(4);
    for (const b of books) {
      const seed = /'([^']+)'\)\]$/.exec(b.name)![1]!;
      const committed = readFileSync(join(packageRoot(), 'workbooks', `${seed}.json`), 'utf8');
      expect(b.properties.serializedData).toBe(committed);
      expect(b.properties.category).toBe('sentinel');
      expect(b.location).toBe("[parameters('location')]");
      expect(JSON.parse(committed).version).toBe('Notebook/1.0');
    }
  });

  it('escapes no literal string into an ARM expression by accident', () => {
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'string' && v.startsWith('[') && !v.startsWith('[[')) {
        expect(path).toMatch(/(\.name|\.location|\.sourceId|defaultValue|\.scope|\.rawContent)$/);
      } else if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
      } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(template, '');
  });
});
