/**
 * `infra/main.json`, the ARM template (deploymentTemplate 2019-04-01) that deploys ot-soc's Azure resources,
 * assembled from one file per resource family in this folder. The DCR stream declaration and the
 * `OTAlerts_CL` custom table come from the single column list in `pipeline/sink/schema.ts`, never written by
 * hand; the output is deterministic (fixed key order, 2-space JSON, trailing newline), so a test and
 * `ot-soc validate` can prove the committed file is what this code builds today.
 *
 * What the template deploys (docs/deploy.md): Event Hubs (Standard, auto-inflate) with the alert hub and the
 * SecurityAlert export hub (read by the relay Function),
 * consumer group `ot-soc` and a send-only rule for the on-site forwarder; a storage account without shared
 * keys (Functions host storage, deployment container, dead-letter container, group-state, ticket-map and
 * playbook-state tables); a Function App on Flex Consumption (FC1, Node 20) with a system-assigned identity and
 * identity-based connections; workspace-based Application Insights (local auth off) in a small operations
 * workspace; Key Vault in RBAC mode; an optional DCE; the DCR (`kind: Direct`) and, in the Sentinel
 * workspace's resource group, the `OTAlerts_CL` table; least-privilege role assignments.
 */
import { type JsonObject, TEMPLATE_SCHEMA } from './arm.js';
import { dataCollectionResources } from './dataCollection.js';
import { eventHubResources } from './eventHub.js';
import { functionResources } from './functionApp.js';
import { monitoringResources } from './monitoring.js';
import { outputs } from './outputs.js';
import { parameters } from './parameters.js';
import { roleResources } from './roleAssignments.js';
import { storageResources } from './storage.js';
import { variables } from './variables.js';
import { workspaceAccessDeployment } from './workspaceAccess.js';

export const MAIN_TEMPLATE_FILE = 'main.json';

/** The main template as an object (deterministic). */
export function buildMainTemplate(): JsonObject {
  return {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'ot-soc: Defender for IoT (OT) alerts → Event Hubs → Azure Functions (Flex Consumption) → Logs Ingestion API → OTAlerts_CL in Microsoft Sentinel.',
      generator:
        'scripts/gen-infra.ts — do not edit by hand; the DCR stream and the table come from pipeline/sink/schema.ts',
    },
    parameters: parameters(),
    variables: variables(),
    resources: [
      ...eventHubResources(),
      ...storageResources(),
      ...monitoringResources(),
      ...dataCollectionResources(),
      ...functionResources(),
      ...roleResources(),
      workspaceAccessDeployment(),
    ],
    outputs: outputs(),
  };
}

/** Exactly the text of infra/main.json. */
export function renderMainTemplate(): string {
  return `${JSON.stringify(buildMainTemplate(), null, 2)}\n`;
}
