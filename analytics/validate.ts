/**
 * Validates the Sentinel content: analytics rules and hunting queries (YAML) and workbooks (JSON).
 *
 * Every query is parsed and type-checked by Kusto.Language against the workspace schema (schemas.ts: OTAlerts_CL
 * built from OTALERTS_COLUMNS, SecurityAlert, SecurityIncident, SentinelHealth, `_GetWatchlist`); workbook
 * placeholders are replaced by type-correct stand-ins first. The YAML is checked with zod (ruleSchema.ts) and then
 * across fields: GUIDs unique across all content, durations, NRT vs Scheduled fields, Sentinel tactics, ATT&CK for ICS
 * techniques against the listed tactics, and every column the rule maps (entities, custom details, alert details
 * override) against the columns the query really returns (the analyzer's result type).
 *
 * Every problem carries file, line and column; a KQL offset is mapped to the file through the YAML block scalar or the
 * JSON string it sits in.
 */
import { relative } from 'node:path';
import type { z } from 'zod';
import { isActiveTechnique, tacticsOfTechnique, technique } from '../pipeline/enrich/attack.js';
import { type Content, loadContent } from './content.js';
import { formatDuration, parseDuration } from './duration.js';
import { createKqlAnalyzer, type KqlAnalyzer, type KqlColumn } from './kusto.js';
import {
  type AnalyticsRule,
  analyticsRuleSchema,
  ENTITY_IDENTIFIERS,
  type HuntingQuery,
  huntingQuerySchema,
  LIMITS,
  SENTINEL_TACTICS,
} from './ruleSchema.js';
import { workspaceSchema } from './schemas.js';
import {
  type JsonSource,
  jsonOffsetPosition,
  jsonPosition,
  type Position,
  type Problem,
  type YamlPath,
  type YamlSource,
  yamlKeyPosition,
  yamlOffsetPosition,
  yamlPosition,
} from './source.js';
import { substituteParameters, workbookParameters, workbookQueries } from './workbook.js';

export type { Problem };

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

/** `file:line:col: message`, the file relative to `cwd` when inside it. */
export function formatProblem(p: Problem, cwd: string = process.cwd()): string {
  const rel = relative(cwd, p.file);
  const file = rel && !rel.startsWith('..') ? rel : p.file;
  return `${file}:${p.line}:${p.col}: ${p.message}`;
}

class Collector {
  readonly problems: Problem[] = [];
  add(file: string, pos: Position, message: string): void {
    this.problems.push({ file, line: pos.line, col: pos.col, message });
  }
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

function checkTechniques(
  out: Collector,
  src: YamlSource,
  tactics: readonly string[],
  techniques: readonly string[],
): void {
  const covered = new Set<string>();
  techniques.forEach((id, i) => {
    if (!id) return;
    const t = technique(id);
    const at = yamlPosition(src, ['relevantTechniques', i]);
    if (!t) {
      out.add(src.file, at, `${id} is not a technique of ATT&CK for ICS 18.1`);
      return;
    }
    if (!isActiveTechnique(id)) {
      out.add(src.file, at, `${id} (${t.name}) is deprecated in ATT&CK for ICS 18.1`);
      return;
    }
    const own = tacticsOfTechnique(id);
    const listed = own.filter((x) => tactics.includes(x));
    if (listed.length === 0) {
      out.add(src.file, at, `${id} (${t.name}) belongs to ${own.join(', ')}; none of them is in tactics`);
    }
    for (const x of listed) covered.add(x);
  });
  tactics.forEach((x, i) => {
    const known = (SENTINEL_TACTICS as readonly string[]).includes(x);
    if (known && !covered.has(x) && techniques.every((id) => technique(id))) {
      out.add(src.file, yamlPosition(src, ['tactics', i]), `tactic ${x} has none of the listed techniques`);
    }
  });
}

function checkColumn(
  out: Collector,
  src: YamlSource,
  columns: ReadonlySet<string>,
  name: string,
  path: YamlPath,
  what: string,
): void {
  if (!columns.has(name)) {
    out.add(src.file, yamlPosition(src, path), `${what} '${name}' is not a column of the query output`);
  }
}

// What the cross-field checks read. Built leniently from the raw YAML, so a rule with one bad field (reported by zod)
// still gets every other check: malformed parts are dropped, array positions are kept for the error location.
type Maybe<T> = T | undefined;

interface LenientFieldMapping {
  readonly identifier?: string;
  readonly columnName?: string;
}

interface LenientEntityMapping {
  readonly entityType?: string;
  readonly fieldMappings: readonly Maybe<LenientFieldMapping>[];
}

interface LenientRule {
  readonly kind?: string;
  readonly queryFrequency?: string;
  readonly queryPeriod?: string;
  readonly triggerOperator?: string;
  readonly triggerThreshold?: unknown;
  readonly suppressionEnabled?: unknown;
  readonly suppressionDuration?: string;
  readonly tactics: readonly string[];
  readonly relevantTechniques: readonly string[];
  readonly entityMappings: readonly Maybe<LenientEntityMapping>[];
  readonly customDetails: Readonly<Record<string, string>>;
  readonly alertDetailsOverride?: {
    readonly alertDisplayNameFormat?: string;
    readonly alertDescriptionFormat?: string;
    readonly alertTacticsColumnName?: string;
    readonly alertSeverityColumnName?: string;
    readonly alertDynamicProperties: readonly Maybe<{
      readonly alertProperty?: string;
      readonly value?: string;
    }>[];
  };
  readonly grouping?: {
    readonly lookbackDuration?: string;
    readonly matchingMethod?: string;
    readonly groupByEntities: readonly string[];
    readonly groupByAlertDetails: readonly string[];
    readonly groupByCustomDetails: readonly string[];
  };
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : undefined;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => arr(v).map((x) => (typeof x === 'string' ? x : ''));

function lenient(data: unknown): LenientRule {
  const d = obj(data) ?? {};
  const o = obj(d.alertDetailsOverride);
  const g = obj(obj(d.incidentConfiguration)?.groupingConfiguration);
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(d.customDetails) ?? {})) if (typeof v === 'string') details[k] = v;
  return {
    kind: str(d.kind),
    queryFrequency: str(d.queryFrequency),
    queryPeriod: str(d.queryPeriod),
    triggerOperator: str(d.triggerOperator),
    triggerThreshold: d.triggerThreshold,
    suppressionEnabled: d.suppressionEnabled,
    suppressionDuration: str(d.suppressionDuration),
    tactics: strings(d.tactics),
    relevantTechniques: strings(d.relevantTechniques),
    entityMappings: arr(d.entityMappings).map((m) => {
      const e = obj(m);
      if (!e) return undefined;
      return {
        entityType: str(e.entityType),
        fieldMappings: arr(e.fieldMappings).map((f) => {
          const x = obj(f);
          return x ? { identifier: str(x.identifier), columnName: str(x.columnName) } : undefined;
        }),
      };
    }),
    customDetails: details,
    alertDetailsOverride: o && {
      alertDisplayNameFormat: str(o.alertDisplayNameFormat),
      alertDescriptionFormat: str(o.alertDescriptionFormat),
      alertTacticsColumnName: str(o.alertTacticsColumnName),
      alertSeverityColumnName: str(o.alertSeverityColumnName),
      alertDynamicProperties: arr(o.alertDynamicProperties).map((p) => {
        const x = obj(p);
        return x ? { alertProperty: str(x.alertProperty), value: str(x.value) } : undefined;
      }),
    },
    grouping: g && {
      lookbackDuration: str(g.lookbackDuration),
      matchingMethod: str(g.matchingMethod),
      groupByEntities: strings(g.groupByEntities),
      groupByAlertDetails: strings(g.groupByAlertDetails),
      groupByCustomDetails: strings(g.groupByCustomDetails),
    },
  };
}

