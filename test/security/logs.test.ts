/**
 * Rule 6 of issue 11: no secrets, tokens or full alert payloads in the logs. Real handlers, captured loggers:
 * the playbook HTTP functions (InvocationContext log/warn/error) called with a function key and a bearer token
 * and configured with a ServiceNow password, a Jira token and a Teams Workflows URL with its `sig=`; the ingest
 * function on a batch; the on-site forwarder (cli/forward/log.ts, JSON lines at debug level). Then every line is
 * searched for the secrets, and info-level lines for the alert content.
 *
 * The playbooks' HTTP answers go to the Logic App's run history, readable by whoever reads the shim: they are
 * held to the same rule.
 */
import { join } from 'node:path';
import funcs, { type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LogLevel, streamLogger } from '../../cli/forward/log.js';
import type { FunctionRuntime } from '../../functions/deps.js';
import { makeIngestHandler } from '../../functions/ingest.js';
import { makePlaybookHandler } from '../../functions/playbooks.js';
import { MemoryDeadLetterStore } from '../../pipeline/deadletter/memoryDeadLetterStore.js';
import { DEFAULT_KEY_SPEC } from '../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../pipeline/enrich/enricher.js';
import { WallClockSensors } from '../../pipeline/enrich/wallClockSensors.js';
import { createTokenValidator, type TokenValidator } from '../../playbooks/auth.js';
import { fetchWithRetry } from '../../playbooks/http.js';
import { REDACTED, redactSecrets } from '../../playbooks/redact.js';
import { createWorkflowPoster } from '../../playbooks/teams/webhook.js';
import { createServiceNow } from '../../playbooks/tickets/serviceNow.js';
import { PLAYBOOK_NAMES, type PlaybookName } from '../../playbooks/types.js';
import { startFakeEventHub } from '../helpers/fakeEventHub.js';
import { json } from '../helpers/fakeFetch.js';
import { JIRA_EMAIL, JIRA_TOKEN } from '../helpers/fakeJira.js';
import { generateSelfSignedCert } from '../helpers/fakeLogsIngestion.js';
import { SNOW_PASSWORD, SNOW_USER } from '../helpers/fakeServiceNow.js';
import { TEAMS_WEBHOOK_URL } from '../helpers/fakeTeams.js';
import { postWebhook, startTestForwarder, tempDir, waitFor, webhookOn } from '../helpers/forwarder.js';
import {
  harness,
  incidentOf,
  lyonRow,
  rotterdamRow,
  TEST_CONFIG,
  TEST_ENV,
} from '../helpers/playbookFixtures.js';
import { RecordingSink } from '../helpers/recordingSink.js';
import { securityAlert } from '../helpers/records.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://ot-soc-playbooks';
const SHIM = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';
const FUNCTION_KEY = 'fnkey-Zx81kQ7pLm3vR2tY9wB4nC6dF0gH5jK8==';
const TEAMS_SIG = new URL(TEAMS_WEBHOOK_URL).searchParams.get('sig')!;
/** In the alert payloads: must never show in an info line. */
const MARKER = 'RAW-ALERT-CONTENT-7f3a9c';

const b64 = (s: string) => Buffer.from(s).toString('base64');

interface Line {
  level: string;
  text: string;
}

/** Each secret's value, and what a leak of it would look like in the log. */
function secretsOf(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'function key': FUNCTION_KEY,
    'ServiceNow password': SNOW_PASSWORD,
    'ServiceNow basic credentials': b64(`${SNOW_USER}:${SNOW_PASSWORD}`),
    'Jira token': JIRA_TOKEN,
    'Jira basic credentials': b64(`${JIRA_EMAIL}:${JIRA_TOKEN}`),
    'Teams webhook signature': TEAMS_SIG,
    'ARM token of the managed identity': 'token-for-management.azure.com',
    ...extra,
  };
}

function leaks(text: string, secrets: Record<string, string>): string[] {
  const found = Object.entries(secrets)
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
  if (/[?&]sig=(?!\[redacted\])/.test(text)) found.push('a sig= query parameter');
  return found;
}

const contextFor = (lines: Line[], functionName = 'playbook') =>
  new funcs.InvocationContext({
    invocationId: 'inv-logs',
    functionName,
    logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }),
  });

const requestFor = (name: PlaybookName, body: string, headers: Record<string, string>): HttpRequest =>
  new funcs.HttpRequest({
    method: 'POST',
    url: `https://ot-soc.azurewebsites.net/api/playbooks/${name}?code=${FUNCTION_KEY}`,
    body: { string: body },
    headers: { 'content-type': 'application/json', 'x-functions-key': FUNCTION_KEY, ...headers },
  });

