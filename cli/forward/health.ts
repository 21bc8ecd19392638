/**
 * `GET /healthz` on a local port: the forwarder's counters as JSON (200 while the process runs; `status` says
 * `ok`, `degraded` (Event Hubs failing: events wait in the spool) or `stopping`).
 */
import { createServer } from 'node:http';
import { type Endpoint, type Listener, listenOn } from './syslog.js';

export async function startHealth(
  at: Endpoint,
  snapshot: () => unknown | Promise<unknown>,
): Promise<Listener> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && (path === '/healthz' || path === '/')) {
      const body = `${JSON.stringify(await snapshot(), null, 2)}\n`;
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
  const address = await listenOn(server, at);
  return {
    address,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
