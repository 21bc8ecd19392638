/**
 * Syslog listeners: UDP (one message per datagram, RFC 5426), TCP and TLS (RFC 6587 / RFC 5425 framing).
 *
 * Stream framing is detected per connection from its first byte: a digit 1–9 means octet counting
 * (`<length> SP <message>`, RFC 6587 §3.4.1, what RFC 5425 TLS senders use); anything else (normally `<` of the
 * PRI, or `C` of a bare `CEF:`) means non-transparent framing, one message per line (LF; CR LF and NUL trailers are
 * tolerated, §3.4.2). A frame longer than the message limit is counted as invalid and skipped; a malformed
 * octet count ends the connection (the stream cannot be resynchronised).
 */
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { isIPv6, type Server, type Socket, createServer as tcpServer } from 'node:net';
import { type TLSSocket, type TlsOptions, createServer as tlsServer } from 'node:tls';
import { messageText } from '../files/decode.js';
import {
  type AllowList,
  ConnectionGuard,
  type ConnectionLimits,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_PER_PEER,
} from './connections.js';
import type { ForwarderCounters } from './counters.js';
import type { Intake } from './intake.js';
import { type Logger, LogLimiter } from './log.js';
import { udpDropReader } from './udpDrops.js';

export interface Endpoint {
  host: string;
  port: number;
}

/** Listens on `at` (port 0: any free port) and resolves with the address bound, or rejects with the listen error. */
export async function listenOn(server: Server, at: Endpoint): Promise<Endpoint> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as { address: string; port: number };
  return { host: a.address, port: a.port };
}

export interface Listener {
  readonly address: Endpoint;
  close(): Promise<void>;
}

export const DEFAULT_UDP_RECEIVE_BUFFER = 8 * 1024 * 1024;

export interface UdpOptions {
  /** Kernel receive buffer asked for (Linux grants at most net.core.rmem_max, doubled). Default 8 MiB. */
  receiveBufferBytes?: number;
  allow?: AllowList;
}

export interface UdpListener extends Listener {
  /** The kernel receive buffer granted, in bytes. */
  readonly receiveBufferBytes: number;
  /** Datagrams the kernel dropped for this socket (its buffer was full), or null where it cannot be read. */
  kernelDrops(): Promise<number | null>;
}

