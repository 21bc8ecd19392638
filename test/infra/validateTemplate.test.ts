import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Allowlist,
  type Expr,
  formatProblem,
  looksLikeSecretName,
  type Problem,
  parseExpression,
  parseTemplateString,
  tokenize,
  validateInfra,
  validateParametersFile,
  validateTemplate,
  validateTemplates,
} from '../../infra/validate/index.js';
import { STREAM_NAME, TABLE_NAME } from '../../pipeline/sink/schema.js';
import { customTableSchema, streamDeclaration } from '../../pipeline/sink/tableSchema.js';

const INFRA = join(import.meta.dirname, '../../infra');
const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
/** Files this issue owns; the others in infra/ belong to other engineers (checked, reported, not fixed). */
const OURS = new Set(['main.json', 'main.parameters.example.json', 'allowlist.json']);

const allowlist: Allowlist = {
  apiVersions: {
    'Microsoft.Storage/storageAccounts': ['2023-05-01'],
    'Microsoft.Storage/storageAccounts/blobServices': ['2023-05-01'],
    'Microsoft.Insights/dataCollectionRules': ['2023-03-11'],
    'Microsoft.OperationalInsights/workspaces/tables': ['2022-10-01'],
    'Microsoft.OperationalInsights/workspaces': ['2023-09-01'],
    'Microsoft.Authorization/roleAssignments': ['2022-04-01'],
    'Microsoft.Resources/deployments': ['2022-09-01'],
  },
  externalResourceTypes: ['Microsoft.Authorization/roleDefinitions'],
};

// biome-ignore lint/suspicious/noExplicitAny: templates are free-form JSON navigated by the tests
type Tpl = Record<string, any>;

/** A small valid template: one storage account, one output. */
function storageTemplate(): Tpl {
  return {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { storageName: { type: 'string', defaultValue: 'otsocstore' } },
    variables: { sku: 'Standard_LRS' },
    resources: [
      {
        type: 'Microsoft.Storage/storageAccounts',
        apiVersion: '2023-05-01',
        name: "[parameters('storageName')]",
        location: '[resourceGroup().location]',
        sku: { name: "[variables('sku')]" },
        kind: 'StorageV2',
      },
    ],
    outputs: {
      storageId: {
        type: 'string',
        value: "[resourceId('Microsoft.Storage/storageAccounts', parameters('storageName'))]",
      },
    },
  };
}

/** A DCR with the Custom-OTAlerts_CL stream and the OTAlerts_CL table, both from the schema in code. */
function dcrTemplate(): Tpl {
  return {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: { workspaceName: { type: 'string' } },
    resources: [
      {
        type: 'Microsoft.OperationalInsights/workspaces/tables',
        apiVersion: '2022-10-01',
        name: `[format('{0}/{1}', parameters('workspaceName'), '${TABLE_NAME}')]`,
        properties: { plan: 'Analytics', schema: structuredClone(customTableSchema().properties.schema) },
      },
      {
        type: 'Microsoft.Insights/dataCollectionRules',
        apiVersion: '2023-03-11',
        name: 'otsoc-dcr',
        location: '[resourceGroup().location]',
        kind: 'Direct',
        properties: {
          streamDeclarations: structuredClone(streamDeclaration()),
          destinations: {
            logAnalytics: [
              {
                name: 'la',
                workspaceResourceId:
                  "[resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName'))]",
              },
            ],
          },
          dataFlows: [
            {
              streams: [STREAM_NAME],
              destinations: ['la'],
              transformKql: 'source',
              outputStream: STREAM_NAME,
            },
          ],
        },
        dependsOn: [
          `[resourceId('Microsoft.OperationalInsights/workspaces/tables', parameters('workspaceName'), '${TABLE_NAME}')]`,
        ],
      },
    ],
  };
}

const check = (t: unknown): Problem[] => validateTemplate(t, { file: 't.json', allowlist });
const messages = (ps: Problem[]): string[] => ps.map((p) => `${p.path}: ${p.message}`);

