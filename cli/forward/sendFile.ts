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
import type { SensorPlacements } from '../../pipeline/enrich/sensorPlacement.js';
import { isSplitError, parseRecord, splitEvent } from '../../pipeline/parse/index.js';
import { UsageError } from '../commands/usageError.js';
import { readFileEvents } from '../fileEvents.js';
import { alertPartitionKey } from '../partitionKey.js';
import { plural } from '../plural.js';
import { partitionIdForKey } from './partitionMap.js';
import type { Progress } from './progress.js';
import { type BatchProducer, errorText } from './publisher.js';
import { SendCheckpoint } from './sendCheckpoint.js';
import { TokenBucket } from './tokenBucket.js';

export interface SendProducer extends BatchProducer {
  getPartitionIds?(): Promise<string[]>;
}

export interface SendFileOptions {
  input: string;
  producer: SendProducer;
  sensors: SensorPlacements;
  /** Alerts per second (token bucket); none: as fast as Event Hubs takes them. */
  rate?: number;
  /** Validate and summarise only; send nothing. */
  dryRun?: boolean;
  progress?: Progress;
  /** With a rate, partly filled batches are sent at least this often. Default 100 ms. */
  lingerMs?: number;
  /** Checkpoint file: acknowledged records are recorded there and not sent again by a re-run. */
  checkpoint?: string;
}

/** Why `send` stopped before the end, and how to go on. */
export interface SendFailure {
  error: string;
  /** Records in the batch that failed (Event Hubs may or may not have stored them). */
  failed: number;
  /** Valid records never handed to Event Hubs. */
  notAttempted: number;
  /** The first record not acknowledged (file and line). */
  resumeFrom: string | undefined;
  /** Where the acknowledged records are recorded (re-run with `--checkpoint` this file), if it could be written. */
  checkpoint: string | undefined;
  checkpointError?: string;
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
  /** Records a checkpoint shows as acknowledged by an earlier run: not sent again. */
  alreadySent: number;
  /** Lines of the file that were not valid UTF-8, read (and sent) as Windows-1252 text (cli/files/decode.ts). */
  windows1252Lines: number;
  /** Set when the run stopped on an Event Hubs failure (then `ot-soc send` exits 1). */
  failure?: SendFailure;
  seconds: number;
  perSecond: number;
  dryRun: boolean;
}

interface Outgoing {
  key: string;
  body: Buffer;
  locator: string;
  /** Its number among the valid records (the checkpoint's numbering). */
  n: number;
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
    alreadySent: 0,
    windows1252Lines: 0,
    seconds: 0,
    perSecond: 0,
    dryRun: o.dryRun ?? false,
  };
  const invalid = (locator: string, reason: string) => {
    summary.invalid++;
    if (summary.invalidSamples.length < MAX_SAMPLES) summary.invalidSamples.push({ locator, reason });
  };
  // Streamed (any layout, UTF-8 or UTF-16, larger than a string can hold): see cli/fileEvents.ts.
  const onLegacyLines = (n: number) => {
    summary.windows1252Lines = n;
  };
  for await (const e of readFileEvents(o.input, basename(o.input), { onLegacyLines })) {
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
      // Keyed from the alert just parsed: a piece of a split is one record (a line, or a JSON value).
      const key = alertPartitionKey(parsed.alert, o.sensors);
      out.push({ key, body: Buffer.from(body, 'utf8'), locator, n: out.length });
    }
  }
  for (const m of out) summary.perPartitionKey[m.key] = (summary.perPartitionKey[m.key] ?? 0) + 1;
  if (o.dryRun) return summary;

  const checkpoint = await SendCheckpoint.open(o.checkpoint, o.input, out.length);
  summary.alreadySent = checkpoint.acknowledged;
  const todo = checkpoint.acknowledged > 0 ? out.filter((m) => !checkpoint.has(m.n)) : out;
  const started = performance.now();
  const progress = o.progress;
  let inFlight = 0;
  try {
    progress?.start(todo.length);
    await sendAll(o, todo, summary, checkpoint, (n) => {
      inFlight = n;
    });
    await checkpoint.save();
  } catch (e) {
    summary.failure = await failureOf(e, o, out, summary, checkpoint, inFlight);
  } finally {
    progress?.stop();
  }
  summary.seconds = (performance.now() - started) / 1000;
  summary.perSecond = summary.seconds > 0 ? Math.round(summary.sent / summary.seconds) : summary.sent;
  return summary;
}

