/**
 * `ot-soc send`: publishes a file of sensor alerts (any supported format: an air-gapped site's export, a replay
 * file, the bundled scenario) to Event Hubs with the forwarder's partitioning (partition key = site/zone, so one
 * zone's alerts reach one consumer in order). Every record is validated with `parseRecord` first; invalid ones are
 * reported and not sent. `rate` paces it (token bucket) for load tests.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import type { EventDataBatch } from '@azure/event-hubs';
import type { EnrichConfig } from '../../pipeline/enrich/enricher.js';
import { isSplitError, parseRecord, splitEvent } from '../../pipeline/parse/index.js';
import { UsageError } from '../commands/usageError.js';
import { readFileEvents } from '../fileEvents.js';
import { partitionKeyOf } from '../partitionKey.js';
import { partitionIdForKey } from './partitionMap.js';
import type { Progress } from './progress.js';
import type { BatchProducer } from './publisher.js';
import { TokenBucket } from './tokenBucket.js';

export interface SendProducer extends BatchProducer {
  getPartitionIds?(): Promise<string[]>;
}

export interface SendFileOptions {
  input: string;
  producer: SendProducer;
  sensors: EnrichConfig['sensors'];
  /** Alerts per second (token bucket); none: as fast as Event Hubs takes them. */
  rate?: number;
  /** Validate and summarise only; send nothing. */
  dryRun?: boolean;
  progress?: Progress;
  /** With a rate, partly filled batches are sent at least this often. Default 100 ms. */
  lingerMs?: number;
}

export interface SendSummary {
  input: string;
  /** Events read from the file, records found in them. */
  events: number;
  records: number;
  sent: number;
  batches: number;
  invalid: number;
  /** The first invalid records, with where they are and why. */
  invalidSamples: { locator: string; reason: string }[];
  /** Records larger than Event Hubs takes (not sent). */
  tooLarge: number;
  perPartitionKey: Record<string, number>;
  /** Per partition id as the service assigns keys (the SDK's key→partition mapping), when the hub was reachable. */
  perPartition?: Record<string, number>;
  seconds: number;
  perSecond: number;
  dryRun: boolean;
}

interface Outgoing {
  key: string;
  body: Buffer;
  locator: string;
}

const MAX_SAMPLES = 20;

