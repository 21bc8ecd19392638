/**
 * Endpoint security rules of issue 11 for the Functions app and the playbooks (the forwarder's listeners are in
 * endpoints-forwarder.test.ts, logs in logs.test.ts, the dependency audit in audit.test.ts). Each test names the
 * rule it holds; SECURITY.md lists where every control is configured.
 *
 *  1. every HTTP function requires a function key (authLevel 'function'), none is anonymous
 *  2. the optional Entra token is checked before anything else (matrix of bad tokens: test/playbooks/auth.test.ts)
 *  3. playbook requests over the size limit are refused (413) before they are parsed
 *  5. outbound calls go only to configured hosts: no SSRF through payload ids or URLs
 */
import funcs, { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenValidator, type TokenValidator } from '../../playbooks/auth.js';
import { type PlaybookConfigInput, parsePlaybookConfig } from '../../playbooks/config.js';
import { handlePlaybook, MAX_PLAYBOOK_BODY_BYTES } from '../../playbooks/handler.js';
import { createLogAnalyticsQuery, logAnalyticsAlertFacts } from '../../playbooks/logAnalytics.js';
import { playbookRuntimeFromEnv } from '../../playbooks/runtime.js';
import { parseIncidentArmId } from '../../playbooks/sentinel/armId.js';
import { d4iotAlertPath } from '../../playbooks/sentinel/d4iotAlert.js';
import { createWorkflowPoster, webhookUrl } from '../../playbooks/teams/webhook.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../playbooks/types.js';
import { fakeCredential, fakeFetch, json } from '../helpers/fakeFetch.js';
import { JIRA_URL } from '../helpers/fakeJira.js';
import { SNOW_URL } from '../helpers/fakeServiceNow.js';
import { TEAMS_WEBHOOK_URL } from '../helpers/fakeTeams.js';
import {
  D4IOT_ALERT_PATH,
  harness,
  incidentOf,
  lyonRow,
  rotterdamRow,
  TEST_CONFIG,
  TEST_ENV,
} from '../helpers/playbookFixtures.js';

// Every registration the Functions entry makes, whatever the trigger kind (outside the host, @azure/functions
// registers nothing): app.http/get/post/…, app.eventHub, app.timer, app.generic.
const registrations = vi.hoisted(
  () => [] as { kind: string; name: string; options: Record<string, unknown> }[],
);
vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = new Proxy(
    {},
    {
      get:
        (_target, kind) =>
        (name: unknown, options: unknown): void => {
          if (typeof name === 'string' && options && typeof options === 'object')
            registrations.push({ kind: String(kind), name, options: options as Record<string, unknown> });
        },
    },
  );
  return { ...real, app, default: { ...real, app } };
});

const HTTP_KINDS = new Set(['http', 'get', 'post', 'put', 'patch', 'deleteRequest']);
const isHttp = (r: (typeof registrations)[number]) =>
  HTTP_KINDS.has(r.kind) ||
  (r.kind === 'generic' &&
    String((r.options.trigger as { type?: string } | undefined)?.type ?? '').toLowerCase() === 'httptrigger');

let mod: typeof import('../../functions/playbooks.js');

beforeAll(async () => {
  await import('../../functions/index.js');
  mod = await import('../../functions/playbooks.js');
});

afterEach(() => vi.restoreAllMocks());

const context = (logs: string[] = []) =>
  new funcs.InvocationContext({
    invocationId: 'inv-sec',
    functionName: 'playbook',
    logHandler: (level, ...args) => logs.push(`[${level}] ${args.join(' ')}`),
  });

function request(name: PlaybookName, body: string, headers: Record<string, string> = {}): HttpRequest {
  return new funcs.HttpRequest({
    method: 'POST',
    url: `https://ot-soc.azurewebsites.net/api/playbooks/${name}`,
    body: { string: body },
    headers: { 'content-type': 'application/json', ...headers },
  });
}