/** What a failed run leaves: counts, where to resume, and the checkpoint written so a re-run skips what arrived. */
async function failureOf(
  e: unknown,
  o: SendFileOptions,
  out: Outgoing[],
  summary: SendSummary,
  checkpoint: SendCheckpoint,
  inFlight: number,
): Promise<SendFailure> {
  const first = checkpoint.firstPending();
  const to = o.checkpoint ?? `${o.input}.checkpoint.json`;
  let written: string | undefined = to;
  let checkpointError: string | undefined;
  try {
    await checkpoint.save(to);
  } catch (err) {
    written = undefined;
    checkpointError = (err as Error).message;
  }
  const valid = out.length - summary.alreadySent - summary.tooLarge;
  return {
    error: errorText(e),
    failed: inFlight,
    notAttempted: Math.max(0, valid - summary.sent - inFlight),
    resumeFrom: first >= 0 ? out[first]?.locator : undefined,
    checkpoint: written,
    ...(checkpointError ? { checkpointError } : {}),
  };
}

/** Sends `todo` in per-key batches; throws on the first failed send (`onFlight`: records of the batch in flight). */
async function sendAll(
  o: SendFileOptions,
  todo: Outgoing[],
  summary: SendSummary,
  checkpoint: SendCheckpoint,
  onFlight: (n: number) => void,
): Promise<void> {
  const progress = o.progress;
  const partitionIds = o.producer.getPartitionIds ? await o.producer.getPartitionIds() : undefined;
  const bucket = o.rate ? new TokenBucket(o.rate) : undefined;
  const linger = o.lingerMs ?? 100;
  const pending = new Map<string, { batch: EventDataBatch; items: Outgoing[] }>();
  let lastFlush = performance.now();

  const send = async (key: string) => {
    const p = pending.get(key);
    if (!p || p.items.length === 0) return;
    pending.delete(key);
    onFlight(p.items.length);
    await o.producer.sendBatch(p.batch);
    onFlight(0);
    for (const m of p.items) checkpoint.ack(m.n);
    void checkpoint.save(undefined, 200).catch(() => {});
    summary.sent += p.items.length;
    summary.batches++;
    if (partitionIds) {
      const id = partitionIdForKey(key, partitionIds);
      summary.perPartition ??= {};
      summary.perPartition[id] = (summary.perPartition[id] ?? 0) + p.items.length;
    }
    progress?.update(summary.sent + summary.tooLarge);
  };
  const flushAll = async () => {
    for (const key of [...pending.keys()]) await send(key);
    lastFlush = performance.now();
  };

  for (const m of todo) {
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
    if (bucket && performance.now() - lastFlush >= linger) await flushAll();
  }
  await flushAll();
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
  if (s.windows1252Lines)
    lines.push(
      `  not UTF-8          ${plural(s.windows1252Lines, 'line')}, read and sent as Windows-1252 text`,
    );
  if (s.alreadySent)
    lines.push(`  already sent       ${s.alreadySent} (acknowledged in an earlier run: not sent again)`);
  if (!s.dryRun) lines.push(`  time               ${s.seconds.toFixed(1)} s (${s.perSecond}/s)`);
  const f = s.failure;
  if (f) {
    lines.push(`  FAILED: ${f.error}`);
    lines.push(`  failed (in flight)  ${f.failed} (Event Hubs may or may not have stored them)`);
    lines.push(`  not attempted       ${f.notAttempted}`);
    if (f.resumeFrom) lines.push(`  resume from         ${f.resumeFrom}`);
    if (f.checkpoint)
      lines.push(
        `  to resume, run the same command with --checkpoint ${f.checkpoint}: the ${s.alreadySent + s.sent} acknowledged records are not sent again`,
      );
    else
      lines.push(
        `  checkpoint not written (${f.checkpointError ?? 'unknown'}): a re-run sends everything again`,
      );
  }
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
