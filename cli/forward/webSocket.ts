/**
 * A minimal WebSocket client for AMQP over WebSockets (`wss://<namespace>:443/$servicebus/websocket`,
 * subprotocol `AMQPWSB10`) that can go through an HTTP(S) proxy with `CONNECT`.
 *
 * Why: plants often allow outbound traffic only through a proxy, on 443. `@azure/event-hubs` speaks AMQP over
 * WebSockets when given `webSocketOptions.webSocket`, a W3C-style WebSocket constructor, but Node 20 has no
 * WebSocket client without a flag, and the `ws` package is not a dependency here. This class is what rhea's
 * WebSocket wrapper calls: `new AmqpWebSocket(url, protocols, options)`, `onopen`, `onmessage({data})`, `onclose`,
 * `onerror`, `send(bytes)`, `close()`. Binary frames only (AMQP), client frames masked (RFC 6455), ping answered.
 *
 * Options (`webSocketConstructorOptions`): `proxy` (`http://[user:pass@]host:port`; an `https://` proxy is
 * reached over TLS), `ca` (extra trusted CA certificates, PEM), `rejectUnauthorized` (default true).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';

export interface AmqpWebSocketOptions {
  /** HTTP(S) proxy URL; the tunnel is opened with CONNECT host:port. */
  proxy?: string;
  ca?: string | Buffer | (string | Buffer)[];
  rejectUnauthorized?: boolean;
  /** Time allowed for proxy, TLS and upgrade together. Default 30 s. */
  connectTimeoutMs?: number;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

type Handler<T> = ((ev: T) => void) | null;

export class AmqpWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  readonly url: string;
  readyState = AmqpWebSocket.CONNECTING;
  protocol = '';
  onopen: Handler<unknown> = null;
  onmessage: Handler<{ data: Buffer }> = null;
  onclose: Handler<{ code: number; reason: string }> = null;
  onerror: Handler<Error> = null;

  #socket: Socket | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #closeSent = false;
  #closedFired = false;

  constructor(url: string, protocols?: string | string[], options: AmqpWebSocketOptions = {}) {
    this.url = url;
    const list = protocols === undefined ? [] : Array.isArray(protocols) ? protocols : [protocols];
    this.#open(new URL(url), list, options).catch((e: unknown) => this.#fail(e));
  }

  async #open(u: URL, protocols: string[], o: AmqpWebSocketOptions): Promise<void> {
    if (u.protocol !== 'wss:' && u.protocol !== 'ws:') throw new Error(`unsupported WebSocket URL ${u.href}`);
    const secure = u.protocol === 'wss:';
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = Number(u.port || (secure ? 443 : 80));
    const timeout = setTimeout(
      () => this.#fail(new Error(`WebSocket connect to ${host}:${port} timed out`)),
      o.connectTimeoutMs ?? 30_000,
    );
    try {
      let socket: Socket = o.proxy
        ? await connectThroughProxy(new URL(o.proxy), host, port, o)
        : await plainConnect(host, port);
      if (secure) socket = await startTls(socket, host, o);
      const key = randomBytes(16).toString('base64');
      const { res, head, upgraded } = await upgrade(socket, u, host, port, key, protocols);
      if (res.statusCode !== 101)
        throw new Error(`WebSocket upgrade refused: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`);
      const accept = createHash('sha1')
        .update(key + GUID)
        .digest('base64');
      if (res.headers['sec-websocket-accept'] !== accept)
        throw new Error('WebSocket upgrade: bad accept key');
      this.protocol = String(res.headers['sec-websocket-protocol'] ?? '');
      this.#socket = upgraded;
      if (this.readyState !== AmqpWebSocket.CONNECTING) {
        upgraded.destroy();
        return;
      }
      upgraded.setNoDelay(true);
      upgraded.on('data', (c: Buffer) => this.#onData(c));
      upgraded.on('error', (e) => this.#fail(e));
      upgraded.on('close', () => this.#fireClose(1006, 'connection closed'));
      this.readyState = AmqpWebSocket.OPEN;
      this.onopen?.({});
      if (head.length > 0) this.#onData(head);
    } finally {
      clearTimeout(timeout);
    }
  }

  send(data: Buffer | Uint8Array | ArrayBuffer): void {
    if (this.readyState !== AmqpWebSocket.OPEN || !this.#socket) throw new Error('WebSocket is not open');
    const payload = Buffer.isBuffer(data)
      ? data
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    this.#socket.write(encodeFrame(0x2, payload));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === AmqpWebSocket.CLOSED || this.readyState === AmqpWebSocket.CLOSING) return;
    const socket = this.#socket;
    this.readyState = AmqpWebSocket.CLOSING;
    if (!socket) {
      this.#fireClose(code, reason);
      return;
    }
    this.#sendClose(code, reason);
    const t = setTimeout(() => socket.destroy(), 2000);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent || !this.#socket) return;
    this.#closeSent = true;
    const r = Buffer.from(reason, 'utf8');
    const p = Buffer.alloc(2 + r.length);
    p.writeUInt16BE(code, 0);
    r.copy(p, 2);
    this.#socket.write(encodeFrame(0x8, p));
  }

  #onData(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    for (;;) {
      const f = decodeFrame(this.#buf);
      if (!f) return;
      this.#buf = this.#buf.subarray(f.size);
      switch (f.opcode) {
        case 0x0:
        case 0x1:
        case 0x2:
          this.#fragments.push(f.payload);
          if (f.fin) {
            const data = this.#fragments.length === 1 ? this.#fragments[0]! : Buffer.concat(this.#fragments);
            this.#fragments = [];
            this.onmessage?.({ data: Buffer.from(data) });
          }
          break;
        case 0x8: {
          const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
          this.#sendClose(code === 1005 ? 1000 : code, '');
          this.readyState = AmqpWebSocket.CLOSING;
          this.#socket?.end();
          break;
        }
        case 0x9:
          this.#socket?.write(encodeFrame(0xa, f.payload));
          break;
        default:
          break; // pong and reserved opcodes
      }
    }
  }

  #fail(e: unknown): void {
    if (this.readyState === AmqpWebSocket.CLOSED) return;
    const err = e instanceof Error ? e : new Error(String(e));
    this.onerror?.(err);
    this.#socket?.destroy();
    this.#fireClose(1006, err.message);
  }

  #fireClose(code: number, reason: string): void {
    if (this.#closedFired) return;
    this.#closedFired = true;
    this.readyState = AmqpWebSocket.CLOSED;
    this.onclose?.({ code, reason });
  }
}