function checkEntityMappings(
  out: Collector,
  src: YamlSource,
  mappings: LenientRule['entityMappings'],
  columns: ReadonlySet<string> | undefined,
): void {
  mappings.forEach((m, i) => {
    if (!m?.entityType) return;
    const allowed = ENTITY_IDENTIFIERS[m.entityType];
    m.fieldMappings.forEach((f, j) => {
      if (!f) return;
      const at: YamlPath = ['entityMappings', i, 'fieldMappings', j];
      if (allowed && f.identifier && !allowed.includes(f.identifier)) {
        out.add(
          src.file,
          yamlPosition(src, [...at, 'identifier']),
          `'${f.identifier}' is not an identifier of ${m.entityType} (${allowed.join(', ')})`,
        );
      }
      if (columns && f.columnName) {
        checkColumn(out, src, columns, f.columnName, [...at, 'columnName'], 'entity mapping column');
      }
    });
  });
}

const PLACEHOLDER = /\{\{([^{}]+)\}\}/g;
const SCHEDULED_ONLY = ['queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold'] as const;

function checkSchedule(out: Collector, src: YamlSource, rule: LenientRule): void {
  const f = src.file;
  if (rule.kind === 'NRT') {
    for (const k of SCHEDULED_ONLY) {
      if (rule[k] !== undefined) {
        out.add(
          f,
          yamlPosition(src, [k], { key: true }),
          `${k} is not allowed on an NRT rule (it runs every minute)`,
        );
      }
    }
    return;
  }
  if (rule.kind !== 'Scheduled') return;
  for (const k of SCHEDULED_ONLY) {
    if (rule[k] === undefined)
      out.add(f, yamlPosition(src, ['kind']), `${k} is required on a Scheduled rule`);
  }
  const freq = rule.queryFrequency ? parseDuration(rule.queryFrequency) : undefined;
  const period = rule.queryPeriod ? parseDuration(rule.queryPeriod) : undefined;
  if (freq !== undefined && freq < LIMITS.minFrequencyMs) {
    out.add(
      f,
      yamlPosition(src, ['queryFrequency']),
      `queryFrequency ${rule.queryFrequency} is below Sentinel's minimum of 5m`,
    );
  }
  if (period !== undefined && period > LIMITS.maxPeriodMs) {
    out.add(
      f,
      yamlPosition(src, ['queryPeriod']),
      `queryPeriod ${rule.queryPeriod} exceeds Sentinel's maximum of 14d`,
    );
  }
  if (freq !== undefined && period !== undefined && freq > period) {
    out.add(
      f,
      yamlPosition(src, ['queryFrequency']),
      `queryFrequency ${formatDuration(freq)} is longer than queryPeriod ${formatDuration(period)}: events between runs would never be queried`,
    );
  }
}

