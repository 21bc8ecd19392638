import { STREAM_NAME, TABLE_NAME } from '../../pipeline/sink/schema.js';
import { customTableSchema, streamDeclaration } from '../../pipeline/sink/tableSchema.js';
import { API } from './apiVersions.js';
import { type Json, type JsonObject, p, q, topLevel, v, x } from './arm.js';
import { id } from './resourceIds.js';
import { workspaceDeployment } from './workspaceDeployment.js';

/** The OTAlerts_CL table lives in the Sentinel workspace's resource group: an inner-scope nested deployment. */
export function tableDeployment(): JsonObject {
  const schema = customTableSchema().properties.schema;
  return workspaceDeployment({
    name: x(v('tableDeploymentName')),
    parameters: {
      workspaceName: { type: 'string', value: x(p('workspaceName')) },
      retentionInDays: { type: 'int', value: x(p('tableRetentionInDays')) },
      totalRetentionInDays: { type: 'int', value: x(p('tableTotalRetentionInDays')) },
    },
    resources: [
      {
        type: 'Microsoft.OperationalInsights/workspaces/tables',
        apiVersion: API.workspaceTable,
        name: x(`format('{0}/{1}', ${p('workspaceName')}, ${q(TABLE_NAME)})`),
        properties: {
          plan: 'Analytics',
          retentionInDays: x(p('retentionInDays')),
          totalRetentionInDays: x(p('totalRetentionInDays')),
          schema: {
            name: schema.name,
            description:
              'ot-soc: Defender for IoT alert groups, one row per revision (pipeline/sink/schema.ts).',
            columns: schema.columns as unknown as Json[],
          },
        },
      },
    ],
  });
}

/** The optional DCE, the OTAlerts_CL table deployment and the DCR whose stream comes from the schema in code. */
export function dataCollectionResources(): JsonObject[] {
  const streams = streamDeclaration();
  return [
    {
      condition: x(p('useDataCollectionEndpoint')),
      ...topLevel(
        'Microsoft.Insights/dataCollectionEndpoints',
        API.dataCollection,
        'dceName',
        'workspaceLocation',
      ),
      properties: { networkAcls: { publicNetworkAccess: 'Enabled' } },
    },
    tableDeployment(),
    {
      ...topLevel(
        'Microsoft.Insights/dataCollectionRules',
        API.dataCollection,
        'dcrName',
        'workspaceLocation',
      ),
      kind: 'Direct',
      properties: {
        description: `ot-soc: ${STREAM_NAME} (Logs Ingestion API) → ${TABLE_NAME}`,
        dataCollectionEndpointId: x(`if(${p('useDataCollectionEndpoint')}, ${id.dce}, null())`),
        streamDeclarations: streams as unknown as JsonObject,
        destinations: {
          logAnalytics: [{ name: 'sentinel', workspaceResourceId: x(id.sentinelWorkspace) }],
        },
        dataFlows: [
          {
            streams: [STREAM_NAME],
            destinations: ['sentinel'],
            transformKql: 'source',
            outputStream: STREAM_NAME,
          },
        ],
      },
      dependsOn: [x(v('tableDeploymentName')), x(id.dce)],
    },
  ];
}
