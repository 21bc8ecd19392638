/**
 * The on-site forwarder: syslog (UDP, TCP, TLS) and webhook listeners → validation → on-disk spool → Event Hubs
 * (partition key = site/zone); what is not forwarded goes to the site's dead-letter file beside the spool. `startForwarder` starts everything and returns a handle; `stop` closes the
 * listeners, drains the spool into Event Hubs (bounded by a timeout; what is left stays on disk for the next
 * start) and closes the producer.
 */

import { join } from 'node:path';
import type { SensorPlacements } from '../../pipeline/enrich/sensorPlacement.js';
import type { AllowList, ConnectionLimits } from './connections.js';
import { ForwarderCounters, type HealthSnapshot } from './counters.js';
import { DEAD_LETTER_FILE, SiteDeadLetters } from './deadLetters.js';
import { startHealth } from './health.js';
import { Intake } from './intake.js';
import { excerpt, type Logger, LogLimiter } from './log.js';
import { type BatchProducer, Publisher, type RetryPolicy } from './publisher.js';
import { Spool, type SpoolOptions } from './spool.js';
import { type Endpoint, type Listener, startStream, startUdp, type UdpListener } from './syslog.js';
import { startWebhook, type WebhookOptions } from './webhook.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

export interface ForwarderOptions {
  producer: BatchProducer;
  /** Sensor placement (`enrichment.sensors` of the ot-soc config), for partition keys of formats without site/zone. */
  sensors: SensorPlacements;
  spool: SpoolOptions;
  udp?: Endpoint;
  tcp?: Endpoint;
  tls?: Endpoint & {
    cert: string | Buffer;
    key: string | Buffer;
    passphrase?: string;
    clientCa?: string | Buffer;
  };
  webhook?: Endpoint & WebhookOptions;
  health?: Endpoint;
  /** Largest syslog message, in bytes. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Stream connection limits (idle timeout, per-peer and global caps); defaults in connections.ts. */
  limits?: Partial<ConnectionLimits>;
  /** Sensor addresses allowed to send (syslog and webhook); none: everyone. */
  allow?: AllowList;
  /** UDP kernel receive buffer asked for. Default 8 MiB. */
  udpReceiveBufferBytes?: number;
  /** The site's dead letters: file (default `<spool>/deadletter.ndjson`) and size bound (default 256 MiB). */
  deadLetters?: { file?: string; maxBytes?: number };
  /** Send the dead letters through the intake again at start (after a fix). */
  redrive?: boolean;
  retry?: Partial<RetryPolicy>;
  /** Events per spool slice sent at once. Default 2000. */
  sliceEvents?: number;
  log: Logger;
}

export interface Forwarder {
  readonly addresses: Partial<Record<'udp' | 'tcp' | 'tls' | 'webhook' | 'health', Endpoint>>;
  readonly counters: ForwarderCounters;
  readonly deadLetters: SiteDeadLetters;
  snapshot(): HealthSnapshot;
  /** Reads the kernel's UDP drop counter now (also every 10 s and on each health request). */
  readUdpDrops(): Promise<void>;
  /** Resolves when every event accepted so far was published (or after `timeoutMs`: false). */
  idle(timeoutMs: number): Promise<boolean>;
  /** Closes listeners, drains the spool for up to `drainTimeoutMs`, closes the producer. True when drained. */
  stop(drainTimeoutMs: number): Promise<boolean>;
}

