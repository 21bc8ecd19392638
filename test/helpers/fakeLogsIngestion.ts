/**
 * A real HTTPS Logs Ingestion endpoint on 127.0.0.1 for tests: `node:https` with a self-signed cert made by
 * the openssl CLI. The client trusts it through `tlsOptions: { ca }` (the sink's `tlsCa`), so no
 * NODE_TLS_REJECT_UNAUTHORIZED. It checks the wire contract (path, api-version, bearer token, JSON + gzip,
 * 1 MiB limit), records every request with its sizes and timing, and answers what `behavior` says.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);

export const FAKE_DCR_ID = 'dcr-fakefakefakefakefakefakefakefake';
export const FAKE_STREAM = 'Custom-OTAlerts_CL';
const MAX_BYTES = 1_048_576;

export interface SelfSignedCert {
  dir: string;
  cert: string;
  key: string;
  /** Removes the temp dir. */
  cleanup(): Promise<void>;
}

/** `openssl req -x509 -newkey rsa:2048 -nodes … -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1` */
export async function generateSelfSignedCert(): Promise<SelfSignedCert> {
  const dir = await mkdtemp(join(tmpdir(), 'ot-soc-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return {
    dir,
    cert: await readFile(certFile, 'utf8'),
    key: await readFile(keyFile, 'utf8'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface FakeRequestRecord {
  requestNumber: number;
  /** ms since the server started */
  at: number;
  method: string;
  path: string;
  apiVersion: string | null;
  rawQuery: string;
  authorization: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  clientRequestId: string | undefined;
  gzipBytes: number;
  jsonBytes: number;
  rows: number;
  status: number;
}

export interface FakeReply {
  status: number;
  /** seconds, sent as Retry-After */
  retryAfter?: number;
  error?: { code: string; message: string };
  /**
   * Answer this many ms late (a slow or hung service: the client's deadline may give up first). A delayed 204
   * stores the rows on arrival, as the service does, so a client that gave up never learns they were accepted.
   */
  delayMs?: number;
}

export type FakeBehavior = (context: {
  requestNumber: number;
  rows: Record<string, unknown>[];
  gzipBytes: number;
  jsonBytes: number;
}) => FakeReply | number | undefined;

export interface FakeLogsIngestion {
  /** `https://127.0.0.1:<port>` */
  url: string;
  dcrId: string;
  requests: FakeRequestRecord[];
  /** Rows of requests answered 204, in arrival order. */
  accepted: Record<string, unknown>[];
  /** What the next requests get; replaces the `behavior` given at start. */
  setBehavior(behavior: FakeBehavior | undefined): void;
  close(): Promise<void>;
}

export async function startFakeLogsIngestion(options: {
  cert: string;
  key: string;
  behavior?: FakeBehavior;
  dcrId?: string;
}): Promise<FakeLogsIngestion> {
  const dcrId = options.dcrId ?? FAKE_DCR_ID;
  const requests: FakeRequestRecord[] = [];
  const accepted: Record<string, unknown>[] = [];
  const started = performance.now();
  let behavior = options.behavior;
  const delayed = new Set<NodeJS.Timeout>();

  const server: Server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const wire = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const record: FakeRequestRecord = {
        requestNumber: requests.length + 1,
        at: performance.now() - started,
        method: req.method ?? '',
        path: url.pathname,
        apiVersion: new URLSearchParams(url.search).get('api-version'),
        rawQuery: url.search,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
        clientRequestId: req.headers['x-ms-client-request-id'] as string | undefined,
        gzipBytes: wire.length,
        jsonBytes: 0,
        rows: 0,
        status: 0,
      };
      requests.push(record);
      const reply = (status: number, error?: { code: string; message: string }, retryAfter?: number) => {
        // A delayed answer to a client that already gave up (closed the connection) goes nowhere.
        if (res.destroyed || res.writableEnded) return;
        record.status = status;
        const headers: Record<string, string> = {};
        if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
        if (error) {
          headers['content-type'] = 'application/json';
          res.writeHead(status, headers).end(JSON.stringify({ error }));
        } else {
          res.writeHead(status, headers).end();
        }
      };
      if (req.method !== 'POST') return reply(405, { code: 'MethodNotAllowed', message: String(req.method) });
      if (url.pathname !== `/dataCollectionRules/${dcrId}/streams/${FAKE_STREAM}`) {
        return reply(404, { code: 'InvalidStream', message: `unknown path ${url.pathname}` });
      }
      if (record.apiVersion !== '2023-01-01') {
        return reply(400, { code: 'InvalidApiVersion', message: String(record.apiVersion) });
      }
      if (!/^Bearer \S+/.test(record.authorization ?? '')) {
        return reply(401, { code: 'InvalidAuthenticationToken', message: 'no bearer token' });
      }
      if (!/^application\/json/.test(record.contentType ?? '') || record.contentEncoding !== 'gzip') {
        return reply(400, { code: 'InvalidArgument', message: 'expected gzip JSON' });
      }
      let json: Buffer;
      try {
        json = gunzipSync(wire);
      } catch {
        return reply(400, { code: 'InvalidArgument', message: 'bad gzip' });
      }
      record.jsonBytes = json.length;
      if (wire.length > MAX_BYTES || json.length > MAX_BYTES) {
        return reply(413, {
          code: 'ContentLengthLimitExceeded',
          message: `request ${json.length} B (gzip ${wire.length} B) exceeds 1 MB`,
        });
      }
      const rows = JSON.parse(json.toString('utf8')) as Record<string, unknown>[];
      record.rows = rows.length;
      const decided = behavior?.({
        requestNumber: record.requestNumber,
        rows,
        gzipBytes: wire.length,
        jsonBytes: json.length,
      });
      const answer: FakeReply | undefined = typeof decided === 'number' ? { status: decided } : decided;
      const later = (fn: () => void) => {
        if (!answer?.delayMs) return fn();
        const timer = setTimeout(() => {
          delayed.delete(timer);
          fn();
        }, answer.delayMs);
        delayed.add(timer);
      };
      if (answer && answer.status !== 204) {
        const error =
          answer.error ??
          (answer.status >= 400 ? { code: `Http${answer.status}`, message: 'fake failure' } : undefined);
        return later(() => reply(answer.status, error, answer.retryAfter));
      }
      accepted.push(...rows);
      later(() => reply(204));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    dcrId,
    requests,
    accepted,
    setBehavior: (b) => {
      behavior = b;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
