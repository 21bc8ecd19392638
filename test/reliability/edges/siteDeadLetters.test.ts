/**
 * Edge suite, part 1: the forwarder keeps its own dead letters. Everything received and not forwarded (invalid,
 * a CEF `start=0` from a sensor whose clock reset, over the size limit, not UTF-8, not JSON, refused by a full
 * spool) is in `SPOOL/deadletter.ndjson` with its reason, raw bytes and peer, counted on /healthz; `--redrive`
 * sends the letters on after the fix.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { SiteDeadLetter } from '../../../cli/forward/deadLetters.js';
import { parseRecord } from '../../../pipeline/parse/index.js';
import {
  forwarderSuite,
  invalidMessage,
  postWebhook,
  syslogTemplates,
  uniqueMessage,
  webhookOn,
} from '../../helpers/forwarder.js';
import {
  figures,
  getHealth,
  letterText,
  openFrom,
  printFigures,
  readDeadLetters,
  reconcile,
  udpFrom,
  writeAndEnd,
} from './harness.js';

const templates = syslogTemplates();
const suite = forwarderSuite({ tmpPrefix: 'ot-soc-edges-', cert: true });

afterAll(() => printFigures());

/** A valid CEF alert whose `start` is 0 (a sensor clock reset): the pipeline's parser refuses it. */
function startZero(id: number): string {
  const cef = templates.filter((t) => t.startsWith('CEF:') && /start=\d+/.test(t))[0]!;
  return uniqueMessage([cef], id).replace(/start=\d+/, 'start=0');
}

