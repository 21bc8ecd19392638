/**
 * Edge suite, part 4 and 5: `ot-soc send` when Event Hubs fails (a summary and exit code 1, not a stack trace; a
 * checkpoint so a re-run does not send again what was acknowledged), and raw text kept for a record too deep to
 * re-serialise (100,000 levels), in `replay`'s dead letters and in the forwarder's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { runFile } from '../../../cli/commands/runFile.js';
import type { SendSummary } from '../../../cli/forward/sendFile.js';
import { MemoryDeadLetterStore } from '../../../pipeline/deadletter/memoryDeadLetterStore.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../../../pipeline/dedup/memoryGroupStore.js';
import { createEnricher } from '../../../pipeline/enrich/enricher.js';
import { processBatch } from '../../../pipeline/pipeline.js';
import {
  forwarderSuite,
  runSend,
  syslogTemplates,
  uniqueMessage,
  writeConfig,
} from '../../helpers/forwarder.js';
import { RecordingSink } from '../../helpers/recordingSink.js';
import { figures, openFrom, printFigures, readDeadLetters, writeAndEnd } from './harness.js';

const ENV = 'OTSOC_EDGES_SEND_EVENTHUB';
const templates = syslogTemplates();
const suite = forwarderSuite({ per: 'file', tmpPrefix: 'ot-soc-edges-send-', connectionStringEnv: ENV });

afterAll(() => printFigures());
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

async function exportFile(name: string, n: number, from: number): Promise<{ file: string; lines: string[] }> {
  const lines = Array.from({ length: n }, (_, i) => uniqueMessage(templates, from + i));
  const file = join(suite.dir, name);
  await writeFile(file, `${lines.join('\n')}\n`);
  return { file, lines };
}

describe('edges: ot-soc send when Event Hubs fails', () => {
  test('Event Hubs down: a summary (sent, failed, not attempted, where to resume) and exit code 1, no stack trace', async () => {
    const { file } = await exportFile('down.log', 500, 400_000);
    const cfg = await writeConfig(suite.dir);
    await suite.hub.stop();
    try {
      const args = ['--input', file, '--config', cfg, '--connection-string-env', ENV];
      const text = await runSend(args);
      expect(text.exitCode).toBe(1);
      expect(text.out).toMatch(/FAILED: /);
      expect(text.out).toMatch(/not attempted\s+\d+/);
      expect(text.out).toMatch(/resume from\s+down\.log:1/);
      expect(text.out).not.toMatch(/AggregateError|\n\s+at /);
      const json = await runSend([...args, '--json']);
      const s = JSON.parse(json.out) as SendSummary;
      expect(json.exitCode).toBe(1);
      expect(s.sent).toBe(0);
      expect(s.failure!.failed + s.failure!.notAttempted).toBe(500);
      expect(s.failure!.checkpoint).toBe(`${file}.checkpoint.json`);
    } finally {
      await suite.hub.start();
    }
  });

  test('a failure midway, then a re-run with --checkpoint: only what was not acknowledged is sent again', async () => {
    const { file, lines } = await exportFile('midway.log', 3000, 500_000);
    const cfg = await writeConfig(suite.dir);
    const checkpoint = join(suite.dir, 'midway.checkpoint.json');
    const before = suite.hub.events().length;
    const args = ['--input', file, '--config', cfg, '--connection-string-env', ENV, '--json'];
    // The hub refuses everything (server busy, past the SDK's retries) once it has 1,000 of them.
    const outage = (async () => {
      while (suite.hub.events().length - before < 1000) await new Promise((r) => setTimeout(r, 5));
      suite.hub.busy = true;
    })();
    const first = await runSend([...args, '--rate', '4000', '--checkpoint', checkpoint]);
    await outage;
    suite.hub.busy = false;
    const a = JSON.parse(first.out) as SendSummary;
    expect(first.exitCode).toBe(1);
    expect(a.sent).toBeGreaterThanOrEqual(1000);
    expect(a.sent).toBeLessThan(3000);
    expect(a.sent + a.failure!.failed + a.failure!.notAttempted).toBe(3000);

    const second = await runSend([...args, '--checkpoint', checkpoint]);
    const b = JSON.parse(second.out) as SendSummary;
    expect(second.exitCode).toBeUndefined();
    expect(b.alreadySent).toBe(a.sent);
    expect(b.sent).toBe(3000 - a.sent);
    const bodies = suite.hub
      .events()
      .slice(before)
      .map((e) => String(e.body));
    expect(new Set(bodies)).toEqual(new Set(lines));
    const duplicates = bodies.length - 3000;
    expect(duplicates).toBeLessThanOrEqual(a.failure!.failed);
    // A third run sends nothing.
    const third = JSON.parse((await runSend([...args, '--checkpoint', checkpoint])).out) as SendSummary;
    expect(third).toMatchObject({ sent: 0, alreadySent: 3000 });
    figures.push({
      case: 'send: Event Hubs down after 1,000 of 3,000, re-run with --checkpoint',
      sent: 3000,
      forwarded: new Set(bodies).size,
      deadLettered: 0,
      refusedCounted: 0,
      lost: 3000 - new Set(bodies).size,
      note: `first run: ${a.sent} acknowledged, ${a.failure!.failed} failed in flight, ${a.failure!.notAttempted} not attempted, exit 1; the re-run sent ${b.sent}; ${duplicates} sent twice (at most the batch in flight)`,
    });
  });
});

describe('edges: raw text kept for records too deep to re-serialise', () => {
  const N = 100_000;
  const deepArray = `${'['.repeat(N)}${']'.repeat(N)}`;
  const deepEnvelope = `{"records":[${'{"a":'.repeat(N)}1${'}'.repeat(N)}]}`;

  test('replay: the 100,000-deep lines are dead-lettered with the line as read', async () => {
    const input = join(suite.dir, 'deep.ndjson');
    const good = uniqueMessage(templates, 600_000);
    await writeFile(input, `${deepArray}\n${good}\n${deepEnvelope}\n`);
    const out = join(suite.dir, 'deep-out');
    await runFile({ input, out, partitions: 1, batchSize: 100, progress: false, fresh: true });
    const letters = (await readFile(join(out, 'deadletter.ndjson'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { raw: string; reason: string });
    // Each letter holds its record's text as read: the array's element, the envelope's record (compared as
    // booleans: a failure must not print 200 KB lines).
    const kept = letters.map((l) => ({ reason: l.reason, length: l.raw.length, head: l.raw.slice(0, 30) }));
    const element = deepArray.slice(1, -1);
    const record = deepEnvelope.slice('{"records":['.length, -2);
    expect(
      letters.some((l) => l.raw === element),
      JSON.stringify(kept),
    ).toBe(true);
    expect(
      letters.some((l) => l.raw === record),
      JSON.stringify(kept),
    ).toBe(true);
    expect(letters).toHaveLength(2);
  });

  test('ingest (processBatch, as the Function receives bodies): the deep array keeps its text, as text or as the parsed body', async () => {
    const deadLetters = new MemoryDeadLetterStore();
    const deps = {
      enrich: createEnricher({ sensors: {}, attackMappings: {} }),
      spec: DEFAULT_KEY_SPEC,
      sink: new RecordingSink(),
      store: new MemoryGroupStore(),
      deadLetters,
    };
    // A text body, and the same body as the host hands it over after JSON.parse: no text left to keep.
    const parsed = { records: [JSON.parse(deepArray) as unknown] };
    await processBatch([deepArray, parsed], { partition: '0', sequenceNumbers: [1, 2] }, deps);
    const raws = (await deadLetters.list()).map((l) => l.raw);
    expect(raws).toHaveLength(2);
    // Both were "[unserialisable record]".
    // The parsed one: serialised without recursion, the same text.
    expect(raws.filter((r) => r === deepArray)).toHaveLength(2);
  });

  test('forwarder: a deep line over TCP is in the site dead letters byte for byte', async () => {
    const f = await suite.forwarder({ maxMessageBytes: 1024 * 1024 });
    await writeAndEnd(await openFrom(f.addresses.tcp!.port, '127.0.0.50'), [deepArray, deepEnvelope]);
    expect(await f.idle(10_000)).toBe(true);
    await f.stop(1000);
    const letters = await readDeadLetters(join(suite.spool, 'deadletter.ndjson'));
    expect(letters).toHaveLength(2);
    expect(letters.some((l) => l.raw === deepArray)).toBe(true);
    expect(letters.some((l) => l.raw === deepEnvelope)).toBe(true);
  });
});
