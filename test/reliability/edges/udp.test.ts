/**
 * Edge suite, part 3: UDP says what it lost. A burst of 30,000 datagrams handed to the kernel while the forwarder
 * (same process) reads none: what the receive buffer cannot hold the kernel drops, and the forwarder now reads
 * the kernel's drop counter for its socket (/proc/net/udp) onto /healthz and into the log. Reconciled exactly:
 * datagrams sent = received + dropped by the kernel. Loopback only; the figures are for the docs.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { dropsFromTable } from '../../../cli/forward/udpDrops.js';
import {
  forwarderSuite,
  syslogTemplates,
  type TestForwarder,
  uniqueMessage,
} from '../../helpers/forwarder.js';
import { figures, getHealth, printFigures, sleep, udpBurst, udpFrom } from './harness.js';

const templates = syslogTemplates();
const BURST = 30_000;
const suite = forwarderSuite({ tmpPrefix: 'ot-soc-edges-' });

afterAll(() => printFigures());

/** Sends `messages` as one burst and waits until the forwarder has read what the kernel kept. */
async function burstInto(f: TestForwarder, messages: string[]) {
  const { sent, seconds } = await udpBurst(f.addresses.udp!.port, messages);
  let drops = 0;
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
    await f.readUdpDrops();
    drops = f.counters.udp.kernelDrops ?? 0;
    if (f.counters.received.udp + drops >= sent) break;
  }
  return { sent, seconds, received: f.counters.received.udp, drops };
}

const linux = existsSync('/proc/net/udp');

describe('edges: UDP says what it lost', () => {
  test('the drops column of /proc/net/udp is read for the socket bound to the port', () => {
    const table = [
      '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
      '  1: 0100007F:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4242 2 0000000000000000 17',
      '  2: 00000000:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 4243 2 0000000000000000 5',
    ].join('\n');
    expect(dropsFromTable(table, '127.0.0.1', 514)).toBe(17);
    expect(dropsFromTable(table, '127.0.0.1', 515)).toBeNull();
  });

  test.runIf(linux)(
    `a burst of ${BURST.toLocaleString('en')} datagrams into a small receive buffer: every one received or counted as dropped by the kernel`,
    async () => {
      const f = await suite.forwarder({ udpReceiveBufferBytes: 256 * 1024 });
      const messages = Array.from({ length: BURST }, (_, i) => uniqueMessage(templates, 100_000 + i));
      const r = await burstInto(f, messages);
      const seen = JSON.stringify(r);
      expect(r.drops, seen).toBeGreaterThan(0);
      expect(r.received + r.drops, seen).toBe(r.sent);
      expect(await f.idle(30_000)).toBe(true);
      expect(suite.hub.events().length, seen).toBe(r.received);
      const health = await getHealth(f.addresses.health!.port);
      expect((health.losses as Record<string, number>).udpKernelDrops, seen).toBe(r.drops);
      expect((health.udp as { receiveBufferBytes: number }).receiveBufferBytes).toBeGreaterThan(0);
      expect(f.logs.lines.some((l) => /dropped by the kernel/.test(l.msg))).toBe(true);
      figures.push({
        case: `UDP burst, ${BURST.toLocaleString('en')} datagrams in ${r.seconds.toFixed(2)} s, receive buffer asked 256 KiB (granted ${(f.counters.udp.receiveBufferBytes / 1024).toFixed(0)} KiB)`,
        sent: r.sent,
        forwarded: suite.hub.events().length,
        deadLettered: 0,
        refusedCounted: r.drops,
        lost: r.sent - r.received - r.drops,
        note: `${((100 * r.drops) / r.sent).toFixed(1)} % dropped by the kernel, counted on /healthz (losses.udpKernelDrops) and logged`,
      });
    },
  );

  test.runIf(linux)('the same burst with the default 8 MiB buffer, and paced', async () => {
    const f = await suite.forwarder();
    const messages = Array.from({ length: BURST }, (_, i) => uniqueMessage(templates, 200_000 + i));
    const r = await burstInto(f, messages);
    expect(r.received + r.drops, JSON.stringify(r)).toBe(r.sent);
    expect(await f.idle(30_000)).toBe(true);
    figures.push({
      case: `UDP burst, ${BURST.toLocaleString('en')} datagrams in ${r.seconds.toFixed(2)} s, default buffer (granted ${(f.counters.udp.receiveBufferBytes / 1024 / 1024).toFixed(0)} MiB)`,
      sent: r.sent,
      forwarded: suite.hub.events().length,
      deadLettered: 0,
      refusedCounted: r.drops,
      lost: r.sent - r.received - r.drops,
      note: `${((100 * r.drops) / r.sent).toFixed(1)} % dropped by the kernel (counted)`,
    });

    const paced = Array.from({ length: 5000 }, (_, i) => uniqueMessage(templates, 300_000 + i));
    const before = { received: f.counters.received.udp, drops: f.counters.udp.kernelDrops ?? 0 };
    const t0 = performance.now();
    await udpFrom(f.addresses.udp!.port, '127.0.0.1', paced);
    const seconds = (performance.now() - t0) / 1000;
    expect(await f.idle(30_000)).toBe(true);
    await f.readUdpDrops();
    const drops = (f.counters.udp.kernelDrops ?? 0) - before.drops;
    expect(f.counters.received.udp - before.received + drops).toBe(paced.length);
    expect(drops).toBe(0);
    figures.push({
      case: `UDP paced: 5,000 datagrams at ${Math.round(paced.length / seconds).toLocaleString('en')}/s`,
      sent: paced.length,
      forwarded: f.counters.received.udp - before.received,
      deadLettered: 0,
      refusedCounted: drops,
      lost: 0,
      note: 'nothing dropped',
    });
  });
});