/** UDP: one message per datagram, handed on as the bytes received. */
export async function startUdp(
  at: Endpoint,
  intake: Intake,
  counters: ForwarderCounters,
  log: Logger,
  opts: UdpOptions = {},
): Promise<UdpListener> {
  const socket: DgramSocket = createSocket({ type: isIPv6(at.host) ? 'udp6' : 'udp4' });
  const refusedLog = new LogLimiter(log, 'refused datagrams', 20);
  socket.on('message', (msg, rinfo) => {
    const peer = `${rinfo.address}:${rinfo.port}`;
    if (opts.allow && !opts.allow.allows(rinfo.address)) {
      counters.refusedConnections.udpNotAllowed++;
      refusedLog.warn('datagram refused: sender not on the allow-list', { transport: 'udp', peer });
      return;
    }
    intake.syslog('udp', msg, peer);
  });
  socket.on('error', (e) => log.error('udp listener error', { error: e.message }));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(at.port, at.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // A bigger kernel buffer rides out bursts; what it cannot hold the kernel drops and counts (kernelDrops).
  const asked = opts.receiveBufferBytes ?? DEFAULT_UDP_RECEIVE_BUFFER;
  try {
    socket.setRecvBufferSize(asked);
  } catch (e) {
    log.warn('udp receive buffer not set', { asked, error: (e as Error).message });
  }
  const granted = socket.getRecvBufferSize();
  // Linux reports double the size asked for (bookkeeping) and caps the request at net.core.rmem_max.
  if (granted < asked)
    log.warn('udp receive buffer smaller than asked; raise net.core.rmem_max (sysctl) to get it', {
      asked,
      granted,
    });
  counters.udp.receiveBufferBytes = granted;
  const a = socket.address();
  const drops = udpDropReader(a.address, a.port, a.family === 'IPv6');
  return {
    address: { host: a.address, port: a.port },
    receiveBufferBytes: granted,
    kernelDrops: drops,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

export interface StreamOptions {
  /** Largest message (frame) accepted, in bytes. */
  maxMessageBytes: number;
  limits?: Partial<ConnectionLimits>;
  allow?: AllowList;
}

/** TCP, or TLS when `tls` is given (certificate and key; `ca` + `requestCert` for client certificates). */
export async function startStream(
  kind: 'tcp' | 'tls',
  at: Endpoint,
  intake: Intake,
  counters: ForwarderCounters,
  log: Logger,
  opts: StreamOptions,
  tls?: TlsOptions,
): Promise<Listener> {
  const sockets = new Set<Socket>();
  const guard = new ConnectionGuard(
    kind,
    {
      maxConnections: opts.limits?.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxPerPeer: opts.limits?.maxPerPeer ?? DEFAULT_MAX_PER_PEER,
      idleTimeoutMs: opts.limits?.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    },
    counters,
    log,
    opts.allow,
  );
  const onConnection = (socket: Socket) => {
    sockets.add(socket);
    counters.connections[kind]++;
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setKeepAlive(true, 60_000);
    const framer = new SyslogFramer(opts.maxMessageBytes);
    const deliver = (out: FramerOutput) => {
      for (const m of out.messages) intake.syslog(kind, m, peer);
      for (const e of out.errors) intake.framingError(kind, e.reason, peer, e.fragment);
      if (out.fatal) {
        log.warn('syslog stream framing broken; connection closed', {
          transport: kind,
          peer,
          reason: out.fatal,
        });
        socket.destroy();
      }
    };
    // Made to make room or idle: FIN, and what the peer still sends in the grace period is read.
    guard.admit(socket, () => socket.end());
    socket.on('data', (chunk: Buffer) => {
      guard.touch(socket);
      deliver(framer.push(chunk));
    });
    socket.on('end', () => {
      deliver(framer.end());
      socket.end();
    });
    socket.on('error', (e) =>
      log.debug('syslog connection error', { transport: kind, peer, error: e.message }),
    );
    socket.on('close', () => {
      // A partial frame left by a connection that broke off is reported, not lost without a trace.
      deliver(framer.end());
      guard.forget(socket);
      sockets.delete(socket);
      counters.connections[kind]--;
    });
  };
  let server: Server;
  if (kind === 'tls') {
    server = tlsServer(tls ?? {}, (s: TLSSocket) => onConnection(s));
    server.on('tlsClientError', (e, s) => {
      counters.tlsHandshakeErrors++;
      log.warn('syslog TLS handshake failed', {
        peer: `${s.remoteAddress ?? '?'}:${s.remotePort ?? '?'}`,
        error: e.message,
      });
    });
    // The allow-list is checked before the handshake costs anything.
    server.on('connection', (raw: Socket) => guard.allowed(raw));
  } else server = tcpServer((s) => guard.allowed(s) && onConnection(s));
  server.on('error', (e) => log.error(`${kind} listener error`, { error: e.message }));
  const address = await listenOn(server, at);
  return {
    address,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Read what the peers already sent, then close their connections.
      for (const s of sockets) s.end();
      const forced = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2000);
      await closed;
      clearTimeout(forced);
    },
  };
}

export interface FramerOutput {
  messages: string[];
  errors: { reason: string; fragment: string }[];
  /** The stream cannot be read on: close the connection. */
  fatal?: string;
}

/** Splits a syslog byte stream into messages; the framing is decided by the first byte. */
export class SyslogFramer {
  #mode: 'unknown' | 'octet' | 'line' = 'unknown';
  #buf: Buffer = Buffer.alloc(0);
  /** Bytes still to skip of an oversized frame (octet counting) or `-1`: skip to the next newline. */
  #skip = 0;
  #failed = false;

  constructor(private readonly maxBytes: number) {}

  get mode(): 'unknown' | 'octet' | 'line' {
    return this.#mode;
  }

  /** Bytes held for an incomplete message between reads: at most the message limit plus an octet count. */
  get bufferedBytes(): number {
    return this.#buf.length;
  }

  push(chunk: Buffer): FramerOutput {
    const out: FramerOutput = { messages: [], errors: [] };
    if (this.#failed) return out;
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    if (this.#mode === 'unknown') {
      let i = 0;
      while (i < this.#buf.length && isSpace(this.#buf[i]!)) i++;
      if (i === this.#buf.length) return out;
      const c = this.#buf[i]!;
      this.#mode = c >= 0x31 && c <= 0x39 ? 'octet' : 'line';
    }
    if (this.#mode === 'octet') this.#octets(out);
    else this.#lines(out, false);
    return out;
  }

  /** The connection ended: a last unterminated line is a message; a partial frame is an error. */
  end(): FramerOutput {
    const out: FramerOutput = { messages: [], errors: [] };
    if (this.#failed || this.#buf.length === 0) return out;
    if (this.#mode === 'line') this.#lines(out, true);
    else if (this.#mode === 'octet' && this.#buf.some((b) => !isSpace(b)))
      out.errors.push({ reason: 'truncated octet-counted frame', fragment: fragment(this.#buf) });
    this.#buf = Buffer.alloc(0);
    return out;
  }

  #octets(out: FramerOutput): void {
    let buf = this.#buf;
    let pos = 0;
    for (;;) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, buf.length - pos);
        this.#skip -= n;
        pos += n;
        if (this.#skip > 0) break;
      }
      // Tolerate a newline or spaces between frames (some senders add one).
      while (pos < buf.length && isSpace(buf[pos]!)) pos++;
      if (pos >= buf.length) break;
      const sp = buf.indexOf(0x20, pos);
      const limit = Math.min(buf.length, pos + 10);
      if (sp < 0 || sp > limit) {
        if (buf.length - pos < 10 && allDigits(buf, pos, buf.length)) break; // the length is still arriving
        this.#fail(out, 'bad octet count', buf.subarray(pos));
        return;
      }
      if (sp === pos || !allDigits(buf, pos, sp) || buf[pos] === 0x30) {
        this.#fail(out, 'bad octet count', buf.subarray(pos));
        return;
      }
      const len = Number(buf.toString('latin1', pos, sp));
      if (len > this.maxBytes) {
        out.errors.push({
          reason: `message too large (${len} bytes > ${this.maxBytes})`,
          fragment: fragment(buf.subarray(sp + 1, sp + 1 + 200)),
        });
        pos = sp + 1;
        this.#skip = len;
        continue;
      }
      if (buf.length - (sp + 1) < len) break; // the frame is still arriving
      out.messages.push(messageText(buf, sp + 1, sp + 1 + len));
      pos = sp + 1 + len;
    }
    buf = buf.subarray(pos);
    this.#buf = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }

  #lines(out: FramerOutput, final: boolean): void {
    const buf = this.#buf;
    let pos = 0;
    for (;;) {
      const nl = indexOfTrailer(buf, pos);
      if (nl < 0) break;
      if (this.#skip < 0)
        this.#skip = 0; // the rest of an oversized line
      else if (nl - pos > this.maxBytes)
        out.errors.push({
          reason: `message too large (${nl - pos} bytes > ${this.maxBytes})`,
          fragment: fragment(buf.subarray(pos, pos + 200)),
        });
      else if (nl > pos) {
        const line = messageText(buf, pos, buf[nl - 1] === 13 ? nl - 1 : nl);
        if (line.trim() !== '') out.messages.push(line);
      }
      pos = nl + 1;
    }
    let rest = buf.subarray(pos);
    if (final && rest.length > 0 && this.#skip === 0) {
      if (rest.length > this.maxBytes)
        out.errors.push({
          reason: `message too large (${rest.length} bytes > ${this.maxBytes})`,
          fragment: fragment(rest.subarray(0, 200)),
        });
      else {
        const line = messageText(rest);
        if (line.trim() !== '') out.messages.push(line);
      }
      rest = Buffer.alloc(0);
    } else if (rest.length > this.maxBytes && this.#skip === 0) {
      // No newline within the limit: report it once, then skip to the next newline.
      out.errors.push({
        reason: `message too large (over ${this.maxBytes} bytes without a newline)`,
        fragment: fragment(rest.subarray(0, 200)),
      });
      this.#skip = -1;
      rest = Buffer.alloc(0);
    } else if (this.#skip < 0) rest = Buffer.alloc(0);
    this.#buf = rest.length === 0 ? Buffer.alloc(0) : Buffer.from(rest);
  }

  #fail(out: FramerOutput, reason: string, at: Buffer): void {
    out.errors.push({ reason, fragment: fragment(at.subarray(0, 200)) });
    out.fatal = reason;
    this.#failed = true;
    this.#buf = Buffer.alloc(0);
  }
}

function isSpace(b: number): boolean {
  return b === 0x0a || b === 0x0d || b === 0x20 || b === 0x00 || b === 0x09;
}

function allDigits(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i]! < 0x30 || buf[i]! > 0x39) return false;
  return true;
}

/** The next LF or NUL (both end a message in non-transparent framing). */
function indexOfTrailer(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === 0x0a || b === 0x00) return i;
  }
  return -1;
}

function fragment(b: Buffer): string {
  return b.toString('utf8', 0, Math.min(b.length, 200));
}
