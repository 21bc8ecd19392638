import { type Command, Option } from 'commander';
import {
  addConnectionOptions,
  byteSize,
  type ConnectionFlags,
  connectionOf,
  endpoint,
  nonNegativeNumber,
  positiveNumber,
  readText,
  secretFromEnv,
  sensorsOf,
} from '../forward/cliOptions.js';
import {
  AllowList,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_PER_PEER,
} from '../forward/connections.js';
import { ConnectionError, createProducer } from '../forward/eventHubs.js';
import { DEFAULT_MAX_MESSAGE_BYTES, type ForwarderOptions, startForwarder } from '../forward/forwarder.js';
import { type LogLevel, streamLogger } from '../forward/log.js';
import { DEFAULT_UDP_RECEIVE_BUFFER, type Endpoint } from '../forward/syslog.js';
import { DEFAULT_WEBHOOK_HEADER } from '../forward/webhook.js';
import { positiveInt } from '../options.js';
import { UsageError } from './usageError.js';

interface ForwardFlags extends ConnectionFlags {
  config?: string;
  udp?: Endpoint;
  tcp?: Endpoint;
  tls?: Endpoint;
  tlsCert?: string;
  tlsKey?: string;
  tlsPassphraseEnv?: string;
  tlsClientCa?: string;
  webhook?: Endpoint;
  webhookCert?: string;
  webhookKey?: string;
  webhookSecretEnv?: string;
  webhookHeader: string;
  webhookClientCa?: string;
  webhookMaxBytes: number;
  health: Endpoint | false;
  spool: string;
  spoolMaxBytes: number;
  fsync?: boolean;
  maxMessageBytes: number;
  drainTimeout: number;
  idleTimeout: number;
  maxConnections: number;
  maxConnectionsPerPeer: number;
  allow?: string[];
  udpReceiveBuffer: number;
  deadLetters?: string;
  deadLetterMaxBytes: number;
  redrive?: boolean;
  retryMax: number;
  logFormat: 'text' | 'json';
  logLevel: LogLevel;
}