type Handler = (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>;

describe('rule 1: HTTP functions require a function key', () => {
  it('every HTTP registration of the Functions entry has authLevel "function"; nothing is anonymous', () => {
    const http = registrations.filter(isHttp);
    // The four playbooks at least (a new HTTP function is covered by the same rule automatically).
    expect(http.map((r) => r.name)).toEqual(
      expect.arrayContaining(PLAYBOOK_NAMES.map((n) => `playbook-${n}`)),
    );
    for (const r of http)
      expect({ name: r.name, authLevel: r.options.authLevel }).toEqual({
        name: r.name,
        authLevel: 'function',
      });
    const anonymous = registrations.filter((r) => JSON.stringify(r.options).includes('"anonymous"'));
    expect(anonymous).toEqual([]);
  });
});

describe('rule 2: the Entra token is checked first (when auth is configured)', () => {
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const AUDIENCE = 'api://ot-soc-playbooks';
  const SHIM = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';
  let validate: TokenValidator;
  let token: (claims?: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    validate = createTokenValidator(
      { tenantId: TENANT, audience: AUDIENCE, allowedCallers: [SHIM] },
      createLocalJWKSet({ keys: [jwk] }),
    );
    token = (claims = { oid: SHIM, tid: TENANT }) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(`https://sts.windows.net/${TENANT}/`)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey);
  });

  it('through the registered HTTP adapter: no / bad token → 401 with the reason, no downstream call, nothing changed', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    const id = h.sentinel.seed(payload as never);
    const before = JSON.stringify(h.sentinel.incident(id));
    const handler = mod.makePlaybookHandler('reassign-ot', async () => ({
      deps: h.deps,
      validateToken: validate,
      stateKind: 'memory',
    })) as Handler;
    const cases: [string | undefined, string][] = [
      [undefined, 'missing bearer token'],
      ['Bearer not-a-jwt', 'token rejected'],
      [
        `Bearer ${await token({ oid: '00000000-0000-0000-0000-000000000009', tid: TENANT })}`,
        'caller is not allowed',
      ],
    ];
    for (const [authorization, reason] of cases) {
      const res = await handler(
        request('reassign-ot', JSON.stringify(payload), authorization ? { authorization } : {}),
        context(),
      );
      expect(res).toMatchObject({ status: 401, jsonBody: { error: 'unauthorized' } });
      expect((res.jsonBody as { message: string }).message).toContain(reason);
    }
    expect(h.fetch.requests).toEqual([]);
    expect(JSON.stringify(h.sentinel.incident(id))).toBe(before);
    // The shim's own token goes through.
    const ok = await handler(
      request('reassign-ot', JSON.stringify(payload), { authorization: `Bearer ${await token()}` }),
      context(),
    );
    expect(ok.status).toBe(200);
  });

  it('through the adapter, a 5 MB chunked body with a bad token is a 401 without one chunk read; with a good token a 413 after at most the limit', async () => {
    const h = harness();
    const chunk = new Uint8Array(64 * 1024).fill(0x78);
    const chunked = (authorization: string) => {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          pulled++;
          if (pulled > 80)
            c.close(); // 80 × 64 KiB = 5 MiB
          else c.enqueue(chunk);
        },
      });
      // The platform request: headers and a body stream (no Content-Length: chunked transfer).
      const req = { headers: new Headers({ authorization }), body } as unknown as HttpRequest;
      return { req, pulled: () => pulled };
    };
    const handler = mod.makePlaybookHandler('reassign-ot', async () => ({
      deps: h.deps,
      validateToken: validate,
      stateKind: 'memory',
    })) as Handler;
    const bad = chunked('Bearer not-a-jwt');
    expect((await handler(bad.req, context())).status).toBe(401);
    expect(bad.pulled()).toBeLessThanOrEqual(1); // a stream may pre-pull its first chunk; none is consumed
    const good = chunked(`Bearer ${await token()}`);
    expect((await handler(good.req, context())).status).toBe(413);
    expect(good.pulled() * chunk.byteLength).toBeLessThanOrEqual(
      MAX_PLAYBOOK_BODY_BYTES + 2 * chunk.byteLength,
    );
    expect(h.fetch.requests).toEqual([]);
  });

  it('a token is checked before the body: an invalid body with a bad token is a 401, not a 400 or 413', async () => {
    const h = harness();
    for (const body of ['{not json', 'x'.repeat(MAX_PLAYBOOK_BODY_BYTES + 1)]) {
      const res = await handlePlaybook('notify-teams', { body, authorization: 'Bearer x' }, h.deps, validate);
      expect(res.status).toBe(401);
    }
  });
});

