/** `ot-soc forward` as a command: flags, validation, and a run stopped by SIGTERM that drains the spool. */
import { request } from 'node:http';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, test, vi } from 'vitest';
import { forwarderOptions, registerForward } from '../../../cli/commands/forward.js';
import { UsageError } from '../../../cli/commands/usageError.js';
import { byteSize, endpoint } from '../../../cli/forward/cliOptions.js';
import {
  bodyCounts,
  forwarderSuite,
  forwardFlags,
  sendStream,
  syslogTemplates,
  uniqueMessage,
  writeConfig,
} from '../../helpers/forwarder.js';

const ENV = 'OTSOC_TEST_FORWARD_EVENTHUB';
const suite = forwarderSuite({ per: 'file', cert: true, connectionStringEnv: ENV });

const base = () => forwardFlags(join(suite.dir, 'spool'), ENV);

describe('ot-soc forward: options', () => {
  test('endpoints and sizes parse as a plant engineer writes them', () => {
    expect(endpoint('--udp')('514')).toEqual({ host: '0.0.0.0', port: 514 });
    expect(endpoint('--health', '127.0.0.1')('8686')).toEqual({ host: '127.0.0.1', port: 8686 });
    expect(endpoint('--tls')('10.0.0.5:6514')).toEqual({ host: '10.0.0.5', port: 6514 });
    expect(endpoint('--tls')('[::]:6514')).toEqual({ host: '::', port: 6514 });
    expect(() => endpoint('--udp')('70000')).toThrow(/--udp/);
    expect(() => endpoint('--udp')('host:')).toThrow(/--udp/);
    expect(byteSize('--spool-max-bytes')('2G')).toBe(2 * 1024 ** 3);
    expect(byteSize('--spool-max-bytes')('512M')).toBe(512 * 1024 ** 2);
    expect(byteSize('--spool-max-bytes')('64KiB')).toBe(65536);
    expect(() => byteSize('--spool-max-bytes')('lots')).toThrow(/--spool-max-bytes/);
  });

  test('usage errors: nothing to listen on, TLS without a certificate, a webhook without authentication, secrets from unset variables', async () => {
    await expect(forwarderOptions({ ...base() })).rejects.toThrow(/nothing to listen on/);
    await expect(forwarderOptions({ ...base(), tls: { host: '127.0.0.1', port: 0 } })).rejects.toThrow(
      /--tls needs --tls-cert/,
    );
    const certs = { tlsCert: join(suite.cert.dir, 'cert.pem'), tlsKey: join(suite.cert.dir, 'key.pem') };
    await expect(
      forwarderOptions({ ...base(), ...certs, webhook: { host: '127.0.0.1', port: 0 } }),
    ).rejects.toThrow(/--webhook needs authentication/);
    await expect(
      forwarderOptions({
        ...base(),
        ...certs,
        webhook: { host: '127.0.0.1', port: 0 },
        webhookSecretEnv: 'OTSOC_UNSET_X',
      }),
    ).rejects.toThrow(/OTSOC_UNSET_X is not set/);
    await expect(
      forwarderOptions({
        ...base(),
        udp: { host: '127.0.0.1', port: 0 },
        connectionStringEnv: 'OTSOC_UNSET_Y',
      }),
    ).rejects.toThrow(UsageError);
    await expect(
      forwarderOptions({ ...base(), udp: { host: '127.0.0.1', port: 0 }, proxy: 'socks5://x:1080' }),
    ).rejects.toThrow(/--proxy/);
    const ok = await forwarderOptions({ ...base(), udp: { host: '127.0.0.1', port: 0 } });
    await ok.producer.close();
  });
});

describe('ot-soc forward: a run', () => {
  test('listens, forwards, serves /healthz, and on SIGTERM stops listening, drains the spool and returns', async () => {
    const stderr: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const program = new Command().exitOverride();
    registerForward(program);
    const cfg = await writeConfig(suite.dir);
    const running = program.parseAsync([
      'node',
      'ot-soc',
      'forward',
      '--config',
      cfg,
      '--tcp',
      '127.0.0.1:0',
      '--health',
      '127.0.0.1:0',
      '--spool',
      join(suite.dir, 'run-spool'),
      '--connection-string-env',
      ENV,
      '--drain-timeout',
      '10',
    ]);
    try {
      const listening = async (name: string) => {
        for (let i = 0; i < 200; i++) {
          const line = stderr.find((l) => l.includes(`listening: ${name}`));
          const m = line && /at=[\d.]+:(\d+)/.exec(line);
          if (m) return Number(m[1]);
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`no "listening: ${name}" line`);
      };
      const tcpPort = await listening('tcp');
      const healthPort = await listening('health');
      const templates = syslogTemplates();
      const messages = Array.from({ length: 500 }, (_, i) => uniqueMessage(templates, 70_000 + i));
      await sendStream(tcpPort, messages, 'newline');
      const health = await new Promise<Record<string, unknown>>((resolve, reject) => {
        request({ host: '127.0.0.1', port: healthPort, path: '/healthz' }, (res) => {
          let t = '';
          res.on('data', (c: Buffer) => {
            t += c.toString();
          });
          res.on('end', () => resolve(JSON.parse(t) as Record<string, unknown>));
        })
          .on('error', reject)
          .end();
      });
      expect(health).toMatchObject({ received: { tcp: 500 } });
      process.emit('SIGTERM', 'SIGTERM');
      await running;
      const counts = bodyCounts(suite.hub);
      for (const m of messages) expect(counts.has(m)).toBe(true);
      const log = stderr.join('');
      expect(log).toMatch(/INFO stopping signal=SIGTERM/);
      expect(log).toMatch(/stopped; spool drained/);
    } finally {
      vi.restoreAllMocks();
    }
  });
});