export async function sendFile(o: SendFileOptions): Promise<SendSummary> {
  try {
    await access(o.input, constants.R_OK);
  } catch (e) {
    throw new UsageError(
      `cannot read ${o.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const out: Outgoing[] = [];
  const summary: SendSummary = {
    input: o.input,
    events: 0,
    records: 0,
    sent: 0,
    batches: 0,
    invalid: 0,
    invalidSamples: [],
    tooLarge: 0,
    perPartitionKey: {},
    seconds: 0,
    perSecond: 0,
    dryRun: o.dryRun ?? false,
  };
  const invalid = (locator: string, reason: string) => {
    summary.invalid++;
    if (summary.invalidSamples.length < MAX_SAMPLES) summary.invalidSamples.push({ locator, reason });
  };
  // Streamed (any layout, UTF-8 or UTF-16, larger than a string can hold): see cli/fileEvents.ts.
  for await (const e of readFileEvents(o.input, basename(o.input))) {
    summary.events++;
    if (e.error !== undefined) {
      summary.records++;
      invalid(e.locator, e.error);
      continue;
    }
    const pieces = splitEvent(e.body);
    for (const piece of pieces) {
      summary.records++;
      const locator = pieces.length === 1 ? e.locator : `${e.locator}#${piece.index}`;
      if (isSplitError(piece)) {
        invalid(locator, piece.error);
        continue;
      }
      const parsed = parseRecord(piece.value);
      if (!parsed.ok) {
        invalid(locator, parsed.reason);
        continue;
      }
      // The original text: a syslog line as it is, a JSON record as its JSON.
      const body = typeof piece.value === 'string' ? piece.value : JSON.stringify(piece.value);
      out.push({ key: partitionKeyOf(piece.value, o.sensors), body: Buffer.from(body, 'utf8'), locator });
    }
  }
  for (const m of out) summary.perPartitionKey[m.key] = (summary.perPartitionKey[m.key] ?? 0) + 1;
  if (o.dryRun) return summary;

  const partitionIds = o.producer.getPartitionIds ? await o.producer.getPartitionIds() : undefined;
  const started = performance.now();
  const progress = o.progress;
  progress?.start(out.length);
  const bucket = o.rate ? new TokenBucket(o.rate) : undefined;
  const linger = o.lingerMs ?? 100;
  const pending = new Map<string, { batch: EventDataBatch; items: Outgoing[] }>();
  let lastFlush = performance.now();

  const send = async (key: string) => {
    const p = pending.get(key);
    if (!p || p.items.length === 0) return;
    pending.delete(key);
    await o.producer.sendBatch(p.batch);
    summary.sent += p.items.length;
    summary.batches++;
    if (partitionIds) {
      const id = partitionIdForKey(key, partitionIds);
      summary.perPartition ??= {};
      summary.perPartition[id] = (summary.perPartition[id] ?? 0) + p.items.length;
    }
    progress?.update(summary.sent + summary.tooLarge);
  };
  const sendAll = async () => {
    for (const key of [...pending.keys()]) await send(key);
    lastFlush = performance.now();
  };

  try {
    for (const m of out) {
      if (bucket) await bucket.take();
      let p = pending.get(m.key);
      if (!p) {
        p = { batch: await o.producer.createBatch({ partitionKey: m.key }), items: [] };
        pending.set(m.key, p);
      }
      if (!p.batch.tryAdd({ body: m.body })) {
        if (p.items.length > 0) {
          await send(m.key);
          p = { batch: await o.producer.createBatch({ partitionKey: m.key }), items: [] };
          pending.set(m.key, p);
        }
        if (!p.batch.tryAdd({ body: m.body })) {
          summary.tooLarge++;
          summary.perPartitionKey[m.key]! -= 1;
          if (summary.invalidSamples.length < MAX_SAMPLES)
            summary.invalidSamples.push({
              locator: m.locator,
              reason: `larger than the Event Hubs maximum (${p.batch.maxSizeInBytes} bytes)`,
            });
          continue;
        }
      }
      p.items.push(m);
      if (bucket && performance.now() - lastFlush >= linger) await sendAll();
    }
    await sendAll();
  } finally {
    progress?.stop();
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.perSecond = summary.seconds > 0 ? Math.round(summary.sent / summary.seconds) : summary.sent;
  return summary;
}

export function formatSendSummary(s: SendSummary): string {
  const lines: string[] = [];
  lines.push(s.dryRun ? `Checked ${s.input} (dry run: nothing sent)` : `Sent ${s.input} to Event Hubs`);
  lines.push(`  records            ${s.records} (in ${s.events} events)`);
  lines.push(
    `  ${s.dryRun ? 'would send' : 'sent      '}         ${s.dryRun ? s.records - s.invalid : s.sent}`,
  );
  if (!s.dryRun) lines.push(`  batches            ${s.batches}`);
  lines.push(`  invalid (not sent) ${s.invalid}`);
  if (s.tooLarge) lines.push(`  too large          ${s.tooLarge}`);
  if (!s.dryRun) lines.push(`  time               ${s.seconds.toFixed(1)} s (${s.perSecond}/s)`);
  if (s.perPartition) {
    lines.push('  per partition (as Event Hubs assigns the keys)');
    for (const [id, n] of Object.entries(s.perPartition).sort((a, b) => Number(a[0]) - Number(b[0])))
      lines.push(`    ${id.padEnd(6)} ${n}`);
  }
  lines.push('  per partition key (site/zone)');
  for (const [k, n] of Object.entries(s.perPartitionKey).sort((a, b) => b[1] - a[1]))
    lines.push(`    ${k.padEnd(32)} ${n}`);
  if (s.invalidSamples.length) {
    lines.push(`  first ${s.invalidSamples.length} problems`);
    for (const i of s.invalidSamples) lines.push(`    ${i.locator}: ${i.reason}`);
  }
  return lines.join('\n');
}