type Handler = (r: HttpRequest, c: InvocationContext) => Promise<HttpResponseInit>;

let validate: TokenValidator;
let bearer: string;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  validate = createTokenValidator(
    { tenantId: TENANT, audience: AUDIENCE, allowedCallers: [SHIM] },
    createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] }),
  );
  bearer = await new SignJWT({ oid: SHIM, tid: TENANT })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(`https://sts.windows.net/${TENANT}/`)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(privateKey);
});

describe('playbook functions: logs and answers carry no secret and no alert payload', () => {
  it('every playbook, served and refused, with a function key, a bearer token and every ITSM secret configured', async () => {
    const h = harness({
      ...TEST_CONFIG,
      autoClose: { knownBenign: [{ site: 'Rotterdam', alertTitles: ['Illegal Modbus Address Range'] }] },
    });
    const payloads = [
      incidentOf([lyonRow({ SourceName: MARKER })], 41),
      incidentOf([rotterdamRow({ SourceAssetName: MARKER })], 42),
    ];
    for (const p of payloads) {
      (p as { object: { properties: { description: string } } }).object.properties.description = MARKER;
      h.sentinel.seed(p as never);
    }
    const handlers = Object.fromEntries(
      PLAYBOOK_NAMES.map((n) => [
        n,
        makePlaybookHandler(n, async () => ({ deps: h.deps, validateToken: validate, stateKind: 'memory' })),
      ]),
    ) as Record<PlaybookName, Handler>;
    const lines: Line[] = [];
    const answers: string[] = [];
    const call = async (name: PlaybookName, body: string, authorization: string) => {
      const res = await handlers[name](requestFor(name, body, { authorization }), contextFor(lines));
      answers.push(JSON.stringify(res));
      return res.status ?? 0;
    };
    const statuses: number[] = [];
    for (const p of payloads)
      for (const name of PLAYBOOK_NAMES)
        statuses.push(await call(name, JSON.stringify(p), `Bearer ${bearer}`));
    // Refused: a tampered token, a body that is not JSON, one that is not an incident.
    statuses.push(await call('notify-teams', JSON.stringify(payloads[0]), `Bearer ${bearer}x`));
    statuses.push(await call('notify-teams', `{"raw": "${MARKER}`, `Bearer ${bearer}`));
    statuses.push(
      await call('notify-teams', JSON.stringify({ object: { raw: MARKER } }), `Bearer ${bearer}`),
    );
    expect(statuses).toEqual([...payloads.flatMap(() => PLAYBOOK_NAMES.map(() => 200)), 401, 400, 400]);
    // The secrets really were used (not a vacuous test).
    expect(h.teams.posts.length).toBeGreaterThan(0);
    expect(
      h.fetch.requests.some((r) => r.authorization === `Basic ${b64(`${SNOW_USER}:${SNOW_PASSWORD}`)}`),
    ).toBe(true);
    expect(
      h.fetch.requests.some((r) => r.authorization === `Basic ${b64(`${JIRA_EMAIL}:${JIRA_TOKEN}`)}`),
    ).toBe(true);

    const secrets = secretsOf({ 'bearer token': bearer, 'bearer token signature': bearer.split('.')[2]! });
    expect(lines.length).toBe(statuses.length);
    for (const l of lines)
      expect({ line: l.text, leaks: leaks(l.text, secrets) }).toEqual({ line: l.text, leaks: [] });
    for (const a of answers) expect(leaks(a, secrets)).toEqual([]);
    // One line per call, outcome codes only: no alert text at any level.
    for (const l of lines) {
      expect(l.text).toMatch(
        /^playbook [a-z-]+ status=\d{3} [\w-]* incident=(\d+|\?) actions=\d+ state=\w+$/,
      );
      expect(l.text).not.toContain(MARKER);
    }
  });

  it('downstream failures that quote a webhook URL or echo our credentials are redacted in logs and answers', async () => {
    const h = harness();
    const payload = incidentOf([lyonRow()], 43);
    h.sentinel.seed(payload as never);
    const noSleep = async () => {};
    // node-fetch style: the failing URL, with its query, in the error message.
    const teams = createWorkflowPoster({
      config: h.config,
      env: TEST_ENV,
      sleep: noSleep,
      fetch: async (url) => {
        // (with undici's cause code: a name that does not resolve proves nothing was sent, so it is retried)
        throw Object.assign(
          new TypeError(
            `request to ${url} failed, reason: getaddrinfo ENOTFOUND prod-42.westeurope.logic.azure.com`,
          ),
          { cause: { code: 'ENOTFOUND' } },
        );
      },
    });
    // A proxy / WAF error page that echoes the request's Authorization header.
    const snow = (cfg: Parameters<typeof createServiceNow>[0]['config']) =>
      createServiceNow({
        config: cfg,
        env: TEST_ENV,
        sleep: noSleep,
        fetch: async (_url, init) =>
          json(400, {
            error: {
              message: 'Request blocked',
              detail: `Authorization: ${new Headers(init.headers).get('authorization')}`,
            },
          }),
      });
    const deps = {
      ...h.deps,
      teams,
      ticketSystem: (name: string) => {
        const c = h.config.ticketSystems[name]!;
        if (c.kind !== 'serviceNow') throw new Error('only snow here');
        return snow(c);
      },
    };
    const lines: Line[] = [];
    const answers: string[] = [];
    for (const name of ['notify-teams', 'create-ticket'] as const) {
      const handler = makePlaybookHandler(name, async () => ({ deps, stateKind: 'memory' })) as Handler;
      const res = await handler(requestFor(name, JSON.stringify(payload), {}), contextFor(lines));
      expect(res.status).toBeGreaterThanOrEqual(400);
      answers.push(JSON.stringify(res.jsonBody));
    }
    const secrets = secretsOf();
    for (const text of [...answers, ...lines.map((l) => l.text)]) expect(leaks(text, secrets)).toEqual([]);
    expect(answers[0]).toContain(`invoke?${REDACTED}`); // still says which webhook failed
    expect(answers[1]).toContain(`Basic ${REDACTED}`);
  });

  it('a runtime that fails with a SAS URL in its message logs it redacted', async () => {
    const lines: Line[] = [];
    const handler = makePlaybookHandler('auto-close', async () => {
      throw new Error(
        'cannot open table https://acct.table.core.windows.net/PlaybookState?sv=2024-08-04&se=2027-01-01&sp=raud&sig=SAS-SIGNATURE-VALUE',
      );
    }) as Handler;
    const res = await handler(requestFor('auto-close', '{}', {}), contextFor(lines));
    expect(res.status).toBe(500);
    const all = [JSON.stringify(res.jsonBody), ...lines.map((l) => l.text)].join('\n');
    expect(all).not.toContain('SAS-SIGNATURE-VALUE');
    expect(lines.map((l) => l.text)).toEqual([
      `playbook auto-close: cannot open table https://acct.table.core.windows.net/PlaybookState?${REDACTED}`,
    ]);
  });

  it('fetch errors never carry a URL query into DownstreamError messages', async () => {
    const e = await fetchWithRetry(
      'teams',
      async (url) => {
        throw new Error(`request to ${url} failed`);
      },
      TEAMS_WEBHOOK_URL,
      { method: 'POST' },
      { maxAttempts: 1 },
    ).catch((x: Error) => x);
    expect((e as Error).message).not.toContain(TEAMS_SIG);
    expect((e as Error).message).toContain('/triggers/manual/paths/invoke?');
  });
});