describe('ARM expression tokenizer and parser', () => {
  it('tokenizes calls, strings with doubled quotes, numbers and property access', () => {
    expect(tokenize("format('{0}''s', -12, a.b[0])").map((t) => `${t.type}:${t.value}`)).toEqual([
      'ident:format',
      '(:(',
      "string:{0}'s",
      ',:,',
      'number:-12',
      ',:,',
      'ident:a',
      '.:.',
      'ident:b',
      '[:[',
      'number:0',
      ']:]',
      '):)',
    ]);
  });

  it('parses nested calls, members and indexes', () => {
    const e = parseExpression(
      "reference(resourceId('Microsoft.Web/sites', variables('app')), '2024-04-01', 'full').identity['principalId']",
    );
    const show = (x: Expr): string =>
      x.kind === 'string'
        ? `'${x.value}'`
        : x.kind === 'number'
          ? String(x.value)
          : x.kind === 'call'
            ? `${x.name}(${x.args.map(show).join(',')})`
            : x.kind === 'member'
              ? `${show(x.target)}.${x.property}`
              : `${show(x.target)}[${show(x.index)}]`;
    expect(show(e)).toBe(
      "reference(resourceId('Microsoft.Web/sites',variables('app')),'2024-04-01','full').identity['principalId']",
    );
  });

  it.each([
    ["concat('a', 'b'", "expected ')'"],
    ["parameters('x) ", 'unterminated string'],
    ['location', "'location' is not a function call"],
    ["concat('a') 'b'", "unexpected 'b' after the expression"],
    ["concat('a'; 'b')", "unexpected character ';'"],
    ['', 'empty expression'],
    ["x.('y')", 'not a function call'],
  ])('rejects %j', (src, message) => {
    expect(() => parseExpression(src)).toThrow(message);
  });

  it('reads [[ as a literal and [...] as an expression', () => {
    expect(parseTemplateString('[[not an expression]')).toEqual({
      kind: 'literal',
      value: '[not an expression]',
    });
    expect(parseTemplateString('plain')).toEqual({ kind: 'literal', value: 'plain' });
    expect(parseTemplateString("[concat('a')]").kind).toBe('expression');
    expect(parseTemplateString("[concat('a']").kind).toBe('error');
  });
});

describe('the shipped templates', () => {
  it('main.json, its parameters example and the allowlist have no problems', () => {
    const problems = validateInfra(INFRA).filter((p) => OURS.has(p.file));
    expect(problems.map((p) => formatProblem(p))).toEqual([]);
  });

  it("every other infra/*.json (other engineers' templates) validates", () => {
    const others = readdirSync(INFRA).filter((f) => f.endsWith('.json') && !OURS.has(f));
    const problems = validateTemplates(INFRA).filter((p) => !OURS.has(p.file));
    expect({ others, problems: problems.map((p) => formatProblem(p)) }).toEqual({ others, problems: [] });
  });
});

