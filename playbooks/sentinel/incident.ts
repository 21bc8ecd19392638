/**
 * The Sentinel incident resource (api-version 2025-09-01, `Incidents.json`) as the playbooks use it, and the
 * pure changes they make to it. An update is a PUT of the whole writable set, so every change starts from the
 * incident as read and returns a complete new property set, or undefined when there is nothing to change.
 */
export const INCIDENT_SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];
export const INCIDENT_STATUSES = ['New', 'Active', 'Closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const CLASSIFICATIONS = ['Undetermined', 'TruePositive', 'BenignPositive', 'FalsePositive'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
export const CLASSIFICATION_REASONS = [
  'SuspiciousActivity',
  'SuspiciousButExpected',
  'IncorrectAlertLogic',
  'InaccurateData',
] as const;
export type ClassificationReason = (typeof CLASSIFICATION_REASONS)[number];

export interface IncidentLabel {
  labelName: string;
  /** Read-only on the service (User | AutoAssigned): read, never written. */
  labelType?: string;
}

export interface IncidentOwner {
  objectId?: string | null;
  email?: string | null;
  assignedTo?: string | null;
  userPrincipalName?: string | null;
  ownerType?: 'Unknown' | 'User' | 'Group' | null;
}

export interface IncidentProperties {
  title: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  description?: string;
  classification?: Classification;
  classificationReason?: ClassificationReason;
  classificationComment?: string;
  owner?: IncidentOwner;
  labels?: IncidentLabel[];
  firstActivityTimeUtc?: string;
  lastActivityTimeUtc?: string;
  // Read-only, present on reads:
  incidentNumber?: number;
  incidentUrl?: string;
  createdTimeUtc?: string;
  lastModifiedTimeUtc?: string;
  additionalData?: Record<string, unknown>;
  relatedAnalyticRuleIds?: string[];
  providerName?: string;
  providerIncidentId?: string;
  [other: string]: unknown;
}

export interface Incident {
  id: string;
  name: string;
  etag?: string;
  type?: string;
  properties: IncidentProperties;
}

/** What a PUT may carry (the spec's writable properties). The rest is read-only and left out. */
export const WRITABLE_PROPERTIES = [
  'title',
  'description',
  'severity',
  'status',
  'classification',
  'classificationReason',
  'classificationComment',
  'owner',
  'labels',
  'firstActivityTimeUtc',
  'lastActivityTimeUtc',
] as const;

export function writableProperties(p: IncidentProperties): Partial<IncidentProperties> {
  const out: Record<string, unknown> = {};
  for (const k of WRITABLE_PROPERTIES) if (p[k] !== undefined && p[k] !== null) out[k] = p[k];
  // labelType is read-only: labels go back with their names only (the service keeps their types).
  if (p.labels) out.labels = p.labels.map((l) => ({ labelName: l.labelName }));
  return out as Partial<IncidentProperties>;
}

const SEVERITY_RANK: Record<IncidentSeverity, number> = { Informational: 0, Low: 1, Medium: 2, High: 3 };
export const severityRank = (s: IncidentSeverity): number => SEVERITY_RANK[s];
export const maxSeverity = (a: IncidentSeverity, b: IncidentSeverity): IncidentSeverity =>
  severityRank(a) >= severityRank(b) ? a : b;

const sameLabel = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Adds labels, keeping every existing one (the PUT replaces the array). */
export function withLabels(p: IncidentProperties, names: readonly string[]): IncidentProperties | undefined {
  const labels = [...(p.labels ?? [])];
  let changed = false;
  for (const name of names) {
    if (!labels.some((l) => sameLabel(l.labelName, name))) {
      labels.push({ labelName: name });
      changed = true;
    }
  }
  return changed ? { ...p, labels } : undefined;
}

/** Assigns the owner (a user or an Entra group); unchanged when it already is. */
export function withOwner(p: IncidentProperties, owner: IncidentOwner): IncidentProperties | undefined {
  const same =
    p.owner?.objectId?.toLowerCase() === owner.objectId?.toLowerCase() &&
    (p.owner?.ownerType ?? 'Unknown') === (owner.ownerType ?? 'Unknown');
  return same ? undefined : { ...p, owner: { ...owner } };
}

/** Raises the severity to at least `floor`; never lowers it. */
export function withSeverityAtLeast(
  p: IncidentProperties,
  floor: IncidentSeverity,
): IncidentProperties | undefined {
  return severityRank(floor) > severityRank(p.severity) ? { ...p, severity: floor } : undefined;
}

export interface Closing {
  classification: Classification;
  classificationReason?: ClassificationReason;
  classificationComment: string;
}

/**
 * The pairs the service accepts: it rejects e.g. BenignPositive without a reason
 * (docs/contracts.md#sentinel-incidents-automation-rules-and-playbooks).
 */
const VALID_REASONS: Record<Classification, readonly (ClassificationReason | undefined)[]> = {
  TruePositive: ['SuspiciousActivity'],
  BenignPositive: ['SuspiciousButExpected'],
  FalsePositive: ['IncorrectAlertLogic', 'InaccurateData'],
  Undetermined: [undefined],
};

export function closingProblem(c: Closing): string | undefined {
  if (!VALID_REASONS[c.classification].includes(c.classificationReason))
    return `classification ${c.classification} cannot have reason ${c.classificationReason ?? '(none)'}; allowed: ${VALID_REASONS[
      c.classification
    ]
      .map((r) => r ?? '(none)')
      .join(', ')}`;
  return undefined;
}

/** Closes with classification, reason and comment; unchanged when already closed. */
export function withClosed(p: IncidentProperties, c: Closing): IncidentProperties | undefined {
  const problem = closingProblem(c);
  if (problem) throw new Error(problem);
  if (p.status === 'Closed') return undefined;
  const next: IncidentProperties = {
    ...p,
    status: 'Closed',
    classification: c.classification,
    classificationComment: c.classificationComment.slice(0, 1000),
  };
  if (c.classificationReason) next.classificationReason = c.classificationReason;
  else delete next.classificationReason;
  return next;
}

/** Applies changes in order; undefined when none changed anything. */
export function combine(
  p: IncidentProperties,
  ...changes: ((p: IncidentProperties) => IncidentProperties | undefined)[]
): IncidentProperties | undefined {
  let current = p;
  let changed = false;
  for (const change of changes) {
    const next = change(current);
    if (next) {
      current = next;
      changed = true;
    }
  }
  return changed ? current : undefined;
}
