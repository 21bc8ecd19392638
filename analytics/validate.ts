/**
 * Validates the Sentinel content: analytics rules and hunting queries (YAML) and workbooks (JSON).
 *
 * Every query is parsed and type-checked by Kusto.Language against the workspace schema (schemas.ts: OTAlerts_CL
 * built from OTALERTS_COLUMNS, SecurityAlert, SecurityIncident, SentinelHealth, `_GetWatchlist`); workbook
 * placeholders are replaced by type-correct stand-ins first. The YAML is checked with zod (ruleSchema.ts) and then
 * across fields (ruleChecks.ts, the Azure-Sentinel repository's detection checks): GUIDs unique across all content,
 * schedule bounds, NRT vs Scheduled fields, Sentinel tactics, ATT&CK for ICS techniques with all their tactics, entity
 * identifiers (required, unique per entity), known or shipped data connectors, and every column the rule maps
 * (entities, custom details, alert details override) against the columns the query really returns (the analyzer's
 * result type). Shipped data connector definitions have their queries type-checked; the generated ARM template must
 * not carry `templateVersion` without `alertRuleTemplateName` (Azure-Sentinel NoTemplateVersionWithoutTemplateName).
 *
 * Every problem carries file, line and column; a KQL offset is mapped to the file through the YAML block scalar or the
 * JSON string it sits in.
 */
import { relative } from 'node:path';
import type { z } from 'zod';
import {
  type ConnectorCatalog,
  connectorCatalog,
  definitionProblems,
  definitionQueries,
} from './connectors.js';
import { type Content, contentLayout, loadContent, loadDataConnectors } from './content.js';
import { createKqlAnalyzer, type KqlAnalyzer, type KqlColumn } from './kusto.js';
import { lenient } from './lenient.js';
import { formatProblem } from './problem.js';
import {
  Collector,
  checkConnectors,
  checkEntityMappings,
  checkRuleSemantics,
  checkTechniques,
} from './ruleChecks.js';
import {
  type AnalyticsRule,
  analyticsRuleSchema,
  type HuntingQuery,
  huntingQuerySchema,
} from './ruleSchema.js';
import { workspaceSchema } from './schemas.js';
import {
  type JsonSource,
  jsonOffsetPosition,
  jsonPosition,
  type Position,
  type Problem,
  type YamlSource,
  yamlKeyPosition,
  yamlOffsetPosition,
  yamlPosition,
} from './source.js';
import { substituteParameters, workbookParameters, workbookQueries } from './workbook.js';

export type { Problem };
export { formatProblem };

export interface ValidationResult {
  readonly problems: Problem[];
  readonly rules: number;
  readonly hunting: number;
  readonly workbooks: number;
  /** KQL queries parsed and type-checked. */
  readonly queries: number;
}

/** An analyzer over the workspace schema (loads the Kusto bridge; build one per process or test file). */
export function createContentAnalyzer(): KqlAnalyzer {
  return createKqlAnalyzer(workspaceSchema());
}

// ---------------------------------------------------------------------------------------------------------------
// YAML content (rules and hunting queries)

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const k of path)
    v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function zodProblems(out: Collector, src: YamlSource, data: unknown, error: z.ZodError): void {
  for (const issue of error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.add(src.file, yamlKeyPosition(src, path, key), `unknown key '${key}'`);
      continue;
    }
    const where = path.length ? `${path.join('.')}: ` : '';
    const missing = issue.code === 'invalid_type' && valueAt(data, path) === undefined;
    out.add(src.file, yamlPosition(src, path), missing ? `${where}required` : `${where}${issue.message}`);
  }
}

/** Type-checks one query and reports its errors at their file positions; returns the output columns. */
function checkKql(
  out: Collector,
  analyzer: KqlAnalyzer,
  query: string,
  at: (offset: number) => Position,
  file: string,
): readonly KqlColumn[] | undefined {
  const { diagnostics, columns } = analyzer.analyze(query);
  const errors = diagnostics.filter((d) => d.severity === 'Error');
  for (const d of errors) out.add(file, at(d.start), `KQL ${d.code}: ${d.message}`);
  if (errors.length) return undefined;
  if (!columns || columns.length === 0) {
    out.add(file, at(0), 'query does not return a table');
    return undefined;
  }
  return columns;
}

