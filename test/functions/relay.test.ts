import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventHubProducerClient } from '@azure/event-hubs';
import funcs, { type EventHubFunctionOptions } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { relayConnectionFrom, relayProducerFromEnv } from '../../functions/relay.js';
import { type FakeEventHub, startFakeEventHub } from '../helpers/fakeEventHub.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';

// Capture what functions/index.ts registers: outside the host, @azure/functions skips registration.
const registered = vi.hoisted(() => new Map<string, EventHubFunctionOptions>());
vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = {
    ...real.app,
    eventHub: (name: string, options: EventHubFunctionOptions) => registered.set(name, options),
    timer: () => {},
  };
  return { ...real, app, default: { ...real, app } };
});

const T0 = '2026-11-18T02:00:00.000Z';
let dir: string;
let hub: FakeEventHub;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-relay-'));
  hub = await startFakeEventHub({ partitions: 4, hub: 'ot-alerts' });
  vi.stubEnv('OTSOC_LOCAL_WORKSPACE_DIR', dir);
  vi.stubEnv('OTSOC_DEADLETTER_DIR', dir);
  vi.stubEnv(
    'OTSOC_CONFIG',
    JSON.stringify({ enrichment: { sensors: { 'lyn-fil-sensor-01': { site: 'Lyon', zone: 'Filling' } } } }),
  );
  // The relay publishes with the trigger's own connection setting (a connection string locally).
  vi.stubEnv('OTSOC_EVENTHUB', hub.connectionString);
  vi.stubEnv('OTSOC_EVENTHUB_NAME', 'ot-alerts');
  await import('../../functions/index.js');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await hub.close();
  await rm(dir, { recursive: true, force: true });
});

function context(name: string, triggerMetadata: Record<string, unknown>, logs: string[]) {
  return new funcs.InvocationContext({
    invocationId: `inv-${name}`,
    functionName: name,
    triggerMetadata,
    logHandler: (level, ...args) => logs.push(`[${level}] ${args.join(' ')}`),
  });
}

const call = (name: string, messages: unknown[], md: Record<string, unknown>, logs: string[] = []) =>
  (registered.get(name)!.handler as (m: unknown[], c: unknown) => Promise<void>)(
    messages,
    context(name, md, logs),
  );

async function rows(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'OTAlerts_CL.ndjson'), 'utf8').catch(() => '');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Hands each alert-hub partition's new events to `ingest`, as the host would (bodies JSON-parsed when JSON). */
async function ingestFromHub(seen: Map<string, number>): Promise<void> {
  for (const p of hub.partitionIds) {
    const events = hub.events(p).slice(seen.get(p) ?? 0);
    seen.set(p, (seen.get(p) ?? 0) + events.length);
    if (events.length === 0) continue;
    const bodies = events.map((e) => {
      try {
        return JSON.parse(String(e.body));
      } catch {
        return String(e.body);
      }
    });
    await call('ingest', bodies, {
      partitionContext: { partitionId: p },
      sequenceNumberArray: events.map((e) => e.sequenceNumber),
      enqueuedTimeUtcArray: events.map(() => '2026-11-18T02:05:00.000Z'),
    });
  }
}

