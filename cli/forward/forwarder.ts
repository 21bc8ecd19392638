/**
 * The on-site forwarder: syslog (UDP, TCP, TLS) and webhook listeners → validation → on-disk spool → Event Hubs
 * (partition key = site/zone). `startForwarder` starts everything and returns a handle; `stop` closes the
 * listeners, drains the spool into Event Hubs (bounded by a timeout; what is left stays on disk for the next
 * start) and closes the producer.
 */
import type { EnrichConfig } from '../../pipeline/enrich/enricher.js';
import { ForwarderCounters, type HealthSnapshot } from './counters.js';
import { startHealth } from './health.js';
import { Intake } from './intake.js';
import type { Logger } from './log.js';
import { type BatchProducer, Publisher, type RetryPolicy } from './publisher.js';
import { Spool, type SpoolOptions } from './spool.js';
import { type Endpoint, type Listener, startStream, startUdp } from './syslog.js';
import { startWebhook, type WebhookOptions } from './webhook.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

export interface ForwarderOptions {
  producer: BatchProducer;
  /** Sensor placement (`enrichment.sensors` of the ot-soc config), for partition keys of formats without site/zone. */
  sensors: EnrichConfig['sensors'];
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
  /** Idle syslog stream connections are closed after this (0: never). */
  idleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Events per spool slice sent at once. Default 2000. */
  sliceEvents?: number;
  log: Logger;
}

export interface Forwarder {
  readonly addresses: Partial<Record<'udp' | 'tcp' | 'tls' | 'webhook' | 'health', Endpoint>>;
  readonly counters: ForwarderCounters;
  snapshot(): HealthSnapshot;
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
  const intake = new Intake(spool, o.sensors, counters, log, {
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  });
  const publisher = new Publisher(spool, o.producer, counters, log, {
    retry: o.retry ?? {},
    ...(o.sliceEvents ? { sliceEvents: o.sliceEvents } : {}),
  });
  const snapshot = () => counters.snapshot(spool.stats);

  const listeners: Listener[] = [];
  const addresses: Forwarder['addresses'] = {};
  const streamOpts = {
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    ...(o.idleTimeoutMs ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
  };
  try {
    if (o.health) {
      const l = await startHealth(o.health, snapshot);
      listeners.push(l);
      addresses.health = l.address;
    }
    publisher.start();
    if (o.udp) {
      const l = await startUdp(o.udp, intake, log);
      listeners.push(l);
      addresses.udp = l.address;
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
      const l = await startWebhook(o.webhook, o.webhook, intake, spool, counters, log);
      listeners.push(l);
      addresses.webhook = l.address;
    }
  } catch (e) {
    await Promise.allSettled(listeners.map((l) => l.close()));
    await publisher.stop(0);
    await spool.close();
    throw e;
  }
  counters.status = 'ok';
  for (const [name, a] of Object.entries(addresses))
    log.info(`listening: ${name}`, { at: `${a.host}:${a.port}` });

  let stopping: Promise<boolean> | undefined;
  return {
    addresses,
    counters,
    snapshot,
    async idle(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await spool.flushed().catch(() => {});
        if (spool.stats.backlog === 0) return true;
        if (Date.now() >= deadline) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop(drainTimeoutMs) {
      stopping ??= (async () => {
        counters.status = 'stopping';
        const health = addresses.health ? listeners[0] : undefined;
        await Promise.allSettled(listeners.filter((l) => l !== health).map((l) => l.close()));
        await spool.flushed().catch(() => {});
        const backlog = spool.stats.backlog;
        if (backlog > 0) log.info('draining the spool', { events: backlog, timeoutMs: drainTimeoutMs });
        const drained = await publisher.stop(drainTimeoutMs);
        await spool.close();
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
