/**
 * The done-when test of the forwarder: 10,000 mixed syslog messages (CEF, LEEF, text, object, from the format
 * fixtures, each made unique; 1 in 20 invalid) over UDP, TCP (octet counting and newline framing) and TLS, while
 * the Event Hub is stopped and restarted mid-way. Every valid message reaches the hub at least once (distinct
 * valid bodies received == valid messages sent; duplicates only as counted re-sends), every invalid one is
 * counted and none is forwarded.
 *
 * It is sent in three phases over persistent connections: hub up → hub stopped → hub started again. The
 * forwarder runs in this process; UDP is paced in bursts of 16 datagrams per event-loop turn, so the forwarder
 * reads each burst before the next and the kernel's receive buffer never overflows (UDP on loopback does drop
 * under unpaced bursts; a sensor's forwarding rule sends one alert at a time).
 */
import { type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { expect, test } from 'vitest';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { startFakeEventHub } from '../../helpers/fakeEventHub.js';
import {
  bodyCounts,
  countThroughPipeline,
  type Framing,
  forwarderSuite,
  frame,
  invalidMessage,
  sendStream,
  sendUdp,
  startTestForwarder,
  syslogTemplates,
  tempDir,
  uniqueMessage,
  waitFor,
} from '../../helpers/forwarder.js';

const suite = forwarderSuite({ per: 'file', cert: true });

interface Stream {
  write(messages: string[]): Promise<void>;
  close(): Promise<void>;
}

async function openStream(port: number, framing: Framing, tls?: { ca: string }): Promise<Stream> {
  const socket: Socket = tls
    ? tlsConnect({ host: '127.0.0.1', port, ca: tls.ca, servername: 'localhost' })
    : tcpConnect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  return {
    async write(messages) {
      const data = frame(messages, framing);
      for (let i = 0; i < data.length; i += 16 * 1024)
        if (!socket.write(data.subarray(i, i + 16 * 1024)))
          await new Promise<void>((r) => socket.once('drain', () => r()));
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
      }),
  };
}

