/**
 * The edge suite's shared pieces: a forwarder on loopback against the fake Event Hub, senders bound to chosen
 * loopback source addresses (127.0.x.y: other "sensors" without leaving the host), the site's dead letters read
 * back, and the reconciliation every case ends with: sent = forwarded + dead-lettered at the site +
 * refused-and-counted, lost = 0. Each case adds a row to the figures printed at the end.
 */
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { rawBytes, type SiteDeadLetter } from '../../../cli/forward/deadLetters.js';
import type { FakeEventHub } from '../../helpers/fakeEventHub.js';
import { getJson } from '../../helpers/forwarder.js';

export interface Figures {
  case: string;
  sent: number;
  forwarded: number;
  deadLettered: number;
  refusedCounted: number;
  lost: number;
  note: string;
}

export const figures: Figures[] = [];

export function printFigures(): void {
  if (figures.length === 0) return;
  const head = '| case | sent | forwarded | dead-lettered at the site | refused and counted | lost | note |';
  const rows = figures.map(
    (f) =>
      `| ${f.case} | ${f.sent.toLocaleString('en')} | ${f.forwarded.toLocaleString('en')} | ${f.deadLettered.toLocaleString('en')} | ${f.refusedCounted.toLocaleString('en')} | ${f.lost} | ${f.note} |`,
  );
  console.log(
    ['edge reliability figures', head, '| --- | ---: | ---: | ---: | ---: | ---: | --- |', ...rows].join(
      '\n',
    ),
  );
}

/** The site's dead letters as written. */
export async function readDeadLetters(file: string): Promise<SiteDeadLetter[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SiteDeadLetter);
}

/** The text a dead letter holds, decoded from base64 where needed, without its syslog trailer. */
export function letterText(l: SiteDeadLetter): string {
  return rawBytes(l)
    .toString('utf8')
    .replace(/[\r\n\0]+$/, '');
}

/**
 * Checks that every message sent is in exactly one place (the hub, or the site's dead letters) and returns the
 * counts; `sent` are the messages as their senders wrote them.
 */
export function reconcile(
  sent: string[],
  hub: FakeEventHub,
  letters: SiteDeadLetter[],
): { forwarded: number; deadLettered: number; lost: string[]; doubled: string[] } {
  const onHub = new Set(hub.events().map((e) => String(e.body)));
  const dead = new Map<string, number>();
  for (const l of letters) dead.set(letterText(l), (dead.get(letterText(l)) ?? 0) + 1);
  let forwarded = 0;
  let deadLettered = 0;
  const lost: string[] = [];
  const doubled: string[] = [];
  for (const m of sent) {
    const inHub = onHub.has(m);
    const inDead = (dead.get(m) ?? 0) > 0;
    if (inHub) forwarded++;
    if (inDead) deadLettered++;
    if (inHub && inDead) doubled.push(m);
    if (!inHub && !inDead) lost.push(m);
  }
  return { forwarded, deadLettered, lost, doubled };
}

/** The forwarder's /healthz body. */
export async function getHealth(port: number): Promise<Record<string, unknown>> {
  return (await getJson(port, '/healthz')).body as Record<string, unknown>;
}

/** A TCP connection to the forwarder from `from` (a loopback source address). */
export function openFrom(port: number, from: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: from });
    s.once('connect', () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Writes newline-framed messages on a connection and ends it; resolves when it closed. */
export function writeAndEnd(s: Socket, messages: string[]): Promise<void> {
  return new Promise((resolve) => {
    s.once('close', () => resolve());
    s.end(messages.map((m) => `${m}\n`).join(''));
  });
}

/** One datagram per message from `from`, paced (a turn of the event loop every 16). */
export async function udpFrom(port: number, from: string, messages: (string | Buffer)[]): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, from, () => r()));
  try {
    for (let i = 0; i < messages.length; i++) {
      await new Promise<void>((resolve, reject) =>
        socket.send(messages[i]!, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
      if (i % 16 === 15) await new Promise((r) => setImmediate(r));
    }
  } finally {
    await new Promise<void>((r) => socket.close(() => r()));
  }
}

/**
 * A burst: every datagram handed to the kernel in one synchronous loop, so the forwarder (same process) reads
 * none of them until the loop ends — its receive buffer alone must hold them. Resolves with how many the kernel
 * took from the sender (a send error, e.g. ENOBUFS, is not a datagram sent).
 */
export async function udpBurst(port: number, messages: string[]): Promise<{ sent: number; seconds: number }> {
  const socket = createSocket('udp4');
  const t0 = performance.now();
  let sent = 0;
  const done = messages.map(
    (m) =>
      new Promise<void>((resolve) =>
        socket.send(m, port, '127.0.0.1', (e) => {
          if (!e) sent++;
          resolve();
        }),
      ),
  );
  await Promise.all(done);
  const seconds = (performance.now() - t0) / 1000;
  await new Promise<void>((r) => socket.close(() => r()));
  return { sent, seconds };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
