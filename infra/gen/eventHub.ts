import { API } from './apiVersions.js';
import { type JsonObject, p, topLevel, v, x } from './arm.js';
import { id } from './resourceIds.js';

/** The Event Hubs namespace, the alert hub, the Function's consumer group and the forwarder's send-only rule. */
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
    {
      type: 'Microsoft.EventHub/namespaces/eventhubs',
      apiVersion: API.eventHub,
      name: x(`format('{0}/{1}', ${v('eventHubNamespaceName')}, ${v('eventHubName')})`),
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
        `format('{0}/{1}/{2}', ${v('eventHubNamespaceName')}, ${v('eventHubName')}, ${v('consumerGroupName')})`,
      ),
      properties: { userMetadata: 'ot-soc Function App (ingest)' },
      dependsOn: [x(id.hub)],
    },
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
