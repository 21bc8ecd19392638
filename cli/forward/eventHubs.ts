/**
 * The Event Hubs producer of the forwarder and the sender: the real `EventHubProducerClient`, from a connection
 * string held in an environment variable (never a literal on the command line: it would show in `ps` and shell
 * history) or from a namespace + hub with `DefaultAzureCredential` (managed identity on an Arc-enabled server,
 * a service principal's `AZURE_CLIENT_ID`/`AZURE_TENANT_ID`/`AZURE_CLIENT_CERTIFICATE_PATH`, or `az login`).
 *
 * Behind a proxy, AMQP goes over WebSockets (port 443) with the `ws` client through an HTTP CONNECT tunnel
 * (`https-proxy-agent`), as the SDK documents (`webSocketOptions.webSocket` is a WebSocket constructor that rhea
 * calls as `new WebSocket(url, ['AMQPWSB10'], webSocketConstructorOptions)`; Node 20 has no WebSocket client of
 * its own). The token requests of `DefaultAzureCredential` are HTTPS and follow the standard `HTTPS_PROXY` variable.
 */
import { type EventHubClientOptions, EventHubProducerClient, RetryMode } from '@azure/event-hubs';
import { DefaultAzureCredential } from '@azure/identity';
import { HttpsProxyAgent } from 'https-proxy-agent';
import WebSocket, { type ClientOptions } from 'ws';
import { namesItsHub, producerFromConnectionString } from '../../pipeline/util/eventHubProducer.js';

export interface HubConnection {
  /** Name of the environment variable holding the connection string. */
  connectionStringEnv?: string;
  /** Event Hubs namespace (`plant-ns` or `plant-ns.servicebus.windows.net`), with `hub`, for Entra ID auth. */
  namespace?: string;
  hub?: string;
  /** HTTP(S) proxy for AMQP over WebSockets. */
  proxy?: string;
  /** AMQP over WebSockets (443) even without a proxy. */
  webSockets?: boolean;
  /** Extra CA certificates (PEM) to trust, e.g. a TLS-inspecting proxy's. */
  ca?: string;
  /** The SDK's own retries within one send; the forwarder retries on top, without limit. */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number; timeoutInMs?: number };
}

export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

export function normaliseNamespace(ns: string): string {
  const host = ns.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return host.includes('.') ? host : `${host}.servicebus.windows.net`;
}

export function producerOptions(c: HubConnection): EventHubClientOptions {
  const options: EventHubClientOptions = {
    retryOptions: {
      maxRetries: c.retry?.maxRetries ?? 2,
      retryDelayInMs: c.retry?.retryDelayInMs ?? 1000,
      maxRetryDelayInMs: c.retry?.maxRetryDelayInMs ?? 10_000,
      timeoutInMs: c.retry?.timeoutInMs ?? 30_000,
      mode: RetryMode.Exponential,
    },
    userAgent: 'ot-soc-forwarder',
  };
  if (c.proxy || c.webSockets)
    options.webSocketOptions = { webSocket: WebSocket, webSocketConstructorOptions: webSocketOptions(c) };
  return options;
}

/**
 * The `ws` options for AMQP over WebSockets: the CONNECT tunnel when a proxy is given (Basic credentials from
 * its URL; an `https://` proxy is reached over TLS), `ca` trusted both for an `https://` proxy and for the
 * service (a TLS-inspecting proxy presents its own certificate), certificates always verified, 30 s for
 * proxy, TLS and upgrade together, and no permessage-deflate offer (AMQP frames are binary and small; the
 * hand-written client this replaced never compressed either).
 */
export function webSocketOptions(c: Pick<HubConnection, 'proxy' | 'ca'>): ClientOptions {
  return {
    ...(c.proxy ? { agent: new HttpsProxyAgent(c.proxy, c.ca ? { ca: c.ca } : {}) } : {}),
    ...(c.ca ? { ca: c.ca } : {}),
    rejectUnauthorized: true,
    handshakeTimeout: 30_000,
    perMessageDeflate: false,
  };
}

/** Builds the producer; throws `ConnectionError` (a usage problem) when the settings are incomplete. */
export function createProducer(
  c: HubConnection,
  env: NodeJS.ProcessEnv = process.env,
): EventHubProducerClient {
  const options = producerOptions(c);
  if (c.connectionStringEnv) {
    if (c.namespace) throw new ConnectionError('give --connection-string-env or --namespace, not both');
    const cs = env[c.connectionStringEnv];
    if (!cs) throw new ConnectionError(`environment variable ${c.connectionStringEnv} is not set or empty`);
    // Checked before EntityPath, so a wrong value is not reported as a missing hub name. Never echo the value.
    if (!/(^|;)\s*Endpoint=sb:\/\//i.test(cs))
      throw new ConnectionError(
        `${c.connectionStringEnv} does not hold an Event Hubs connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…])`,
      );
    if (!namesItsHub(cs) && !c.hub)
      throw new ConnectionError('the connection string has no EntityPath: give the hub with --hub');
    try {
      return producerFromConnectionString(cs, c.hub, options);
    } catch (e) {
      // The SDK's message never contains the string itself (a secret).
      throw new ConnectionError(
        `the connection string in ${c.connectionStringEnv} is not valid: ${(e as Error).message}`,
      );
    }
  }
  if (c.namespace) {
    if (!c.hub) throw new ConnectionError('--namespace needs --hub');
    return new EventHubProducerClient(
      normaliseNamespace(c.namespace),
      c.hub,
      new DefaultAzureCredential(),
      options,
    );
  }
  throw new ConnectionError(
    'no Event Hubs connection: give --connection-string-env NAME (a variable holding the connection string) or --namespace NS --hub HUB (Entra ID)',
  );
}
