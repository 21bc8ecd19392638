/** Command-line pieces shared by `ot-soc forward` and `ot-soc send`. */
import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfigFile } from '../../pipeline/config/config.js';
import type { SensorPlacements } from '../../pipeline/enrich/sensorPlacement.js';
import { UsageError } from '../commands/usageError.js';
import type { HubConnection } from './eventHubs.js';
import type { Endpoint } from './syslog.js';

/** `514`, `0.0.0.0:514`, `127.0.0.1:8686`, `[::]:6514` → host and port (host defaults to `defaultHost`). */
export const endpoint =
  (name: string, defaultHost = '0.0.0.0') =>
  (v: string): Endpoint => {
    const m = /^(?:\[([^\]]+)\]:|([^:]+):)?(\d{1,5})$/.exec(v.trim());
    const port = m ? Number(m[3]) : Number.NaN;
    if (!m || port > 65535) throw new InvalidArgumentError(`${name} must be PORT or HOST:PORT`);
    return { host: m[1] ?? m[2] ?? defaultHost, port };
  };

/** A number ≥ 0 (0: off). */
export const nonNegativeNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`${name} must be a number >= 0`);
  return n;
};

/** `1048576`, `512K`, `256M`, `2G` (binary multiples) → bytes. */
export const byteSize = (name: string) => (v: string) => {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(v.trim());
  if (!m) throw new InvalidArgumentError(`${name} must be a size such as 65536, 512K, 256M or 2G`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase()] ?? 1;
  const n = Math.floor(Number(m[1]) * mult);
  if (n < 1) throw new InvalidArgumentError(`${name} must be at least 1 byte`);
  return n;
};

/** A positive number (rates, seconds). */
export const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a number > 0`);
  return n;
};

export interface ConnectionFlags {
  connectionStringEnv?: string;
  namespace?: string;
  hub?: string;
  proxy?: string;
  websockets?: boolean;
  ca?: string;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--connection-string-env <name>',
      'environment variable holding the Event Hubs connection string (never put the string itself on the command line)',
    )
    .option('--namespace <ns>', 'Event Hubs namespace for Entra ID auth (DefaultAzureCredential), with --hub')
    .option(
      '--hub <name>',
      'event hub name (when the connection string has no EntityPath, or with --namespace)',
    )
    .option('--proxy <url>', 'HTTP(S) proxy: AMQP then goes over WebSockets on 443 through CONNECT')
    .option('--websockets', 'AMQP over WebSockets (443) without a proxy')
    .option('--ca <file>', 'extra CA certificate(s), PEM, to trust (e.g. a TLS-inspecting proxy)');
}

export async function connectionOf(o: ConnectionFlags): Promise<HubConnection> {
  return {
    ...(o.connectionStringEnv ? { connectionStringEnv: o.connectionStringEnv } : {}),
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.hub ? { hub: o.hub } : {}),
    ...(o.proxy ? { proxy: checkProxy(o.proxy) } : {}),
    ...(o.websockets ? { webSockets: true } : {}),
    ...(o.ca ? { ca: await readText(o.ca, '--ca') } : {}),
  };
}

function checkProxy(p: string): string {
  let u: URL;
  try {
    u = new URL(p);
  } catch {
    throw new UsageError(`--proxy must be a URL such as http://proxy.plant.local:3128 (got ${p})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`--proxy must be an http:// or https:// URL (got ${p})`);
  return p;
}

export async function readText(file: string, option: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${option}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** The sensor placement (`enrichment.sensors`) of an ot-soc config file, or none. */
export async function sensorsOf(configFile: string | undefined): Promise<SensorPlacements> {
  if (!configFile) return {};
  return (await loadConfigFile(configFile)).enrichment.sensors;
}

/** The value of an environment variable named by an option, required. */
export function secretFromEnv(name: string, option: string, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[name];
  if (!v) throw new UsageError(`${option}: environment variable ${name} is not set or empty`);
  return v;
}
