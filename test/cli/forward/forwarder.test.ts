import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { partitionKeyOf } from '../../../cli/partitionKey.js';
import { parseRecord } from '../../../pipeline/parse/index.js';
import {
  bodyCounts,
  countThroughPipeline,
  forwarderSuite,
  getJson,
  invalidMessage,
  SENSORS,
  sendStream,
  sendUdp,
  syslogTemplates,
  uniqueMessage,
  waitFor,
} from '../../helpers/forwarder.js';

/**
 * CEF line k of ham-sensor-7, whose forwarding rule is in local time: sent at 20:xx UTC (the header), detected at
 * 21:xx in the rule's zone (UTC+1), less the forwarding delay.
 */
const localRuleCef = (k: number): string =>
  `<134>Nov 18 20:${String(10 + k).padStart(2, '0')}:05 ham-sensor-7 CEF:0|Microsoft Defender for IoT/CyberX|ham-sensor-7|24.1.3|` +
  `Microsoft Defender for IoT Alert|PLC Scan Detected|8|msg=scan ${k} protocol=S7 severity=Major type=Anomaly ` +
  `start=Nov 18 2026 21:${String(9 + k).padStart(2, '0')}:30 src_ip=10.9.0.1 dst_ip=10.9.0.${k + 2} cat=Scan`;

const templates = syslogTemplates();
const suite = forwarderSuite();
const forwarder = suite.forwarder;