interface ParsedYaml<T> {
  readonly src: YamlSource;
  readonly item?: T;
}

function validateYamlItem<T extends AnalyticsRule | HuntingQuery>(
  out: Collector,
  analyzer: KqlAnalyzer,
  src: YamlSource,
  schema: z.ZodType<T>,
  isRule: boolean,
  connectors: ConnectorCatalog,
): ParsedYaml<T> {
  if (src.errors.length) {
    out.problems.push(...src.errors);
    return { src };
  }
  const data = src.doc.toJS() as unknown;
  const parsed = schema.safeParse(data);
  if (!parsed.success) zodProblems(out, src, data, parsed.error);
  const query = (data as { query?: unknown } | null)?.query;
  let columns: ReadonlySet<string> | undefined;
  if (typeof query === 'string' && query.trim()) {
    const cols = checkKql(out, analyzer, query, (o) => yamlOffsetPosition(src, ['query'], o), src.file);
    if (cols) columns = new Set(cols.map((c) => c.name));
  }
  const view = lenient(data);
  checkTechniques(out, src, view.tactics, view.relevantTechniques);
  checkConnectors(out, src, view.requiredDataConnectors, connectors);
  if (isRule) checkRuleSemantics(out, src, view, columns);
  else checkEntityMappings(out, src, view.entityMappings, columns);
  return { src, item: parsed.success ? parsed.data : undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// Workbooks

function validateWorkbook(out: Collector, analyzer: KqlAnalyzer, src: JsonSource): number {
  if (src.error) {
    out.problems.push(src.error);
    return 0;
  }
  const wb = src.value as { version?: unknown; items?: unknown };
  if (wb?.version !== 'Notebook/1.0' || !Array.isArray(wb.items)) {
    out.add(
      src.file,
      { line: 1, col: 1 },
      'not a workbook: expected {"version": "Notebook/1.0", "items": [...]}',
    );
    return 0;
  }
  const params = workbookParameters(wb);
  // Conditional visibility and time context must name real parameters.
  const checkRefs = (items: unknown, path: (string | number)[]): void => {
    if (!Array.isArray(items)) return;
    items.forEach((item: Record<string, unknown>, i) => {
      const here = [...path, i];
      const vis = [item.conditionalVisibility, ...((item.conditionalVisibilities as unknown[]) ?? [])];
      for (const v of vis) {
        const name = (v as { parameterName?: unknown } | undefined)?.parameterName;
        if (typeof name === 'string' && !params.has(name)) {
          out.add(
            src.file,
            jsonPosition(src, [...here, 'name']),
            `conditionalVisibility names unknown parameter ${name}`,
          );
        }
      }
      const content = item.content as Record<string, unknown> | undefined;
      const tc = content?.timeContextFromParameter;
      if (typeof tc === 'string' && params.get(tc)?.kind !== 4) {
        out.add(
          src.file,
          jsonPosition(src, [...here, 'content', 'timeContextFromParameter']),
          `timeContextFromParameter ${tc} is not a time range parameter`,
        );
      }
      if (item.type === 12) checkRefs(content?.items, [...here, 'content', 'items']);
    });
  };
  checkRefs(wb.items, ['items']);

  const queries = workbookQueries(wb);
  for (const q of queries) {
    const sub = substituteParameters(q.query, params);
    for (const u of sub.unknown) {
      out.add(
        src.file,
        jsonOffsetPosition(src, q.path, u.offset),
        `${q.label}: ${u.placeholder}: ${u.reason}`,
      );
    }
    checkKql(out, analyzer, sub.text, (o) => jsonOffsetPosition(src, q.path, sub.toOriginal(o)), src.file);
  }
  return queries.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Data connector definitions and the generated ARM template

function validateConnectorDefinition(out: Collector, analyzer: KqlAnalyzer, src: JsonSource): number {
  if (src.error) {
    out.problems.push(src.error);
    return 0;
  }
  for (const p of definitionProblems(src.value)) out.add(src.file, jsonPosition(src, p.path), p.message);
  const queries = definitionQueries(src.value);
  for (const q of queries)
    checkKql(out, analyzer, q.query, (o) => jsonOffsetPosition(src, q.path, o), src.file);
  return queries.length;
}

/** Azure-Sentinel NoTemplateVersionWithoutTemplateName, on every alert rule of the ARM template. */
function checkArmRules(out: Collector, src: JsonSource): void {
  if (src.error) {
    out.problems.push(src.error);
    return;
  }
  const resources = (src.value as { resources?: unknown } | undefined)?.resources;
  if (!Array.isArray(resources)) return;
  resources.forEach((r: { type?: unknown; properties?: Record<string, unknown> }, i) => {
    if (typeof r?.type !== 'string' || !r.type.endsWith('/alertRules')) return;
    const p = r.properties ?? {};
    if (p.templateVersion !== undefined && !p.alertRuleTemplateName) {
      out.add(
        src.file,
        jsonPosition(src, ['resources', i, 'properties', 'templateVersion']),
        "alert rule: 'templateVersion' can only be used with 'alertRuleTemplateName' (Azure-Sentinel rejects it)",
      );
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------

export interface ValidateOptions {
  /** Reuse an analyzer (tests build one per file: the first analysis costs ~1 s). */
  readonly analyzer?: KqlAnalyzer;
}

/** Validates already-loaded content. */
export function validateLoaded(content: Content, opts: ValidateOptions = {}): ValidationResult {
  const analyzer = opts.analyzer ?? createContentAnalyzer();
  const out = new Collector();
  let queries = 0;
  for (const src of content.dataConnectors) queries += validateConnectorDefinition(out, analyzer, src);
  const ownLayout = contentLayout();
  const connectors = connectorCatalog(
    content.dataConnectors,
    relative(content.layout.root, content.layout.dataConnectors),
    content.layout.root === ownLayout.root ? [] : loadDataConnectors(ownLayout),
  );
  const ids = new Map<string, { file: string; pos: Position }>();
  const checkId = (src: YamlSource, id: unknown) => {
    if (typeof id !== 'string') return;
    const key = id.toLowerCase();
    const pos = yamlPosition(src, ['id']);
    const first = ids.get(key);
    if (first) {
      out.add(
        src.file,
        pos,
        `duplicate id ${id} (also ${formatProblem({ file: first.file, ...first.pos, message: '' }).replace(/: $/, '')})`,
      );
    } else ids.set(key, { file: src.file, pos });
  };
  for (const src of content.rules) {
    const r = validateYamlItem(out, analyzer, src, analyticsRuleSchema, true, connectors);
    if (!src.errors.length) {
      queries++;
      checkId(src, r.item?.id ?? (src.doc.toJS() as { id?: unknown } | null)?.id);
    }
  }
  for (const src of content.hunting) {
    const h = validateYamlItem(out, analyzer, src, huntingQuerySchema, false, connectors);
    if (!src.errors.length) {
      queries++;
      checkId(src, h.item?.id ?? (src.doc.toJS() as { id?: unknown } | null)?.id);
    }
  }
  for (const src of content.workbooks) queries += validateWorkbook(out, analyzer, src);
  if (content.armTemplate) checkArmRules(out, content.armTemplate);
  const problems = out.problems.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      a.message.localeCompare(b.message),
  );
  return {
    problems,
    rules: content.rules.length,
    hunting: content.hunting.length,
    workbooks: content.workbooks.length,
    queries,
  };
}

/** Loads and validates the content under `dir` (default: this package). */
export function validateContent(dir?: string, opts: ValidateOptions = {}): ValidationResult {
  return validateLoaded(loadContent(dir), opts);
}
