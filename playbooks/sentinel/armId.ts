/** The parts of a Sentinel incident ARM id, which is all the incidents API needs to address it. */
export interface IncidentRef {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  incidentId: string;
  /** The id as given (kept for messages, comments and idempotency keys). */
  armId: string;
}

const INCIDENT_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)\/providers\/Microsoft\.SecurityInsights\/incidents\/([^/]+)$/i;

/** Parses an incident ARM id; undefined when it is not one (wrong provider, extra segments, …). */
export function parseIncidentArmId(armId: string): IncidentRef | undefined {
  const m = INCIDENT_ID.exec(armId.trim());
  if (!m) return undefined;
  const [, subscriptionId, resourceGroup, workspace, incidentId] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const parts = [subscriptionId, resourceGroup, workspace, incidentId];
  // Refuse anything that could change the URL's meaning once decoded (query, fragment, dot segments).
  if (parts.some((p) => /[?#%\\]|^\.\.?$/.test(p))) return undefined;
  return { subscriptionId, resourceGroup, workspace, incidentId, armId: armId.trim() };
}

/** The workspace ARM id of an incident (lower-cased for comparisons). */
export function workspaceArmId(ref: IncidentRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${ref.workspace}`.toLowerCase();
}

export const ARM_ENDPOINT = 'https://management.azure.com';

/** `https://management.azure.com/subscriptions/…/incidents/{id}` + optional sub-path, segments encoded. */
export function incidentUrl(ref: IncidentRef, sub = ''): string {
  const e = encodeURIComponent;
  return (
    `${ARM_ENDPOINT}/subscriptions/${e(ref.subscriptionId)}/resourceGroups/${e(ref.resourceGroup)}` +
    `/providers/Microsoft.OperationalInsights/workspaces/${e(ref.workspace)}` +
    `/providers/Microsoft.SecurityInsights/incidents/${e(ref.incidentId)}${sub}`
  );
}
