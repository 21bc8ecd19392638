/**
 * `GET /healthz` on a local port: the forwarder's counters as JSON (200 while the process runs; `status` says
 * `ok`, `degraded` (Event Hubs failing: events wait in the spool) or `stopping`).
 */
import { createServer } from 'node:http';
import type { Endpoint, Listener } from './syslog.js';

export async function startHealth(at: Endpoint, snapshot: () => unknown): Promise<Listener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/healthz' || path === '/')) {
      const body = `${JSON.stringify(snapshot(), null, 2)}\n`;
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found: GET /healthz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as { address: string; port: number };
  return {
    address: { host: a.address, port: a.port },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
