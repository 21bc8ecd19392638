/**
 * Shared pieces of the forwarder tests (test/cli/forward, test/security, test/reliability/edges): syslog
 * messages built from the format fixtures (each made unique), invalid ones, senders for UDP / TCP / TLS and the
 * webhook, a forwarder wired to the fake Event Hub with short retries, the suite fixture that starts the hub and
 * stops what a test started, and `ot-soc send` run in process.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { EventHubProducerClient } from '@azure/event-hubs';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import type { forwarderOptions } from '../../cli/commands/forward.js';
import { registerSend } from '../../cli/commands/send.js';
import { producerOptions } from '../../cli/forward/eventHubs.js';
import { type Forwarder, type ForwarderOptions, startForwarder } from '../../cli/forward/forwarder.js';
import { memoryLogger } from '../../cli/forward/log.js';
import { DEFAULT_WEBHOOK_HEADER, type WebhookOptions } from '../../cli/forward/webhook.js';
import { MemoryGroupStore } from '../../pipeline/dedup/memoryGroupStore.js';
import { flushGroups, processBatch } from '../../pipeline/pipeline.js';
import { groupBy } from '../../pipeline/util/groupBy.js';
import { clockedPipeline } from './clockedPipeline.js';
import { type FakeEventHub, startFakeEventHub } from './fakeEventHub.js';
import { generateSelfSignedCert, type SelfSignedCert } from './fakeLogsIngestion.js';

export const SENSORS = {
  'plant-a-sensor-01': { site: 'Plant A', zone: 'Packaging' },
  'plant-b-sensor-02': { site: 'Plant B', zone: 'Utilities' },
  'plant-c-sensor-03': { site: 'Plant C', zone: 'Brewhouse' },
  'plant-d-sensor-05': { site: 'Plant D', zone: 'Filling' },
};

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'formats');
const MARKERS = ['msg=', 'Message: ', 'Alert message: ', 'Alert message=', '"Alert message":"'];

/** Valid syslog lines of the fixtures (CEF, LEEF, text, object), an octet-count prefix removed. */
export function syslogTemplates(): string[] {
  const out: string[] = [];
  for (const f of ['cef.log', 'leef.log', 'syslog-text.log', 'syslog-object.log']) {
    for (const line of readFileSync(join(FIXTURES, f), 'utf8').split('\n')) {
      const l = line.replace(/\r$/, '').replace(/^\d+ (?=<)/, '');
      if (l.trim()) out.push(l);
    }
  }
  return out;
}

/**
 * Template `i mod n`, made a unique alert: `m<id>` at the start of its message field, and `-m<id>` after its
 * UUID where it has one (a template's UUID would make every message of it one alert: docs/identity.md).
 */
export function uniqueMessage(templates: string[], id: number): string {
  const t = templates[id % templates.length]!.replace(/(UUID(?:=|: ))([^\s,;|]+)/, `$1$2-m${id}`);
  for (const m of MARKERS) {
    const at = t.indexOf(m);
    if (at >= 0) return `${t.slice(0, at + m.length)}m${id} ${t.slice(at + m.length)}`;
  }
  throw new Error(`no message field in template ${t.slice(0, 60)}`);
}

/** Messages no parser accepts (each unique). */
export function invalidMessage(id: number): string {
  switch (id % 4) {
    case 0:
      return `{"broken": ${id}`;
    case 1:
      return `[2026-01-05 10:00:00] plain application log line ${id}`;
    case 2:
      return `<9>Jan  5 10:12:00 plant-a-sensor-01 CEF:0|Microsoft Defender for IoT/CyberX|plant-a-sensor-01|${id}`;
    default:
      return `<13>Jan  5 10:12:00 host kernel: link ${id} up`;
  }
}

export async function tempDir(prefix = 'ot-soc-fwd-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeConfig(dir: string): Promise<string> {
  const file = join(dir, 'ot-soc.config.json');
  await writeFile(file, JSON.stringify({ enrichment: { sensors: SENSORS } }));
  return file;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const immediate = () => new Promise((r) => setImmediate(r));

/**
 * UDP datagrams, paced: `burst` at a time, then a turn of the event loop (the forwarder runs in this process,
 * so it reads them before the next burst: the kernel buffer never overflows and nothing is lost on loopback).
 */
export async function sendUdp(port: number, messages: (string | Buffer)[], burst = 16): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (let i = 0; i < messages.length; i += burst) {
      await Promise.all(
        messages
          .slice(i, i + burst)
          .map(
            (m) =>
              new Promise<void>((resolve, reject) =>
                socket.send(Buffer.isBuffer(m) ? m : Buffer.from(m, 'utf8'), port, '127.0.0.1', (e) =>
                  e ? reject(e) : resolve(),
                ),
              ),
          ),
      );
      await immediate();
    }
  } finally {
    await new Promise<void>((r) => socket.close(() => r()));
  }
}

export type Framing = 'octet' | 'newline';

