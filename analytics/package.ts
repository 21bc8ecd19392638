/**
 * Generates the deployable Sentinel content from the sources:
 * - `workbooks/*.json` from the workbook builders (analytics/workbooks/), with the rule ids and names they embed;
 * - `infra/sentinel-content.json`, an ARM template like a Sentinel solution's mainTemplate.json: the shipped data
 *   connector definitions as codeless (GenericUI) `dataConnectors`, the watchlists (analytics/watchlists.ts) from CSV
 *   parameters, every rule as
 *   `Microsoft.OperationalInsights/workspaces/providers/alertRules` (kind Scheduled or NRT), every workbook as
 *   `Microsoft.Insights/workbooks` (serializedData = the committed workbook file, byte for byte), every hunting query
 *   as a `savedSearches` entry in category "Hunting Queries" with tactics/techniques tags. Parameters: `workspace`,
 *   `location`.
 *
 * Output is deterministic (sorted inputs, ids derived from content ids), so a test can fail when a committed file is
 * stale. Run after `npm run build`: `node dist/analytics/package.js` (writes the files and prints what it wrote).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { D4IOT_CATALOG } from '../pipeline/enrich/catalog.generated.js';
import { definitionProblems } from './connectors.js';
import { type Content, loadContent } from './content.js';
import { parseDuration, toIsoDuration } from './duration.js';
import { routingMarkdown, withRoutingBlock } from './routing.js';
import {
  type AnalyticsRule,
  analyticsRuleSchema,
  type HuntingQuery,
  huntingQuerySchema,
} from './ruleSchema.js';
import { parseYamlSource } from './source.js';
import { csvHeader, WATCHLISTS, type WatchlistDefinition } from './watchlists.js';
import { serializeWorkbook } from './workbookBuilder.js';
import { WORKBOOKS, type WorkbookContext } from './workbooks/index.js';

export const ALERT_RULES_API = '2024-09-01';
export const WORKBOOKS_API = '2022-04-01';
export const SAVED_SEARCHES_API = '2020-08-01';
export const DATA_CONNECTORS_API = '2021-03-01-preview';
export const WATCHLISTS_API = '2024-09-01';
export const ARM_TEMPLATE_FILE = join('infra', 'sentinel-content.json');
export const ROUTING_DOC = join('docs', 'routing.md');

export interface ParsedContent {
  readonly rules: readonly { file: string; rule: AnalyticsRule }[];
  readonly hunting: readonly { file: string; query: HuntingQuery }[];
  /** Shipped data connector definitions (connectorUiConfig), by file. */
  readonly dataConnectors: readonly { file: string; definition: Record<string, unknown> }[];
}

/** Parses rules and hunting queries; throws with every file that does not parse (run `ot-soc validate`). */
export function parseContent(content: Content): ParsedContent {
  const errors: string[] = [];
  const rules: { file: string; rule: AnalyticsRule }[] = [];
  const hunting: { file: string; query: HuntingQuery }[] = [];
  for (const src of content.rules) {
    const r = analyticsRuleSchema.safeParse(src.doc.toJS());
    if (r.success) rules.push({ file: src.file, rule: r.data });
    else errors.push(src.file);
  }
  for (const src of content.hunting) {
    const r = huntingQuerySchema.safeParse(src.doc.toJS());
    if (r.success) hunting.push({ file: src.file, query: r.data });
    else errors.push(src.file);
  }
  const dataConnectors: { file: string; definition: Record<string, unknown> }[] = [];
  for (const src of content.dataConnectors) {
    if (src.error || definitionProblems(src.value).length) errors.push(src.file);
    else dataConnectors.push({ file: src.file, definition: src.value as Record<string, unknown> });
  }
  if (errors.length) throw new Error(`invalid content (run ot-soc validate): ${errors.join(', ')}`);
  return { rules, hunting, dataConnectors };
}

export function workbookContext(parsed: ParsedContent): WorkbookContext {
  return {
    rules: parsed.rules.map(({ rule }) => ({
      id: rule.id.toLowerCase(),
      name: rule.name,
      tactics: rule.tactics,
      relevantTechniques: rule.relevantTechniques,
    })),
  };
}

/** workbooks/<file> → JSON text, from the builders. */
export function buildWorkbookFiles(parsed: ParsedContent): Map<string, string> {
  const ctx = workbookContext(parsed);
  return new Map(WORKBOOKS.map((w) => [w.file, serializeWorkbook(w.build(ctx))]));
}

