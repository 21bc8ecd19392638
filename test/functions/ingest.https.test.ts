import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import funcs, { type EventHubFunctionOptions } from '@azure/functions';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type FakeBehavior,
  type FakeLogsIngestion,
  generateSelfSignedCert,
  type SelfSignedCert,
  startFakeLogsIngestion,
} from '../helpers/fakeLogsIngestion.js';
import { minute, securityAlert } from '../helpers/records.js';

// The registered handler is driven as the host would; only what cannot exist here is replaced:
// registration (skipped outside the host) is captured, and the managed identity hands a static token.
const registered = vi.hoisted(() => new Map<string, EventHubFunctionOptions>());
vi.mock('@azure/functions', async (importOriginal) => {
  const real = await importOriginal<typeof import('@azure/functions')>();
  const app = {
    ...real.app,
    eventHub: (name: string, o: EventHubFunctionOptions) => registered.set(name, o),
    timer: () => {},
  };
  return { ...real, app, default: { ...real, app } };
});
vi.mock('@azure/identity', () => ({
  DefaultAzureCredential: class {
    async getToken() {
      return { token: 'managed-identity-token', expiresOnTimestamp: Date.now() + 3_600_000 };
    }
  },
}));

const DCR = 'dcr-0123456789abcdef0123456789abcdef';
const T0 = '2026-11-18T02:00:00.000Z';
let cert: SelfSignedCert;
let fake: FakeLogsIngestion | undefined;

beforeAll(async () => {
  cert = await generateSelfSignedCert();
  await writeFile(join(cert.dir, 'ca.pem'), cert.cert);
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await cert.cleanup();
});

/** Starts the fake, points fresh app settings at it and imports the Function entry anew. */
async function handlerAgainst(behavior: FakeBehavior) {
  fake = await startFakeLogsIngestion({ cert: cert.cert, key: cert.key, behavior, dcrId: DCR });
  vi.stubEnv('OTSOC_LOGS_ENDPOINT', fake.url);
  vi.stubEnv('OTSOC_DCR_ID', DCR);
  vi.stubEnv('OTSOC_LOGS_CA_FILE', join(cert.dir, 'ca.pem'));
  vi.stubEnv('OTSOC_SINK_DEADLINE_MS', '3000');
  vi.stubEnv('OTSOC_SINK_RETRY_DELAY_MS', '20');
  registered.clear();
  vi.resetModules();
  await import('../../functions/index.js');
  const handler = registered.get('ingest')!.handler as (m: unknown[], c: unknown) => Promise<void>;
  const letters: Record<string, unknown>[] = [];
  const invoke = async (messages: unknown[], partition: string, firstSeq: number) => {
    const logs: string[] = [];
    const ctx = new funcs.InvocationContext({
      invocationId: `inv-${firstSeq}`,
      functionName: 'ingest',
      triggerMetadata: {
        partitionContext: { partitionId: partition },
        sequenceNumberArray: messages.map((_, i) => firstSeq + i),
      },
      logHandler: (_level, ...args) => logs.push(args.join(' ')),
    });
    await handler(messages, ctx);
    return logs;
  };
  return { invoke, letters, fake: fake! };
}

/** Distinct groups: one alert per destination device. */
const distinctAlerts = (n: number, title = 'Unauthorized PLC Programming') =>
  Array.from({ length: n }, (_, i) =>
    securityAlert({ t: minute(T0, 0, i % 60), dst: `10.${Math.floor(i / 250)}.${i % 250}.7`, title }),
  );

const statsOf = (logs: string[]) =>
  JSON.parse(logs.find((l) => l.startsWith('ingest '))!.replace(/^ingest partition=\S+ /, ''));

describe('ingest Function against an HTTPS Logs Ingestion endpoint', () => {
  it('sends the real wire request and rides out a 429 with Retry-After', async () => {
    const { invoke, fake } = await handlerAgainst(({ requestNumber }) =>
      requestNumber === 1 ? { status: 429, retryAfter: 1 } : 204,
    );
    const logs = await invoke(distinctAlerts(50), '0', 0);
    const stats = statsOf(logs);
    expect(stats).toMatchObject({ parsed: 50, rowsWritten: 50, rowsRejected: 0, deadLettered: 0 });
    expect(stats.sinkRetries).toBeGreaterThanOrEqual(1);
    expect(fake.accepted).toHaveLength(50);
    const r = fake.requests[0]!;
    expect(r).toMatchObject({
      method: 'POST',
      path: `/dataCollectionRules/${DCR}/streams/Custom-OTAlerts_CL`,
      apiVersion: '2023-01-01',
      authorization: 'Bearer managed-identity-token',
      contentEncoding: 'gzip',
    });
    expect(fake.requests[1]!.at - r.at).toBeGreaterThanOrEqual(900);
  });

  it('keeps the rows owed when the sink fails forever (state committed, nothing dead-lettered), and a redelivery sends each once', async () => {
    let down = true;
    const { invoke, fake } = await handlerAgainst(() => (down ? 500 : 204));
    const events = distinctAlerts(40);
    const failed = statsOf(await invoke(events, '1', 100));
    expect(failed).toMatchObject({
      parsed: 40,
      newGroups: 40,
      rowsWritten: 0,
      rowsRejected: 40,
      deadLettered: 0,
    });
    expect(fake.accepted).toHaveLength(0);
    down = false;
    // The redelivered events are duplicates; their groups still owe their rows, which go out as committed.
    const again = statsOf(await invoke(events, '1', 100));
    expect(again).toMatchObject({ newGroups: 0, duplicates: 40, rowsWritten: 40, deadLettered: 0 });
    expect(new Set(fake.accepted.map((r) => r.AlertId)).size).toBe(40);
    expect(fake.accepted.every((r) => r.Revision === 1)).toBe(true);
    const third = statsOf(await invoke(events, '1', 100));
    expect(third).toMatchObject({ duplicates: 40, rowsWritten: 0 });
  });

  it('isolates one poison row among 1,000 and accounts for every event', async () => {
    const { invoke, fake } = await handlerAgainst(({ rows }) =>
      rows.some((r) => String(r.AlertTitle).includes('POISON'))
        ? { status: 400, error: { code: 'InvalidArgument', message: 'row rejected by transformation' } }
        : 204,
    );
    const events = distinctAlerts(999);
    events.splice(500, 0, securityAlert({ t: T0, title: 'POISON Controller Stop', dst: '10.99.99.99' }));
    const stats = statsOf(await invoke(events, '2', 0));
    expect(stats).toMatchObject({ parsed: 1000, rowsWritten: 999, rowsRejected: 1, deadLettered: 1 });
    const written = new Set(fake.accepted.map((r) => r.AlertId));
    expect(written.size).toBe(999);
    expect(written.size + stats.deadLettered).toBe(1000);
  });
});
