/**
 * Endpoint security rules of issue 11 for the on-site forwarder (`ot-soc forward`, cli/forward/): the webhook
 * listener and the syslog stream framing. The functional webhook/framing tests are in test/cli/forward/.
 *
 *  3. request size limits: webhook bodies (declared or streamed) and syslog frames (octet count or line) over
 *     the maximum are refused, never buffered without bound
 *  4. the webhook is HTTPS only and needs a shared secret or mTLS; the secret is compared in constant time
 */
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SyslogFramer } from '../../cli/forward/syslog.js';
import { DEFAULT_WEBHOOK_HEADER } from '../../cli/forward/webhook.js';
import {
  forwarderSuite,
  postWebhook,
  startTestForwarder,
  syslogTemplates,
  type TestForwarder,
  tempDir,
  uniqueMessage,
  waitFor,
  webhookOn,
} from '../helpers/forwarder.js';
import { securityAlert } from '../helpers/records.js';

// Every timingSafeEqual call the webhook makes, with the lengths it compared.
const compared = vi.hoisted(() => [] as [number, number][]);
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    compared.push([a.byteLength, b.byteLength]);
    return real.timingSafeEqual(a, b);
  };
  return { ...real, timingSafeEqual, default: { ...real, timingSafeEqual } };
});

const SECRET = 'plant-webhook-secret-0123456789abcdef';
const MAX_BODY = 8 * 1024;
const MAX_MESSAGE = 1024;

const suite = forwarderSuite({ per: 'file', partitions: 2, cert: true });
let fwd: TestForwarder;

beforeAll(async () => {
  fwd = await suite.forwarder({
    webhook: webhookOn(suite.cert, { secret: SECRET, maxBytes: MAX_BODY }),
    maxMessageBytes: MAX_MESSAGE,
  });
});

/** One HTTPS POST to the webhook; `declaredLength` sends that Content-Length whatever the body is. */
const post = (
  body: string | Buffer,
  headers: Record<string, string> = {},
  o: { chunked?: boolean; declaredLength?: number } = {},
) =>
  postWebhook(fwd.addresses.webhook!.port, suite.cert.cert, body, {
    headers,
    ...(o.chunked ? { chunked: 16 * 1024 } : {}),
    ...(o.declaredLength !== undefined ? { declaredLength: o.declaredLength } : {}),
  });

const alert = () =>
  JSON.stringify(securityAlert({ t: '2026-11-18T02:00:00.000Z', sensor: 'plant-a-sensor-01' }));

describe('rule 4: the webhook is HTTPS only, authenticated, secret compared in constant time', () => {
  it('does not start without a TLS certificate and key, nor without a secret or client CA', async () => {
    const local = await tempDir();
    try {
      await expect(
        startTestForwarder(suite.hub, local.dir, {
          webhook: webhookOn({ cert: '', key: '' }, { secret: SECRET, maxBytes: 1024 }),
        }),
      ).rejects.toThrow(/TLS certificate and key: it listens on HTTPS only/);
      await expect(
        startTestForwarder(suite.hub, local.dir, {
          webhook: webhookOn(suite.cert, { maxBytes: 1024 }),
        }),
      ).rejects.toThrow(/shared secret or client certificates/);
    } finally {
      await local.cleanup();
    }
  });

  it('a plain-HTTP request (even with the right secret) gets no HTTP answer and forwards nothing', async () => {
    const before = { events: suite.hub.events().length, handshakes: fwd.counters.tlsHandshakeErrors };
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: fwd.addresses.webhook!.port,
          path: '/alerts',
          method: 'POST',
          headers: { 'Content-Type': 'application/json', [DEFAULT_WEBHOOK_HEADER]: SECRET },
        },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (e) => resolve(`refused: ${e.message}`));
      req.end(alert());
    });
    expect(outcome).toMatch(/^refused: /);
    await waitFor('the TLS handshake error', () => fwd.counters.tlsHandshakeErrors > before.handshakes, 5000);
    expect(suite.hub.events().length).toBe(before.events);
  });

  it('wrong, missing or longer secrets are 401; the right one is 202', async () => {
    const before = fwd.counters.webhook.unauthorized;
    for (const headers of <Record<string, string>[]>[
      {},
      { [DEFAULT_WEBHOOK_HEADER]: 'wrong' },
      { [DEFAULT_WEBHOOK_HEADER]: `${SECRET}x` },
      { [DEFAULT_WEBHOOK_HEADER]: SECRET.slice(0, -1) },
      { 'X-Other-Header': SECRET },
    ])
      expect((await post(alert(), headers)).status).toBe(401);
    expect(fwd.counters.webhook.unauthorized - before).toBe(5);
    expect((await post(alert(), { [DEFAULT_WEBHOOK_HEADER]: SECRET })).status).toBe(202);
  });

  it('every secret check is one timingSafeEqual over equal-length digests, whatever length was sent', async () => {
    for (const value of [undefined, 'x', SECRET.replace(/.$/, '!'), `${SECRET}${'y'.repeat(500)}`, SECRET]) {
      const before = compared.length;
      const r = await post(alert(), value === undefined ? {} : { [DEFAULT_WEBHOOK_HEADER]: value });
      expect(r.status).toBe(value === SECRET ? 202 : 401);
      expect(compared.slice(before)).toEqual([[32, 32]]);
    }
  });
});