// ---------------------------------------------------------------------------------------------------------------
// ARM

type ArmValue = string | number | boolean | null | ArmValue[] | { [k: string]: ArmValue };

/** ARM evaluates a string starting with `[` as an expression; a literal one is written `[[`. */
function armLiteral(v: unknown): ArmValue {
  if (typeof v === 'string') return v.startsWith('[') ? `[${v}` : v;
  if (Array.isArray(v)) return v.map(armLiteral);
  if (v && typeof v === 'object') {
    const out: { [k: string]: ArmValue } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = armLiteral(x);
    return out;
  }
  return v as ArmValue;
}

const oneLine = (s: string) => s.trim().replace(/\s*\n\s*/g, ' ');
const iso = (d: string) => toIsoDuration(parseDuration(d)!);
const TRIGGER: Record<string, string> = { gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' };

function alertRuleResource(rule: AnalyticsRule): { [k: string]: ArmValue } {
  const g = rule.incidentConfiguration?.groupingConfiguration;
  const properties = armLiteral({
    displayName: rule.name,
    description: oneLine(rule.description),
    severity: rule.severity,
    enabled: rule.status !== 'Disabled',
    query: rule.query,
    ...(rule.kind === 'Scheduled'
      ? {
          queryFrequency: iso(rule.queryFrequency!),
          queryPeriod: iso(rule.queryPeriod!),
          triggerOperator: TRIGGER[rule.triggerOperator!],
          triggerThreshold: rule.triggerThreshold,
        }
      : {}),
    suppressionDuration: iso(rule.suppressionDuration ?? '5h'),
    suppressionEnabled: rule.suppressionEnabled ?? false,
    tactics: rule.tactics,
    techniques: rule.relevantTechniques,
    entityMappings: rule.entityMappings,
    customDetails: rule.customDetails,
    alertDetailsOverride: rule.alertDetailsOverride,
    eventGroupingSettings: rule.eventGroupingSettings,
    incidentConfiguration: rule.incidentConfiguration && {
      createIncident: rule.incidentConfiguration.createIncident,
      groupingConfiguration: g && { ...g, lookbackDuration: iso(g.lookbackDuration) },
    },
    // No templateVersion: Azure-Sentinel rejects it without alertRuleTemplateName, and these rules are deployed as
    // rules, not from a template in the content hub (the YAML `version` stays in the repository).
  });
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/alertRules',
    apiVersion: ALERT_RULES_API,
    name: `[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', '${rule.id.toLowerCase()}')]`,
    kind: rule.kind,
    properties,
  };
}

function savedSearchResource(q: HuntingQuery): { [k: string]: ArmValue } {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: SAVED_SEARCHES_API,
    name: `[concat(parameters('workspace'), '/${q.id.toLowerCase()}')]`,
    properties: armLiteral({
      eTag: '*',
      category: 'Hunting Queries',
      displayName: q.name,
      query: q.query,
      version: 2,
      tags: [
        { name: 'description', value: oneLine(q.description) },
        { name: 'tactics', value: q.tactics.join(',') },
        { name: 'techniques', value: q.relevantTechniques.join(',') },
      ],
    }) as { [k: string]: ArmValue },
  };
}

/** A codeless (GenericUI) data connector: the definition shown on Sentinel's Data connectors page. */
function dataConnectorResource(definition: Record<string, unknown>): { [k: string]: ArmValue } {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/dataConnectors',
    apiVersion: DATA_CONNECTORS_API,
    name: `[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', '${String(definition.id)}')]`,
    kind: 'GenericUI',
    properties: { connectorUiConfig: armLiteral(definition) },
  };
}

/** A watchlist from the CSV text in its template parameter (an extension resource of the workspace). */
function watchlistResource(w: WatchlistDefinition): { [k: string]: ArmValue } {
  return {
    type: 'Microsoft.SecurityInsights/watchlists',
    apiVersion: WATCHLISTS_API,
    scope: "[format('Microsoft.OperationalInsights/workspaces/{0}', parameters('workspace'))]",
    name: w.alias,
    properties: {
      displayName: w.displayName,
      description: w.description,
      provider: 'ot-soc',
      source: `${w.alias}.csv`,
      itemsSearchKey: w.searchKey,
      contentType: 'text/csv',
      numberOfLinesToSkip: 0,
      rawContent: `[parameters('${w.parameter}')]`,
    },
  };
}