describe('edges: the site keeps its own dead letters', () => {
  test('invalid, start=0, oversized, non-UTF-8 and non-JSON input: every message forwarded or dead-lettered with reason, raw and peer', async () => {
    const { cert } = suite;
    const f = await suite.forwarder({
      webhook: webhookOn(cert, { secret: 's', maxBytes: 65536 }),
      maxMessageBytes: 4096,
    });
    expect(parseRecord(startZero(1)).ok).toBe(false);

    const valid = Array.from({ length: 300 }, (_, i) => uniqueMessage(templates, i));
    const invalid = Array.from({ length: 40 }, (_, i) => invalidMessage(i));
    const zero = Array.from({ length: 20 }, (_, i) => startZero(1000 + i));
    const oversized = Array.from(
      { length: 5 },
      (_, i) => `${uniqueMessage(templates, 2000 + i)} ${'x'.repeat(5000)}`,
    );
    const notUtf8 = Array.from({ length: 5 }, (_, i) =>
      Buffer.concat([
        Buffer.from(`<13>Jan  5 10:00:0${i} host `),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from(` ${i}`),
      ]),
    );

    await udpFrom(f.addresses.udp!.port, '127.0.0.21', [
      ...valid.slice(0, 100),
      ...zero.slice(0, 10),
      ...oversized,
      ...notUtf8,
    ]);
    await writeAndEnd(await openFrom(f.addresses.tcp!.port, '127.0.0.22'), [
      ...valid.slice(100, 250),
      ...invalid,
      ...zero.slice(10),
    ]);
    const webhookValid = valid.slice(250).map((_, i) => JSON.stringify({ AlertName: 'x', i })); // JSON, not alerts
    const broken = '{"broken": ';
    const answers = [];
    for (const body of [broken, ...webhookValid])
      answers.push(
        (await postWebhook(f.addresses.webhook!.port, cert.cert, body, { secret: 's', path: '/' })).status,
      );
    expect(answers.every((s) => s === 400)).toBe(true);
    const sentOverSyslog = [...valid.slice(0, 250), ...zero, ...oversized, ...invalid];
    expect(await f.idle(10_000)).toBe(true);

    const letters = await readDeadLetters(join(suite.dir, 'spool', 'deadletter.ndjson'));
    const syslogText = notUtf8.map((b) => b.toString('base64'));
    const sent = [...sentOverSyslog, broken, ...webhookValid];
    const r = reconcile(sent, suite.hub, letters);
    // Non-UTF-8 datagrams: kept byte for byte, in base64.
    const b64 = letters.filter((l) => l.rawBase64 !== undefined).map((l) => l.rawBase64);
    expect(b64.sort()).toEqual(syslogText.sort());
    expect(r.lost).toEqual([]);
    expect(r.doubled).toEqual([]);
    expect(r.forwarded).toBe(250);
    // Each letter says why, and who sent it.
    for (const l of letters) {
      expect(l.reason).not.toBe('');
      expect(l.peer).toMatch(/^127\.0\.0\.(21|22|1):\d+$/);
    }
    const byKind = (k: SiteDeadLetter['kind']) => letters.filter((l) => l.kind === k).length;
    expect(byKind('tooLarge')).toBe(5);
    expect(letters.filter((l) => l.transport === 'webhook')).toHaveLength(1 + webhookValid.length);
    expect(letters.find((l) => letterText(l) === zero[0])?.reason).toMatch(/time|start/i);

    const health = await getHealth(f.addresses.health!.port);
    const losses = health.losses as Record<string, number>;
    expect(losses.deadLettered).toBe(letters.length);
    expect(losses.deadLettersNotWritten).toBe(0);
    expect((health.received as { total: number }).total).toBe(sent.length + notUtf8.length);
    figures.push({
      case: 'invalid, start=0, oversized, non-UTF-8, not JSON (UDP, TCP, webhook)',
      sent: sent.length + notUtf8.length,
      forwarded: r.forwarded,
      deadLettered: letters.length,
      refusedCounted: 0,
      lost: r.lost.length,
      note: `${letters.length} letters: ${byKind('invalid')} invalid (${zero.length} start=0), ${byKind('tooLarge')} over the size limit, ${b64.length} kept in base64`,
    });
  });

  test('a full spool: refused events are dead-lettered, and --redrive sends them on once there is room', async () => {
    const spool = suite.spool;
    await suite.hub.stop();
    const f = await suite.forwarder({ spool: { dir: spool, maxBytes: 48 * 1024 } });
    const sent = Array.from({ length: 400 }, (_, i) => uniqueMessage(templates, 5000 + i));
    await writeAndEnd(await openFrom(f.addresses.tcp!.port, '127.0.0.23'), sent);
    await f.deadLetters.flushed();
    const refused = f.counters.refused;
    expect(refused).toBeGreaterThan(100);
    const letters = await readDeadLetters(join(spool, 'deadletter.ndjson'));
    expect(letters).toHaveLength(refused);
    expect(letters.every((l) => l.kind === 'refused' && l.reason === 'spool full' && l.key)).toBe(true);

    await suite.hub.start();
    expect(await f.idle(15_000)).toBe(true);
    await f.stop(5000);
    expect(reconcile(sent, suite.hub, letters).lost).toEqual([]);

    // The fix (Event Hubs back, room in the spool): a restart with --redrive sends the letters on.
    const g = await suite.forwarder({ spool: { dir: spool, maxBytes: 48 * 1024 }, redrive: true });
    expect(await g.idle(30_000)).toBe(true);
    const left = await readDeadLetters(join(spool, 'deadletter.ndjson'));
    const r = reconcile(sent, suite.hub, left);
    expect(r.lost).toEqual([]);
    expect(left).toEqual([]);
    expect(r.forwarded).toBe(400);
    expect(g.counters.redrive).toMatchObject({ read: refused, spooled: refused, deadLetteredAgain: 0 });
    figures.push({
      case: 'spool full during an Event Hubs outage, then --redrive',
      sent: sent.length,
      forwarded: r.forwarded,
      deadLettered: 0,
      refusedCounted: 0,
      lost: r.lost.length,
      note: `${refused} refused by the full spool were dead-lettered, then redriven`,
    });
  });
});
