/** A POST to the forwarder's webhook (HTTPS, the test certificate, the shared secret header). */
import { request } from 'node:https';
import type { Forwarder } from '../../../cli/forward/forwarder.js';
import { DEFAULT_WEBHOOK_HEADER } from '../../../cli/forward/webhook.js';
import type { SelfSignedCert } from '../../helpers/fakeLogsIngestion.js';

export function postWebhook(
  f: Forwarder,
  cert: SelfSignedCert,
  body: string,
  secret: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: f.addresses.webhook!.port,
        path: '/',
        method: 'POST',
        ca: cert.cert,
        servername: 'localhost',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(body)),
          [DEFAULT_WEBHOOK_HEADER]: secret,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