describe('rule 3: playbook request size limit', () => {
  it('the default limit is 1 MiB, configurable by OTSOC_PLAYBOOK_MAX_BODY_BYTES', async () => {
    expect(MAX_PLAYBOOK_BODY_BYTES).toBe(1024 * 1024);
    const credential = fakeCredential();
    expect((await playbookRuntimeFromEnv({}, { credential })).maxBodyBytes).toBe(1024 * 1024);
    expect(
      (await playbookRuntimeFromEnv({ OTSOC_PLAYBOOK_MAX_BODY_BYTES: '4194304' }, { credential }))
        .maxBodyBytes,
    ).toBe(4 * 1024 * 1024);
    await expect(
      playbookRuntimeFromEnv({ OTSOC_PLAYBOOK_MAX_BODY_BYTES: '10' }, { credential }),
    ).rejects.toThrow(/OTSOC_PLAYBOOK_MAX_BODY_BYTES/);
  });

  it('a valid incident over the limit is a 413 before JSON.parse runs; the same incident under it is served', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]) as { object: { properties: { description: string } } };
    h.sentinel.seed(payload as never);
    payload.object.properties.description = 'd'.repeat(MAX_PLAYBOOK_BODY_BYTES);
    const big = JSON.stringify(payload);
    const parse = vi.spyOn(JSON, 'parse');
    const res = await handlePlaybook('reassign-ot', { body: big }, h.deps);
    expect(res).toEqual({
      status: 413,
      jsonBody: {
        error: 'payload-too-large',
        message: `the request body is over ${MAX_PLAYBOOK_BODY_BYTES} bytes`,
      },
    });
    expect(parse.mock.calls.some(([text]) => text === big)).toBe(false);
    expect(h.fetch.requests).toEqual([]);
    parse.mockRestore();
    payload.object.properties.description = 'short';
    expect((await handlePlaybook('reassign-ot', { body: JSON.stringify(payload) }, h.deps)).status).toBe(200);
  });

  it('the limit counts UTF-8 bytes, not characters', async () => {
    const h = harness();
    const limit = 4096;
    const body = JSON.stringify({ pad: 'é'.repeat(limit / 2) }); // ~limit chars, ~2×limit bytes
    expect(body.length).toBeLessThan(limit + 20);
    expect((await handlePlaybook('notify-teams', { body }, h.deps, undefined, limit)).status).toBe(413);
  });

  it('the HTTP adapter refuses a declared Content-Length over the limit without reading the body', async () => {
    const h = harness();
    const handler = mod.makePlaybookHandler('notify-teams', async () => ({
      deps: h.deps,
      maxBodyBytes: 64 * 1024,
      stateKind: 'memory',
    })) as Handler;
    const req = request('notify-teams', '{}', { 'content-length': String(64 * 1024 + 1) });
    const text = vi.spyOn(req, 'text');
    const res = await handler(req, context());
    expect(res.status).toBe(413);
    expect(text).not.toHaveBeenCalled();
    // Without a declared length (chunked), the core still counts the real body against the runtime's limit.
    const chunked = await handler(request('notify-teams', 'x'.repeat(64 * 1024 + 1)), context());
    expect(chunked.status).toBe(413);
  });
});