function watchlistParameters(): { [k: string]: ArmValue } {
  const out: { [k: string]: ArmValue } = {};
  for (const w of WATCHLISTS) {
    out[w.parameter] = {
      type: 'string',
      defaultValue: csvHeader(w),
      metadata: {
        description: `CSV of watchlist ${w.alias} (header ${w.columns.join(',')}; SearchKey = ${w.searchKey}); see docs/content.md.`,
      },
    };
  }
  return out;
}

function workbookResource(file: string, serialized: string): { [k: string]: ArmValue } {
  const def = WORKBOOKS.find((w) => w.file === file);
  const seed = basename(file, '.json');
  return {
    type: 'Microsoft.Insights/workbooks',
    apiVersion: WORKBOOKS_API,
    name: `[guid(resourceGroup().id, parameters('workspace'), '${seed}')]`,
    location: "[parameters('location')]",
    kind: 'shared',
    properties: {
      displayName: armLiteral(def?.displayName ?? seed),
      serializedData: armLiteral(serialized),
      version: '1.0',
      sourceId: "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace'))]",
      category: 'sentinel',
      ...(def ? { description: armLiteral(def.description) } : {}),
    },
  };
}

/** The ARM template for the parsed content and the committed workbook files (file name → text). */
export function buildArmTemplate(parsed: ParsedContent, workbookFiles: ReadonlyMap<string, string>): object {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'ot-soc Sentinel content: analytics rules, hunting queries and workbooks over OTAlerts_CL, mapped to ATT&CK for ICS. Generated by analytics/package.ts; do not edit.',
    },
    parameters: {
      workspace: {
        type: 'string',
        metadata: { description: 'Name of the Log Analytics workspace Microsoft Sentinel is enabled on.' },
      },
      location: {
        type: 'string',
        defaultValue: '[resourceGroup().location]',
        metadata: { description: 'Region of the workbooks (the workspace region).' },
      },
      ...watchlistParameters(),
    },
    resources: [
      ...parsed.dataConnectors.map(({ definition }) => dataConnectorResource(definition)),
      ...WATCHLISTS.map(watchlistResource),
      ...parsed.rules.map(({ rule }) => alertRuleResource(rule)),
      ...parsed.hunting.map(({ query }) => savedSearchResource(query)),
      ...[...workbookFiles.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([file, text]) => workbookResource(file, text)),
    ],
  };
}

export const serializeArm = (template: object): string => `${JSON.stringify(template, null, 2)}\n`;

export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/**
 * Everything the packager writes, for the content under `dir` (default: this package). The ARM template embeds the
 * workbook texts generated here, which are what `writeGenerated` commits to workbooks/.
 */
export function generate(dir?: string): GeneratedFile[] {
  const raw = loadContent(dir);
  // the routing blocks of the rules first: everything else is built from the rules as routed
  const routed = raw.rules
    .map((src) => ({
      path: src.file,
      text: withRoutingBlock(src.text, basename(src.file).replace(/\.ya?ml$/, '')),
    }))
    .filter((f, i) => f.text !== raw.rules[i]!.text);
  const content = routed.length
    ? {
        ...raw,
        rules: raw.rules.map((src) => {
          const f = routed.find((r) => r.path === src.file);
          return f ? parseYamlSource(f.path, f.text) : src;
        }),
      }
    : raw;
  const parsed = parseContent(content);
  const workbooks = buildWorkbookFiles(parsed);
  const files: GeneratedFile[] = [
    ...routed,
    ...[...workbooks.entries()].map(([file, text]) => ({ path: join(content.layout.workbooks, file), text })),
  ];
  if (existsSync(join(content.layout.root, 'docs'))) {
    files.push({ path: join(content.layout.root, ROUTING_DOC), text: routingMarkdown(D4IOT_CATALOG) });
  }
  files.push({
    path: join(content.layout.root, ARM_TEMPLATE_FILE),
    text: serializeArm(buildArmTemplate(parsed, workbooks)),
  });
  return files;
}

/** Generated files whose committed text differs (or is missing). */
export function staleFiles(dir?: string): string[] {
  return generate(dir)
    .filter((f) => {
      try {
        return readFileSync(f.path, 'utf8') !== f.text;
      } catch {
        return true;
      }
    })
    .map((f) => f.path);
}

export function writeGenerated(dir?: string): GeneratedFile[] {
  const files = generate(dir);
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.text);
  }
  return files;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const f of writeGenerated()) console.log(`wrote ${relative(process.cwd(), f.path)}`);
}
