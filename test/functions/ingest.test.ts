import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import funcs, { type EventHubFunctionOptions, type TimerFunctionOptions } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { batchMetaFrom } from '../../functions/triggerMetadata.js';
import { FileDeadLetterStore } from '../../pipeline/deadletter/fileDeadLetterStore.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';

// Capture what functions/index.ts registers: outside the host, @azure/functions skips registration.
const { registered, timers } = vi.hoisted(() => ({
  registered: new Map<string, EventHubFunctionOptions>(),
  timers: new Map<string, TimerFunctionOptions>(),
}));
vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = {
    ...real.app,
    eventHub: (name: string, options: EventHubFunctionOptions) => registered.set(name, options),
    timer: (name: string, options: TimerFunctionOptions) => timers.set(name, options),
  };
  return { ...real, app, default: { ...real, app } };
});

const T0 = '2026-11-18T02:00:00.000Z';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-fn-'));
  vi.stubEnv('OTSOC_LOCAL_WORKSPACE_DIR', dir);
  vi.stubEnv('OTSOC_DEADLETTER_DIR', dir);
  vi.stubEnv(
    'OTSOC_CONFIG',
    JSON.stringify({
      enrichment: {
        sensors: {
          'lyn-fil-sensor-01': { site: 'Lyon', zone: 'Filling' },
          'rtm-utl-sensor-09': { site: 'Rotterdam', zone: 'Utilities', timeZone: 'Europe/Amsterdam' },
        },
      },
    }),
  );
  // A record that failed at the sink in an earlier invocation, waiting for the redrive timer.
  const store = new FileDeadLetterStore(join(dir, 'deadletter.ndjson'));
  await store.put([
    {
      reason: "sink rejected the group's row: HTTP 503",
      stage: 'sink',
      raw: JSON.stringify(securityAlert({ t: minute(T0, 30), title: 'Controller Stop', dst: '10.10.2.99' })),
      origin: { partition: '9', sequence: 12, index: 0, locator: 'partition 9 seq 12' },
      attempts: 1,
      failedAt: T0,
    },
  ]);
  await import('../../functions/index.js');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
});

function context(triggerMetadata: Record<string, unknown>, logs: string[]) {
  return new funcs.InvocationContext({
    invocationId: 'inv-1',
    functionName: 'ingest',
    triggerMetadata,
    logHandler: (level, ...args) => logs.push(`[${level}] ${args.join(' ')}`),
  });
}

