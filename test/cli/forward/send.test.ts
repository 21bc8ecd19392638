import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { UsageError } from '../../../cli/commands/usageError.js';
import { fileEvents } from '../../../cli/fileEvents.js';
import type { SendSummary } from '../../../cli/forward/sendFile.js';
import { partitionKeyOf } from '../../../cli/partitionKey.js';
import { loadConfigFile } from '../../../pipeline/config/config.js';
import { isSplitError, parseRecord, splitEvent } from '../../../pipeline/parse/index.js';
import {
  forwarderSuite,
  invalidMessage,
  runSend,
  syslogTemplates,
  uniqueMessage,
  writeConfig,
} from '../../helpers/forwarder.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCENARIO = join(ROOT, 'samples', 'plant-scenario.ndjson');
const CONFIG = join(ROOT, 'samples', 'ot-soc.config.json');
const ENV = 'OTSOC_TEST_SEND_EVENTHUB';

const suite = forwarderSuite({ per: 'file', tmpPrefix: 'ot-soc-send-', connectionStringEnv: ENV });

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs `ot-soc send --json …` in process and returns the summary it printed. */
async function send(args: string[]): Promise<SendSummary> {
  return JSON.parse((await runSend(['--json', ...args])).out) as SendSummary;
}

describe('ot-soc send', () => {
  test('the bundled plant scenario reaches the hub, each record with partition key site/zone', async () => {
    const before = suite.hub.events().length;
    const summary = await send(['--input', SCENARIO, '--config', CONFIG, '--connection-string-env', ENV]);

    // What the file holds, by the pipeline's own parser.
    const sensors = (await loadConfigFile(CONFIG)).enrichment.sensors;
    const { readFile } = await import('node:fs/promises');
    let records = 0;
    let invalid = 0;
    const keys = new Map<string, number>();
    for (const e of fileEvents(await readFile(SCENARIO, 'utf8'), 'plant-scenario.ndjson'))
      for (const p of splitEvent(e.body)) {
        records++;
        if (isSplitError(p) || !parseRecord(p.value).ok) invalid++;
        else {
          const k = partitionKeyOf(p.value, sensors);
          keys.set(k, (keys.get(k) ?? 0) + 1);
        }
      }
    expect(summary.records).toBe(records);
    expect(summary.invalid).toBe(invalid);
    expect(invalid).toBeGreaterThan(0); // the scenario's malformed records are reported, not sent
    expect(summary.invalidSamples[0]).toMatchObject({
      locator: expect.stringMatching(/^plant-scenario\.ndjson:\d+/),
    });
    expect(summary.sent).toBe(records - invalid);
    expect(summary.perPartitionKey).toEqual(Object.fromEntries(keys));
    expect(Object.keys(summary.perPartitionKey)).toEqual(
      expect.arrayContaining([
        'zone:rotterdam/packaging',
        'zone:rotterdam/utilities',
        'zone:lyon/brewhouse',
        'zone:lyon/filling',
      ]),
    );

    const events = suite.hub.events().slice(before);
    expect(events).toHaveLength(summary.sent);
    const perKey: Record<string, number> = {};
    const perPartition: Record<string, number> = {};
    for (const e of events) {
      perKey[e.partitionKey!] = (perKey[e.partitionKey!] ?? 0) + 1;
      perPartition[e.partition] = (perPartition[e.partition] ?? 0) + 1;
      expect(e.partition).toBe(suite.hub.partitionOf(e.partitionKey!));
      expect(partitionKeyOf(String(e.body), sensors)).toBe(e.partitionKey);
    }
    expect(perKey).toEqual(summary.perPartitionKey);
    // The summary's per-partition figures are where the hub put them.
    expect(summary.perPartition).toEqual(perPartition);
    console.log(
      `send: ${summary.sent} records of the plant scenario in ${summary.seconds.toFixed(2)} s (${summary.perSecond}/s, ${summary.batches} batches), ${summary.invalid} invalid reported`,
    );
  });

  test('--rate paces the sending (token bucket): a lower bound on the duration', async () => {
    const templates = syslogTemplates();
    const file = join(suite.dir, 'export.log');
    const lines = Array.from({ length: 150 }, (_, i) => uniqueMessage(templates, i));
    await writeFile(file, [...lines, invalidMessage(1), invalidMessage(2)].join('\n'));
    const cfg = await writeConfig(suite.dir);
    const before = suite.hub.events().length;
    const t0 = performance.now();
    const summary = await send([
      '--input',
      file,
      '--config',
      cfg,
      '--connection-string-env',
      ENV,
      '--rate',
      '300',
    ]);
    const seconds = (performance.now() - t0) / 1000;
    // 150 alerts at 300/s with a burst of 30: at least (150 - 30) / 300 = 0.4 s.
    expect(seconds).toBeGreaterThanOrEqual(0.4);
    expect(summary.sent).toBe(150);
    expect(summary.invalid).toBe(2);
    expect(summary.perSecond).toBeLessThanOrEqual(400);
    const bodies = suite.hub
      .events()
      .slice(before)
      .map((e) => e.body);
    expect(new Set(bodies)).toEqual(new Set(lines));
    expect(suite.hub.events().slice(before)[0]?.partitionKey).toMatch(/\//);
  });

  test('--dry-run connects to nothing; a missing connection variable is a usage error', async () => {
    const before = suite.hub.events().length;
    const summary = await send(['--input', SCENARIO, '--config', CONFIG, '--dry-run']);
    expect(summary.dryRun).toBe(true);
    expect(summary.sent).toBe(0);
    expect(summary.records).toBeGreaterThan(0);
    expect(suite.hub.events().length).toBe(before);
    await expect(
      send(['--input', SCENARIO, '--connection-string-env', 'OTSOC_NOT_SET_ANYWHERE']),
    ).rejects.toThrow(UsageError);
    await expect(send(['--input', SCENARIO])).rejects.toThrow(/--connection-string-env/);
  });
});