export function frame(messages: string[], framing: Framing): Buffer {
  return Buffer.from(
    messages.map((m) => (framing === 'octet' ? `${Buffer.byteLength(m, 'utf8')} ${m}` : `${m}\n`)).join(''),
    'utf8',
  );
}

/** One TCP (or TLS, with `ca`) connection carrying `messages`, written in chunks of `chunkBytes`; resolves when closed. */
export async function sendStream(
  port: number,
  messages: string[],
  framing: Framing,
  tls?: { ca: string },
  chunkBytes = 16 * 1024,
): Promise<void> {
  const socket = tls
    ? tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: 'localhost' })
    : tcpConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  const data = frame(messages, framing);
  for (let i = 0; i < data.length; i += chunkBytes) {
    if (!socket.write(data.subarray(i, i + chunkBytes)))
      await new Promise<void>((r) => socket.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('close', () => resolve());
    socket.once('error', reject);
    socket.end();
  });
}

/** A real producer to the fake hub with short timeouts (an outage is noticed in about a second). */
export function testProducer(hub: FakeEventHub): EventHubProducerClient {
  return new EventHubProducerClient(
    hub.connectionString,
    producerOptions({
      retry: { maxRetries: 1, retryDelayInMs: 100, maxRetryDelayInMs: 200, timeoutInMs: 2000 },
    }),
  );
}

export type TestForwarder = Forwarder & { logs: ReturnType<typeof memoryLogger> };

export async function startTestForwarder(
  hub: FakeEventHub,
  spoolDir: string,
  extra: Partial<ForwarderOptions> = {},
): Promise<TestForwarder> {
  const logs = memoryLogger();
  const f = await startForwarder({
    producer: testProducer(hub),
    sensors: SENSORS,
    spool: { dir: spoolDir, maxBytes: 256 * 1024 * 1024 },
    retry: { initialMs: 100, maxMs: 500 },
    log: logs,
    ...extra,
  });
  return Object.assign(f, { logs });
}

/** Bodies received by the hub (strings), and how many times each. */
export function bodyCounts(hub: FakeEventHub): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of hub.events()) {
    const b = String(e.body);
    m.set(b, (m.get(b) ?? 0) + 1);
  }
  return m;
}

/**
 * The hub's events through the pipeline (the ingest Function's processBatch, a memory store) as its partitions
 * deliver them, in batches of 100, then a final flush: the alerts counted (sum of latest Counts), the records
 * recognised as repeats of an alert already counted, and the dead letters.
 */
export async function countThroughPipeline(
  hub: FakeEventHub,
): Promise<{ alerts: number; repeats: number; deadLettered: number }> {
  const { sink, deps } = clockedPipeline(new MemoryGroupStore(), { now: Date.now() });
  let repeats = 0;
  let deadLettered = 0;
  for (const [partition, events] of groupBy(hub.events(), (e) => e.partition))
    for (let i = 0; i < events.length; i += 100) {
      const batch = events.slice(i, i + 100);
      const stats = await processBatch(
        batch.map((e) => String(e.body)),
        { partition, sequenceNumbers: batch.map((_, j) => i + j) },
        deps,
      );
      repeats += stats.repeats;
      deadLettered += stats.deadLettered;
    }
  await flushGroups(deps, { all: true });
  return { alerts: sink.totalCount(), repeats, deadLettered };
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const LOOPBACK = { host: '127.0.0.1', port: 0 } as const;

export interface ForwarderSuite {
  readonly hub: FakeEventHub;
  /** The suite's temporary directory (removed after). */
  readonly dir: string;
  /** `dir/spool`: the default spool of `forwarder()`. */
  readonly spool: string;
  /** With `cert: true`: a self-signed certificate for localhost (TLS listener, webhook). */
  readonly cert: SelfSignedCert;
  /**
   * A forwarder on the suite's hub and spool with UDP, TCP and /healthz on loopback (any free port), then
   * `extra`; stopped after the test (or the file, with `per: 'file'`).
   */
  forwarder(this: void, extra?: Partial<ForwarderOptions>): Promise<TestForwarder>;
}

/**
 * The setup every forwarder test file repeated: a fake Event Hub and a temporary directory per test (or per file),
 * optionally a certificate, and the forwarders started through the suite stopped before the hub closes.
 * Call it at the top level of a test file; read `hub`/`dir` inside hooks and tests.
 */
export function forwarderSuite(
  o: {
    per?: 'test' | 'file';
    partitions?: number;
    tmpPrefix?: string;
    cert?: boolean;
    /** An environment variable set to the hub's connection string (for `--connection-string-env`). */
    connectionStringEnv?: string;
  } = {},
): ForwarderSuite {
  let hub: FakeEventHub | undefined;
  let tmp: { dir: string; cleanup(): Promise<void> } | undefined;
  let cert: SelfSignedCert | undefined;
  const running: TestForwarder[] = [];
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`forwarderSuite: ${what} is only there inside hooks and tests`);
    return v;
  };
  const spool = () => join(ready(tmp, 'the directory').dir, 'spool');
  const perFile = o.per === 'file';
  if (o.cert) {
    beforeAll(async () => {
      cert = await generateSelfSignedCert();
    });
    afterAll(async () => {
      await cert?.cleanup();
    });
  }
  (perFile ? beforeAll : beforeEach)(async () => {
    hub = await startFakeEventHub({ partitions: o.partitions ?? 4 });
    tmp = await tempDir(o.tmpPrefix);
    if (o.connectionStringEnv) process.env[o.connectionStringEnv] = hub.connectionString;
  });
  (perFile ? afterAll : afterEach)(async () => {
    if (o.connectionStringEnv) delete process.env[o.connectionStringEnv];
    for (const f of running.splice(0)) await f.stop(1000);
    await hub?.close();
    await tmp?.cleanup();
  });
  return {
    get hub() {
      return ready(hub, 'the hub');
    },
    get dir() {
      return ready(tmp, 'the directory').dir;
    },
    get spool() {
      return spool();
    },
    get cert() {
      return ready(cert, 'the certificate (cert: true)');
    },
    async forwarder(extra = {}) {
      const f = await startTestForwarder(ready(hub, 'the hub'), spool(), {
        udp: LOOPBACK,
        tcp: LOOPBACK,
        health: LOOPBACK,
        ...extra,
      });
      running.push(f);
      return f;
    },
  };
}