describe('registered Event Hubs function', () => {
  it('is registered with cardinality many and settings-driven hub/consumer group', () => {
    const o = registered.get('ingest');
    expect(o).toBeDefined();
    expect(o).toMatchObject({
      cardinality: 'many',
      connection: 'OTSOC_EVENTHUB',
      eventHubName: '%OTSOC_EVENTHUB_NAME%',
    });
  });

  it('writes the rows of a batch to the local Logs Ingestion endpoint and dead-letters bad events', async () => {
    const handler = registered.get('ingest')!.handler as (m: unknown[], c: unknown) => Promise<void>;
    const messages: unknown[] = [
      securityAlert({ t: T0 }),
      securityAlert({ t: minute(T0, 1), sensor: 'rtm-pkg-sensor-02' }),
      {
        records: [
          securityAlert({ t: minute(T0, 2) }),
          securityAlert({ t: minute(T0, 3), title: 'Controller Stop' }),
        ],
      },
      cefLine({ t: T0 }),
      'garbage that no sensor sends',
    ];
    const triggerMetadata = {
      partitionContext: {
        fullyQualifiedNamespace: 'ns.servicebus.windows.net',
        eventHubName: 'ot-alerts',
        consumerGroup: '$Default',
        partitionId: '2',
      },
      sequenceNumberArray: [300, 301, 302, 303, 304],
      enqueuedTimeUtcArray: messages.map(() => '2026-11-18T02:05:00.000Z'),
      partitionKeyArray: messages.map(() => 'Rotterdam/Packaging'),
    };
    const logs: string[] = [];
    await handler(messages, context(triggerMetadata, logs));

    const rows = (await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(3);
    const programming = rows.find((r) => r.AlertTitle === 'Unauthorized PLC Programming');
    expect(programming).toMatchObject({ Count: 3, Revision: 1, Site: 'Rotterdam', Zone: 'Packaging' });
    expect(programming.Sensors).toEqual(['rtm-pkg-sensor-01', 'rtm-pkg-sensor-02']);
    expect(rows.find((r) => r.Site === 'Lyon')).toMatchObject({ Zone: 'Filling', SourceFormats: ['CEF'] });

    const letters = (await readFile(join(dir, 'deadletter.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.stage !== 'sink');
    expect(letters).toHaveLength(1);
    expect(letters[0].origin).toMatchObject({ partition: '2', sequence: 304 });
    expect(logs.join('\n')).toContain('partition=2');
    expect(logs.join('\n')).not.toContain('10.10.1.66'); // no alert payloads at info level

    // Redelivery of the same batch (the trigger checkpoints even on failure): no new rows.
    await handler(messages, context(triggerMetadata, []));
    const after = (await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8')).trim().split('\n');
    expect(after).toHaveLength(3);
  });
});

describe('syslog detection times without a zone, through the Function', () => {
  it('are read in the configured sensor’s zone; the others as UTC, counted in the log line', async () => {
    const handler = registered.get('ingest')!.handler as (m: unknown[], c: unknown) => Promise<void>;
    const leef = (sensor: string, title: string) =>
      `<9>Nov 18 20:31:00 10.10.0.9 ${sensor} LEEF:1.0|Microsoft Defender for IoT|Sensor|24.1.3|Microsoft Defender for IoT Alert|title=${title}\tmsg=Stop sent\tprotocol=S7\tseverity=Major\ttype=Operational\tstart=Nov 18 2026 21:30:00\tsrc_ip=10.10.7.1\tdst_ip=10.10.7.2\tcat=Restart and stop commands`;
    const messages = [leef('rtm-utl-sensor-09', 'Zoned Stop'), leef('rtm-utl-sensor-77', 'Unzoned Stop')];
    const logs: string[] = [];
    await handler(
      messages,
      context(
        {
          partitionContext: { partitionId: '5' },
          sequenceNumberArray: [10, 11],
          enqueuedTimeUtcArray: messages.map(() => '2026-11-18T20:31:05.000Z'),
        },
        logs,
      ),
    );
    const rows = (await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.find((r) => r.AlertTitle === 'Zoned Stop')).toMatchObject({
      FirstSeen: '2026-11-18T20:30:00.000Z',
      Site: 'Rotterdam',
      Category: 'Restart/Stop Commands',
    });
    expect(rows.find((r) => r.AlertTitle === 'Unzoned Stop')).toMatchObject({
      FirstSeen: '2026-11-18T21:30:00.000Z',
    });
    expect(logs.join('\n')).toMatch(/ingest partition=5 .*"wallClockUtc":1/);
  });

  it('a sensor whose rule is in local time gets one warning naming the offset and the setting', async () => {
    const handler = registered.get('ingest')!.handler as (m: unknown[], c: unknown) => Promise<void>;
    // Sent at 20:3x UTC, detected at 21:3x in the rule's zone (UTC+1): 20 alerts, a minute apart.
    const leef = (k: number) =>
      `<9>Nov 18 20:${String(31 + k).padStart(2, '0')}:05 10.10.0.9 ham-sensor-7 LEEF:1.0|Microsoft Defender for IoT|Sensor|24.1.3|Microsoft Defender for IoT Alert|title=Scan ${k}\tmsg=scan\tprotocol=S7\tseverity=Major\ttype=Anomaly\tstart=Nov 18 2026 21:${String(30 + k).padStart(2, '0')}:00\tsrc_ip=10.10.7.1\tdst_ip=10.10.7.${k + 2}\tcat=Scan`;
    const logs: string[] = [];
    const batch = async (from: number, n: number) => {
      const messages = Array.from({ length: n }, (_, i) => leef(from + i));
      await handler(
        messages,
        context(
          {
            partitionContext: { partitionId: '6' },
            sequenceNumberArray: messages.map((_, i) => from + i),
            enqueuedTimeUtcArray: messages.map(() => '2026-11-18T21:00:00.000Z'),
          },
          logs,
        ),
      );
    };
    await batch(0, 19);
    expect(logs.join('\n')).not.toContain('ham-sensor-7');
    await batch(19, 5);
    const warnings = logs.filter((l) => l.startsWith('[warning] sensor ham-sensor-7'));
    expect(warnings).toEqual([
      "[warning] sensor ham-sensor-7: syslog detection times read as UTC; detection times 60 min after the syslog header's (median of 24): its forwarding rule looks set to UTC+01:00; set enrichment.sensors.ham-sensor-7.timeZone to its zone (IANA, e.g. Europe/Berlin)",
    ]);
    await batch(24, 5);
    expect(logs.filter((l) => l.includes('sensor ham-sensor-7:'))).toHaveLength(1);
  });
});

describe('registered timers', () => {
  it('flush and redrive are registered on schedules', () => {
    expect(timers.get('flush')?.schedule).toBe('0 */1 * * * *');
    expect(timers.get('redrive')?.schedule).toBe('30 */5 * * * *');
  });

  it('redrive replays a sink-stage dead letter through the pipeline and resolves it', async () => {
    const before = (await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8')).trim().split('\n').length;
    const logs: string[] = [];
    await (timers.get('redrive')!.handler as (t: unknown, c: unknown) => Promise<void>)(
      {},
      context({}, logs),
    );
    expect(logs.join('\n')).toMatch(/redrive .*"redriven":1/);
    const rows = (await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.length).toBe(before + 1);
    expect(rows.at(-1)).toMatchObject({ AlertTitle: 'Controller Stop', DestinationIP: '10.10.2.99' });
    const pending = await new FileDeadLetterStore(join(dir, 'deadletter.ndjson')).listPending(10, {
      stages: ['sink'],
    });
    expect(pending).toHaveLength(0);
  });
});

describe('batchMetaFrom', () => {
  it('reads partition, sequence numbers and enqueued times, tolerating missing fields', () => {
    expect(batchMetaFrom({ partitionContext: { partitionId: '7' }, sequenceNumberArray: [5, 6] }, 3)).toEqual(
      {
        partition: '7',
        sequenceNumbers: [5, 6, 2],
        enqueuedTimes: [undefined, undefined, undefined],
      },
    );
    expect(batchMetaFrom(undefined, 1).partition).toBe('unknown');
  });
});
