/**
 * Shared pieces of the forwarder tests: syslog messages built from the format fixtures (each made unique),
 * invalid ones, senders for UDP / TCP / TLS, and a forwarder wired to the fake Event Hub with short retries.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { EventHubProducerClient } from '@azure/event-hubs';
import { producerOptions } from '../../../cli/forward/eventHubs.js';
import { type Forwarder, type ForwarderOptions, startForwarder } from '../../../cli/forward/forwarder.js';
import { memoryLogger } from '../../../cli/forward/log.js';
import type { FakeEventHub } from '../../helpers/fakeEventHub.js';

export const SENSORS = {
  'plant-a-sensor-01': { site: 'Plant A', zone: 'Packaging' },
  'plant-b-sensor-02': { site: 'Plant B', zone: 'Utilities' },
  'plant-c-sensor-03': { site: 'Plant C', zone: 'Brewhouse' },
  'plant-d-sensor-05': { site: 'Plant D', zone: 'Filling' },
};

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'formats');
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

/** Template `i mod n`, made unique by `m<id>` at the start of its message field. */
export function uniqueMessage(templates: string[], id: number): string {
  const t = templates[id % templates.length]!;
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
export async function sendUdp(port: number, messages: string[], burst = 16): Promise<void> {
  const socket = createSocket('udp4');
  try {
    for (let i = 0; i < messages.length; i += burst) {
      await Promise.all(
        messages
          .slice(i, i + burst)
          .map(
            (m) =>
              new Promise<void>((resolve, reject) =>
                socket.send(Buffer.from(m, 'utf8'), port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
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

export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
