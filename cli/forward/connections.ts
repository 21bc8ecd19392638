/**
 * Connection limits that cannot lock a sensor out. A syslog stream listener never refuses a connection for being
 * one too many (Node's `maxConnections` closes new ones silently, so 1,000 idle sockets used to shut every sensor
 * out): it makes room instead.
 *
 * - idle connections are closed after `idleTimeoutMs` (default 5 minutes; a sensor reconnects when it next sends);
 * - one peer address holds at most `maxPerPeer` connections: its own least recently active one makes room;
 * - at `maxConnections`, the least recently active connection of any peer makes room;
 * - an allow-list of sensor addresses (optional) refuses everyone else.
 *
 * A connection made to make room is ended gracefully (FIN; what the peer still sends within a grace period is read
 * and forwarded), then destroyed. Every refused and every closed connection is counted and logged (rate-limited;
 * the line after a busy window gives the count left out).
 */
import { BlockList, isIP, type Socket } from 'node:net';
import type { ForwarderCounters } from './counters.js';
import { type Logger, LogLimiter } from './log.js';

export const DEFAULT_MAX_CONNECTIONS = 1000;
export const DEFAULT_MAX_PER_PEER = 64;
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;
const GRACE_MS = 2000;

/** A peer address without the IPv4-mapped prefix (`::ffff:10.0.0.5` → `10.0.0.5`). */
export function peerAddress(address: string | undefined): string {
  const a = address ?? '';
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/** Sensor addresses and networks (`10.20.0.15`, `10.20.0.0/24`, `fd00::/8`); everything else is refused. */
export class AllowList {
  readonly #list = new BlockList();
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    for (const e of entries) {
      const [net, bits, extra] = e.trim().split('/');
      const family = isIP(net ?? '');
      const prefix = bits === undefined ? undefined : Number(bits);
      const max = family === 6 ? 128 : 32;
      if (
        !family ||
        extra !== undefined ||
        (prefix !== undefined && (!/^\d{1,3}$/.test(bits!) || prefix > max))
      )
        throw new Error(`allow-list entry ${JSON.stringify(e)} is not an IP address or CIDR network`);
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.#list.addAddress(net!, type);
      else this.#list.addSubnet(net!, prefix, type);
    }
  }

  allows(address: string | undefined): boolean {
    const a = peerAddress(address);
    const family = isIP(a);
    if (!family) return false;
    return this.#list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  }
}

export interface ConnectionLimits {
  maxConnections: number;
  maxPerPeer: number;
  /** 0: never. */
  idleTimeoutMs: number;
}

interface Tracked {
  address: string;
  peer: string;
  lastActive: number;
  /** Ends the connection: reads what is left, then closes it. */
  close(): void;
}

export class ConnectionGuard {
  readonly #conns = new Map<Socket, Tracked>();
  readonly #byAddress = new Map<string, Set<Socket>>();
  readonly #log: LogLimiter;

  constructor(
    private readonly kind: 'tcp' | 'tls',
    private readonly limits: ConnectionLimits,
    private readonly counters: ForwarderCounters,
    log: Logger,
    private readonly allow?: AllowList,
  ) {
    this.#log = new LogLimiter(log, 'connection limit events', 50);
  }

  /** Whether a peer may connect at all (the allow-list); a refusal is counted and logged. */
  allowed(socket: Socket): boolean {
    if (!this.allow || this.allow.allows(socket.remoteAddress)) return true;
    this.counters.refusedConnections.notAllowed++;
    this.#log.warn('connection refused: peer not on the allow-list', {
      transport: this.kind,
      peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
    });
    socket.destroy();
    return false;
  }

  /**
   * Tracks a new connection, first making room for it (the peer's own least recently active connection at the
   * per-peer cap, then anyone's at the global cap). `close` ends it when it must make room or stays idle.
   */
  admit(socket: Socket, close: () => void): void {
    const address = peerAddress(socket.remoteAddress);
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const mine = this.#byAddress.get(address);
    if (mine && mine.size >= this.limits.maxPerPeer) this.#evict(oldest(mine, this.#conns), 'peerCap');
    if (this.#conns.size >= this.limits.maxConnections)
      this.#evict(oldest(this.#conns.keys(), this.#conns), 'globalCap');
    this.#conns.set(socket, { address, peer, lastActive: Date.now(), close });
    let set = this.#byAddress.get(address);
    if (!set) {
      set = new Set();
      this.#byAddress.set(address, set);
    }
    set.add(socket);
    if (this.limits.idleTimeoutMs > 0)
      socket.setTimeout(this.limits.idleTimeoutMs, () => this.#evict(socket, 'idle'));
  }

  /** Data arrived: the connection is active. */
  touch(socket: Socket): void {
    const t = this.#conns.get(socket);
    if (t) t.lastActive = Date.now();
  }

  /** The connection closed (or was made to). */
  forget(socket: Socket): void {
    const t = this.#conns.get(socket);
    if (!t) return;
    this.#conns.delete(socket);
    const set = this.#byAddress.get(t.address);
    set?.delete(socket);
    if (set?.size === 0) this.#byAddress.delete(t.address);
  }

  get size(): number {
    return this.#conns.size;
  }

  #evict(socket: Socket | undefined, why: 'idle' | 'peerCap' | 'globalCap'): void {
    const t = socket && this.#conns.get(socket);
    if (!socket || !t) return;
    this.forget(socket);
    this.counters.evictedConnections[why]++;
    const what = {
      idle: `idle for ${this.limits.idleTimeoutMs / 1000} s`,
      peerCap: `the peer holds ${this.limits.maxPerPeer} connections (its least recently active one makes room)`,
      globalCap: `${this.limits.maxConnections} connections open (the least recently active one makes room)`,
    }[why];
    this.#log.warn(`connection closed: ${what}`, {
      transport: this.kind,
      peer: t.peer,
      idleSeconds: Math.round((Date.now() - t.lastActive) / 1000),
    });
    t.close();
    socket.setTimeout(0);
    setTimeout(() => socket.destroy(), GRACE_MS).unref();
  }
}

function oldest(sockets: Iterable<Socket>, conns: Map<Socket, Tracked>): Socket | undefined {
  let best: Socket | undefined;
  let at = Number.POSITIVE_INFINITY;
  for (const s of sockets) {
    const t = conns.get(s);
    if (t && t.lastActive < at) {
      at = t.lastActive;
      best = s;
    }
  }
  return best;
}
