import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsSchema } from '../../functions/settings.js';
import { BUILT_IN_ROLES } from '../../infra/gen/builtInRoles.js';
import { buildMainTemplate, MAIN_TEMPLATE_FILE, renderMainTemplate } from '../../infra/gen/mainTemplate.js';
import {
  type Allowlist,
  type Expr,
  parseExpression,
  readAllowlist,
  validateTemplate,
} from '../../infra/validate/index.js';
import { parseConfig } from '../../pipeline/config/config.js';
import { STREAM_NAME } from '../../pipeline/sink/schema.js';
import { customTableSchema, streamDeclaration } from '../../pipeline/sink/tableSchema.js';
import { playbookSettingsSchema } from '../../playbooks/runtime.js';

const ROOT = join(import.meta.dirname, '../..');
const INFRA = join(ROOT, 'infra');

// biome-ignore lint/suspicious/noExplicitAny: templates are free-form JSON navigated by the tests
type Json = Record<string, any>;
type Resource = Json;
const template = buildMainTemplate() as Json;
const resources = template.resources as Resource[];
const ofType = (type: string): Resource[] => resources.filter((r) => r.type === type);
const one = (type: string): Resource => {
  const found = ofType(type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
};
const inner = (r: Resource): Resource[] => r.properties.template.resources;
const expr = (s: string): Expr => parseExpression(s.slice(1, -1));

/** String arguments at even positions of every createObject(...) in an expression: the keys. */
function createObjectKeys(e: Expr): string[] {
  if (e.kind === 'call') {
    const own =
      e.name === 'createObject'
        ? e.args.filter((_, i) => i % 2 === 0).flatMap((a) => (a.kind === 'string' ? [a.value] : []))
        : [];
    return [...own, ...e.args.flatMap(createObjectKeys)];
  }
  if (e.kind === 'member') return createObjectKeys(e.target);
  if (e.kind === 'index') return [...createObjectKeys(e.target), ...createObjectKeys(e.index)];
  return [];
}

describe('infra/main.json', () => {
  it('is exactly what scripts/gen-infra.ts generates now (a stale file fails)', () => {
    expect(readFileSync(join(INFRA, MAIN_TEMPLATE_FILE), 'utf8')).toBe(renderMainTemplate());
  });

  it('is generated deterministically', () => {
    expect(renderMainTemplate()).toBe(renderMainTemplate());
    expect(renderMainTemplate().endsWith('}\n')).toBe(true);
  });

  it('takes the DCR stream and the custom table from the schema in code', () => {
    const dcr = one('Microsoft.Insights/dataCollectionRules');
    expect(dcr.kind).toBe('Direct');
    expect(dcr.properties.streamDeclarations).toEqual(streamDeclaration());
    expect(dcr.properties.dataFlows).toEqual([
      {
        streams: [STREAM_NAME],
        destinations: ['sentinel'],
        transformKql: 'source',
        outputStream: STREAM_NAME,
      },
    ]);
    const tableDeployment = ofType('Microsoft.Resources/deployments').find((d) =>
      inner(d).some((r) => r.type === 'Microsoft.OperationalInsights/workspaces/tables'),
    )!;
    expect(tableDeployment.properties.expressionEvaluationOptions).toEqual({ scope: 'inner' });
    const table = inner(tableDeployment)[0]!;
    const { name, columns } = customTableSchema().properties.schema;
    expect(table.properties.schema.name).toBe(name);
    expect(table.properties.schema.columns).toEqual(columns);
    expect(dcr.dependsOn).toContain(tableDeployment.name);
  });

  it('runs the Function on Flex Consumption (FC1, Node 20) with identity-based deployment storage', () => {
    const plan = one('Microsoft.Web/serverfarms');
    expect(plan.sku).toEqual({ tier: 'FlexConsumption', name: 'FC1' });
    expect(plan.properties.reserved).toBe(true);
    const site = one('Microsoft.Web/sites');
    expect(site.kind).toBe('functionapp,linux');
    expect(site.identity).toEqual({ type: 'SystemAssigned' });
    const config = site.properties.functionAppConfig;
    expect(config.runtime).toEqual({ name: 'node', version: '20' });
    expect(config.deployment.storage.type).toBe('blobContainer');
    expect(config.deployment.storage.authentication).toEqual({ type: 'SystemAssignedIdentity' });
    expect(Object.keys(config.scaleAndConcurrency)).toEqual([
      'maximumInstanceCount',
      'instanceMemoryMB',
      'alwaysReady',
    ]);
    const storage = one('Microsoft.Storage/storageAccounts');
    expect(storage.properties.allowSharedKeyAccess).toBe(false);
  });

  it('sets every app setting the Function reads, identity-based, and none that Flex deprecates', () => {
    const config = one('Microsoft.Web/sites/config');
    expect(config.name).toContain('/appsettings');
    const names = [
      ...Object.keys(template.variables.appSettings),
      ...createObjectKeys(expr(config.properties)),
    ];
    expect(names).toEqual(
      expect.arrayContaining([
        'AzureWebJobsStorage__accountName',
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
        'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
        'OTSOC_EVENTHUB__fullyQualifiedNamespace',
        'OTSOC_EVENTHUB_NAME',
        'OTSOC_CONSUMER_GROUP',
        'OTSOC_EXPORT_EVENTHUB_NAME',
        'OTSOC_LOGS_ENDPOINT',
        'OTSOC_DCR_ID',
        'OTSOC_STREAM',
        'OTSOC_GROUP_TABLE_URL',
        'OTSOC_GROUP_TABLE_NAME',
        'OTSOC_CONFIG',
      ]),
    );
    // every OTSOC_ setting is one that functions/settings.ts or playbooks/runtime.ts validates, or the trigger's
    const known = new Set([
      ...Object.keys(settingsSchema.shape),
      'OTSOC_EVENTHUB__fullyQualifiedNamespace',
      'OTSOC_EVENTHUB_NAME',
      'OTSOC_CONSUMER_GROUP',
      'OTSOC_EXPORT_EVENTHUB_NAME',
      ...Object.keys(playbookSettingsSchema.shape),
    ]);
    expect(names.filter((n) => n.startsWith('OTSOC_') && !known.has(n))).toEqual([]);
    // no secrets or shared keys in settings: no connection strings, no SAS
    expect(
      names.filter(
        (n) => /CONNECTION(?!_STRING$)|KEY$|SAS/i.test(n) && n !== 'APPLICATIONINSIGHTS_CONNECTION_STRING',
      ),
    ).toEqual([]);
    for (const deprecated of [
      'FUNCTIONS_WORKER_RUNTIME',
      'FUNCTIONS_EXTENSION_VERSION',
      'WEBSITE_RUN_FROM_PACKAGE',
      'WEBSITE_CONTENTSHARE',
      'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      'AzureWebJobsStorage',
    ]) {
      expect(names).not.toContain(deprecated);
    }
    // the trigger's names match functions/index.ts
    const index = readFileSync(join(ROOT, 'functions/index.ts'), 'utf8');
    expect(index).toContain("connection: 'OTSOC_EVENTHUB'");
    expect(index).toContain("'%OTSOC_EVENTHUB_NAME%'");
    expect(index).toContain("'%OTSOC_CONSUMER_GROUP%'");
    expect(index).toContain("'%OTSOC_EXPORT_EVENTHUB_NAME%'");
    expect(template.variables.consumerGroupName).toBe('ot-soc');
  });

  it('deploys the alert and export hubs, the ot-soc consumer group on each and the storage the pipeline uses', () => {
    expect(one('Microsoft.EventHub/namespaces').sku.name).toBe('Standard');
    const hubs = ofType('Microsoft.EventHub/namespaces/eventhubs');
    expect(hubs.map((h) => /variables\('(\w+)'\)\)\]$/.exec(h.name)?.[1])).toEqual([
      'eventHubName',
      'exportHubName',
    ]);
    for (const h of hubs) expect(h.properties.partitionCount).toBe("[parameters('eventHubPartitions')]");
    expect(template.variables.exportHubName).toBe('ot-export');
    expect(ofType('Microsoft.EventHub/namespaces/eventhubs/consumergroups')).toHaveLength(2);
    // The SecurityAlert export lands on the export hub (the relay keys it by zone), not on the alert hub.
    const exportRule = ofType('Microsoft.Resources/deployments')
      .flatMap(inner)
      .find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/dataExports');
    expect(exportRule?.properties.destination.metaData.eventHubName).toBe("[parameters('eventHubName')]");
    const access = ofType('Microsoft.Resources/deployments').find((d) =>
      JSON.stringify(d).includes('dataExports'),
    );
    expect(access?.properties.parameters.eventHubName.value).toBe("[variables('exportHubName')]");
    expect(template.variables.groupTableName).toBe('otsocgroups');
    expect(template.variables.deadLetterContainerName).toBe('ot-soc-deadletters');
    expect(ofType('Microsoft.Storage/storageAccounts/tableServices/tables')).toHaveLength(3);
    expect(ofType('Microsoft.Storage/storageAccounts/blobServices/containers')).toHaveLength(2);
    expect(one('Microsoft.KeyVault/vaults').properties.enableRbacAuthorization).toBe(true);
    expect(one('Microsoft.Insights/components').properties.WorkspaceResourceId).toContain('opsWorkspaceName');
  });

  it('grants the Function exactly the built-in roles it needs, on the narrowest scope', () => {
    const grants = [
      ...ofType('Microsoft.Authorization/roleAssignments'),
      ...ofType('Microsoft.Resources/deployments').flatMap(inner),
    ]
      .filter((r) => r.type === 'Microsoft.Authorization/roleAssignments')
      .map((r) => ({
        role:
          /builtInRoles'\)\.(\w+)/.exec(r.properties.roleDefinitionId)?.[1] ??
          (r.properties.roleDefinitionId.includes("parameters('logReaderRoleId')")
            ? 'logAnalyticsReader'
            : 'sentinelResponder'),
        scope: (/format\('([^']+)'/.exec(r.scope) ?? [])[1],
        conditional: 'condition' in r,
      }));
    expect(grants).toEqual([
      {
        role: 'eventHubsDataReceiver',
        scope: 'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
        conditional: false,
      },
      // the relay: reads the export hub, publishes to the alert hub
      {
        role: 'eventHubsDataReceiver',
        scope: 'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
        conditional: false,
      },
      {
        role: 'eventHubsDataSender',
        scope: 'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
        conditional: false,
      },
      {
        role: 'monitoringMetricsPublisher',
        scope: 'Microsoft.Insights/dataCollectionRules/{0}',
        conditional: false,
      },
      { role: 'monitoringMetricsPublisher', scope: 'Microsoft.Insights/components/{0}', conditional: false },
      { role: 'storageBlobDataOwner', scope: 'Microsoft.Storage/storageAccounts/{0}', conditional: false },
      {
        role: 'storageTableDataContributor',
        scope: 'Microsoft.Storage/storageAccounts/{0}',
        conditional: false,
      },
      { role: 'keyVaultSecretsUser', scope: 'Microsoft.KeyVault/vaults/{0}', conditional: false },
      { role: 'keyVaultSecretsOfficer', scope: 'Microsoft.KeyVault/vaults/{0}', conditional: true },
      {
        role: 'eventHubsDataSender',
        scope: 'Microsoft.EventHub/namespaces/{0}/eventhubs/{1}',
        conditional: true,
      },
      {
        role: 'sentinelResponder',
        scope: 'Microsoft.OperationalInsights/workspaces/{0}',
        conditional: false,
      },
      {
        role: 'logAnalyticsReader',
        scope: 'Microsoft.OperationalInsights/workspaces/{0}',
        conditional: false,
      },
    ]);
    // the built-in role definition ids (same in every tenant; docs/deploy.md lists them with their source)
    expect(template.variables.builtInRoles).toEqual({
      monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
      sentinelResponder: '3e150937-b8fe-4cfb-8069-0eaf05ecd056',
      logAnalyticsReader: '73c42c96-874c-492b-b04d-ab87d138a893',
      storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
      storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
      eventHubsDataReceiver: 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde',
      eventHubsDataSender: '2b629674-e913-4c01-ae53-ef4638d8f975',
      keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
      keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    });
    expect(BUILT_IN_ROLES).toEqual(template.variables.builtInRoles);
  });

  it('declares no secret parameter and outputs no key', () => {
    const params = template.parameters as Record<string, { type: string }>;
    expect(Object.values(params).filter((p) => /^secure/i.test(p.type))).toEqual([]);
    expect(JSON.stringify(template.outputs)).not.toMatch(/list\w*\(/i);
    expect(renderMainTemplate()).not.toMatch(/AccountKey=|SharedAccessKey=|sig=/);
  });

  it('ships a parameters example whose configuration document is valid', () => {
    const example = JSON.parse(readFileSync(join(INFRA, 'main.parameters.example.json'), 'utf8'));
    expect(() => parseConfig(example.parameters.otsocConfig.value, 'otsocConfig')).not.toThrow();
  });
});

