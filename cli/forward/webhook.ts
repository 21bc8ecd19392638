/**
 * The sensor / management console webhook and extended webhook receiver: HTTPS, `POST` a JSON alert (or an
 * array / `{"records":[...]}` envelope of them) to any path.
 *
 * Authentication is required and configurable: a shared secret in a request header (the forwarding rule's
 * custom header), client certificates (mTLS: only certificates issued by `clientCa` complete the handshake), or
 * both. Answers: 202 accepted (after the spool wrote it), 400 not JSON / no valid alert, 401 missing or wrong
 * secret or certificate, 405 not POST, 413 over the size limit, 503 spool full (`Retry-After`).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AllowList } from './connections.js';
import type { ForwarderCounters } from './counters.js';
import type { Intake } from './intake.js';
import { type Logger, LogLimiter } from './log.js';
import type { Spool } from './spool.js';
import { type Endpoint, type Listener, listenOn } from './syslog.js';

export const DEFAULT_WEBHOOK_HEADER = 'X-OT-SOC-Secret';

export interface WebhookOptions {
  cert: string | Buffer;
  key: string | Buffer;
  passphrase?: string;
  /** Shared secret the request must carry in `header`. */
  secret?: string;
  /** Header holding the secret. Default `X-OT-SOC-Secret`. */
  header?: string;
  /** CA certificate(s) (PEM) that issue the clients' certificates: turns on mTLS. */
  clientCa?: string | Buffer;
  /** Largest request body accepted, in bytes. */
  maxBytes: number;
}

export async function startWebhook(
  at: Endpoint,
  opts: WebhookOptions,
  intake: Intake,
  spool: Spool,
  counters: ForwarderCounters,
  log: Logger,
  allow?: AllowList,
): Promise<Listener> {
  // HTTPS only: the secret header (and the alerts) never cross the plant network in clear text.
  if (!opts.cert || !opts.key)
    throw new Error('the webhook needs a TLS certificate and key: it listens on HTTPS only');
  if (!opts.secret && !opts.clientCa)
    throw new Error('the webhook needs a shared secret or client certificates (mTLS), or both');
  const header = (opts.header ?? DEFAULT_WEBHOOK_HEADER).toLowerCase();
  const secretDigest = opts.secret ? createHash('sha256').update(opts.secret).digest() : undefined;

  const server: Server = createServer(
    {
      cert: opts.cert,
      key: opts.key,
      ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
      ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      requestTimeout: 30_000,
      headersTimeout: 15_000,
    },
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        log.error('webhook request failed', { error: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      });
    },
  );
  if (allow) {
    const refusedLog = new LogLimiter(log, 'refused webhook connections', 20);
    // Before the TLS handshake: a peer not on the allow-list costs nothing.
    server.on('connection', (socket: Socket) => {
      if (allow.allows(socket.remoteAddress)) return;
      counters.refusedConnections.notAllowed++;
      refusedLog.warn('connection refused: peer not on the allow-list', {
        transport: 'webhook',
        peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`,
      });
      socket.destroy();
    });
  }
  server.on('tlsClientError', (e) => {
    counters.tlsHandshakeErrors++;
    log.warn('webhook TLS handshake failed', { error: e.message });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.webhook.requests++;
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      reject(req, res, 405, 'only POST');
      return;
    }
    if (opts.clientCa && !(req.socket as TLSSocket).authorized) {
      counters.webhook.unauthorized++;
      reject(req, res, 401, 'client certificate required');
      return;
    }
    if (secretDigest) {
      const given = req.headers[header];
      const value = Array.isArray(given) ? given[0] : given;
      // Constant time: both sides are SHA-256 digests (same length whatever was sent), compared with
      // timingSafeEqual, so neither the secret's length nor a matching prefix shows in the answer time.
      const givenDigest = createHash('sha256')
        .update(value ?? '')
        .digest();
      const ok = timingSafeEqual(givenDigest, secretDigest);
      if (!ok) {
        counters.webhook.unauthorized++;
        log.warn('webhook request without the shared secret', { peer });
        reject(req, res, 401, `missing or wrong ${opts.header ?? DEFAULT_WEBHOOK_HEADER} header`);
        return;
      }
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      counters.webhook.tooLarge++;
      reject(req, res, 413, `body over ${opts.maxBytes} bytes`);
      return;
    }
    const body = await readBody(req, opts.maxBytes);
    if (body === undefined) {
      counters.webhook.tooLarge++;
      reject(req, res, 413, `body over ${opts.maxBytes} bytes`);
      return;
    }
    const text = body.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      counters.webhook.badRequest++;
      intake.rejected('webhook', `invalid JSON: ${(e as Error).message}`, text, peer);
      reply(res, 400, { error: 'the body is not JSON', detail: (e as Error).message });
      return;
    }
    const outcome = intake.records('webhook', value, text, peer);
    if (outcome.accepted > 0) {
      try {
        await spool.flushed();
      } catch (e) {
        counters.webhook.unavailable++;
        counters.error(`spool write: ${(e as Error).message}`);
        reply(res, 503, { error: 'the spool cannot be written' }, { 'Retry-After': '30' });
        return;
      }
    }
    if (outcome.refused > 0) {
      counters.webhook.unavailable++;
      reply(
        res,
        503,
        {
          error: 'spool full',
          accepted: outcome.accepted,
          refused: outcome.refused,
          invalid: outcome.invalid,
        },
        { 'Retry-After': '30' },
      );
      return;
    }
    if (outcome.accepted === 0) {
      counters.webhook.badRequest++;
      reply(res, 400, { error: 'no valid alert', invalid: outcome.invalid });
      return;
    }
    counters.webhook.accepted++;
    reply(res, 202, { accepted: outcome.accepted, invalid: outcome.invalid });
  }

  const address = await listenOn(server, at);
  server.on('error', (e) => log.error('webhook listener error', { error: e.message }));
  return {
    address,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forced = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(forced);
    },
  };

  function reject(req: IncomingMessage, res: ServerResponse, status: number, error: string): void {
    // Answer at once without reading the body; the connection closes after the answer.
    res.setHeader('Connection', 'close');
    reply(res, status, { error });
    req.resume();
    res.on('finish', () => setTimeout(() => req.socket.destroy(), 1000).unref());
  }
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** The request body, or undefined when it is longer than `max` bytes (reading stops there). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!over) reject(e);
    });
  });
}
