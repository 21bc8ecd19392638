/**
 * Cross-field checks of a rule or hunting query (on the lenient view, lenient.ts), ported from what the Azure-Sentinel
 * repository's detection validation rejects (.script/tests/detectionTemplateSchemaValidation) plus the limits the
 * alertRules API enforces:
 * - schedule: queryFrequency and queryPeriod each within 5m..14d, period >= frequency, and a period of 2 days or more
 *   needs a frequency of at least 1 hour (FrequencyLimitationForLongPeriodQuery); NRT rules have no schedule;
 * - entity mappings: identifiers of the entity type, no identifier twice in one entity, at least one required
 *   identifier combination (e.g. Host needs HostName, FullName, NetBiosName, AzureID or OMSAgentID, not DnsDomain
 *   alone), column names that are Log Analytics names and columns of the query output;
 * - ATT&CK for ICS 18.1: techniques exist and are active, and every tactic of every listed technique is listed
 *   (stricter than the repo's "at least one", so the coverage layer never shows a technique under half its tactics);
 * - requiredDataConnectors: a known connector id or one whose definition ships with the content, with its data types.
 */
import { isActiveTechnique, tacticsOfTechnique, technique } from '../pipeline/enrich/attack.js';
import type { ConnectorCatalog } from './connectors.js';
import { formatDuration, parseDuration } from './duration.js';
import type { LenientRule } from './lenient.js';
import {
  COLUMN_NAME,
  ENTITY_IDENTIFIERS,
  LIMITS,
  REQUIRED_IDENTIFIERS,
  SENTINEL_TACTICS,
} from './ruleSchema.js';
import { type Position, type Problem, type YamlPath, type YamlSource, yamlPosition } from './source.js';

export class Collector {
  readonly problems: Problem[] = [];
  add(file: string, pos: Position, message: string): void {
    this.problems.push({ file, line: pos.line, col: pos.col, message });
  }
}

export function checkTechniques(
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
    } else if (listed.length < own.length) {
      const missing = own.filter((x) => !tactics.includes(x));
      out.add(
        src.file,
        at,
        `${id} (${t.name}) also belongs to ${missing.join(', ')}: list every tactic of the technique`,
      );
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
export function checkEntityMappings(
  out: Collector,
  src: YamlSource,
  mappings: LenientRule['entityMappings'],
  columns: ReadonlySet<string> | undefined,
): void {
  mappings.forEach((m, i) => {
    if (!m?.entityType) return;
    const allowed = ENTITY_IDENTIFIERS[m.entityType];
    const used = new Map<string, number>();
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
      if (f.identifier) {
        const first = used.get(f.identifier);
        if (first !== undefined) {
          out.add(
            src.file,
            yamlPosition(src, [...at, 'identifier']),
            `identifier ${f.identifier} is mapped twice in this ${m.entityType} entity (also field mapping ${first + 1})`,
          );
        } else used.set(f.identifier, j);
      }
      if (f.columnName && !COLUMN_NAME.test(f.columnName)) {
        out.add(
          src.file,
          yamlPosition(src, [...at, 'columnName']),
          `'${f.columnName}' is not a column name (a letter or _, then letters, digits or _)`,
        );
      } else if (columns && f.columnName) {
        checkColumn(out, src, columns, f.columnName, [...at, 'columnName'], 'entity mapping column');
      }
    });
    const required = REQUIRED_IDENTIFIERS[m.entityType];
    if (required && !required.some((combo) => combo.every((x) => used.has(x)))) {
      out.add(
        src.file,
        yamlPosition(src, ['entityMappings', i, 'entityType']),
        `${m.entityType} entity needs ${required.map((c) => c.join(' + ')).join(' or ')} (Sentinel drops it otherwise)`,
      );
    }
  });
}

/** Every connector a rule or hunting query requires is known or shipped, with data types its definition declares. */
export function checkConnectors(
  out: Collector,
  src: YamlSource,
  connectors: LenientRule['requiredDataConnectors'],
  catalog: ConnectorCatalog,
): void {
  connectors.forEach((c, i) => {
    if (!c?.connectorId) return;
    const at: YamlPath = ['requiredDataConnectors', i];
    const shipped = catalog.shipped.get(c.connectorId);
    if (!shipped) {
      if (!catalog.known.has(c.connectorId)) {
        out.add(
          src.file,
          yamlPosition(src, [...at, 'connectorId']),
          `connectorId ${c.connectorId} is neither a known Sentinel connector nor defined in ${catalog.folder}`,
        );
      }
      return;
    }
    c.dataTypes.forEach((d, j) => {
      if (d && !shipped.includes(d)) {
        out.add(
          src.file,
          yamlPosition(src, [...at, 'dataTypes', j]),
          `data type ${d} is not one of connector ${c.connectorId}'s (${shipped.join(', ')})`,
        );
      }
    });
  });
}

const PLACEHOLDER = /\{\{([^{}]+)\}\}/g;
const SCHEDULED_ONLY = ['queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold'] as const;

export function checkSchedule(out: Collector, src: YamlSource, rule: LenientRule): void {
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
  for (const [k, v, raw] of [
    ['queryFrequency', freq, rule.queryFrequency],
    ['queryPeriod', period, rule.queryPeriod],
  ] as const) {
    if (v !== undefined && v < LIMITS.minFrequencyMs) {
      out.add(f, yamlPosition(src, [k]), `${k} ${raw} is below Sentinel's minimum of 5m`);
    }
    if (v !== undefined && v > LIMITS.maxPeriodMs) {
      out.add(f, yamlPosition(src, [k]), `${k} ${raw} exceeds Sentinel's maximum of 14d`);
    }
  }
  if (
    freq !== undefined &&
    period !== undefined &&
    period >= LIMITS.longPeriodMs &&
    freq < LIMITS.longPeriodMinFrequencyMs
  ) {
    out.add(
      f,
      yamlPosition(src, ['queryFrequency']),
      `queryFrequency ${rule.queryFrequency} is too frequent for queryPeriod ${rule.queryPeriod}: a period of 2d or more needs a frequency of at least 1h`,
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

export function checkRuleSemantics(
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
  for (const [k, v] of Object.entries(details)) {
    if (!COLUMN_NAME.test(v)) {
      out.add(f, yamlPosition(src, ['customDetails', k]), `custom detail ${k}: '${v}' is not a column name`);
    } else if (columns) checkColumn(out, src, columns, v, ['customDetails', k], `custom detail ${k}: column`);
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