test('10,000 mixed syslog messages over UDP, TCP and TLS through an Event Hubs outage: every valid one arrives, every invalid one is reported', async () => {
  const started = performance.now();
  const templates = syslogTemplates();
  const { cert, hub } = suite;
  const f = await suite.forwarder({ tls: { host: '127.0.0.1', port: 0, cert: cert.cert, key: cert.key } });
  const transports = ['udp', 'tcp-octet', 'tcp-newline', 'tls-octet', 'tls-newline'] as const;
  type Lane = (typeof transports)[number];
  const TOTAL = 10_000;
  const messages: { text: string; lane: Lane; valid: boolean }[] = [];
  for (let i = 0; i < TOTAL; i++) {
    const valid = i % 20 !== 7;
    messages.push({
      text: valid ? uniqueMessage(templates, i) : invalidMessage(i),
      lane: transports[i % transports.length]!,
      valid,
    });
  }
  // Preconditions: the fixtures-based messages are what we say they are.
  for (const m of messages.slice(0, 200)) expect(parseRecord(m.text).ok).toBe(m.valid);
  const valid = messages.filter((m) => m.valid).map((m) => m.text);
  const invalid = messages.filter((m) => !m.valid).map((m) => m.text);
  expect(new Set(valid).size).toBe(valid.length);

  const ca = { ca: cert.cert };
  const streams: Record<Exclude<Lane, 'udp'>, Stream> = {
    'tcp-octet': await openStream(f.addresses.tcp!.port, 'octet'),
    'tcp-newline': await openStream(f.addresses.tcp!.port, 'newline'),
    'tls-octet': await openStream(f.addresses.tls!.port, 'octet', ca),
    'tls-newline': await openStream(f.addresses.tls!.port, 'newline', ca),
  };
  const received = () => f.counters.received.udp + f.counters.received.tcp + f.counters.received.tls;
  const sendPhase = async (from: number, to: number) => {
    const phase = messages.slice(from, to);
    const byLane = (lane: Lane) => phase.filter((m) => m.lane === lane).map((m) => m.text);
    await Promise.all([
      sendUdp(f.addresses.udp!.port, byLane('udp')),
      ...Object.entries(streams).map(([lane, s]) => s.write(byLane(lane as Lane))),
    ]);
    await waitFor(`phase ${from}–${to} received`, () => received() >= to, 30_000);
  };

  await sendPhase(0, 3400); // hub up
  await hub.stop(); // outage, while the forwarder is still publishing phase 1
  const outageAt = performance.now();
  await sendPhase(3400, 6700); // hub down: everything goes to the spool
  // Keep the hub down through several retries of the forwarder's backoff.
  await waitFor('three failed sends', () => f.counters.sendFailures >= 3);
  const backlogAtRestart = f.snapshot().spool.backlog;
  const restartAt = performance.now();
  await hub.start();
  await sendPhase(6700, TOTAL); // hub back, while the spool drains
  for (const s of Object.values(streams)) await s.close();
  expect(await f.idle(40_000)).toBe(true);
  const drainedAt = performance.now();

  // Every message was received: UDP included (paced), per transport.
  expect(f.counters.received.udp).toBe(messages.filter((m) => m.lane === 'udp').length);
  expect(f.counters.received.tcp).toBe(messages.filter((m) => m.lane.startsWith('tcp')).length);
  expect(f.counters.received.tls).toBe(messages.filter((m) => m.lane.startsWith('tls')).length);
  // Every invalid one is reported (counted per transport and reason), none is forwarded.
  const snap = f.snapshot();
  expect(snap.invalid.total).toBe(invalid.length);
  expect(snap.invalid.udp).toBe(messages.filter((m) => !m.valid && m.lane === 'udp').length);
  expect(Object.values(snap.invalidReasons).reduce((a, b) => a + b, 0)).toBe(invalid.length);
  expect(f.logs.lines.some((l) => l.msg.startsWith('invalid message'))).toBe(true);
  const counts = bodyCounts(hub);
  for (const m of invalid) expect(counts.has(m)).toBe(false);
  // Every valid one arrived, at least once; duplicates only as counted re-sends.
  expect(counts.size).toBe(valid.length);
  for (const m of valid) expect(counts.get(m) ?? 0).toBeGreaterThanOrEqual(1);
  const duplicates = hub.events().length - counts.size;
  expect(duplicates).toBeLessThanOrEqual(f.counters.resent);
  expect(f.counters.spooled).toBe(valid.length);
  expect(f.counters.refused).toBe(0);
  expect(f.counters.sendFailures).toBeGreaterThanOrEqual(3);
  expect(backlogAtRestart).toBeGreaterThan(0);
  // One zone, one partition.
  const partitionOf = new Map<string, string>();
  for (const e of hub.events()) {
    const p = partitionOf.get(e.partitionKey!);
    if (p !== undefined) expect(e.partition).toBe(p);
    partitionOf.set(e.partitionKey!, e.partition);
  }
  // Through the pipeline: every valid message is one alert, counted once however often it was sent.
  expect(await countThroughPipeline(hub)).toEqual({
    alerts: valid.length,
    repeats: duplicates,
    deadLettered: 0,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    [
      `done-when: ${TOTAL} messages (${valid.length} valid, ${invalid.length} invalid) in ${seconds.toFixed(1)} s`,
      `outage ${((restartAt - outageAt) / 1000).toFixed(1)} s with ${backlogAtRestart} events spooled; drained ${((drainedAt - restartAt) / 1000).toFixed(1)} s after the hub came back (while phase 3 was still arriving)`,
      `hub received ${hub.events().length} events, ${duplicates} duplicates (resent counter ${f.counters.resent}), ${f.counters.sendFailures} failed sends, ${hub.stats.connections} AMQP connections`,
    ].join('\n'),
  );
  expect(seconds).toBeLessThan(60);
}, 90_000);

test('throughput: messages per second through the forwarder (TCP, hub up), and spool drain rate', async () => {
  const templates = syslogTemplates();
  const local = await tempDir();
  const h = await startFakeEventHub({ partitions: 4 });
  const f = await startTestForwarder(h, local.dir, { tcp: { host: '127.0.0.1', port: 0 } });
  try {
    const N = 10_000;
    const messages = Array.from({ length: N }, (_, i) => uniqueMessage(templates, 100_000 + i));
    const t0 = performance.now();
    await sendStream(f.addresses.tcp!.port, messages, 'octet');
    expect(await f.idle(30_000)).toBe(true);
    const live = N / ((performance.now() - t0) / 1000);

    await h.stop();
    const spooledMessages = Array.from({ length: N }, (_, i) => uniqueMessage(templates, 200_000 + i));
    const t1 = performance.now();
    await sendStream(f.addresses.tcp!.port, spooledMessages, 'octet');
    await waitFor('spooled', () => f.counters.spooled === 2 * N);
    const intake = N / ((performance.now() - t1) / 1000);
    await waitFor('a failed send', () => f.counters.sendFailures > 0);
    const t2 = performance.now();
    await h.start();
    expect(await f.idle(30_000)).toBe(true);
    const drainSeconds = (performance.now() - t2) / 1000;
    expect(bodyCounts(h).size).toBe(2 * N);
    console.log(
      `throughput: ${Math.round(live)} msg/s received→published (hub up); ${Math.round(intake)} msg/s received→spooled (hub down); ${N} spooled events drained in ${drainSeconds.toFixed(2)} s after the hub came back (${Math.round(N / drainSeconds)} ev/s, incl. reconnect backoff)`,
    );
    expect(live).toBeGreaterThan(500);
  } finally {
    await f.stop(2000);
    await h.close();
    await local.cleanup();
  }
}, 90_000);