describe('the validator on the real template', () => {
  const allowlist: Allowlist = readAllowlist(INFRA);
  const mutate = (f: (t: Json) => void) => {
    const t = buildMainTemplate() as Json;
    f(t);
    return validateTemplate(t, { file: 'main.json', allowlist }).map((p) => `${p.path}: ${p.message}`);
  };
  const indexOf = (t: Json, type: string) => (t.resources as Resource[]).findIndex((r) => r.type === type);

  it('notices a container that no longer depends on its blob service', () => {
    const problems = mutate((t) => {
      t.resources[indexOf(t, 'Microsoft.Storage/storageAccounts/blobServices/containers')].dependsOn = [];
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /^\$\.resources\[8\]\.dependsOn: Microsoft\.Storage\/storageAccounts\/blobServices\/containers must depend on its parent/,
      ),
    ]);
  });

  it('notices a role assignment scoped to a DCR the template does not deploy', () => {
    const problems = mutate((t) => {
      const ra = t.resources.find(
        (r: Resource) =>
          r.type === 'Microsoft.Authorization/roleAssignments' && r.scope.includes('dataCollectionRules'),
      );
      ra.scope = "[format('Microsoft.Insights/dataCollectionRules/{0}', 'some-other-dcr')]";
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /scope points at Microsoft\.Insights\/dataCollectionRules 'some-other-dcr', which this template does not declare/,
      ),
    ]);
  });

  it('notices a renamed parameter that is still referenced', () => {
    const problems = mutate((t) => {
      t.parameters.eventHubPartitionCount = t.parameters.eventHubPartitions;
      delete t.parameters.eventHubPartitions;
    });
    expect(problems).toEqual([
      "$.resources[1].properties.partitionCount: parameters('eventHubPartitions') is not declared",
      "$.resources[3].properties.partitionCount: parameters('eventHubPartitions') is not declared",
      "$.parameters.eventHubPartitionCount: parameter 'eventHubPartitionCount' is never used",
    ]);
  });
});