describe('ot-soc forward', () => {
  test('fixture templates are valid alerts of every syslog format', () => {
    const formats = new Set(
      templates.map((t) => (parseRecord(t) as { alert: { sourceFormat: string } }).alert.sourceFormat),
    );
    expect(templates.every((t) => parseRecord(t).ok)).toBe(true);
    expect([...formats].sort()).toEqual(['CEF', 'LEEF', 'SyslogObject', 'SyslogText']);
    for (let i = 0; i < 8; i++) expect(parseRecord(invalidMessage(i)).ok).toBe(false);
  });

  test('publishes the original text with partition key site/zone; one key always lands on one partition', async () => {
    const f = await forwarder();
    const messages = Array.from({ length: 200 }, (_, i) => uniqueMessage(templates, i));
    await sendUdp(f.addresses.udp!.port, messages.slice(0, 100));
    await sendStream(f.addresses.tcp!.port, messages.slice(100), 'newline');
    expect(await f.idle(10_000)).toBe(true);

    const events = suite.hub.events();
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.body))).toEqual(new Set(messages));
    const partitionOfKey = new Map<string, string>();
    for (const e of events) {
      const body = String(e.body);
      expect(e.partitionKey).toBe(partitionKeyOf(body, SENSORS));
      const seen = partitionOfKey.get(e.partitionKey!);
      if (seen !== undefined) expect(e.partition).toBe(seen);
      partitionOfKey.set(e.partitionKey!, e.partition);
    }
    expect(partitionOfKey.get('zone:plant a/packaging')).toBe(
      suite.hub.partitionOf('zone:plant a/packaging'),
    );
    expect([...partitionOfKey.keys()]).toEqual(
      expect.arrayContaining([
        'zone:plant a/packaging',
        'zone:plant b/utilities',
        'zone:plant c/brewhouse',
        'zone:plant d/filling',
      ]),
    );
    // Order is kept within a key: per partition key, the hub holds the messages in the order they were sent.
    for (const key of partitionOfKey.keys()) {
      const got = events.filter((e) => e.partitionKey === key).map((e) => String(e.body));
      const sent = messages.filter((m) => partitionKeyOf(m, SENSORS) === key);
      expect(got).toEqual(sent);
    }
    expect(f.counters.received.udp).toBe(100);
    expect(f.counters.received.tcp).toBe(100);
    expect(f.counters.published).toBe(200);
  });

  test('a datagram in a legacy code page (Windows-1252) is published as the text it meant, in UTF-8', async () => {
    const f = await forwarder();
    const texts = [0, 1, 2, 3].map((i) =>
      uniqueMessage(templates, 9000 + i).replace(/m9\d{3} /, '$&Brauhaus Süd '),
    );
    await sendUdp(
      f.addresses.udp!.port,
      texts.map((t) => Buffer.from(t, 'latin1')),
    );
    await waitFor('all received', () => f.counters.received.udp === texts.length);
    expect(await f.idle(10_000)).toBe(true);
    expect(f.counters.published).toBe(texts.length);
    const bodies = suite.hub.events().map((e) => String(e.body));
    for (const t of texts) expect(bodies).toContain(t);
    expect(bodies.join('\n')).not.toContain('\ufffd');
  });

  test('malformed syslog is counted and logged with its reason, never forwarded', async () => {
    const f = await forwarder();
    const bad = Array.from({ length: 8 }, (_, i) => invalidMessage(i));
    const good = [uniqueMessage(templates, 1), uniqueMessage(templates, 2)];
    await sendUdp(f.addresses.udp!.port, [bad[0]!, good[0]!, bad[1]!, bad[2]!, bad[3]!]);
    await sendStream(f.addresses.tcp!.port, [bad[4]!, good[1]!, bad[5]!, bad[6]!, bad[7]!], 'newline');
    expect(await f.idle(10_000)).toBe(true);
    await waitFor('all received', () => f.counters.received.udp + f.counters.received.tcp === 10);

    expect(suite.hub.events().map((e) => e.body)).toEqual(expect.arrayContaining(good));
    expect(suite.hub.events()).toHaveLength(2);
    expect(f.counters.invalid.udp).toBe(4);
    expect(f.counters.invalid.tcp).toBe(4);
    const logged = f.logs.lines.filter((l) => l.msg.startsWith('invalid message'));
    expect(logged).toHaveLength(8);
    for (const l of logged) expect(l.fields?.reason).toMatch(/\w/);
    expect(logged.map((l) => l.fields?.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^invalid JSON/),
        expect.stringMatching(/^unrecognised format/),
      ]),
    );
    const health = await getJson(f.addresses.health!.port, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      received: { udp: 5, tcp: 5, tls: 0, webhook: 0, total: 10 },
      invalid: { udp: 4, tcp: 4, total: 8 },
      published: 2,
      spooled: 2,
      spool: { backlog: 0 },
      lastError: null,
    });
  });

  test('a sensor whose CEF rule is in local time shows on /healthz with its offset, and is warned of once', async () => {
    const f = await forwarder();
    await sendStream(
      f.addresses.tcp!.port,
      Array.from({ length: 25 }, (_, k) => localRuleCef(k)),
      'newline',
    );
    expect(await f.idle(10_000)).toBe(true);
    const health = (await getJson(f.addresses.health!.port, '/healthz')).body as {
      wallClockSensors: { sensor: string }[];
    };
    expect(health.wallClockSensors.find((w) => w.sensor === 'ham-sensor-7')).toEqual({
      sensor: 'ham-sensor-7',
      alerts: 25,
      compared: 25,
      offsetMinutes: 60,
    });
    const warned = f.logs.lines.filter((l) => l.msg.startsWith('sensor ham-sensor-7:'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ level: 'warn' });
    expect(warned[0]!.msg).toContain(
      'its forwarding rule looks set to UTC+01:00; set enrichment.sensors.ham-sensor-7.timeZone',
    );
  });

  test('a sensor configured in another case than it reports itself is keyed by its zone, as the pipeline places it', async () => {
    const sensors = { 'HAM-Sensor-7': { site: 'Hamburg', zone: 'Packaging', timeZone: 'Europe/Berlin' } };
    const f = await forwarder({ sensors });
    await sendStream(
      f.addresses.tcp!.port,
      Array.from({ length: 25 }, (_, k) => localRuleCef(k)),
      'newline',
    );
    expect(await f.idle(10_000)).toBe(true);
    expect(new Set(suite.hub.events().map((e) => e.partitionKey))).toEqual(
      new Set(['zone:hamburg/packaging']),
    );
    // Its timeZone is set (in another case): nothing to warn of.
    const health = (await getJson(f.addresses.health!.port, '/healthz')).body as {
      wallClockSensors: unknown[];
    };
    expect(health.wallClockSensors).toEqual([]);
    expect(f.logs.lines.filter((l) => l.msg.startsWith('sensor ham-sensor-7:'))).toEqual([]);
  });

  test('an Event Hubs outage: events wait in the spool and are all delivered when it is back', async () => {
    const f = await forwarder();
    const first = Array.from({ length: 50 }, (_, i) => uniqueMessage(templates, i));
    await sendStream(f.addresses.tcp!.port, first, 'octet');
    expect(await f.idle(10_000)).toBe(true);

    await suite.hub.stop();
    const during = Array.from({ length: 500 }, (_, i) => uniqueMessage(templates, 1000 + i));
    await sendStream(f.addresses.tcp!.port, during, 'octet');
    await waitFor('spooled', () => f.counters.spooled === 550);
    await waitFor('a failed send', () => f.counters.sendFailures > 0);
    const health = (await getJson(f.addresses.health!.port, '/healthz')).body as {
      status: string;
      spool: { backlog: number; bytes: number };
      lastError: { message: string } | null;
    };
    expect(health.status).toBe('degraded');
    expect(health.spool.backlog).toBe(500);
    expect(health.spool.bytes).toBeGreaterThan(0);
    expect(health.lastError?.message).toMatch(/send/);

    const restarted = performance.now();
    await suite.hub.start();
    expect(await f.idle(20_000)).toBe(true);
    const drainMs = performance.now() - restarted;
    console.log(
      `outage test: 500 spooled events drained in ${drainMs.toFixed(0)} ms after the hub came back`,
    );

    const counts = bodyCounts(suite.hub);
    for (const m of [...first, ...during]) expect(counts.get(m) ?? 0).toBeGreaterThanOrEqual(1);
    expect(counts.size).toBe(550);
    const duplicates = suite.hub.events().length - counts.size;
    expect(duplicates).toBeLessThanOrEqual(f.counters.resent);
    expect(f.counters.status).toBe('ok');
  });

  test('throttling (server busy): rejected batches are retried until accepted; nothing lost, nothing doubled', async () => {
    const f = await forwarder();
    suite.hub.busy = true;
    const messages = Array.from({ length: 100 }, (_, i) => uniqueMessage(templates, 3000 + i));
    await sendStream(f.addresses.tcp!.port, messages, 'newline');
    await waitFor('a failed send', () => f.counters.sendFailures > 0);
    expect(suite.hub.events()).toHaveLength(0);
    expect(f.counters.lastError?.message).toMatch(/busy/i);
    suite.hub.busy = false;
    expect(await f.idle(20_000)).toBe(true);
    expect(
      suite.hub
        .events()
        .map((e) => String(e.body))
        .sort(),
    ).toEqual([...messages].sort());
  });

  test('a restarted forwarder replays its spool first; nothing is lost across the restart', async () => {
    await suite.hub.stop();
    const f1 = await forwarder();
    const messages = Array.from({ length: 300 }, (_, i) => uniqueMessage(templates, i));
    await sendStream(f1.addresses.tcp!.port, messages, 'newline');
    await waitFor('spooled', () => f1.counters.spooled === 300);
    // Stopped during the outage: the drain gives up after its timeout and the events stay on disk.
    expect(await f1.stop(300)).toBe(false);
    expect(suite.hub.events()).toHaveLength(0);

    await suite.hub.start();
    const f2 = await forwarder();
    expect(f2.snapshot().spool.replayed).toBe(300);
    expect(await f2.idle(20_000)).toBe(true);
    const counts = bodyCounts(suite.hub);
    expect(counts.size).toBe(300);
    // Oldest first within each partition key.
    for (const key of new Set(suite.hub.events().map((e) => e.partitionKey))) {
      const got = suite.hub
        .events()
        .filter((e) => e.partitionKey === key)
        .map((e) => String(e.body));
      expect(got).toEqual(messages.filter((m) => partitionKeyOf(m, SENSORS) === key));
    }
    expect(f2.logs.lines.some((l) => l.msg.includes('replaying'))).toBe(true);
  });

  test('a crash between the sends and the spool commit re-sends; the pipeline counts each alert once', async () => {
    await suite.hub.stop();
    const f1 = await forwarder();
    const messages = Array.from({ length: 200 }, (_, i) => uniqueMessage(templates, 500 + i));
    await sendStream(f1.addresses.tcp!.port, messages, 'newline');
    await waitFor('spooled', () => f1.counters.spooled === 200);
    // The spool as a crash after every send and before the commit leaves it on disk.
    const spool = join(suite.dir, 'spool');
    const beforeCommit = join(suite.dir, 'spool-before-commit');
    await cp(spool, beforeCommit, { recursive: true });
    await suite.hub.start();
    expect(await f1.idle(20_000)).toBe(true);
    expect(await f1.stop(1000)).toBe(true);
    await rm(spool, { recursive: true });
    await cp(beforeCommit, spool, { recursive: true });
    const f2 = await forwarder();
    expect(f2.snapshot().spool.replayed).toBe(200);
    expect(await f2.idle(20_000)).toBe(true);
    expect(suite.hub.events()).toHaveLength(400);
    // LEEF, the syslog object form and CEF without UUID carry no alert id: their content identifies them.
    expect(await countThroughPipeline(suite.hub)).toEqual({ alerts: 200, repeats: 200, deadLettered: 0 });
  });

  test('graceful stop drains the spool into Event Hubs before closing', async () => {
    const f = await forwarder();
    const messages = Array.from({ length: 1000 }, (_, i) => uniqueMessage(templates, i));
    await sendStream(f.addresses.tcp!.port, messages, 'octet');
    expect(await f.stop(10_000)).toBe(true);
    expect(bodyCounts(suite.hub).size).toBe(1000);
  });

  test('a full spool refuses new events (counted) and keeps the old ones', async () => {
    await suite.hub.stop();
    const f = await forwarder({ spool: { dir: suite.spool, maxBytes: 16 * 1024 } });
    const messages = Array.from({ length: 100 }, (_, i) => uniqueMessage(templates, i));
    await sendStream(f.addresses.tcp!.port, messages, 'newline');
    await waitFor('all received', () => f.counters.received.tcp === 100);
    const spooled = f.counters.spooled;
    expect(spooled).toBeGreaterThan(10);
    expect(spooled).toBeLessThan(100);
    expect(f.counters.refused).toBe(100 - spooled);
    expect(f.snapshot().spool.bytes).toBeLessThanOrEqual(16 * 1024);
    expect(f.logs.lines.some((l) => l.msg.startsWith('spool full'))).toBe(true);

    await suite.hub.start();
    expect(await f.idle(20_000)).toBe(true);
    // The oldest ones were kept: exactly the first `spooled` messages arrived.
    expect(new Set(suite.hub.events().map((e) => String(e.body)))).toEqual(
      new Set(messages.slice(0, spooled)),
    );
    // Room again once drained.
    await sendStream(f.addresses.tcp!.port, [uniqueMessage(templates, 5000)], 'newline');
    expect(await f.idle(10_000)).toBe(true);
    expect(bodyCounts(suite.hub).has(uniqueMessage(templates, 5000))).toBe(true);
  });
});
