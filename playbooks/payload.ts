import { z } from 'zod';
import { formatZodIssues } from './config.js';
import { type IncidentRef, parseIncidentArmId } from './sentinel/armId.js';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES } from './sentinel/incident.js';

/**
 * The Sentinel incident-trigger body as the Logic App shim forwards it (`@triggerBody()`; see
 * docs/contracts.md#sentinel-incidents-automation-rules-and-playbooks): `object` is the incident resource with its
 * Alerts (capital A) and relatedEntities
 * expanded, plus `workspaceInfo`/`workspaceId`. Only what the playbooks rely on is required; everything else
 * passes through (`loose`) so a new field from the service never breaks a run.
 */
const str = z.string();
const maybe = <T extends z.ZodType>(t: T) => t.nullish();

const labelSchema = z.looseObject({ labelName: str.min(1), labelType: maybe(str) });
const ownerSchema = z.looseObject({
  objectId: maybe(str),
  email: maybe(str),
  assignedTo: maybe(str),
  userPrincipalName: maybe(str),
  ownerType: maybe(str),
});

const alertSchema = z.looseObject({
  id: maybe(str),
  name: maybe(str),
  properties: z.looseObject({
    systemAlertId: maybe(str),
    alertDisplayName: maybe(str),
    severity: maybe(str),
    status: maybe(str),
    startTimeUtc: maybe(str),
    endTimeUtc: maybe(str),
    productName: maybe(str),
    providerAlertId: maybe(str),
    tactics: maybe(z.array(str)),
    techniques: maybe(z.array(str)),
    additionalData: maybe(z.record(str, z.unknown())),
  }),
});

const entitySchema = z.looseObject({
  id: maybe(str),
  kind: str,
  properties: maybe(z.record(str, z.unknown())),
});

const incidentPropertiesSchema = z.looseObject({
  incidentNumber: z.int().nonnegative(),
  title: str.min(1),
  description: maybe(str),
  severity: z.enum(INCIDENT_SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  owner: maybe(ownerSchema),
  labels: maybe(z.array(labelSchema)),
  relatedAnalyticRuleIds: maybe(z.array(str)),
  incidentUrl: maybe(z.url({ protocol: /^https$/ })),
  providerName: maybe(str),
  createdTimeUtc: maybe(str),
  firstActivityTimeUtc: maybe(str),
  lastActivityTimeUtc: maybe(str),
  additionalData: maybe(
    z.looseObject({
      alertsCount: maybe(z.number()),
      tactics: maybe(z.array(str)),
      techniques: maybe(z.array(str)),
      alertProductNames: maybe(z.array(str)),
    }),
  ),
  Alerts: maybe(z.array(alertSchema)),
  relatedEntities: maybe(z.array(entitySchema)),
});

const armIncidentId = str.refine((s) => parseIncidentArmId(s) !== undefined, {
  message:
    'must be a Sentinel incident ARM id: /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{ws}/providers/Microsoft.SecurityInsights/Incidents/{id}',
});

export const incidentTriggerSchema = z
  .looseObject({
    object: z.looseObject({
      id: armIncidentId,
      name: maybe(str),
      etag: maybe(str),
      type: maybe(str),
      properties: incidentPropertiesSchema,
    }),
    workspaceInfo: maybe(
      z.looseObject({ SubscriptionId: maybe(str), ResourceGroupName: maybe(str), WorkspaceName: maybe(str) }),
    ),
    /** The Log Analytics workspace (customer) id, for queries. */
    workspaceId: maybe(str),
    incidentArmId: maybe(armIncidentId),
    objectEventType: maybe(str),
    eventUniqueId: maybe(str),
  })
  .superRefine((t, ctx) => {
    if (t.incidentArmId && t.incidentArmId.toLowerCase() !== t.object.id.toLowerCase())
      ctx.addIssue({ code: 'custom', path: ['incidentArmId'], message: 'differs from object.id' });
    const ws = t.workspaceInfo?.WorkspaceName;
    const ref = parseIncidentArmId(t.object.id);
    if (ws && ref && ws.toLowerCase() !== ref.workspace.toLowerCase())
      ctx.addIssue({
        code: 'custom',
        path: ['workspaceInfo', 'WorkspaceName'],
        message: 'differs from the workspace in object.id',
      });
  });

export type IncidentTrigger = z.infer<typeof incidentTriggerSchema>;
export type TriggerAlert = z.infer<typeof alertSchema>;
export type TriggerEntity = z.infer<typeof entitySchema>;

export interface PayloadIssue {
  path: string;
  message: string;
}

export type ParsedTrigger =
  | { ok: true; trigger: IncidentTrigger; ref: IncidentRef }
  | { ok: false; issues: PayloadIssue[] };

/** Validates a forwarded trigger body; issues name the path of each bad field (`object.properties.severity`). */
export function parseIncidentTrigger(body: unknown): ParsedTrigger {
  const result = incidentTriggerSchema.safeParse(body);
  if (!result.success) {
    return {
      ok: false,
      issues: formatZodIssues(result.error).map((line) => {
        const at = line.indexOf(': ');
        return { path: line.slice(0, at), message: line.slice(at + 2) };
      }),
    };
  }
  return { ok: true, trigger: result.data, ref: parseIncidentArmId(result.data.object.id)! };
}