describe('redactSecrets', () => {
  it.each([
    [
      TEAMS_WEBHOOK_URL,
      `https://prod-42.westeurope.logic.azure.com:443/workflows/0f1e2d3c/triggers/manual/paths/invoke?${REDACTED}`,
    ],
    [
      'see https://u:p4ss@host.example/x?y=1#frag.',
      `see https://${REDACTED}@host.example/x?${REDACTED}#frag.`,
    ],
    ['Authorization: Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl', `Authorization: Bearer ${REDACTED}`],
    ['Basic c3ZjLW90c29jOnBhNTUtbm90LXJlYWw=', `Basic ${REDACTED}`],
    [
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc123+/=;EntityPath=h',
      `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${REDACTED};EntityPath=h`,
    ],
    ['password=hunter2 and token=abc', `password=${REDACTED} and token=${REDACTED}`],
    [
      'no secrets here: https://management.azure.com/subscriptions/x',
      'no secrets here: https://management.azure.com/subscriptions/x',
    ],
  ])('%s', (input, output) => {
    expect(redactSecrets(input)).toBe(output);
  });
});

describe('ingest function: counts only', () => {
  it('a batch with alerts and an unparseable record logs no record content at any level', async () => {
    const deps = {
      enrich: createEnricher({ sensors: {}, attackMappings: {} }),
      spec: DEFAULT_KEY_SPEC,
      sink: new RecordingSink(),
      store: new MemoryGroupStore(),
      deadLetters: new MemoryDeadLetterStore(),
    };
    const runtime = async (): Promise<FunctionRuntime> => ({
      settings: {} as FunctionRuntime['settings'],
      deps,
      wallClock: new WallClockSensors(),
    });
    const lines: Line[] = [];
    const context = new funcs.InvocationContext({
      invocationId: 'inv-ingest',
      functionName: 'ingest',
      triggerMetadata: { partitionContext: { partitionId: '3' }, sequenceNumberArray: [1, 2, 3] },
      logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(' ') }),
    });
    const alert = { ...securityAlert({ t: '2026-11-18T02:00:00.000Z' }), Description: MARKER };
    const messages = [
      alert,
      JSON.stringify({ ...securityAlert({ t: '2026-11-18T02:01:00.000Z' }), Description: MARKER }),
      `<13>Nov 18 02:00:00 host app: ${MARKER} password=hunter2-not-a-parser-format`,
    ];
    await makeIngestHandler(runtime)(messages, context);
    expect(deps.sink.rows.length).toBeGreaterThan(0);
    expect((await deps.deadLetters.list()).length).toBe(1); // the raw record is kept there, not in the log
    expect(lines.map((l) => l.level)).toEqual(['information', 'warning']);
    for (const l of lines) {
      expect(l.text).not.toContain(MARKER);
      expect(l.text).not.toContain('hunter2');
      expect(l.text).not.toContain('10.10.1.66'); // the alert's source address
    }
  });
});

