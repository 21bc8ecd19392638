import { API } from './apiVersions.js';
import { type JsonObject, p, topLevel, v, x } from './arm.js';
import { id } from './resourceIds.js';

/**
 * The Event Hubs namespace, the alert hub and the export hub (the SecurityAlert data export's destination, read by the
 * relay Function, which republishes to the alert hub keyed by zone), the Function's consumer group on each, and the
 * forwarder's send-only rule on the alert hub.
 */
export function eventHubResources(): JsonObject[] {
  return [
    {
      ...topLevel('Microsoft.EventHub/namespaces', API.eventHub, 'eventHubNamespaceName'),
      sku: { name: 'Standard', tier: 'Standard', capacity: x(p('eventHubThroughputUnits')) },
      properties: {
        isAutoInflateEnabled: x(p('eventHubAutoInflate')),
        maximumThroughputUnits: x(`if(${p('eventHubAutoInflate')}, ${p('eventHubMaxThroughputUnits')}, 0)`),
        minimumTlsVersion: '1.2',
        publicNetworkAccess: 'Enabled',
        disableLocalAuth: x(`not(${p('eventHubLocalAuth')})`),
      },
    },
    ...hubWithConsumerGroup('eventHubName', id.hub, 'ot-soc Function App (ingest)'),
    ...hubWithConsumerGroup('exportHubName', id.exportHub, 'ot-soc Function App (relay)'),
    {
      condition: x(p('eventHubLocalAuth')),
      type: 'Microsoft.EventHub/namespaces/eventhubs/authorizationRules',
      apiVersion: API.eventHub,
      name: x(
        `format('{0}/{1}/{2}', ${v('eventHubNamespaceName')}, ${v('eventHubName')}, ${v('forwarderRuleName')})`,
      ),
      properties: { rights: ['Send'] },
      dependsOn: [x(id.hub)],
    },
  ];
}

/**
 * A hub (its name in the variable `hubVariable`, its resource id `hubId`; partitions and retention as the alert
 * hub's) and the Function's consumer group on it.
 */
function hubWithConsumerGroup(hubVariable: string, hubId: string, purpose: string): JsonObject[] {
  return [
    {
      type: 'Microsoft.EventHub/namespaces/eventhubs',
      apiVersion: API.eventHub,
      name: x(`format('{0}/{1}', ${v('eventHubNamespaceName')}, ${v(hubVariable)})`),
      properties: {
        partitionCount: x(p('eventHubPartitions')),
        messageRetentionInDays: x(p('eventHubRetentionDays')),
      },
      dependsOn: [x(id.namespace)],
    },
    {
      type: 'Microsoft.EventHub/namespaces/eventhubs/consumergroups',
      apiVersion: API.eventHub,
      name: x(
        `format('{0}/{1}/{2}', ${v('eventHubNamespaceName')}, ${v(hubVariable)}, ${v('consumerGroupName')})`,
      ),
      properties: { userMetadata: purpose },
      dependsOn: [x(hubId)],
    },
  ];
}