describe('the relay Function', () => {
  it('reads the export hub and is retried (checkpoint held) until the alert hub takes the batch', () => {
    expect(registered.get('relay')).toMatchObject({
      connection: 'OTSOC_EVENTHUB',
      eventHubName: '%OTSOC_EXPORT_EVENTHUB_NAME%',
      consumerGroup: '%OTSOC_CONSUMER_GROUP%',
      cardinality: 'many',
      retry: { strategy: 'exponentialBackoff', maxRetryCount: -1 },
    });
  });

  it('export → relay → alert hub keyed by zone → ingest: every alert once, even when the export is redelivered', async () => {
    const exportBatch = [
      {
        records: [
          securityAlert({ t: T0 }),
          securityAlert({ t: minute(T0, 1), sensor: 'rtm-pkg-sensor-02' }),
          cefLine({ t: minute(T0, 2) }),
        ],
      },
      {
        records: [
          securityAlert({ t: minute(T0, 3) }),
          securityAlert({ t: minute(T0, 4), title: 'Controller Stop' }),
        ],
      },
    ];
    const md = { partitionContext: { partitionId: '1' }, sequenceNumberArray: [40, 41] };
    const logs: string[] = [];
    await call('relay', exportBatch, md, logs);
    expect(logs.join('\n')).toMatch(/relay partition=1 .*"records":5,"sent":5/);
    expect(logs.join('\n')).not.toContain('10.10.1.66'); // counts only at info level
    const relayed = hub.events();
    expect(relayed.map((e) => e.partitionKey).sort()).toEqual([
      'zone:lyon/filling',
      'zone:rotterdam/packaging',
      'zone:rotterdam/packaging',
      'zone:rotterdam/packaging',
      'zone:rotterdam/packaging',
    ]);
    const seen = new Map<string, number>();
    await ingestFromHub(seen);
    const first = await rows();
    const programming = first.filter((r) => r.AlertTitle === 'Unauthorized PLC Programming').at(-1);
    expect(programming).toMatchObject({ Count: 3, Site: 'Rotterdam', Zone: 'Packaging' });
    expect(first.some((r) => r.AlertTitle === 'Controller Stop')).toBe(true);
    expect(first.some((r) => r.Site === 'Lyon' && r.Zone === 'Filling')).toBe(true);

    // The export hub redelivers the batch (ownership moved before its checkpoint): relayed again, no new rows.
    await call('relay', exportBatch, md);
    expect(hub.events()).toHaveLength(10);
    await ingestFromHub(seen);
    expect(await rows()).toHaveLength(first.length);
  });
});

describe('relayConnectionFrom', () => {
  it('publishes to the alert hub with the identity in Azure, a connection string locally', () => {
    expect(
      relayConnectionFrom({
        OTSOC_EVENTHUB_NAME: 'ot-alerts',
        OTSOC_EVENTHUB__fullyQualifiedNamespace: 'plant-ehns.servicebus.windows.net',
      }),
    ).toEqual({ namespace: 'plant-ehns.servicebus.windows.net', hub: 'ot-alerts' });
    expect(
      relayConnectionFrom({ OTSOC_EVENTHUB_NAME: 'ot-alerts', OTSOC_EVENTHUB: 'Endpoint=sb://x/' }),
    ).toEqual({ connectionStringSetting: 'OTSOC_EVENTHUB', hub: 'ot-alerts' });
  });

  it('builds the producer for the alert hub from either form', async () => {
    const byString = relayProducerFromEnv({
      OTSOC_EVENTHUB_NAME: 'ot-alerts',
      OTSOC_EVENTHUB:
        'Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=a;SharedAccessKey=Yg==;UseDevelopmentEmulator=true',
    }) as EventHubProducerClient;
    expect(byString.eventHubName).toBe('ot-alerts');
    const byIdentity = relayProducerFromEnv({
      OTSOC_EVENTHUB_NAME: 'ot-alerts',
      OTSOC_EVENTHUB__fullyQualifiedNamespace: 'plant-ehns.servicebus.windows.net',
    }) as EventHubProducerClient;
    expect([byIdentity.fullyQualifiedNamespace, byIdentity.eventHubName]).toEqual([
      'plant-ehns.servicebus.windows.net',
      'ot-alerts',
    ]);
    await Promise.all([byString.close(), byIdentity.close()]);
  });

  it('names the missing setting', () => {
    expect(() => relayConnectionFrom({ OTSOC_EVENTHUB: 'Endpoint=sb://x/' })).toThrow(/OTSOC_EVENTHUB_NAME/);
    expect(() => relayConnectionFrom({ OTSOC_EVENTHUB_NAME: 'ot-alerts' })).toThrow(
      /OTSOC_EVENTHUB__fullyQualifiedNamespace/,
    );
  });
});