/** One client frame: FIN set, masked (RFC 6455 §5.3). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const headerLen = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerLen + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) out[1] = 0x80 | len;
  else if (len < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const mask = randomBytes(4);
  mask.copy(out, headerLen);
  const at = headerLen + 4;
  for (let i = 0; i < len; i++) out[at + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** One frame from the start of `buf` (masked or not), or undefined when it is not complete yet. */
export function decodeFrame(
  buf: Buffer,
): { fin: boolean; opcode: number; payload: Buffer; size: number } | undefined {
  if (buf.length < 2) return undefined;
  const fin = (buf[0]! & 0x80) !== 0;
  const opcode = buf[0]! & 0x0f;
  const masked = (buf[1]! & 0x80) !== 0;
  let len = buf[1]! & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  const maskAt = at;
  if (masked) at += 4;
  if (buf.length < at + len) return undefined;
  let payload = buf.subarray(at, at + len);
  if (masked) {
    const copy = Buffer.allocUnsafe(len);
    for (let i = 0; i < len; i++) copy[i] = payload[i]! ^ buf[maskAt + (i & 3)]!;
    payload = copy;
  }
  return { fin, opcode, payload, size: at + len };
}

function plainConnect(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host, port });
    s.once('connect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Opens a tunnel to host:port through an HTTP(S) proxy with CONNECT. */
export function connectThroughProxy(
  proxy: URL,
  host: string,
  port: number,
  o: Pick<AmqpWebSocketOptions, 'ca' | 'rejectUnauthorized'> = {},
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const target = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { Host: target };
    if (proxy.username)
      headers['Proxy-Authorization'] =
        `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
    const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
    const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
    const req: ClientRequest = httpRequest({
      host: proxyHost,
      port: proxyPort,
      method: 'CONNECT',
      path: target,
      headers,
      ...(proxy.protocol === 'https:'
        ? {
            createConnection: () =>
              tlsConnect({
                host: proxyHost,
                port: proxyPort,
                ...(isIP(proxyHost) ? {} : { servername: proxyHost }),
                ...(o.ca ? { ca: o.ca } : {}),
                rejectUnauthorized: o.rejectUnauthorized ?? true,
              }),
          }
        : {}),
    });
    req.once('connect', (res: IncomingMessage, socket: Socket, head: Buffer) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          new Error(`proxy refused CONNECT ${target}: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`),
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once('error', (e) => reject(new Error(`proxy ${proxy.host}: ${e.message}`)));
    req.end();
  });
}

function startTls(socket: Socket, host: string, o: AmqpWebSocketOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      socket,
      ...(isIP(host) ? {} : { servername: host }),
      ...(o.ca ? { ca: o.ca } : {}),
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      ALPNProtocols: ['http/1.1'],
    });
    s.once('secureConnect', () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

function upgrade(
  socket: Socket,
  u: URL,
  host: string,
  port: number,
  key: string,
  protocols: string[],
): Promise<{ res: IncomingMessage; head: Buffer; upgraded: Socket }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Host: `${isIP(host) === 6 ? `[${host}]` : host}:${port}`,
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
    };
    if (protocols.length) headers['Sec-WebSocket-Protocol'] = protocols.join(', ');
    const req = httpRequest({
      createConnection: () => socket,
      path: `${u.pathname}${u.search}`,
      method: 'GET',
      headers,
    });
    req.once('upgrade', (res, upgraded, head) => resolve({ res, head, upgraded }));
    req.once('response', (res) => resolve({ res, head: Buffer.alloc(0), upgraded: socket }));
    req.once('error', reject);
    req.end();
  });
}
