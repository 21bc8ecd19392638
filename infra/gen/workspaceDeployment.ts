import { API } from './apiVersions.js';
import { type JsonObject, p, TEMPLATE_SCHEMA, x } from './arm.js';

/**
 * A nested deployment into the Sentinel workspace's resource group (which may be another subscription's), with
 * its own expression scope (`inner`): each parameter is declared and passed from one entry, so the two lists
 * cannot drift apart.
 */
export function workspaceDeployment(opts: {
  /** The expression of the deployment's name. */
  name: string;
  parameters: Record<string, { type: 'string' | 'int' | 'bool'; value: string }>;
  resources: JsonObject[];
  dependsOn?: string[];
}): JsonObject {
  const entries = Object.entries(opts.parameters);
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: API.deployment,
    name: opts.name,
    subscriptionId: x(p('workspaceSubscriptionId')),
    resourceGroup: x(p('workspaceResourceGroup')),
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: Object.fromEntries(entries.map(([k, d]) => [k, { value: d.value }])),
      template: {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: Object.fromEntries(entries.map(([k, d]) => [k, { type: d.type }])),
        resources: opts.resources,
      },
    },
    ...(opts.dependsOn ? { dependsOn: opts.dependsOn } : {}),
  };
}