describe('validator rules', () => {
  it('accepts the small templates it is tested with', () => {
    expect(messages(check(storageTemplate()))).toEqual([]);
    expect(messages(check(dcrTemplate()))).toEqual([]);
  });

  it('catches a broken resourceId(), dependsOn and reference()', () => {
    const t = storageTemplate();
    t.outputs.storageId.value = "[resourceId('Microsoft.Storage/storageAccounts', 'someOtherAccount')]";
    t.outputs.blob = {
      type: 'string',
      value: "[reference('typoAccount').primaryEndpoints.blob]",
    };
    t.resources.push({
      type: 'Microsoft.Storage/storageAccounts/blobServices',
      apiVersion: '2023-05-01',
      name: "[format('{0}/default', parameters('storageName'))]",
      dependsOn: ["[resourceId('Microsoft.Storage/storageAccounts', 'notDeclared')]"],
    });
    const ms = messages(check(t));
    expect(ms).toContainEqual(
      expect.stringMatching(
        /^\$\.outputs\.storageId\.value: resourceId\(\) points at Microsoft.Storage\/storageAccounts 'someOtherAccount', which this template does not declare/,
      ),
    );
    expect(ms).toContainEqual(
      expect.stringMatching(/^\$\.outputs\.blob\.value: reference\('typoAccount'\) names no resource/),
    );
    expect(ms).toContainEqual(
      expect.stringMatching(
        /^\$\.resources\[1\]\.dependsOn\[0\]: dependsOn points at .*'notDeclared', which this template does not deploy/,
      ),
    );
    expect(ms).toContainEqual(
      expect.stringMatching(/^\$\.resources\[1\]\.dependsOn: .*must depend on its parent/),
    );
  });

  it('accepts an existing resource named by parameters, and built-in role definitions', () => {
    const t = dcrTemplate();
    t.resources.push({
      type: 'Microsoft.Authorization/roleAssignments',
      apiVersion: '2022-04-01',
      name: "[guid('otsoc-dcr', 'reader')]",
      scope: "[format('Microsoft.Insights/dataCollectionRules/{0}', 'otsoc-dcr')]",
      properties: {
        roleDefinitionId:
          "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')]",
        principalId:
          "[reference(resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspaceName')), '2023-09-01', 'full').identity.principalId]",
      },
      dependsOn: ["[resourceId('Microsoft.Insights/dataCollectionRules', 'otsoc-dcr')]"],
    });
    expect(messages(check(t))).toEqual([]);
    // …but the same scope without the dependency is a problem.
    t.resources[2].dependsOn = [];
    expect(messages(check(t))).toEqual([
      "$.resources[2].scope: scope Microsoft.Insights/dataCollectionRules 'otsoc-dcr' is deployed by this template but missing from dependsOn",
    ]);
  });

  it('catches an unused parameter and an unused variable', () => {
    const t = storageTemplate();
    t.parameters.retentionDays = { type: 'int', defaultValue: 7 };
    t.variables.unusedName = 'x';
    expect(messages(check(t))).toEqual([
      "$.parameters.retentionDays: parameter 'retentionDays' is never used",
      "$.variables.unusedName: variable 'unusedName' is never used",
    ]);
  });

  it('catches undeclared parameters and variables, unknown functions and bad syntax', () => {
    const t = storageTemplate();
    t.resources[0].tags = {
      a: "[parameters('nope')]",
      b: "[variables('nada')]",
      c: "[toLowercase(parameters('storageName'))]",
      d: "[concat('x', parameters('storageName')]",
    };
    expect(messages(check(t))).toEqual([
      "$.resources[0].tags.a: parameters('nope') is not declared",
      "$.resources[0].tags.b: variables('nada') is not declared",
      "$.resources[0].tags.c: unknown function 'toLowercase'",
      expect.stringMatching(/^\$\.resources\[0\]\.tags\.d: invalid expression .*expected '\)'/),
    ]);
  });

  it('catches a secret with a default value (by type or by name), but not a name that only describes one', () => {
    const t = storageTemplate();
    t.parameters.adminPassword = { type: 'securestring', defaultValue: 'P@ssw0rd!' };
    t.parameters.jiraApiToken = { type: 'string', defaultValue: 'abc123' };
    t.parameters.keyVaultName = { type: 'string', defaultValue: 'otsoc-kv' };
    t.parameters.teamsWebhookSecret = { type: 'securestring', defaultValue: '' };
    t.resources[0].tags = {
      a: "[parameters('adminPassword')]",
      b: "[parameters('jiraApiToken')]",
      c: "[parameters('keyVaultName')]",
      d: "[parameters('teamsWebhookSecret')]",
    };
    expect(messages(check(t))).toEqual([
      "$.parameters.adminPassword.defaultValue: secret parameter 'adminPassword' must not have a default value (set it at deployment time or from Key Vault)",
      "$.parameters.jiraApiToken.defaultValue: secret parameter 'jiraApiToken' must not have a default value (set it at deployment time or from Key Vault)",
    ]);
  });

  it.each([
    ['clientSecret', true],
    ['functionKey', true],
    ['storageConnectionString', true],
    ['servicenowPassword', true],
    ['sasToken', true],
    ['keyVaultName', false],
    ['secretName', false],
    ['tokenLifetimeMinutes', false],
    ['keyVaultReferences', false],
    ['partitionCount', false],
  ])('secret name heuristic: %s → %s', (name, secret) => {
    expect(looksLikeSecretName(name)).toBe(secret);
  });

  it('catches a disallowed API version and a type missing from the allowlist', () => {
    const t = storageTemplate();
    t.resources[0].apiVersion = '2019-06-01';
    t.resources.push({
      type: 'Microsoft.Cache/redis',
      apiVersion: '2024-03-01',
      name: 'cache',
      location: 'westeurope',
    });
    expect(messages(check(t))).toEqual([
      '$.resources[0].apiVersion: API version 2019-06-01 of Microsoft.Storage/storageAccounts is not allowed (infra/allowlist.json allows 2023-05-01)',
      '$.resources[1].apiVersion: resource type Microsoft.Cache/redis is not in infra/allowlist.json',
    ]);
  });

  it('catches schema drift: DCR stream columns that differ from the code', () => {
    const t = dcrTemplate();
    const cols = t.resources[1].properties.streamDeclarations[STREAM_NAME].columns as {
      name: string;
      type: string;
    }[];
    cols.splice(
      cols.findIndex((c) => c.name === 'RiskScore'),
      1,
    );
    cols.find((c) => c.name === 'Count')!.type = 'int';
    cols.push({ name: 'Title', type: 'string' });
    const path = `$.resources[1].properties.streamDeclarations['${STREAM_NAME}'].columns`;
    expect(messages(check(t))).toEqual([
      `${path}: ${STREAM_NAME} differs from pipeline/sink/schema.ts: column Count is int, the schema says long`,
      `${path}: ${STREAM_NAME} differs from pipeline/sink/schema.ts: missing column RiskScore (int)`,
      `${path}: ${STREAM_NAME} differs from pipeline/sink/schema.ts: column Title (string) is not in the schema`,
    ]);
  });

  it('catches schema drift: custom table columns that differ from the code', () => {
    const t = dcrTemplate();
    const cols = t.resources[0].properties.schema.columns as { name: string; type: string }[];
    cols.find((c) => c.name === 'TimeGenerated')!.type = 'datetime'; // the Tables API spells it dateTime
    expect(messages(check(t))).toEqual([
      `$.resources[0].properties.schema.columns: ${TABLE_NAME} differs from pipeline/sink/schema.ts: column TimeGenerated is datetime, the schema says dateTime`,
    ]);
  });

  it('checks DCR data flows and the ingestion endpoint', () => {
    const t = dcrTemplate();
    const dcr = t.resources[1];
    delete dcr.kind;
    dcr.properties.dataFlows[0].destinations = ['sentinel'];
    dcr.properties.dataFlows[0].streams = ['Custom-Other'];
    expect(messages(check(t))).toEqual([
      '$.resources[1].properties.dataFlows[0].streams: stream Custom-Other is not declared in streamDeclarations',
      '$.resources[1].properties.dataFlows[0].destinations: destination sentinel is not declared',
      "$.resources[1]: a DCR for the Logs Ingestion API needs kind 'Direct' (its own endpoint) or a dataCollectionEndpointId",
    ]);
  });

  it('forbids reference() in variables and list*() in outputs', () => {
    const t = storageTemplate();
    t.variables.endpoint = "[reference(parameters('storageName')).primaryEndpoints.blob]";
    t.resources[0].tags = { e: "[variables('endpoint')]" };
    t.outputs.key = {
      type: 'string',
      value:
        "[listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('storageName')), '2023-05-01').keys[0].value]",
    };
    expect(messages(check(t))).toEqual([
      '$.variables.endpoint: reference() is not allowed here (ARM evaluates it only in resource properties and outputs)',
      '$.outputs.key.value: output exposes the result of listKeys() (a key) in the deployment history',
    ]);
  });

  it('checks the top-level structure', () => {
    const t: Tpl = storageTemplate();
    t.$schema = 'https://example.com/template.json';
    t.contentVersion = '1.0';
    t.resouces = [];
    delete t.resources[0].apiVersion;
    const ms = messages(check(t));
    expect(ms).toContainEqual(expect.stringMatching(/^\$: Unrecognized key: "resouces"/));
    expect(ms).toContainEqual(expect.stringMatching(/^\$\.\$schema: must be a deployment template schema/));
    expect(ms).toContainEqual('$.contentVersion: must look like 1.0.0.0');
    expect(ms).toContainEqual(expect.stringMatching(/^\$\.resources\[0\]\.apiVersion: /));
  });

  it('validates inner-scope nested templates on their own, with the parameters passed', () => {
    const t = storageTemplate();
    t.resources.push({
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'nested',
      resourceGroup: "[parameters('storageName')]",
      properties: {
        mode: 'Incremental',
        expressionEvaluationOptions: { scope: 'inner' },
        parameters: { ws: { value: 'law' }, extra: { value: 1 } },
        template: {
          $schema: SCHEMA,
          contentVersion: '1.0.0.0',
          parameters: { ws: { type: 'string' }, unused: { type: 'string' } },
          resources: [
            {
              type: 'Microsoft.OperationalInsights/workspaces',
              apiVersion: '2023-09-01',
              name: "[parameters('ws')]",
              location: "[parameters('storageName')]",
            },
          ],
        },
      },
    });
    expect(messages(check(t))).toEqual([
      "$.resources[1].properties.parameters.extra: nested template declares no parameter 'extra'",
      "$.resources[1].properties.parameters: nested template parameter 'unused' is required but not passed",
      "$.resources[1].properties.template.resources[0].location: parameters('storageName') is not declared",
      "$.resources[1].properties.template.parameters.unused: parameter 'unused' is never used",
    ]);
  });

  it('checks a parameters file against its template', () => {
    const t = dcrTemplate();
    t.parameters.apiToken = { type: 'securestring' };
    t.resources[1].tags = { t: "[parameters('apiToken')]" };
    const file = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: { apiToken: { value: 's3cret' }, typo: { value: 1 } },
    };
    expect(messages(validateParametersFile(file, t, 'p.json'))).toEqual([
      "$.parameters.apiToken.value: secret parameter 'apiToken' must come from a Key Vault reference, not a value in the file",
      "$.parameters.typo: the template declares no parameter 'typo'",
      "$.parameters: required parameter 'workspaceName' is missing",
    ]);
  });
});

