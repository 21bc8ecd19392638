import funcs, { type HttpFunctionOptions } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { playbookRuntimeFromEnv } from '../../playbooks/runtime.js';
import { fakeCredential } from '../helpers/fakeFetch.js';
import { harness, incidentOf, rotterdamRow } from '../helpers/playbookFixtures.js';

// Capture what functions/playbooks.ts registers: outside the host, @azure/functions skips registration.
const registered = vi.hoisted(() => new Map<string, HttpFunctionOptions>());
vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = {
    ...real.app,
    http: (name: string, options: HttpFunctionOptions) => registered.set(name, options),
  };
  return { ...real, app, default: { ...real, app } };
});

let mod: typeof import('../../functions/playbooks.js');

beforeAll(async () => {
  vi.stubEnv(
    'OTSOC_PLAYBOOK_CONFIG',
    '{"teams": {"webhookUrlSetting": "https://prod.logic.azure.com/x?sig=SECRET"}}',
  );
  mod = await import('../../functions/playbooks.js');
});
afterAll(() => vi.unstubAllEnvs());

const context = (logs: string[]) =>
  new funcs.InvocationContext({
    invocationId: 'inv-1',
    functionName: 'playbook-reassign-ot',
    logHandler: (level, ...args) => logs.push(`[${level}] ${args.join(' ')}`),
  });

const request = (body: string) =>
  new funcs.HttpRequest({
    method: 'POST',
    url: 'https://ot-soc.azurewebsites.net/api/playbooks/reassign-ot',
    body: { string: body },
    headers: { 'content-type': 'application/json' },
  });

describe('playbook HTTP functions', () => {
  it('registers one POST function per playbook with function-level auth', () => {
    expect([...registered.keys()]).toEqual([
      'playbook-notify-teams',
      'playbook-create-ticket',
      'playbook-auto-close',
      'playbook-reassign-ot',
      'playbook-sync-status',
    ]);
    for (const [name, o] of registered) {
      expect(o).toMatchObject({
        authLevel: 'function',
        methods: ['POST'],
        route: `playbooks/${name.replace('playbook-', '')}`,
      });
    }
  });

  it('a configuration that holds a secret instead of a setting name fails with a clear 500, every time', async () => {
    const logs: string[] = [];
    const handler = registered.get('playbook-notify-teams')!.handler;
    const res = (await handler(request('{}'), context(logs))) as {
      status: number;
      jsonBody: { error: string; message: string };
    };
    expect(res.status).toBe(500);
    expect(res.jsonBody.error).toBe('configuration');
    expect(res.jsonBody.message).toContain('teams.webhookUrlSetting: must be the NAME of an app setting');
    expect(JSON.stringify(res.jsonBody)).not.toContain('SECRET');
    expect(logs.some((l) => l.startsWith('[error]'))).toBe(true);
  });

  it('adapts HttpRequest/InvocationContext to the core and returns a plain HttpResponseInit', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    const handler = mod.makePlaybookHandler('reassign-ot', async () => ({
      deps: h.deps,
      stateKind: 'memory',
    }));
    const logs: string[] = [];
    const res = await handler(request(JSON.stringify(payload)), context(logs));
    expect(res.status).toBe(200);
    expect(res.jsonBody).toMatchObject({ playbook: 'reassign-ot', result: 'done' });
    expect(logs).toEqual([
      expect.stringMatching(
        /^\[information\] playbook reassign-ot status=200 done incident=42 actions=3 state=memory$/,
      ),
    ]);
    const bad = await handler(request('{"object":{}}'), context(logs));
    expect(bad.status).toBe(400);
    expect(logs.at(-1)).toMatch(/^\[warning\] playbook reassign-ot status=400 invalid-payload/);
  });
});

describe('playbook runtime from app settings', () => {
  it('builds memory state without a table and names bad settings', async () => {
    const rt = await playbookRuntimeFromEnv({}, { credential: fakeCredential() });
    expect(rt.stateKind).toBe('memory');
    expect(rt.validateToken).toBeUndefined();
    await expect(playbookRuntimeFromEnv({ OTSOC_PLAYBOOK_CONFIG: '{nope' })).rejects.toThrow(
      /OTSOC_PLAYBOOK_CONFIG: not valid JSON/,
    );
    await expect(playbookRuntimeFromEnv({ OTSOC_PLAYBOOK_STATE_TABLE: 'bad-name!' })).rejects.toThrow(
      /OTSOC_PLAYBOOK_STATE_TABLE/,
    );
    await expect(
      playbookRuntimeFromEnv({
        OTSOC_PLAYBOOK_CONFIG: JSON.stringify({ sites: { Lyon: { ticketSystem: 'snow' } } }),
      }),
    ).rejects.toThrow(/sites\.Lyon\.ticketSystem: no ticketSystems entry named "snow"/);
    // Entra validation on without an allow-list of callers and workspaces is refused, naming both settings.
    const open = playbookRuntimeFromEnv({
      OTSOC_PLAYBOOK_CONFIG: JSON.stringify({
        auth: { tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47', audience: 'api://x' },
      }),
    });
    await expect(open).rejects.toThrow(
      /OTSOC_PLAYBOOK_CONFIG: auth\.allowedCallers: required when auth is set/,
    );
    await expect(open).rejects.toThrow(/OTSOC_PLAYBOOK_CONFIG: workspaces: required when auth is set/);
  });

  it('uses Table Storage when a table is configured, and the token validator when auth is', async () => {
    const rt = await playbookRuntimeFromEnv(
      {
        OTSOC_PLAYBOOK_TABLE_URL: 'https://acct.table.core.windows.net',
        OTSOC_PLAYBOOK_CONFIG: JSON.stringify({
          auth: {
            tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
            audience: 'api://x',
            allowedCallers: ['9a0c6a2e-1b7d-4c55-9e0a-5d2b8c1f7e64'],
          },
          workspaces: [
            '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws',
          ],
        }),
      },
      { credential: fakeCredential() },
    );
    expect(rt.stateKind).toBe('table');
    expect(rt.deps.ticketMap!.kind).toBe('table');
    expect(rt.validateToken).toBeTypeOf('function');
  });
});
