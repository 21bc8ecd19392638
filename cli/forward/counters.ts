/** What the forwarder counts; `GET /healthz` returns a snapshot. */
import { WallClockSensors } from '../../pipeline/enrich/wallClockSensors.js';
import type { DeadLetterStats } from './deadLetters.js';
import type { SpoolStats } from './spool.js';

export const TRANSPORTS = ['udp', 'tcp', 'tls', 'webhook'] as const;
export type Transport = (typeof TRANSPORTS)[number];

const perTransport = (): Record<Transport, number> => ({ udp: 0, tcp: 0, tls: 0, webhook: 0 });
const MAX_REASONS = 50;

export class ForwarderCounters {
  readonly startedAt = new Date();
  /** Messages received (syslog messages, webhook alert records), valid or not. */
  readonly received = perTransport();
  /** Messages that failed validation (never forwarded), per transport. */
  readonly invalid = perTransport();
  /** Invalid messages per reason (the first 50 distinct reasons, then `other`). */
  readonly invalidReasons = new Map<string, number>();
  /** Valid messages written to the spool. */
  spooled = 0;
  /** Valid messages refused because the spool was full (or its disk failed). */
  refused = 0;
  /** Events Event Hubs accepted (`sendBatch` resolved). */
  published = 0;
  publishedBatches = 0;
  /** Events sent again after a failed `sendBatch` whose outcome is unknown: the most duplicates there can be. */
  resent = 0;
  /** Events Event Hubs cannot take (larger than its maximum event size): logged and removed from the spool. */
  dropped = 0;
  sendFailures = 0;
  lastError: { at: string; message: string } | undefined;
  lastPublishedAt: string | undefined;
  /** Open syslog connections. */
  readonly connections = { tcp: 0, tls: 0 };
  /** Connections (and UDP datagrams) refused: the peer is not on the allow-list. */
  readonly refusedConnections = { notAllowed: 0, udpNotAllowed: 0 };
  /** Connections closed by the forwarder: idle too long, over the per-peer cap, oldest idle at the global cap. */
  readonly evictedConnections = { idle: 0, peerCap: 0, globalCap: 0 };
  /** The UDP socket: effective kernel receive buffer and the kernel's drop counter for it (`/proc/net/udp`). */
  readonly udp = { receiveBufferBytes: 0, kernelDrops: 0 as number | null };
  /** Letters redriven from the site's dead-letter file (`forward --redrive`): spooled now, dead-lettered again. */
  readonly redrive = { read: 0, spooled: 0, deadLetteredAgain: 0, damaged: 0 };
  /** Framing errors on stream connections (oversized frames, bad octet counts, TLS handshakes). */
  framingErrors = 0;
  tlsHandshakeErrors = 0;
  readonly webhook = {
    requests: 0,
    accepted: 0,
    unauthorized: 0,
    tooLarge: 0,
    badRequest: 0,
    unavailable: 0,
  };
  status: 'starting' | 'ok' | 'degraded' | 'stopping' = 'starting';
  /** Sensors without a configured `timeZone` whose syslog times have no zone, and the offset their rules look set to. */
  readonly wallClock = new WallClockSensors();

  addInvalid(transport: Transport, reason: string): void {
    this.invalid[transport]++;
    const key = this.invalidReasons.has(reason) || this.invalidReasons.size < MAX_REASONS ? reason : 'other';
    this.invalidReasons.set(key, (this.invalidReasons.get(key) ?? 0) + 1);
  }

  error(message: string): void {
    this.lastError = { at: new Date().toISOString(), message };
  }

  snapshot(spool: SpoolStats, deadLetters?: DeadLetterStats) {
    const total = (r: Record<Transport, number>) => TRANSPORTS.reduce((n, t) => n + r[t], 0);
    const evicted = this.evictedConnections;
    return {
      // Every way a message can fail to reach Event Hubs, as one counter each (details below).
      losses: {
        deadLettered: deadLetters?.written ?? 0,
        deadLettersNotWritten: deadLetters?.notWritten ?? 0,
        invalid: total(this.invalid),
        spoolFull: this.refused,
        eventHubsLimit: this.dropped,
        connectionsRefused: this.refusedConnections.notAllowed,
        datagramsRefused: this.refusedConnections.udpNotAllowed,
        connectionsEvicted: evicted.idle + evicted.peerCap + evicted.globalCap,
        udpKernelDrops: this.udp.kernelDrops,
        webhookUnauthorized: this.webhook.unauthorized,
        webhookTooLarge: this.webhook.tooLarge,
      },
      status: this.status,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      received: { ...this.received, total: total(this.received) },
      invalid: { ...this.invalid, total: total(this.invalid) },
      invalidReasons: Object.fromEntries(this.invalidReasons),
      spooled: this.spooled,
      refused: this.refused,
      published: this.published,
      publishedBatches: this.publishedBatches,
      resent: this.resent,
      dropped: this.dropped,
      sendFailures: this.sendFailures,
      spool: spool,
      spoolBytes: spool.bytes,
      lastPublishedAt: this.lastPublishedAt ?? null,
      lastError: this.lastError ?? null,
      connections: { ...this.connections },
      refusedConnections: { ...this.refusedConnections },
      evictedConnections: { ...evicted },
      udp: { ...this.udp },
      deadLetters: deadLetters ?? null,
      redrive: { ...this.redrive },
      framingErrors: this.framingErrors,
      tlsHandshakeErrors: this.tlsHandshakeErrors,
      webhook: { ...this.webhook },
      wallClockSensors: this.wallClock.list(),
    };
  }
}

export type HealthSnapshot = ReturnType<ForwarderCounters['snapshot']>;
