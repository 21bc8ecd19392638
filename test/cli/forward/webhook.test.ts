import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_WEBHOOK_HEADER } from '../../../cli/forward/webhook.js';
import {
  bodyCounts,
  forwarderSuite,
  postWebhook,
  startTestForwarder,
  type TestForwarder,
  tempDir,
  webhookOn,
} from '../../helpers/forwarder.js';

const execFileAsync = promisify(execFile);
const SECRET = 'plant-webhook-secret-0123456789';
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'formats');

const suite = forwarderSuite({ per: 'file', cert: true });
let fwd: TestForwarder;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A request to the webhook (trusting the test certificate); the reply's JSON parsed. */
async function post(
  port: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
  extra: { cert?: string; key?: string; chunked?: boolean; method?: string } = {},
): Promise<Reply> {
  const r = await postWebhook(port, suite.cert.cert, body, {
    headers,
    ...(extra.chunked ? { chunked: 1024 } : {}),
    ...(extra.method ? { method: extra.method } : {}),
    ...(extra.cert && extra.key ? { clientCert: { cert: extra.cert, key: extra.key } } : {}),
  });
  return { status: r.status, body: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  fwd = await suite.forwarder({
    webhook: webhookOn(suite.cert, { secret: SECRET, maxBytes: 8 * 1024 }),
  });
});

describe('webhook receiver', () => {
  test('an extended-webhook alert with the secret is accepted (202) and its original JSON text forwarded', async () => {
    const alerts = JSON.parse(await readFile(join(FIXTURES, 'webhook-extended.json'), 'utf8')) as unknown[];
    const text = `${JSON.stringify(alerts[0], null, 2)}\n`; // pretty-printed: the exact bytes must go through
    const r = await post(fwd.addresses.webhook!.port, text, { [DEFAULT_WEBHOOK_HEADER]: SECRET });
    expect(r).toEqual({ status: 202, body: { accepted: 1, invalid: [] } });
    expect(await fwd.idle(10_000)).toBe(true);
    const got = suite.hub.events().find((e) => e.body === text);
    expect(got?.partitionKey).toBe('zone:plant d/utilities');
  });

  test('an array of alerts: each valid one forwarded on its own, invalid ones reported', async () => {
    const alerts = JSON.parse(await readFile(join(FIXTURES, 'webhook-extended.json'), 'utf8')) as unknown[];
    const body = JSON.stringify([...alerts, { title: 'no time, no severity' }]);
    const r = await post(fwd.addresses.webhook!.port, body, {
      [DEFAULT_WEBHOOK_HEADER.toLowerCase()]: SECRET,
    });
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(alerts.length);
    expect(r.body.invalid).toEqual([{ index: alerts.length, reason: expect.any(String) }]);
    expect(await fwd.idle(10_000)).toBe(true);
    const counts = bodyCounts(suite.hub);
    for (const a of alerts) expect(counts.has(JSON.stringify(a))).toBe(true);
  });

  test('401 without the secret or with a wrong one; nothing is forwarded', async () => {
    const before = suite.hub.events().length;
    const body = await readFile(join(FIXTURES, 'sensor-api-v2.json'), 'utf8');
    expect((await post(fwd.addresses.webhook!.port, body)).status).toBe(401);
    expect(
      (await post(fwd.addresses.webhook!.port, body, { [DEFAULT_WEBHOOK_HEADER]: 'wrong' })).status,
    ).toBe(401);
    expect(
      (await post(fwd.addresses.webhook!.port, body, { [DEFAULT_WEBHOOK_HEADER]: `${SECRET}x` })).status,
    ).toBe(401);
    expect(fwd.counters.webhook.unauthorized).toBe(3);
    await new Promise((r) => setTimeout(r, 100));
    expect(suite.hub.events().length).toBe(before);
  });

  test('413 over the size limit, declared or streamed', async () => {
    const big = JSON.stringify({ title: 'x'.repeat(10 * 1024) });
    expect((await post(fwd.addresses.webhook!.port, big, { [DEFAULT_WEBHOOK_HEADER]: SECRET })).status).toBe(
      413,
    );
    const r = await post(
      fwd.addresses.webhook!.port,
      big,
      { [DEFAULT_WEBHOOK_HEADER]: SECRET },
      { chunked: true },
    );
    expect(r.status).toBe(413);
    expect(fwd.counters.webhook.tooLarge).toBe(2);
  });

  test('400 for a body that is not JSON or holds no valid alert (counted as invalid); 405 for GET', async () => {
    const invalidBefore = fwd.counters.invalid.webhook;
    const r1 = await post(fwd.addresses.webhook!.port, '{"broken": ', { [DEFAULT_WEBHOOK_HEADER]: SECRET });
    expect(r1.status).toBe(400);
    const r2 = await post(fwd.addresses.webhook!.port, '{"hello":"world"}', {
      [DEFAULT_WEBHOOK_HEADER]: SECRET,
    });
    expect(r2.status).toBe(400);
    expect(r2.body.invalid).toEqual([{ index: 0, reason: expect.stringMatching(/unrecognised format/) }]);
    expect(fwd.counters.invalid.webhook - invalidBefore).toBe(2);
    const r3 = await post(
      fwd.addresses.webhook!.port,
      '',
      { [DEFAULT_WEBHOOK_HEADER]: SECRET },
      { method: 'GET' },
    );
    expect(r3.status).toBe(405);
  });
});

describe('webhook with mTLS', () => {
  test('only clients with a certificate from the configured CA get through; no secret needed', async () => {
    // A client CA and a client certificate it issued, made with the openssl CLI.
    const dir = suite.cert.dir;
    const run = (...args: string[]) => execFileAsync('openssl', args);
    await run(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=plant-ca',
    );
    await run(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'client.key'),
      '-out',
      join(dir, 'client.csr'),
      '-subj',
      '/CN=sensor-01',
    );
    await run(
      'x509',
      '-req',
      '-in',
      join(dir, 'client.csr'),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(dir, 'client.pem'),
      '-days',
      '1',
    );
    const clientCa = await readFile(join(dir, 'ca.pem'), 'utf8');
    const clientCert = await readFile(join(dir, 'client.pem'), 'utf8');
    const clientKey = await readFile(join(dir, 'client.key'), 'utf8');

    const local = await tempDir();
    const f = await startTestForwarder(suite.hub, local.dir, {
      webhook: webhookOn(suite.cert, { clientCa, maxBytes: 64 * 1024 }),
    });
    try {
      const body = await readFile(join(FIXTURES, 'sensor-api-v2.json'), 'utf8');
      const ok = await post(f.addresses.webhook!.port, body, {}, { cert: clientCert, key: clientKey });
      expect(ok.status).toBe(202);
      // Without a client certificate the TLS handshake itself is refused.
      await expect(post(f.addresses.webhook!.port, body)).rejects.toThrow();
      // A certificate from another CA (the server's self-signed one) is refused too.
      await expect(
        post(f.addresses.webhook!.port, body, {}, { cert: suite.cert.cert, key: suite.cert.key }),
      ).rejects.toThrow();
      expect(await f.idle(10_000)).toBe(true);
      expect(f.counters.webhook.accepted).toBe(1);
    } finally {
      await f.stop(2000);
      await local.cleanup();
    }
  });
});
