import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const template = JSON.parse(
  readFileSync(new URL('../../infra/playbook-shim.json', import.meta.url), 'utf8'),
) as {
  parameters: Record<string, { type: string; defaultValue?: unknown; allowedValues?: unknown[] }>;
  variables: Record<string, unknown>;
  resources: {
    type: string;
    apiVersion: string;
    name: string;
    scope?: string;
    condition?: string;
    properties: Record<string, unknown>;
    identity?: unknown;
  }[];
};
const byType = (t: string) => template.resources.filter((r) => r.type === t);

describe('infra/playbook-shim.json', () => {
  it('has a Sentinel-incident-triggered Logic App on the azuresentinel connection with managed identity', () => {
    const [workflow] = byType('Microsoft.Logic/workflows');
    expect(workflow!.identity).toEqual({ type: 'SystemAssigned' });
    const def = workflow!.properties.definition as {
      triggers: Record<string, { type: string; inputs: { path: string; host: unknown } }>;
      actions: Record<string, { type: string; inputs: unknown; runtimeConfiguration?: unknown }>;
    };
    const trigger = Object.values(def.triggers)[0]!;
    expect(trigger.type).toBe('ApiConnectionWebhook');
    expect(trigger.inputs.path).toBe('/incident-creation');
    expect(JSON.stringify(trigger.inputs.host)).toContain("['azuresentinel']['connectionId']");
    const conn = (
      workflow!.properties.parameters as {
        $connections: { value: { azuresentinel: { connectionProperties: unknown } } };
      }
    ).$connections.value.azuresentinel;
    expect(conn.connectionProperties).toEqual({ authentication: { type: 'ManagedServiceIdentity' } });
    const [connection] = byType('Microsoft.Web/connections');
    expect(connection!.properties).toMatchObject({ parameterValueType: 'Alternative' });
    expect(JSON.stringify(connection!.properties.api)).toContain("'azuresentinel'");
  });

  it('reads the function key from Key Vault at run time with its identity and forwards the trigger body securely', () => {
    const def = byType('Microsoft.Logic/workflows')[0]!.properties.definition as {
      actions: Record<string, { inputs: unknown; runtimeConfiguration?: unknown; runAfter?: unknown }>;
    };
    const key = def.actions.Get_function_key!;
    expect(key.inputs).toMatchObject({
      method: 'GET',
      authentication: { type: 'ManagedServiceIdentity', audience: 'https://vault.azure.net' },
    });
    expect(key.runtimeConfiguration).toEqual({ secureData: { properties: ['inputs', 'outputs'] } });
    const forward = def.actions.Forward_to_playbook!;
    expect(forward.runAfter).toEqual({ Get_function_key: ['Succeeded'] });
    expect(forward.runtimeConfiguration).toEqual({ secureData: { properties: ['inputs'] } });
    expect(template.variables.forwardInputs).toMatchObject({
      method: 'POST',
      body: '@triggerBody()',
      headers: { 'x-functions-key': "@{body('Get_function_key')?['value']}" },
      retryPolicy: { type: 'exponential' },
    });
    expect(template.variables.functionUrl).toContain("'/api/playbooks/'");
    expect(template.parameters.playbook!.allowedValues).toEqual([
      'notify-teams',
      'create-ticket',
      'auto-close',
      'reassign-ot',
      'sync-status',
    ]);
  });

  it('has no secret among parameter defaults and no secret-looking parameter', () => {
    for (const [name, p] of Object.entries(template.parameters)) {
      expect(p.type.toLowerCase()).not.toBe('securestring');
      if (/key|secret|password|token/i.test(name))
        expect(String(p.defaultValue ?? '')).not.toMatch(/^[A-Za-z0-9+/=_-]{30,}$/);
    }
    expect(JSON.stringify(template)).not.toMatch(/sig=|code=|x-functions-key":\s*"[^@]/);
  });
});