export async function startForwarder(o: ForwarderOptions): Promise<Forwarder> {
  const counters = new ForwarderCounters();
  const log = o.log;
  const spool = await Spool.open(o.spool);
  const replayed = spool.stats.backlog;
  if (replayed > 0)
    log.info('spool holds events from an earlier run; replaying them first', { events: replayed });
  const lostLog = new LogLimiter(log, 'dead letters not written');
  const deadLetters = await SiteDeadLetters.open(
    o.deadLetters?.file ?? join(o.spool.dir, DEAD_LETTER_FILE),
    o.deadLetters?.maxBytes ?? 256 * 1024 * 1024,
    (l, why) =>
      lostLog.warn('message LOST: not forwarded and not dead-lettered', {
        why,
        kind: l.kind,
        reason: l.reason,
        transport: l.transport,
        peer: l.peer,
        message: excerpt(typeof l.raw === 'string' ? l.raw : l.raw.toString('utf8')),
      }),
  );
  const intake = new Intake(
    spool,
    o.sensors,
    counters,
    log,
    { maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES },
    deadLetters,
  );
  const publisher = new Publisher(spool, o.producer, counters, log, {
    retry: o.retry ?? {},
    deadLetters,
    ...(o.sliceEvents ? { sliceEvents: o.sliceEvents } : {}),
  });
  const snapshot = () => counters.snapshot(spool.stats, deadLetters.stats);
  let udp: UdpListener | undefined;
  /** The kernel's UDP drop counter, read now; an increase is logged. */
  const readDrops = async () => {
    if (!udp) return;
    const drops = await udp.kernelDrops();
    const before = counters.udp.kernelDrops;
    counters.udp.kernelDrops = drops;
    if (drops !== null && drops > (before ?? 0))
      log.warn(
        'UDP datagrams dropped by the kernel (receive buffer full): LOST before the forwarder saw them',
        {
          dropped: drops - (before ?? 0),
          total: drops,
          receiveBufferBytes: udp.receiveBufferBytes,
        },
      );
  };
  let dropTimer: NodeJS.Timeout | undefined;

  const listeners: Listener[] = [];
  const addresses: Forwarder['addresses'] = {};
  const streamOpts = {
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ...(o.limits ? { limits: o.limits } : {}),
    ...(o.allow ? { allow: o.allow } : {}),
  };
  try {
    if (o.health) {
      const l = await startHealth(o.health, async () => {
        await readDrops();
        return snapshot();
      });
      listeners.push(l);
      addresses.health = l.address;
    }
    publisher.start();
    if (o.udp) {
      udp = await startUdp(o.udp, intake, counters, log, {
        ...(o.udpReceiveBufferBytes ? { receiveBufferBytes: o.udpReceiveBufferBytes } : {}),
        ...(o.allow ? { allow: o.allow } : {}),
      });
      listeners.push(udp);
      addresses.udp = udp.address;
      counters.udp.kernelDrops = await udp.kernelDrops();
      dropTimer = setInterval(() => void readDrops(), 10_000);
      dropTimer.unref();
    }
    if (o.tcp) {
      const l = await startStream('tcp', o.tcp, intake, counters, log, streamOpts);
      listeners.push(l);
      addresses.tcp = l.address;
    }
    if (o.tls) {
      const l = await startStream('tls', o.tls, intake, counters, log, streamOpts, {
        cert: o.tls.cert,
        key: o.tls.key,
        ...(o.tls.passphrase ? { passphrase: o.tls.passphrase } : {}),
        ...(o.tls.clientCa ? { ca: o.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      });
      listeners.push(l);
      addresses.tls = l.address;
    }
    if (o.webhook) {
      const l = await startWebhook(o.webhook, o.webhook, intake, spool, counters, log, o.allow);
      listeners.push(l);
      addresses.webhook = l.address;
    }
  } catch (e) {
    clearInterval(dropTimer);
    await Promise.allSettled(listeners.map((l) => l.close()));
    await publisher.stop(0);
    await spool.close();
    await deadLetters.close();
    throw e;
  }
  counters.status = 'ok';
  for (const [name, a] of Object.entries(addresses))
    log.info(`listening: ${name}`, { at: `${a.host}:${a.port}` });
  // The redrive runs beside the listeners (it waits for room in the spool as the publisher drains it).
  const redriven = o.redrive
    ? intake.redrive().then(
        (r) => log.info('dead letters redriven', { ...r, file: deadLetters.file }),
        (e: unknown) => log.error('redrive failed', { error: String(e), file: deadLetters.file }),
      )
    : Promise.resolve();

  let stopping: Promise<boolean> | undefined;
  return {
    addresses,
    counters,
    deadLetters,
    snapshot,
    readUdpDrops: readDrops,
    async idle(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const redriveDone = await Promise.race([
        redriven.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
      ]);
      if (!redriveDone) return false;
      for (;;) {
        await spool.flushed().catch(() => {});
        await deadLetters.flushed().catch(() => {});
        if (spool.stats.backlog === 0) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop(drainTimeoutMs) {
      stopping ??= (async () => {
        counters.status = 'stopping';
        intake.stopRedrive();
        const health = addresses.health ? listeners[0] : undefined;
        await Promise.allSettled(listeners.filter((l) => l !== health).map((l) => l.close()));
        clearInterval(dropTimer);
        await readDrops();
        await spool.flushed().catch(() => {});
        const backlog = spool.stats.backlog;
        if (backlog > 0) log.info('draining the spool', { events: backlog, timeoutMs: drainTimeoutMs });
        await redriven;
        const drained = await publisher.stop(drainTimeoutMs);
        await spool.close();
        await deadLetters.close();
        await o.producer.close().catch(() => {});
        await health?.close();
        if (drained) log.info('stopped; spool drained', { published: counters.published });
        else
          log.warn('stopped before the spool was drained; the rest is sent at the next start', {
            left: spool.stats.backlog,
          });
        return drained;
      })();
      return stopping;
    },
  };
}
