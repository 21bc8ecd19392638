/**
 * Generates `infra/playbook-shim.json`: per playbook, the Logic App that Sentinel automation rules can run
 * (Sentinel incident trigger → POST the trigger body to the playbook Function with the function key read from
 * Key Vault), and the automation rules that run it. The rules are bound to the ids of the analytics rules
 * ot-soc ships (`analytics/rules/*.yaml`, deployed by infra/sentinel-content.json under the same ids), never to
 * a title: incident titles are the formatted alert names and can be edited or renamed by Defender XDR.
 *
 * Which events run which playbook (docs/playbooks.md "Automation rules"):
 *   created                        → auto-close (10), reassign-ot (20), create-ticket (30), notify-teams (40)
 *   updated: alerts added          → auto-close, reassign-ot, create-ticket, notify-teams (re-evaluate)
 *   updated: severity changed      → create-ticket, notify-teams
 *   updated: status changed        → sync-status (50): every Defender for IoT alert of the incident follows
 * Deterministic output: a test fails when the committed file is not what this writes.
 */

import { p } from '../infra/gen/arm.js';
import { PLAYBOOK_NAMES } from '../playbooks/types.js';
import { automationRules, shippedAnalyticRuleIds } from './playbookShim/automationRules.js';

export const SHIM_TEMPLATE_FILE = 'playbook-shim.json';

type Json = Record<string, unknown>;