describe('forwarder log (cli/forward/log.ts)', () => {
  it('the webhook secret, the Event Hubs key and alert content stay out of the log; invalid input only as a short excerpt at warn', async () => {
    const cert = await generateSelfSignedCert();
    const hub = await startFakeEventHub({ partitions: 2 });
    const tmp = await tempDir();
    const SECRET = 'webhook-shared-secret-Qm9vdHN0cmFw';
    const WRONG = 'guessed-secret-Zm9vYmFy';
    const raw: string[] = [];
    const fwd = await startTestForwarder(hub, join(tmp.dir, 'spool'), {
      webhook: webhookOn(cert, { secret: SECRET, maxBytes: 64 * 1024 }),
      tcp: { host: '127.0.0.1', port: 0 },
      log: streamLogger({ format: 'json', level: 'debug', write: (l) => raw.push(l) }),
    });
    try {
      const post = async (body: string, secret: string) =>
        (await postWebhook(fwd.addresses.webhook!.port, cert.cert, body, { secret, path: '/' })).status;
      const alert = JSON.stringify({
        ...securityAlert({ t: '2026-11-18T02:00:00.000Z', sensor: 'plant-a-sensor-01' }),
        Description: MARKER,
      });
      expect(await post(alert, SECRET)).toBe(202);
      expect(await post(alert, WRONG)).toBe(401);
      expect(await post(`{"not an alert": "${MARKER}", "pad": "${'p'.repeat(1000)}"}`, SECRET)).toBe(400);
      const { connect } = await import('node:net');
      const socket = connect({ host: '127.0.0.1', port: fwd.addresses.tcp!.port });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.end(`<13>Nov 18 02:00:00 host app: ${MARKER} ${'q'.repeat(1000)}\n`);
      await waitFor('the invalid syslog message', () => fwd.counters.invalid.tcp === 1, 10_000);
      expect(await fwd.idle(10_000)).toBe(true);
    } finally {
      await fwd.stop(2000);
      await hub.close();
      await tmp.cleanup();
      await cert.cleanup();
    }
    const lines = raw.map((l) => JSON.parse(l) as { level: LogLevel; msg: string; [k: string]: unknown });
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) {
      const text = JSON.stringify(l);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(WRONG);
      expect(text).not.toContain('SharedAccessKey=');
      expect(text).not.toContain('ZmFrZQ=='); // the fake hub's key
      if (l.level === 'info' || l.level === 'debug') expect(text).not.toContain(MARKER);
      // Rejected input is quoted as a short excerpt (160 chars), never whole.
      if (typeof l.message === 'string') expect(l.message.length).toBeLessThanOrEqual(161);
    }
    expect(
      lines.some((l) => l.level === 'warn' && l.msg === 'webhook request without the shared secret'),
    ).toBe(true);
    expect(lines.filter((l) => l.msg === 'invalid message (not forwarded)').map((l) => l.level)).toEqual([
      'warn',
      'warn',
    ]);
  });
});
