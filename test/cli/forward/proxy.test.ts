/**
 * Outbound through a proxy: AMQP over WebSockets (TLS, `wss://…/$servicebus/websocket`, `AMQPWSB10`) through an
 * HTTP CONNECT proxy (plain, or reached over TLS), with the real SDK, to the fake Event Hub's WebSocket endpoint.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { type Socket, connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createProducer, webSocketOptions } from '../../../cli/forward/eventHubs.js';
import { startForwarder } from '../../../cli/forward/forwarder.js';
import { memoryLogger } from '../../../cli/forward/log.js';
import { type FakeEventHub, startFakeEventHub } from '../../helpers/fakeEventHub.js';
import { generateSelfSignedCert, type SelfSignedCert } from '../../helpers/fakeLogsIngestion.js';
import {
  bodyCounts,
  SENSORS,
  sendStream,
  syslogTemplates,
  tempDir,
  uniqueMessage,
} from '../../helpers/forwarder.js';

let cert: SelfSignedCert;
let hub: FakeEventHub;
interface Proxy {
  server: { close(cb: () => void): void };
  port: number;
  connects: string[];
  sockets: Set<Socket>;
}
let proxy: Proxy;
let tlsProxy: Proxy;
const ENV = 'OTSOC_TEST_PROXY_EVENTHUB';
const AUTH = `Basic ${Buffer.from('plant:s3cret').toString('base64')}`;

/** A minimal HTTP CONNECT proxy (over TLS with `tls`) that requires basic auth and records its tunnels. */
async function startProxy(tls?: { cert: string; key: string }): Promise<Proxy> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const refuse = (_req: IncomingMessage, res: { writeHead(s: number): { end(): void } }) =>
    res.writeHead(405).end();
  const server = tls ? createTlsServer(tls, refuse) : createServer(refuse);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (req.headers['proxy-authorization'] !== AUTH) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = tcpConnect(Number(port), host === 'localhost' ? '127.0.0.1' : host);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    upstream.on('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, port: (server.address() as { port: number }).port, connects, sockets };
}

beforeAll(async () => {
  cert = await generateSelfSignedCert();
  hub = await startFakeEventHub({ partitions: 4, webSocket: { cert: cert.cert, key: cert.key } });
  proxy = await startProxy();
  tlsProxy = await startProxy({ cert: cert.cert, key: cert.key });
  process.env[ENV] = hub.webSocketConnectionString;
});

afterAll(async () => {
  delete process.env[ENV];
  for (const p of [proxy, tlsProxy]) {
    for (const s of p.sockets) s.destroy();
    await new Promise<void>((r) => p.server.close(() => r()));
  }
  await hub.close();
  await cert.cleanup();
});

describe('AMQP over WebSockets through an HTTP proxy', () => {
  /** The forwarder publishes 300 new messages (ids from `from`) through `via` with the real SDK; all of them reach the hub. */
  async function publishThrough(via: Proxy, proxyUrl: string, from: number): Promise<void> {
    const tmp = await tempDir();
    const producer = createProducer({
      connectionStringEnv: ENV,
      proxy: proxyUrl,
      ca: cert.cert,
      retry: { maxRetries: 1, retryDelayInMs: 100, timeoutInMs: 5000 },
    });
    const f = await startForwarder({
      producer,
      sensors: SENSORS,
      spool: { dir: tmp.dir, maxBytes: 16 * 1024 * 1024 },
      tcp: { host: '127.0.0.1', port: 0 },
      retry: { initialMs: 100, maxMs: 500 },
      log: memoryLogger(),
    });
    try {
      const templates = syslogTemplates();
      const messages = Array.from({ length: 300 }, (_, i) => uniqueMessage(templates, from + i));
      await sendStream(f.addresses.tcp!.port, messages, 'octet');
      expect(await f.idle(20_000)).toBe(true);
      const counts = bodyCounts(hub);
      for (const m of messages) expect(counts.has(m)).toBe(true);
      expect(via.connects).toContain(`localhost:${hub.webSocketPort}`);
      expect(hub.webSocketUpgrades[0]).toEqual({
        path: '/$servicebus/websocket',
        protocol: 'AMQPWSB10',
        extensions: '', // no permessage-deflate offer
      });
      expect(hub.events().filter((e) => e.partitionKey === 'zone:plant a/packaging').length).toBeGreaterThan(
        0,
      );
      expect(hub.events().every((e) => typeof e.partitionKey === 'string')).toBe(true);
    } finally {
      await f.stop(2000);
      await tmp.cleanup();
    }
  }

  test('the forwarder publishes through the proxy (CONNECT + TLS + WebSocket upgrade) with the real SDK', async () => {
    await publishThrough(proxy, `http://plant:s3cret@127.0.0.1:${proxy.port}`, 0);
  });

  test('an https:// proxy is reached over TLS (its certificate checked against --ca too)', async () => {
    await publishThrough(tlsProxy, `https://plant:s3cret@localhost:${tlsProxy.port}`, 1000);
  });

  /** Opens the service's WebSocket endpoint with the forwarder's own `ws` options; resolves its error. */
  async function failedOpen(opts: { proxy: string; ca?: string }): Promise<{ error: Error; ws: WebSocket }> {
    const ws = new WebSocket(
      `wss://localhost:${hub.webSocketPort}/$servicebus/websocket`,
      ['AMQPWSB10'],
      webSocketOptions(opts),
    );
    const error = await new Promise<Error>((resolve, reject) => {
      ws.once('error', resolve);
      ws.once('open', () => reject(new Error('the WebSocket opened')));
    });
    await new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve();
      else ws.once('close', () => resolve());
    });
    return { error, ws };
  }

  test('a proxy refusing the credentials is an error the forwarder reports (and retries)', async () => {
    const { error, ws } = await failedOpen({
      proxy: `http://plant:wrong@127.0.0.1:${proxy.port}`,
      ca: cert.cert,
    });
    expect(error.message).toMatch(/407/);
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });

  test('an untrusted certificate behind the proxy is refused (no silent TLS downgrade)', async () => {
    const { error } = await failedOpen({ proxy: `http://plant:s3cret@127.0.0.1:${proxy.port}` });
    expect(error.message).toMatch(/self-signed|certificate/i);
  });
});