function checkRuleSemantics(
  out: Collector,
  src: YamlSource,
  rule: LenientRule,
  columns: ReadonlySet<string> | undefined,
): void {
  const f = src.file;
  checkSchedule(out, src, rule);
  if (rule.suppressionEnabled === true && !rule.suppressionDuration) {
    out.add(f, yamlPosition(src, ['suppressionEnabled']), 'suppressionEnabled needs suppressionDuration');
  }

  checkEntityMappings(out, src, rule.entityMappings, columns);
  const details = rule.customDetails;
  const detailKeys = Object.keys(details);
  if (detailKeys.length > LIMITS.customDetails) {
    out.add(
      f,
      yamlPosition(src, ['customDetails']),
      `at most ${LIMITS.customDetails} custom details (has ${detailKeys.length})`,
    );
  }
  if (columns) {
    for (const [k, v] of Object.entries(details))
      checkColumn(out, src, columns, v, ['customDetails', k], `custom detail ${k}: column`);
  }

  const o = rule.alertDetailsOverride;
  if (o) {
    for (const key of ['alertDisplayNameFormat', 'alertDescriptionFormat'] as const) {
      const format = o[key];
      if (!format) continue;
      const names = [...format.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim());
      if (names.length > LIMITS.formatPlaceholders) {
        out.add(
          f,
          yamlPosition(src, ['alertDetailsOverride', key]),
          `${key} uses ${names.length} columns; Sentinel allows ${LIMITS.formatPlaceholders}`,
        );
      }
      if (columns)
        for (const n of names)
          checkColumn(out, src, columns, n, ['alertDetailsOverride', key], `${key}: {{${n}}}`);
    }
    if (columns) {
      for (const key of ['alertTacticsColumnName', 'alertSeverityColumnName'] as const) {
        const v = o[key];
        if (v) checkColumn(out, src, columns, v, ['alertDetailsOverride', key], key);
      }
      o.alertDynamicProperties.forEach((p, i) => {
        if (p?.value) {
          checkColumn(
            out,
            src,
            columns,
            p.value,
            ['alertDetailsOverride', 'alertDynamicProperties', i, 'value'],
            `alertDynamicProperties ${p.alertProperty ?? ''}: column`,
          );
        }
      });
    }
  }

  const g = rule.grouping;
  if (g) {
    const at = (...rest: (string | number)[]) =>
      yamlPosition(src, ['incidentConfiguration', 'groupingConfiguration', ...rest]);
    const lookback = g.lookbackDuration ? parseDuration(g.lookbackDuration) : undefined;
    if (lookback !== undefined && (lookback < LIMITS.minLookbackMs || lookback > LIMITS.maxLookbackMs)) {
      out.add(f, at('lookbackDuration'), 'lookbackDuration must be between 5m and 7d');
    }
    g.groupByCustomDetails.forEach((k, i) => {
      if (!(k in details))
        out.add(
          f,
          at('groupByCustomDetails', i),
          `groupByCustomDetails '${k}' is not a key of customDetails`,
        );
    });
    const mapped = new Set(rule.entityMappings.map((m) => m?.entityType));
    g.groupByEntities.forEach((e, i) => {
      if (!mapped.has(e))
        out.add(f, at('groupByEntities', i), `groupByEntities '${e}' is not mapped in entityMappings`);
    });
    const selected = g.groupByEntities.length + g.groupByAlertDetails.length + g.groupByCustomDetails.length;
    if (g.matchingMethod === 'Selected' && selected === 0) {
      out.add(
        f,
        at('matchingMethod'),
        'matchingMethod Selected needs groupByEntities, groupByAlertDetails or groupByCustomDetails',
      );
    }
  }
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

export interface ValidateOptions {
  /** Reuse an analyzer (tests build one per file: the first analysis costs ~1 s). */
  readonly analyzer?: KqlAnalyzer;
}

/** Validates already-loaded content. */
export function validateLoaded(content: Content, opts: ValidateOptions = {}): ValidationResult {
  const analyzer = opts.analyzer ?? createContentAnalyzer();
  const out = new Collector();
  let queries = 0;
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
    const r = validateYamlItem(out, analyzer, src, analyticsRuleSchema, true);
    if (!src.errors.length) {
      queries++;
      checkId(src, r.item?.id ?? (src.doc.toJS() as { id?: unknown } | null)?.id);
    }
  }
  for (const src of content.hunting) {
    const h = validateYamlItem(out, analyzer, src, huntingQuerySchema, false);
    if (!src.errors.length) {
      queries++;
      checkId(src, h.item?.id ?? (src.doc.toJS() as { id?: unknown } | null)?.id);
    }
  }
  for (const src of content.workbooks) queries += validateWorkbook(out, analyzer, src);
  const problems = out.problems.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
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