const roleAssignment = (
  scope: string | undefined,
  name: string,
  role: string,
  principal: string,
  condition: string,
  dependsOnLogicApp: boolean,
): Json => ({
  condition,
  type: 'Microsoft.Authorization/roleAssignments',
  apiVersion: '2022-04-01',
  ...(scope ? { scope } : {}),
  name,
  ...(dependsOnLogicApp
    ? { dependsOn: [`[resourceId('Microsoft.Logic/workflows', ${p('logicAppName')})]`] }
    : {}),
  properties: {
    roleDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('${role}'))]`,
    principalId: principal,
    principalType: 'ServicePrincipal',
  },
});

const LOGIC_APP_PRINCIPAL = `[reference(resourceId('Microsoft.Logic/workflows', ${p('logicAppName')}), '2019-05-01', 'full').identity.principalId]`;

function logicApp(): Json {
  return {
    type: 'Microsoft.Logic/workflows',
    apiVersion: '2019-05-01',
    name: `[${p('logicAppName')}]`,
    location: `[${p('location')}]`,
    identity: { type: 'SystemAssigned' },
    dependsOn: ["[resourceId('Microsoft.Web/connections', variables('connectionName'))]"],
    tags: { 'ot-soc-playbook': `[${p('playbook')}]` },
    properties: {
      state: 'Enabled',
      definition: {
        $schema:
          'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
        contentVersion: '1.0.0.0',
        parameters: { $connections: { defaultValue: {}, type: 'Object' } },
        triggers: {
          Microsoft_Sentinel_incident: {
            type: 'ApiConnectionWebhook',
            inputs: {
              body: { callback_url: '@{listCallbackUrl()}' },
              host: { connection: { name: "@parameters('$connections')['azuresentinel']['connectionId']" } },
              path: '/incident-creation',
            },
          },
        },
        actions: {
          Get_function_key: {
            type: 'Http',
            runAfter: {},
            inputs: {
              method: 'GET',
              uri: "[variables('secretUrl')]",
              authentication: { type: 'ManagedServiceIdentity', audience: 'https://vault.azure.net' },
            },
            runtimeConfiguration: { secureData: { properties: ['inputs', 'outputs'] } },
          },
          Forward_to_playbook: {
            type: 'Http',
            runAfter: { Get_function_key: ['Succeeded'] },
            inputs: `[if(empty(${p('entraAudience')}), variables('forwardInputs'), union(variables('forwardInputs'), variables('entraAuthentication')))]`,
            runtimeConfiguration: { secureData: { properties: ['inputs'] } },
          },
        },
        outputs: {},
      },
      parameters: {
        $connections: {
          value: {
            azuresentinel: {
              connectionId: "[resourceId('Microsoft.Web/connections', variables('connectionName'))]",
              connectionName: "[variables('connectionName')]",
              id: `[subscriptionResourceId('Microsoft.Web/locations/managedApis', ${p('location')}, 'azuresentinel')]`,
              connectionProperties: { authentication: { type: 'ManagedServiceIdentity' } },
            },
          },
        },
      },
    },
  };
}

/** The shim template as an object (deterministic) for the given shipped rule ids. */
export function buildShimTemplate(ruleIds: readonly string[] = shippedAnalyticRuleIds()): Json {
  if (!ruleIds.length)
    throw new Error('no shipped analytics rules: the automation rules would match nothing');
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'ot-soc playbook shim: Sentinel automation rules can only run Logic Apps, so this Logic App (Sentinel incident trigger) forwards the trigger body to one ot-soc playbook Function (functions/playbooks.ts) with the function key read from Key Vault at run time (and optionally an Entra token of its managed identity), plus the automation rules that run it for incidents of the analytics rules ot-soc ships (infra/sentinel-content.json), on creation and on the updates the playbook acts on. Deploy once per playbook into the resource group of the Sentinel workspace. See docs/playbooks.md.',
      generator: 'scripts/playbookShim.ts (node dist/scripts/gen-infra.js) — do not edit by hand',
    },
    parameters: {
      playbook: {
        type: 'string',
        defaultValue: 'notify-teams',
        allowedValues: [...PLAYBOOK_NAMES],
        metadata: { description: 'The ot-soc playbook this shim calls (route /api/playbooks/<playbook>).' },
      },
      logicAppName: {
        type: 'string',
        defaultValue: `[concat('ot-soc-', ${p('playbook')})]`,
        metadata: { description: 'Name of the Logic App (the playbook Sentinel shows).' },
      },
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      workspaceName: {
        type: 'string',
        metadata: { description: 'The Sentinel (Log Analytics) workspace, in this resource group.' },
      },
      functionAppName: {
        type: 'string',
        metadata: { description: 'The ot-soc Function App hosting the playbook functions.' },
      },
      functionHostName: {
        type: 'string',
        defaultValue: `[concat(${p('functionAppName')}, '.azurewebsites.net')]`,
        metadata: { description: 'Host name of the Function App (change for a custom domain).' },
      },
      keyVaultName: {
        type: 'string',
        metadata: { description: 'Key Vault holding the function key (never passed to this template).' },
      },
      functionKeySecretName: {
        type: 'string',
        defaultValue: 'ot-soc-playbooks-function-key',
        metadata: {
          description:
            'Name of the Key Vault secret whose value is the function (or host) key. A name, not the key.',
        },
      },
      entraAudience: {
        type: 'string',
        defaultValue: '',
        metadata: {
          description:
            "Optional: also send a managed-identity token for this audience (the playbooks validate it when OTSOC_PLAYBOOK_CONFIG has 'auth'). Empty: function key only.",
        },
      },
      assignRoles: {
        type: 'bool',
        defaultValue: true,
        metadata: {
          description:
            "Grant the Logic App's identity Key Vault Secrets User on the vault and Microsoft Sentinel Reader on the workspace (both must be in this resource group; else assign them with az CLI, docs/playbooks.md).",
        },
      },
      sentinelServicePrincipalObjectId: {
        type: 'string',
        defaultValue: '',
        metadata: {
          description:
            "Object id of the 'Azure Security Insights' service principal in your tenant (az ad sp show --id 98785600-1bb7-4fb9-b9fa-19afe2c8a360 --query id -o tsv). When given, it gets Microsoft Sentinel Automation Contributor on this resource group, which automation rules need to run the playbook.",
        },
      },
      createAutomationRule: {
        type: 'bool',
        defaultValue: true,
        metadata: { description: 'Create the automation rules that run this playbook (docs/playbooks.md).' },
      },
      extraAnalyticRuleIds: {
        type: 'array',
        defaultValue: [],
        metadata: {
          description:
            'Optional: full resource ids of further analytics rules whose incidents run this playbook too (e.g. the Microsoft Defender for IoT solution rules). The rules ot-soc ships are always included.',
        },
      },
    },
    variables: {
      connectionName: `[concat('azuresentinel-', ${p('logicAppName')})]`,
      functionUrl: `[concat('https://', ${p('functionHostName')}, '/api/playbooks/', ${p('playbook')})]`,
      secretUrl: `[concat('https://', ${p('keyVaultName')}, '.vault.azure.net/secrets/', ${p('functionKeySecretName')}, '?api-version=7.4')]`,
      forwardInputs: {
        method: 'POST',
        uri: "[variables('functionUrl')]",
        headers: {
          'Content-Type': 'application/json',
          'x-functions-key': "@{body('Get_function_key')?['value']}",
        },
        body: '@triggerBody()',
        // Logic Apps retries 408, 429 and 5xx (not 409): the playbooks answer "in progress" with 503 + Retry-After.
        retryPolicy: {
          type: 'exponential',
          count: 4,
          interval: 'PT15S',
          minimumInterval: 'PT10S',
          maximumInterval: 'PT10M',
        },
      },
      entraAuthentication: {
        authentication: { type: 'ManagedServiceIdentity', audience: `[${p('entraAudience')}]` },
      },
      alertRulesPrefix: `[concat(resourceId('Microsoft.OperationalInsights/workspaces', ${p('workspaceName')}), '/providers/Microsoft.SecurityInsights/alertRules/')]`,
      shippedAnalyticRuleIds: ruleIds.map((id) => `[concat(variables('alertRulesPrefix'), '${id}')]`),
      ruleIdCondition: {
        conditionType: 'Property',
        conditionProperties: {
          propertyName: 'IncidentRelatedAnalyticRuleIds',
          operator: 'Contains',
          propertyValues: `[union(variables('shippedAnalyticRuleIds'), ${p('extraAnalyticRuleIds')})]`,
        },
      },
      keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
      sentinelReader: '8d289c81-5878-46d4-8554-54e1e3d8b5cb',
      sentinelAutomationContributor: 'f4c81013-99ee-4d62-a7ee-b3f1f648599a',
    },
    resources: [
      {
        type: 'Microsoft.Web/connections',
        apiVersion: '2016-06-01',
        name: "[variables('connectionName')]",
        location: `[${p('location')}]`,
        kind: 'V1',
        properties: {
          displayName: "[variables('connectionName')]",
          customParameterValues: {},
          parameterValueType: 'Alternative',
          api: {
            id: `[subscriptionResourceId('Microsoft.Web/locations/managedApis', ${p('location')}, 'azuresentinel')]`,
          },
        },
      },
      logicApp(),
      roleAssignment(
        `[format('Microsoft.KeyVault/vaults/{0}', ${p('keyVaultName')})]`,
        `[guid(resourceGroup().id, ${p('keyVaultName')}, ${p('logicAppName')}, variables('keyVaultSecretsUser'))]`,
        'keyVaultSecretsUser',
        LOGIC_APP_PRINCIPAL,
        `[${p('assignRoles')}]`,
        true,
      ),
      roleAssignment(
        `[format('Microsoft.OperationalInsights/workspaces/{0}', ${p('workspaceName')})]`,
        `[guid(resourceGroup().id, ${p('workspaceName')}, ${p('logicAppName')}, variables('sentinelReader'))]`,
        'sentinelReader',
        LOGIC_APP_PRINCIPAL,
        `[${p('assignRoles')}]`,
        true,
      ),
      roleAssignment(
        undefined,
        `[guid(resourceGroup().id, ${p('sentinelServicePrincipalObjectId')}, variables('sentinelAutomationContributor'))]`,
        'sentinelAutomationContributor',
        `[${p('sentinelServicePrincipalObjectId')}]`,
        `[not(empty(${p('sentinelServicePrincipalObjectId')}))]`,
        false,
      ),
      ...automationRules(),
    ],
    outputs: {
      logicAppResourceId: {
        type: 'string',
        value: `[resourceId('Microsoft.Logic/workflows', ${p('logicAppName')})]`,
      },
      logicAppPrincipalId: { type: 'string', value: LOGIC_APP_PRINCIPAL },
      functionUrl: { type: 'string', value: "[variables('functionUrl')]" },
    },
  };
}

/** Exactly the text of infra/playbook-shim.json. */
export const renderShimTemplate = (ruleIds?: readonly string[]): string =>
  `${JSON.stringify(buildShimTemplate(ruleIds), null, 2)}\n`;