/** The webhook listener on loopback (any free port) with the test certificate. */
export function webhookOn(
  cert: { cert: string; key: string },
  o: Omit<WebhookOptions, 'cert' | 'key'>,
): NonNullable<ForwarderOptions['webhook']> {
  return { ...LOOPBACK, cert: cert.cert, key: cert.key, ...o };
}

type ForwardFlags = Parameters<typeof forwarderOptions>[0];

/** `ot-soc forward`'s flags as commander hands them over (its defaults, small sizes), then `extra`. */
export function forwardFlags(
  spool: string,
  connectionStringEnv: string,
  extra: Partial<ForwardFlags> = {},
): ForwardFlags {
  return {
    spool,
    spoolMaxBytes: 1024 * 1024,
    maxMessageBytes: 65536,
    drainTimeout: 5,
    retryMax: 1,
    webhookHeader: DEFAULT_WEBHOOK_HEADER,
    webhookMaxBytes: 262144,
    health: false,
    logFormat: 'text',
    logLevel: 'info',
    connectionStringEnv,
    idleTimeout: 300,
    maxConnections: 1000,
    maxConnectionsPerPeer: 64,
    udpReceiveBuffer: 8 * 1024 * 1024,
    deadLetterMaxBytes: 256 * 1024 * 1024,
    ...extra,
  };
}

export interface WebhookPost {
  headers?: Record<string, string>;
  /** Stream the body in chunks of this many bytes, without a Content-Length. */
  chunked?: number;
  /** Declare this Content-Length and send the body without ending the request (the server must not wait). */
  declaredLength?: number;
  method?: string;
  path?: string;
  /** A client certificate (mTLS). */
  clientCert?: { cert: string; key: string };
  /** The shared secret, in the default header. */
  secret?: string;
}

/** One HTTPS request to the forwarder's webhook, trusting the test certificate; the reply as text. */
export function postWebhook(
  port: number,
  ca: string,
  body: string | Buffer,
  o: WebhookPost = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: o.path ?? '/alerts',
        method: o.method ?? 'POST',
        ca,
        servername: 'localhost',
        ...(o.clientCert ? { cert: o.clientCert.cert, key: o.clientCert.key } : {}),
        headers: {
          'Content-Type': 'application/json',
          ...(o.chunked ? {} : { 'Content-Length': String(o.declaredLength ?? Buffer.byteLength(body)) }),
          ...(o.secret !== undefined ? { [DEFAULT_WEBHOOK_HEADER]: o.secret } : {}),
          ...o.headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    if (o.declaredLength !== undefined) req.write(body);
    else if (o.chunked) {
      const b = Buffer.from(body);
      for (let i = 0; i < b.length; i += o.chunked) req.write(b.subarray(i, i + o.chunked));
      req.end();
    } else req.end(body);
  });
}

/** A GET on loopback (the forwarder's /healthz, /readyz): status and parsed JSON body. */
export function getJson(port: number, path = '/healthz'): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    })
      .on('error', reject)
      .end();
  });
}

/** `ot-soc send …` in process (no progress bar): what it printed, and the exit code it set (then cleared). */
export async function runSend(args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((s: unknown) => {
    out.push(String(s));
  });
  try {
    const program = new Command().exitOverride();
    registerSend(program);
    await program.parseAsync(['node', 'ot-soc', 'send', '--no-progress', ...args]);
  } finally {
    log.mockRestore();
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  process.exitCode = undefined;
  return { out: out.join('\n'), exitCode };
}
