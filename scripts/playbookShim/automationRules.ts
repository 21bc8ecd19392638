/**
 * The shim's automation rules: which incident events run which playbook, bound to the ids of the analytics rules
 * ot-soc ships (through the template's `ruleIdCondition` variable), never to a title.
 */
import { loadContent } from '../../analytics/content.js';
import { parseContent } from '../../analytics/package.js';
import { p } from '../../infra/gen/arm.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../playbooks/types.js';

export const AUTOMATION_RULES_API = '2025-09-01';

/** Start order of the playbooks' automation rules (Sentinel starts them in this order, it does not wait). */
export const PLAYBOOK_ORDER: Record<PlaybookName, number> = {
  'auto-close': 10,
  'reassign-ot': 20,
  'create-ticket': 30,
  'notify-teams': 40,
  'sync-status': 50,
};

type Change = 'alerts-added' | 'severity-changed' | 'status-changed';

/** The incident changes that re-run each playbook (besides creation, for all but sync-status). */
export const PLAYBOOK_UPDATES: Record<PlaybookName, { onCreated: boolean; onUpdated: Change[] }> = {
  'auto-close': { onCreated: true, onUpdated: ['alerts-added'] },
  'reassign-ot': { onCreated: true, onUpdated: ['alerts-added'] },
  'create-ticket': { onCreated: true, onUpdated: ['alerts-added', 'severity-changed'] },
  'notify-teams': { onCreated: true, onUpdated: ['alerts-added', 'severity-changed', 'status-changed'] },
  'sync-status': { onCreated: false, onUpdated: ['status-changed'] },
};

type Json = Record<string, unknown>;

const CHANGE_CONDITION: Record<Change, Json> = {
  'alerts-added': {
    conditionType: 'PropertyArrayChanged',
    conditionProperties: { arrayType: 'Alerts', changeType: 'Added' },
  },
  'severity-changed': {
    conditionType: 'PropertyChanged',
    conditionProperties: { propertyName: 'IncidentSeverity', changeType: 'ChangedTo' },
  },
  'status-changed': {
    conditionType: 'PropertyChanged',
    conditionProperties: { propertyName: 'IncidentStatus', changeType: 'ChangedTo' },
  },
};

function changeConditions(changes: Change[]): Json[] {
  if (changes.length === 1) return [CHANGE_CONDITION[changes[0]!]];
  return [
    {
      conditionType: 'Boolean',
      conditionProperties: { operator: 'Or', innerConditions: changes.map((c) => CHANGE_CONDITION[c]) },
    },
  ];
}

/** The shipped analytics rule ids (lower case, as infra/sentinel-content.json names the rules). */
export function shippedAnalyticRuleIds(dir?: string): string[] {
  return parseContent(loadContent(dir))
    .rules.map(({ rule }) => rule.id.toLowerCase())
    .sort();
}

function automationRule(playbook: PlaybookName, when: 'Created' | 'Updated', changes: Change[]): Json {
  // The created rule keeps the name earlier versions gave their single rule, so a redeploy replaces it.
  const name =
    when === 'Created'
      ? `[guid(resourceGroup().id, ${p('workspaceName')}, ${p('logicAppName')})]`
      : `[guid(resourceGroup().id, ${p('workspaceName')}, ${p('logicAppName')}, 'updated')]`;
  const what = when === 'Created' ? 'new OT incidents' : `OT incidents (${changes.join(', ')})`;
  return {
    condition: `[and(${p('createAutomationRule')}, equals(${p('playbook')}, '${playbook}'))]`,
    type: 'Microsoft.SecurityInsights/automationRules',
    apiVersion: AUTOMATION_RULES_API,
    scope: `[format('Microsoft.OperationalInsights/workspaces/{0}', ${p('workspaceName')})]`,
    name,
    dependsOn: [
      `[resourceId('Microsoft.Logic/workflows', ${p('logicAppName')})]`,
      `[resourceId('Microsoft.Authorization/roleAssignments', guid(resourceGroup().id, ${p('sentinelServicePrincipalObjectId')}, variables('sentinelAutomationContributor')))]`,
    ],
    properties: {
      displayName: `ot-soc: run ${playbook} on ${what}`,
      order: PLAYBOOK_ORDER[playbook],
      triggeringLogic: {
        isEnabled: true,
        triggersOn: 'Incidents',
        triggersWhen: when,
        conditions:
          when === 'Created'
            ? ["[variables('ruleIdCondition')]"]
            : ["[variables('ruleIdCondition')]", ...changeConditions(changes)],
      },
      actions: [
        {
          order: 1,
          actionType: 'RunPlaybook',
          actionConfiguration: {
            logicAppResourceId: `[resourceId('Microsoft.Logic/workflows', ${p('logicAppName')})]`,
            tenantId: '[subscription().tenantId]',
          },
        },
      ],
    },
  };
}

/** Per playbook, the rule run on incident creation and the rule run on the incident changes it follows. */
export function automationRules(): Json[] {
  return PLAYBOOK_NAMES.flatMap((pb) => {
    const u = PLAYBOOK_UPDATES[pb];
    return [
      ...(u.onCreated ? [automationRule(pb, 'Created', [])] : []),
      ...(u.onUpdated.length ? [automationRule(pb, 'Updated', u.onUpdated)] : []),
    ];
  });
}
