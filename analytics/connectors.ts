/**
 * Data connectors the content may name in `requiredDataConnectors`.
 *
 * Azure-Sentinel's validation (Validate_DetectionTemplates_HasValidConnectorIds) accepts only connector ids it knows
 * (ValidConnectorIds.json) or whose definition ships with the content. ot-soc writes OTAlerts_CL through the Logs
 * Ingestion API, which no built-in connector covers, so it ships its own definition: `dataConnectors/*.json`
 * (analytics/dataConnectors/ in the repository), the codeless ("GenericUI") connector UI config that
 * analytics/package.ts deploys. A rule naming that connector may only list the data types the definition declares.
 */
import type { JsonSource } from './source.js';

/**
 * Microsoft first-party connector ids from Azure-Sentinel's ValidConnectorIds.json that OT content can sensibly
 * require (Defender for IoT alerts in SecurityAlert are connector `IoT`); anything else must ship a definition.
 */
export const KNOWN_CONNECTOR_IDS: readonly string[] = [
  'AzureActiveDirectory',
  'AzureActivity',
  'AzureSecurityCenter',
  'CEF',
  'IoT',
  'MicrosoftDefenderAdvancedThreatProtection',
  'MicrosoftThreatProtection',
  'SecurityEvents',
  'Syslog',
  'ThreatIntelligence',
];

export interface ConnectorCatalog {
  readonly known: ReadonlySet<string>;
  /** Shipped definitions: connector id → declared data type names. */
  readonly shipped: ReadonlyMap<string, readonly string[]>;
  /** Where definitions are looked for (for messages). */
  readonly folder: string;
}

/** The parts of a connector definition (connectorUiConfig) that the checks and the packager read. */
export interface ConnectorDefinition {
  readonly id: string;
  readonly title: string;
  readonly publisher: string;
  readonly descriptionMarkdown: string;
  readonly dataTypes: readonly { readonly name: string; readonly lastDataReceivedQuery: string }[];
  readonly graphQueries: readonly {
    readonly metricName: string;
    readonly legend: string;
    readonly baseQuery: string;
  }[];
  readonly sampleQueries: readonly { readonly description: string; readonly query: string }[];
  readonly connectivityCriterias: readonly { readonly type: string; readonly value: readonly string[] }[];
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Problems of one definition (path → message), empty when it has what Sentinel and the checks need. */
export function definitionProblems(value: unknown): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const d = (value ?? {}) as Record<string, unknown>;
  for (const k of ['id', 'title', 'publisher', 'descriptionMarkdown'] as const)
    if (!isStr(d[k])) out.push({ path: [k], message: `${k}: required string` });
  if (isStr(d.id) && !/^[A-Za-z][A-Za-z0-9_]*$/.test(d.id))
    out.push({ path: ['id'], message: 'id: letters, digits and _ only, starting with a letter' });
  const types = Array.isArray(d.dataTypes) ? d.dataTypes : [];
  if (types.length === 0) out.push({ path: ['dataTypes'], message: 'dataTypes: at least one data type' });
  types.forEach((t: Record<string, unknown>, i) => {
    if (!isStr(t?.name)) out.push({ path: ['dataTypes', i], message: 'dataTypes: name required' });
    if (!isStr(t?.lastDataReceivedQuery))
      out.push({ path: ['dataTypes', i], message: 'dataTypes: lastDataReceivedQuery required' });
  });
  for (const k of ['graphQueries', 'sampleQueries', 'connectivityCriterias'] as const)
    if (!Array.isArray(d[k]) || (d[k] as unknown[]).length === 0)
      out.push({ path: [k], message: `${k}: at least one entry` });
  return out;
}

/** Every KQL text in a definition, with its JSON path (checked by the validator like any other query). */
export function definitionQueries(value: unknown): { path: (string | number)[]; query: string }[] {
  const d = (value ?? {}) as Partial<ConnectorDefinition>;
  const out: { path: (string | number)[]; query: string }[] = [];
  (d.dataTypes ?? []).forEach((t, i) => {
    if (isStr(t?.lastDataReceivedQuery))
      out.push({ path: ['dataTypes', i, 'lastDataReceivedQuery'], query: t.lastDataReceivedQuery });
  });
  (d.graphQueries ?? []).forEach((q, i) => {
    if (isStr(q?.baseQuery)) out.push({ path: ['graphQueries', i, 'baseQuery'], query: q.baseQuery });
  });
  (d.sampleQueries ?? []).forEach((q, i) => {
    if (isStr(q?.query)) out.push({ path: ['sampleQueries', i, 'query'], query: q.query });
  });
  (d.connectivityCriterias ?? []).forEach((c, i) => {
    (c?.value ?? []).forEach((v, j) => {
      if (isStr(v)) out.push({ path: ['connectivityCriterias', i, 'value', j], query: v });
    });
  });
  return out;
}

/**
 * `definitions` (the content's own) and `inherited` (ot-soc's, for a folder of rules written on top of it: they may
 * require ot-soc's connector, which the content pack deploys) by id, the content's first.
 */
export function connectorCatalog(
  definitions: readonly JsonSource[],
  folder: string,
  inherited: readonly JsonSource[] = [],
): ConnectorCatalog {
  const shipped = new Map<string, readonly string[]>();
  for (const src of [...definitions, ...inherited]) {
    const d = src.value as Partial<ConnectorDefinition> | undefined;
    if (!src.error && d && isStr(d.id) && !shipped.has(d.id)) {
      shipped.set(d.id, (d.dataTypes ?? []).map((t) => t?.name).filter(isStr));
    }
  }
  return { known: new Set(KNOWN_CONNECTOR_IDS), shipped, folder };
}
