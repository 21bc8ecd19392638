/**
 * Edge suite, part 2: connection limits that cannot lock a sensor out. 1,000 idle connections (the old hard cap)
 * from 20 addresses, one address holding 100, idle connections, and peers not on the allow-list: a sensor's
 * alerts still arrive, and every connection closed or refused is counted and logged.
 */

import type { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { forwarderOptions } from '../../../cli/commands/forward.js';
import { AllowList, DEFAULT_IDLE_TIMEOUT_MS } from '../../../cli/forward/connections.js';
import {
  forwarderSuite,
  forwardFlags,
  syslogTemplates,
  type TestForwarder,
  uniqueMessage,
  waitFor,
} from '../../helpers/forwarder.js';
import {
  figures,
  getHealth,
  openFrom,
  printFigures,
  readDeadLetters,
  reconcile,
  sleep,
  udpFrom,
  writeAndEnd,
} from './harness.js';

const templates = syslogTemplates();
const suite = forwarderSuite({ tmpPrefix: 'ot-soc-edges-' });
const forwarder = suite.forwarder;
const open: Socket[] = [];

afterAll(() => printFigures());
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});

/** `n` idle connections from `addresses` (round robin), opened 50 at a time. */
async function idleConnections(port: number, n: number, addresses: string[]): Promise<void> {
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, (_, j) =>
      openFrom(port, addresses[(i + j) % addresses.length]!),
    );
    open.push(...(await Promise.all(batch)));
  }
}

const logged = (f: TestForwarder, re: RegExp) => f.logs.lines.filter((l) => re.test(l.msg)).length;

describe('edges: connection limits cannot lock sensors out', () => {
  test('1,000 idle connections from 20 addresses: a sensor connecting next still delivers (the least recently active connection makes room)', async () => {
    const f = await forwarder();
    const port = f.addresses.tcp!.port;
    const attackers = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);
    await idleConnections(port, 1000, attackers);
    await waitFor('1,000 connections', () => f.counters.connections.tcp === 1000);

    const alerts = Array.from({ length: 20 }, (_, i) => uniqueMessage(templates, 7000 + i));
    for (let i = 0; i < 4; i++)
      await writeAndEnd(await openFrom(port, '127.0.0.31'), alerts.slice(i * 5, i * 5 + 5));
    expect(await f.idle(10_000)).toBe(true);
    const r = reconcile(alerts, suite.hub, await readDeadLetters(join(suite.spool, 'deadletter.ndjson')));
    expect(r.lost).toEqual([]);
    expect(r.forwarded).toBe(20);
    // The first sensor connection made room; it closed after sending, so the next ones fit.
    expect(f.counters.evictedConnections.globalCap).toBe(1);
    expect(logged(f, /connection closed: 1000 connections open/)).toBe(1);
    const health = await getHealth(f.addresses.health!.port);
    expect((health.losses as Record<string, number>).connectionsEvicted).toBe(1);
    figures.push({
      case: '1,000 idle connections (20 addresses), then a sensor',
      sent: alerts.length,
      forwarded: r.forwarded,
      deadLettered: 0,
      refusedCounted: 0,
      lost: r.lost.length,
      note: `${f.counters.evictedConnections.globalCap} idle connection closed to make room, counted and logged (before: the sensor's connection was closed, its alerts lost without a trace)`,
    });
  });

  test('one address opening 100 connections keeps 64 (its own least recently active make room); its alerts still arrive', async () => {
    const f = await forwarder();
    const port = f.addresses.tcp!.port;
    await idleConnections(port, 100, ['127.0.2.1']);
    await waitFor('the per-peer cap', () => f.counters.evictedConnections.peerCap === 36);
    await sleep(100);
    const alerts = Array.from({ length: 5 }, (_, i) => uniqueMessage(templates, 7100 + i));
    await writeAndEnd(await openFrom(port, '127.0.2.1'), alerts);
    expect(await f.idle(10_000)).toBe(true);
    expect(reconcile(alerts, suite.hub, []).lost).toEqual([]);
    expect(f.counters.evictedConnections.peerCap).toBe(37);
    await waitFor('closed sockets', () => f.counters.connections.tcp <= 64, 5000);
    figures.push({
      case: 'one address opens 100 connections, then sends',
      sent: alerts.length,
      forwarded: 5,
      deadLettered: 0,
      refusedCounted: 0,
      lost: 0,
      note: `37 of its own connections closed (per-peer cap 64)`,
    });
  });

  test('idle connections are closed by default (5 min); a sensor reconnects and nothing is lost', async () => {
    expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(300_000);
    const cli = await forwarderOptions(
      forwardFlags(join(suite.dir, 'cli-spool'), 'OTSOC_EDGES_UNUSED', {
        tcp: { host: '127.0.0.1', port: 0 },
        deadLetterMaxBytes: 1024 * 1024,
      }),
    ).catch((e: unknown) => e);
    expect(String(cli)).toMatch(/OTSOC_EDGES_UNUSED/); // options parsed up to the connection
    const f = await forwarder({ limits: { idleTimeoutMs: 300 } });
    const s = await openFrom(f.addresses.tcp!.port, '127.0.0.32');
    const first = uniqueMessage(templates, 7200);
    s.write(`${first}\n`);
    await waitFor('the idle timeout', () => f.counters.evictedConnections.idle === 1, 5000);
    const again = uniqueMessage(templates, 7201);
    await writeAndEnd(await openFrom(f.addresses.tcp!.port, '127.0.0.32'), [again]);
    expect(await f.idle(10_000)).toBe(true);
    expect(reconcile([first, again], suite.hub, []).lost).toEqual([]);
    expect(logged(f, /connection closed: idle/)).toBe(1);
  });

  test('allow-list: other addresses are refused over TCP and UDP, counted and logged; sensors on it deliver', async () => {
    const f = await forwarder({ allow: new AllowList(['127.0.0.40', '127.0.3.0/24']) });
    const port = f.addresses.tcp!.port;
    const ok = Array.from({ length: 10 }, (_, i) => uniqueMessage(templates, 7300 + i));
    const other = Array.from({ length: 10 }, (_, i) => uniqueMessage(templates, 7400 + i));
    await writeAndEnd(await openFrom(port, '127.0.0.40'), ok.slice(0, 5));
    await udpFrom(f.addresses.udp!.port, '127.0.3.9', ok.slice(5));
    for (let i = 0; i < 5; i++)
      await openFrom(port, '127.0.0.41').then(
        (s) => writeAndEnd(s, [other[i]!]),
        () => {},
      );
    await udpFrom(f.addresses.udp!.port, '127.0.0.41', other.slice(5));
    await waitFor('refusals', () => f.counters.refusedConnections.udpNotAllowed === 5);
    expect(await f.idle(10_000)).toBe(true);
    const r = reconcile(ok, suite.hub, []);
    expect(r.lost).toEqual([]);
    expect(reconcile(other, suite.hub, []).forwarded).toBe(0);
    expect(f.counters.refusedConnections).toEqual({ notAllowed: 5, udpNotAllowed: 5 });
    expect(logged(f, /refused: (peer|sender) not on the allow-list/)).toBe(10);
    expect(() => new AllowList(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    figures.push({
      case: 'allow-list: 10 alerts from sensors on it, 10 from an address not on it',
      sent: ok.length + other.length,
      forwarded: r.forwarded,
      deadLettered: 0,
      refusedCounted: 10,
      lost: 0,
      note: '5 TCP connections and 5 datagrams refused, counted and logged',
    });
  });
});