/** `ot-soc forward`: the on-site forwarder (syslog / webhook → spool → Event Hubs). */
export function registerForward(program: Command): void {
  const cmd = program
    .command('forward')
    .description(
      'Long-running on-site forwarder: receives Defender for IoT sensor alerts over syslog (UDP, TCP, TLS; CEF, LEEF, text, object) and the (extended) webhook (HTTPS), validates each one, and publishes the original text to Event Hubs with partition key site/zone. An on-disk spool keeps events through Event Hubs outages and restarts (at-least-once). GET /healthz on the health port gives the counters. SIGTERM/SIGINT: stop listening, drain the spool (bounded by --drain-timeout), exit.',
    )
    .option(
      '--config <file>',
      'ot-soc configuration: enrichment.sensors places sensors in sites/zones (partition keys)',
    )
    .option('--udp <[host:]port>', 'syslog over UDP (e.g. 514)', endpoint('--udp'))
    .option(
      '--tcp <[host:]port>',
      'syslog over TCP, octet counting or newline framing (e.g. 601)',
      endpoint('--tcp'),
    )
    .option(
      '--tls <[host:]port>',
      'syslog over TLS, RFC 5425 (e.g. 6514); needs --tls-cert and --tls-key',
      endpoint('--tls'),
    )
    .option('--tls-cert <file>', 'server certificate (PEM, with its chain) for --tls and the webhook')
    .option('--tls-key <file>', 'private key (PEM) of --tls-cert')
    .option('--tls-passphrase-env <name>', 'environment variable holding the key passphrase')
    .option('--tls-client-ca <file>', 'syslog TLS: require client certificates issued by this CA (PEM)')
    .option(
      '--webhook <[host:]port>',
      'HTTPS webhook / extended webhook receiver (e.g. 8443)',
      endpoint('--webhook'),
    )
    .option('--webhook-cert <file>', 'webhook server certificate (default: --tls-cert)')
    .option('--webhook-key <file>', 'webhook private key (default: --tls-key)')
    .option(
      '--webhook-secret-env <name>',
      'environment variable holding the shared secret the webhook requires',
    )
    .option('--webhook-header <name>', 'request header carrying the shared secret', DEFAULT_WEBHOOK_HEADER)
    .option('--webhook-client-ca <file>', 'webhook mTLS: require client certificates issued by this CA (PEM)')
    .addOption(
      new Option('--webhook-max-bytes <size>', 'largest webhook body')
        .argParser(byteSize('--webhook-max-bytes'))
        .default(256 * 1024, '256K'),
    )
    .addOption(
      new Option('--health <[host:]port>', 'health endpoint GET /healthz (JSON counters)')
        .argParser(endpoint('--health', '127.0.0.1'))
        .default({ host: '127.0.0.1', port: 8686 }, '127.0.0.1:8686'),
    )
    .option('--no-health', 'no health endpoint')
    .requiredOption('--spool <dir>', 'spool directory (events waiting for Event Hubs; survives restarts)')
    .addOption(
      new Option(
        '--spool-max-bytes <size>',
        'spool size limit; when full, new events are refused and counted',
      )
        .argParser(byteSize('--spool-max-bytes'))
        .default(1024 ** 3, '1G'),
    )
    .option('--fsync', 'fsync every spool write (survives power loss, slower)')
    .addOption(
      new Option('--max-message-bytes <size>', 'largest syslog message')
        .argParser(byteSize('--max-message-bytes'))
        .default(DEFAULT_MAX_MESSAGE_BYTES, '64K'),
    )
    .option(
      '--drain-timeout <seconds>',
      'on SIGTERM/SIGINT, time allowed to drain the spool',
      positiveNumber('--drain-timeout'),
      30,
    )
    .addOption(
      new Option(
        '--idle-timeout <seconds>',
        'close syslog stream connections idle this long (0: never; a sensor reconnects when it next sends)',
      )
        .argParser(nonNegativeNumber('--idle-timeout'))
        .default(DEFAULT_IDLE_TIMEOUT_MS / 1000),
    )
    .option(
      '--max-connections <n>',
      'syslog stream connections per listener; at the limit the least recently active one is closed to make room (never a new one refused)',
      positiveInt('--max-connections'),
      DEFAULT_MAX_CONNECTIONS,
    )
    .option(
      '--max-connections-per-peer <n>',
      'connections one address may hold; its least recently active one makes room',
      positiveInt('--max-connections-per-peer'),
      DEFAULT_MAX_PER_PEER,
    )
    .option(
      '--allow <addresses>',
      'only these sensor addresses or CIDR networks may send (syslog and webhook), comma-separated; repeatable',
      (v: string, prev: string[] = []) => [
        ...prev,
        ...v
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ],
    )
    .addOption(
      new Option(
        '--udp-receive-buffer <size>',
        'kernel receive buffer of the UDP socket (capped by net.core.rmem_max); bursts beyond it are dropped by the kernel and counted',
      )
        .argParser(byteSize('--udp-receive-buffer'))
        .default(DEFAULT_UDP_RECEIVE_BUFFER, '8M'),
    )
    .option(
      '--dead-letters <file>',
      'where messages received and not forwarded are kept with their reason (default: SPOOL/deadletter.ndjson)',
    )
    .addOption(
      new Option('--dead-letter-max-bytes <size>', 'size limit of the dead-letter file')
        .argParser(byteSize('--dead-letter-max-bytes'))
        .default(256 * 1024 ** 2, '256M'),
    )
    .option(
      '--redrive',
      'at start, send the dead letters through validation again (after a fix); what still fails stays in the file',
    )
    .option(
      '--retry-max <seconds>',
      'longest wait between Event Hubs retries',
      positiveInt('--retry-max'),
      30,
    )
    .option('--log-format <format>', 'text or json', 'text')
    .option('--log-level <level>', 'debug, info, warn or error', 'info');
  addConnectionOptions(cmd).action(async (o: ForwardFlags) => {
    const opts = await forwarderOptions(o);
    const forwarder = await startForwarder(opts);
    const log = opts.log;
    log.info('forwarder running', { spool: o.spool, spoolMaxBytes: o.spoolMaxBytes });
    await new Promise<void>((resolve) => {
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
          log.warn('second signal: exiting now; undelivered events stay in the spool', { signal: sig });
          process.exit(1);
        }
        log.info('stopping', { signal: sig });
        forwarder
          .stop(o.drainTimeout * 1000)
          .catch((e: unknown) => log.error('stop failed', { error: String(e) }))
          .finally(() => {
            process.off('SIGTERM', onSignal);
            process.off('SIGINT', onSignal);
            resolve();
          });
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  });
}

/** Turns the flags into `startForwarder` options (files read, secrets taken from the environment). */
export async function forwarderOptions(o: ForwardFlags): Promise<ForwarderOptions> {
  if (!o.udp && !o.tcp && !o.tls && !o.webhook)
    throw new UsageError('nothing to listen on: give at least one of --udp, --tcp, --tls, --webhook');
  if (o.logFormat !== 'text' && o.logFormat !== 'json')
    throw new UsageError('--log-format must be text or json');
  if (!['debug', 'info', 'warn', 'error'].includes(o.logLevel))
    throw new UsageError('--log-level must be debug, info, warn or error');
  const passphrase = o.tlsPassphraseEnv
    ? secretFromEnv(o.tlsPassphraseEnv, '--tls-passphrase-env')
    : undefined;
  const opts: Omit<ForwarderOptions, 'producer'> = {
    sensors: await sensorsOf(o.config),
    spool: { dir: o.spool, maxBytes: o.spoolMaxBytes, ...(o.fsync ? { fsync: true } : {}) },
    maxMessageBytes: o.maxMessageBytes,
    retry: { maxMs: o.retryMax * 1000 },
    log: streamLogger({ format: o.logFormat, level: o.logLevel }),
    limits: {
      idleTimeoutMs: o.idleTimeout * 1000,
      maxConnections: o.maxConnections,
      maxPerPeer: o.maxConnectionsPerPeer,
    },
    udpReceiveBufferBytes: o.udpReceiveBuffer,
    deadLetters: { maxBytes: o.deadLetterMaxBytes, ...(o.deadLetters ? { file: o.deadLetters } : {}) },
    ...(o.redrive ? { redrive: true } : {}),
    ...(o.allow?.length ? { allow: allowListOf(o.allow) } : {}),
    ...(o.udp ? { udp: o.udp } : {}),
    ...(o.tcp ? { tcp: o.tcp } : {}),
    ...(o.health ? { health: o.health } : {}),
  };
  if (o.tls) {
    if (!o.tlsCert || !o.tlsKey) throw new UsageError('--tls needs --tls-cert and --tls-key');
    opts.tls = {
      ...o.tls,
      cert: await readText(o.tlsCert, '--tls-cert'),
      key: await readText(o.tlsKey, '--tls-key'),
      ...(passphrase ? { passphrase } : {}),
      ...(o.tlsClientCa ? { clientCa: await readText(o.tlsClientCa, '--tls-client-ca') } : {}),
    };
  }
  if (o.webhook) {
    const certFile = o.webhookCert ?? o.tlsCert;
    const keyFile = o.webhookKey ?? o.tlsKey;
    if (!certFile || !keyFile)
      throw new UsageError(
        '--webhook needs a certificate: --webhook-cert/--webhook-key (or --tls-cert/--tls-key)',
      );
    if (!o.webhookSecretEnv && !o.webhookClientCa)
      throw new UsageError(
        '--webhook needs authentication: --webhook-secret-env NAME (shared secret header) and/or --webhook-client-ca FILE (mTLS)',
      );
    opts.webhook = {
      ...o.webhook,
      cert: await readText(certFile, '--webhook-cert'),
      key: await readText(keyFile, '--webhook-key'),
      ...(passphrase ? { passphrase } : {}),
      ...(o.webhookSecretEnv ? { secret: secretFromEnv(o.webhookSecretEnv, '--webhook-secret-env') } : {}),
      header: o.webhookHeader,
      ...(o.webhookClientCa ? { clientCa: await readText(o.webhookClientCa, '--webhook-client-ca') } : {}),
      maxBytes: o.webhookMaxBytes,
    };
  }
  try {
    return { ...opts, producer: createProducer(await connectionOf(o)) };
  } catch (e) {
    if (e instanceof ConnectionError) throw new UsageError(e.message);
    throw e;
  }
}

function allowListOf(entries: string[]): AllowList {
  try {
    return new AllowList(entries);
  } catch (e) {
    throw new UsageError(`--allow: ${(e as Error).message}`);
  }
}