describe('rule 5: outbound calls only to configured hosts (no SSRF through the payload)', () => {
  const OTHER_SUB = '99999999-9999-9999-9999-999999999999';
  const EVIL = 'https://evil.example';
  const WORKSPACE =
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/ot-soc-demo/providers/Microsoft.OperationalInsights/workspaces/ot-soc-demo';
  const ALLOWED_HOSTS = new Set([
    'management.azure.com',
    new URL(TEAMS_WEBHOOK_URL).hostname,
    new URL(SNOW_URL).hostname,
    new URL(JIRA_URL).hostname,
  ]);

  it('an incident id outside the configured workspaces is refused (403) before any call', async () => {
    const h = harness({ ...TEST_CONFIG, workspaces: [WORKSPACE] });
    const payload = incidentOf([rotterdamRow()]) as { object: { id: string }; workspaceInfo: unknown };
    const ok = JSON.parse(JSON.stringify(payload)) as typeof payload;
    h.sentinel.seed(ok as never);
    for (const [sub, ws] of [
      [OTHER_SUB, 'ot-soc-demo'],
      ['00000000-0000-0000-0000-000000000000', 'someone-elses-ws'],
    ] as const) {
      payload.object.id = payload.object.id
        .replace(/subscriptions\/[^/]+/, `subscriptions/${sub}`)
        .replace(/workspaces\/[^/]+/, `workspaces/${ws}`);
      delete (payload as { workspaceInfo?: unknown }).workspaceInfo;
      for (const name of PLAYBOOK_NAMES) {
        const res = await h.run(name, payload);
        expect(res).toMatchObject({ status: 403, jsonBody: { error: 'workspace-not-allowed' } });
      }
    }
    expect(h.fetch.requests).toEqual([]);
    // The configured workspace itself is served.
    expect((await h.run('reassign-ot', ok)).status).toBe(200);
    expect(h.fetch.requests.every((r) => new URL(r.url).hostname === 'management.azure.com')).toBe(true);
  });

  it.each([
    [
      'a full URL to another host',
      `${EVIL}/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/1`,
    ],
    [
      'a management.azure.com URL',
      'https://management.azure.com/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/1',
    ],
    [
      'a query smuggled into the id',
      '/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/1?x=@evil.example',
    ],
    [
      'an encoded slash',
      '/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/..%2F..%2Fx',
    ],
    [
      'a dot segment',
      '/subscriptions/s/resourceGroups/../providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/1',
    ],
    [
      'a fragment',
      '/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/Incidents/1#x',
    ],
  ])('an incident id that is %s is a 400, no request', async (_what, id) => {
    expect(parseIncidentArmId(id)).toBeUndefined();
    const h = harness();
    const payload = incidentOf([rotterdamRow()]) as { object: { id: string } };
    payload.object.id = id;
    delete (payload as { workspaceInfo?: unknown }).workspaceInfo;
    const res = await h.run('reassign-ot', payload);
    expect(res).toMatchObject({ status: 400, jsonBody: { error: 'invalid-payload' } });
    expect(h.fetch.requests).toEqual([]);
  });

  it('URLs carried in the payload are never fetched: every request of all four playbooks goes to a configured host', async () => {
    const h = harness({
      ...TEST_CONFIG,
      autoClose: {
        knownBenign: [
          { site: '*', alertTitles: ['Illegal Modbus Address Range', 'Unauthorized PLC Programming'] },
        ],
        neverClose: { escalations: [] },
      },
    });
    const evilAlert = `${EVIL}/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.IoTSecurity/locations/westeurope/deviceGroups/Lyon/alerts/5f1e9c1a-0000-4000-8000-000000000001`;
    const payloads = [
      incidentOf([lyonRow({ AlertManagementUri: evilAlert })], 41),
      incidentOf([rotterdamRow({ AlertManagementUri: `${EVIL}/alerts/1?code=x` })], 42),
    ];
    for (const p of payloads) {
      const props = (p as { object: { properties: Record<string, unknown> } }).object.properties;
      props.incidentUrl = `${EVIL}/incident`;
      props.relatedEntities = [
        { kind: 'Url', properties: { url: `${EVIL}/payload` } },
        {
          kind: 'IoTDevice',
          properties: { deviceName: 'x', additionalData: { DevicePageLink: `${EVIL}/device` } },
        },
      ];
      for (const a of props.Alerts as { properties: { additionalData: Record<string, unknown> } }[]) {
        a.properties.additionalData.AlertLink = `${EVIL}/alert-link`;
        a.properties.additionalData.AlertManagementUri = evilAlert;
      }
      h.sentinel.seed(p as never);
    }
    h.sentinel.seedD4IoTAlert(D4IOT_ALERT_PATH);
    const statuses: number[] = [];
    for (const p of payloads) for (const name of PLAYBOOK_NAMES) statuses.push((await h.run(name, p)).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const hosts = new Set(h.fetch.requests.map((r) => new URL(r.url).hostname));
    // Not vacuous: Sentinel, Teams and both ticket systems were called.
    expect([...hosts].sort()).toEqual([...ALLOWED_HOSTS].sort());
    expect(h.fetch.requests.filter((r) => r.url.includes('evil.example'))).toEqual([]);
    // The managed identity's ARM token only ever goes to ARM.
    for (const r of h.fetch.requests)
      if (r.authorization?.includes('token-for-management.azure.com'))
        expect(new URL(r.url).origin).toBe('https://management.azure.com');
  });

  it('Defender for IoT alert URIs from the payload: only ARM paths on management.azure.com are used', () => {
    expect(d4iotAlertPath(D4IOT_ALERT_PATH)).toBe(D4IOT_ALERT_PATH);
    expect(d4iotAlertPath(`https://management.azure.com${D4IOT_ALERT_PATH}`)).toBe(D4IOT_ALERT_PATH);
    for (const bad of [
      `${EVIL}${D4IOT_ALERT_PATH}`,
      `http://management.azure.com${D4IOT_ALERT_PATH}`,
      `https://management.azure.com.evil.example${D4IOT_ALERT_PATH}`,
      `https://management.azure.com@evil.example${D4IOT_ALERT_PATH}`,
      `${D4IOT_ALERT_PATH}/../../../../x`,
      `${D4IOT_ALERT_PATH}%2F..`,
      `//evil.example${D4IOT_ALERT_PATH}`,
    ])
      expect(d4iotAlertPath(bad)).toBeUndefined();
  });

  it('the Teams webhook host must be Workflows (or listed in teams.webhookHosts), over https', async () => {
    const config = parsePlaybookConfig(TEST_CONFIG);
    expect(webhookUrl(config, undefined, TEST_ENV)).toBe(TEAMS_WEBHOOK_URL);
    for (const url of [
      `${EVIL}/workflows/x?sig=abc`,
      'http://prod-42.westeurope.logic.azure.com/workflows/x?sig=abc',
      'https://logic.azure.com.evil.example/workflows/x?sig=abc',
      'https://169.254.169.254/metadata/identity/oauth2/token?sig=abc',
    ]) {
      const f = fakeFetch({ handles: () => true, handle: () => json(202, {}) });
      const poster = createWorkflowPoster({ config, env: { OTSOC_TEAMS_WEBHOOK_URL: url }, fetch: f });
      await expect(poster.post(undefined, { type: 'message', attachments: [] } as never)).rejects.toThrow(
        /is not a Teams Workflows webhook host/,
      );
      expect(f.requests).toEqual([]);
    }
    const sovereign = parsePlaybookConfig({ ...TEST_CONFIG, teams: { webhookHosts: ['logic.azure.us'] } });
    expect(
      webhookUrl(sovereign, undefined, { OTSOC_TEAMS_WEBHOOK_URL: 'https://prod-1.logic.azure.us/w?sig=1' }),
    ).toBe('https://prod-1.logic.azure.us/w?sig=1');
  });

  it('ticket system base URLs come only from configuration, https only', () => {
    const withUrl = (kind: 'serviceNow' | 'jira', url: string): PlaybookConfigInput => ({
      ticketSystems: {
        t:
          kind === 'serviceNow'
            ? { kind, instanceUrl: url, auth: { type: 'bearer', tokenSetting: 'T' } }
            : {
                kind,
                baseUrl: url,
                projectKey: 'OT',
                auth: { type: 'bearer', tokenSetting: 'T', cloudId: '3f0c6a2e-1b7d-4c55-9e0a-5d2b8c1f7e64' },
              },
      },
    });
    for (const kind of ['serviceNow', 'jira'] as const) {
      expect(() => parsePlaybookConfig(withUrl(kind, 'http://contoso.example'))).toThrow(
        /must be an https:\/\/ URL/,
      );
      expect(() => parsePlaybookConfig(withUrl(kind, 'https://contoso.example'))).not.toThrow();
    }
    // The payload has no say: the previous test's requests went to SNOW_URL / JIRA_URL only.
  });

  it('the Log Analytics query takes a workspace GUID from the payload, never a host or path', async () => {
    const f = fakeFetch({ handles: () => true, handle: () => json(200, { tables: [] }) });
    const facts = logAnalyticsAlertFacts(createLogAnalyticsQuery({ credential: fakeCredential(), fetch: f }));
    for (const ws of [
      'evil.example',
      '../../v1/x',
      '11111111-1111-1111-1111-111111111111/../../x',
      '@evil.example',
    ])
      await expect(facts.latest(ws, ['a'])).rejects.toThrow(/is not a GUID/);
    expect(f.requests).toEqual([]);
    await facts.latest('11111111-1111-1111-1111-111111111111', ['a']);
    expect(f.requests.map((r) => new URL(r.url).origin)).toEqual(['https://api.loganalytics.io']);
  });
});