describe('validateInfra', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reports a main.json that is not what the generator writes today', () => {
    dir = mkdtempSync(join(tmpdir(), 'otsoc-infra-'));
    for (const f of OURS) cpSync(join(INFRA, f), join(dir, f));
    expect(validateInfra(dir).map((p) => formatProblem(p))).toEqual([]);
    // an older schema: one column fewer in both the DCR stream and the table
    const stale = JSON.parse(readMain(dir), (key, value) =>
      key === 'columns' && Array.isArray(value)
        ? value.filter((c: { name: string }) => c.name !== 'RiskScore')
        : value,
    );
    writeFileSync(join(dir, 'main.json'), `${JSON.stringify(stale, null, 2)}\n`);
    const problems = validateInfra(dir).map((p) => formatProblem(p));
    expect(problems).toContainEqual(
      expect.stringMatching(/^main\.json \$: stale: differs from what scripts\/gen-infra\.ts generates/),
    );
    // both the DCR stream and the custom table are checked against the schema in code
    expect(problems.filter((p) => p.includes('missing column RiskScore'))).toHaveLength(2);
  });

  it('reports a non-template JSON file and a missing allowlist', () => {
    dir = mkdtempSync(join(tmpdir(), 'otsoc-infra-'));
    writeFileSync(join(dir, 'notes.json'), '{"hello": 1}');
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(validateTemplates(dir).map((p) => formatProblem(p))).toEqual([
      'allowlist.json $: missing: every resource type and API version must be allowlisted',
      expect.stringMatching(/^broken\.json \$: not valid JSON/),
      'notes.json $.$schema: not a deployment template or parameters file',
    ]);
  });
});

function readMain(dir: string): string {
  return readFileSync(join(dir, 'main.json'), 'utf8');
}