describe('rule 3: size limits on the forwarder', () => {
  it('a declared body over the limit is refused (413) at once, without waiting for the body', async () => {
    const started = Date.now();
    const r = await post(
      '{"title":"',
      { [DEFAULT_WEBHOOK_HEADER]: SECRET },
      { declaredLength: 100 * 1024 * 1024 },
    );
    expect(r.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a streamed (chunked) body is cut off at the limit: 413, nothing forwarded', async () => {
    const before = { events: suite.hub.events().length, tooLarge: fwd.counters.webhook.tooLarge };
    const big = JSON.stringify([JSON.parse(alert()), { pad: 'x'.repeat(4 * MAX_BODY) }]);
    const r = await post(big, { [DEFAULT_WEBHOOK_HEADER]: SECRET }, { chunked: true });
    expect(r.status).toBe(413);
    expect(fwd.counters.webhook.tooLarge - before.tooLarge).toBe(1);
    expect(suite.hub.events().length).toBe(before.events);
  });

  it('syslog octet counting: a count over the maximum is reported at once and its bytes skipped, not held', () => {
    const f = new SyslogFramer(MAX_MESSAGE);
    const header = f.push(Buffer.from('99999 '));
    expect(header.errors.map((e) => e.reason)).toEqual([`message too large (99999 bytes > ${MAX_MESSAGE})`]);
    let held = 0;
    for (let sent = 0; sent < 99999; sent += 4096) {
      f.push(Buffer.alloc(Math.min(4096, 99999 - sent), 0x41));
      held = Math.max(held, f.bufferedBytes);
    }
    expect(held).toBe(0);
    expect(f.push(Buffer.from('5 hello')).messages).toEqual(['hello']);
  });

  it('syslog newline framing: a line over the maximum is reported once and dropped while it streams in', () => {
    const f = new SyslogFramer(MAX_MESSAGE);
    const errors: string[] = [];
    let held = 0;
    for (let i = 0; i < 256; i++) {
      const out = f.push(Buffer.alloc(1000, 0x41)); // 256 KB without a newline
      errors.push(...out.errors.map((e) => e.reason));
      held = Math.max(held, f.bufferedBytes);
    }
    expect(errors).toEqual([`message too large (over ${MAX_MESSAGE} bytes without a newline)`]);
    expect(held).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(f.push(Buffer.from('tail of the long line\n<13>next\n')).messages).toEqual(['<13>next']);
  });

  it('over TCP: an endless line is a framing error, the connection goes on with the next message', async () => {
    const before = fwd.counters.framingErrors;
    const good = uniqueMessage(syslogTemplates(), 4242);
    expect(Buffer.byteLength(good)).toBeLessThan(MAX_MESSAGE);
    const socket = tcpConnect({ host: '127.0.0.1', port: fwd.addresses.tcp!.port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    for (let i = 0; i < 64; i++) socket.write(Buffer.alloc(4096, 0x42));
    socket.write(`\n${good}\n`);
    await new Promise<void>((resolve) => socket.end(() => resolve()));
    await waitFor(
      'the message after the oversized line',
      () => suite.hub.events().some((e) => e.body === good),
      10_000,
    );
    expect(fwd.counters.framingErrors - before).toBe(1);
  });
});
