/**
 * A local Event Hubs endpoint for tests: a rhea AMQP 1.0 server on 127.0.0.1 that speaks enough of the Event Hubs
 * protocol for the real `@azure/event-hubs` SDK to run end to end against it (docs/contracts.md#event-hubs), reached
 * with a `UseDevelopmentEmulator=true` connection string (plain TCP, no TLS).
 *
 * - SASL ANONYMOUS; `$cbs` put-token requests are answered 200 (any token is accepted);
 * - `$management` READ of `com.microsoft:eventhub` and `com.microsoft:partition`;
 * - senders attached to `hub` or `hub/Partitions/N`; batched messages (format 0x80013700) are decoded into their
 *   events, each with its `x-opt-partition-key` annotation; an event sent with a partition key lands on the
 *   partition the SDK's own key→partition mapping gives (stable), without a key round-robin;
 * - every attach echoes the peer's source and target; an event link advertises `max-message-size` as the service
 *   does (1,048,576 bytes on Standard; `maxMessageSize` to change it), which the SDK's `createBatch` honours;
 * - `stop()` drops every connection and stops listening (an outage), `start()` listens again on the same port (one
 *   below the ephemeral range, so nothing listening on port 0 takes it meanwhile);
 *   `busy = true` rejects transfers with `com.microsoft:server-busy` (throttling);
 * - events are recorded per partition with their bodies (a data section decoded as UTF-8 text);
 * - optionally AMQP over WebSockets (`webSocket: {cert, key}`): the service's `wss://…:443/$servicebus/websocket`
 *   endpoint, bridged to the AMQP port, for proxy tests.
 *
 * Consumers (receivers on partitions) are not implemented: tests read `events()` directly.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Server, type Socket, connect as tcpConnect } from 'node:net';
import rhea, {
  type Connection,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
  type Source,
  type TerminusOptions,
} from 'rhea';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { partitionIdForKey } from '../../cli/forward/partitionMap.js';

const BATCH_FORMAT = 0x80013700;

export interface FakeHubEvent {
  partition: string;
  sequenceNumber: number;
  partitionKey: string | undefined;
  /** The event body: a data section as UTF-8 text; an AMQP value as is. */
  body: unknown;
  properties: Record<string, unknown> | undefined;
  /** The AMQP connection it came on (a reconnect is a new connection). */
  connection: string;
}

export interface FakeEventHubOptions {
  /** Port to listen on (default: any free one). */
  port?: number;
  partitions?: number;
  hub?: string;
  /**
   * Also accept AMQP over WebSockets (as the service does on 443): an HTTPS endpoint with this certificate that
   * upgrades `/$servicebus/websocket` (subprotocol `AMQPWSB10`) and bridges the frames to the AMQP port.
   */
  webSocket?: { cert: string; key: string };
  /** Start refusing transfers (see `busy`). */
  busy?: boolean;
  /** The `max-message-size` an event link advertises (default 1,048,576: Standard and above). */
  maxMessageSize?: number;
}

export interface FakeEventHub {
  readonly hub: string;
  readonly port: number;
  readonly partitionIds: string[];
  /** `Endpoint=sb://127.0.0.1:PORT/;…;EntityPath=hub;UseDevelopmentEmulator=true` */
  readonly connectionString: string;
  /** With `webSocket`: its port, and a production-shaped connection string (`sb://localhost:WSPORT/`, no emulator flag). */
  readonly webSocketPort: number | undefined;
  readonly webSocketConnectionString: string | undefined;
  /** WebSocket upgrades accepted. */
  readonly webSocketUpgrades: { path: string; protocol: string; extensions: string }[];
  readonly running: boolean;
  /** Events in arrival order, of one partition or all. */
  events(partition?: string): FakeHubEvent[];
  /** The partition an event with this key lands on. */
  partitionOf(key: string): string;
  /** While true, every transfer is rejected with `com.microsoft:server-busy` (throttling) and not recorded. */
  busy: boolean;
  /** Counters: AMQP connections accepted, transfers (batches or single messages), put-token and READ requests. */
  readonly stats: { connections: number; transfers: number; putTokens: number; reads: number };
  /** Outage: stop listening and drop every connection. */
  stop(): Promise<void>;
  /** Listen again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

interface LinkInfo {
  kind: 'cbs' | 'management' | 'events';
  partition?: string;
}

export async function startFakeEventHub(opts: FakeEventHubOptions = {}): Promise<FakeEventHub> {
  const hub = opts.hub ?? 'hub';
  const partitionCount = opts.partitions ?? 4;
  const partitionIds = Array.from({ length: partitionCount }, (_, i) => String(i));
  const stored = new Map<string, FakeHubEvent[]>(partitionIds.map((id) => [id, []]));
  const all: FakeHubEvent[] = [];
  const stats = { connections: 0, transfers: 0, putTokens: 0, reads: 0 };
  const createdAt = new Date();
  let roundRobin = 0;
  let busy = opts.busy ?? false;

  const container = rhea.create_container({ id: 'fake-eventhub' });
  container.sasl_server_mechanisms.enable_anonymous();

  const replySenders = new WeakMap<Connection, Map<string, Sender>>();
  const linkInfo = new WeakMap<Receiver, LinkInfo>();

  const classify = (address: string | undefined): LinkInfo | undefined => {
    if (address === '$cbs') return { kind: 'cbs' };
    if (address === '$management') return { kind: 'management' };
    if (address === hub) return { kind: 'events' };
    const m = /^([^/]+)\/Partitions\/(\d+)$/i.exec(address ?? '');
    if (m && m[1] === hub && partitionIds.includes(m[2]!)) return { kind: 'events', partition: m[2]! };
    return undefined;
  };

  container.on('connection_open', (ctx: EventContext) => {
    stats.connections++;
    replySenders.set(ctx.connection, new Map());
  });

  // The client's receivers (reply links of $cbs / $management): our side is a sender.
  container.on('sender_open', (ctx: EventContext) => {
    const s = ctx.sender!;
    const remote = remoteAttach(s);
    echo(s, remote);
    const info = classify(remote.source?.address);
    if (info?.kind === 'cbs' || info?.kind === 'management') {
      replySenders.get(ctx.connection)?.set(s.name, s);
      return;
    }
    s.close({ condition: 'amqp:not-implemented', description: 'the fake Event Hub has no consumers' });
  });

  // The client's senders: $cbs / $management requests, and events.
  container.on('receiver_open', (ctx: EventContext) => {
    const r = ctx.receiver!;
    const remote = remoteAttach(r);
    echo(r, remote);
    const info = classify(remote.target?.address);
    if (!info) {
      r.close({ condition: 'amqp:not-found', description: `no entity ${remote.target?.address ?? ''}` });
      return;
    }
    if (info.kind === 'events')
      (r as unknown as { local: { attach: { max_message_size?: number } } }).local.attach.max_message_size =
        opts.maxMessageSize ?? 1_048_576;
    linkInfo.set(r, info);
  });

  const reply = (ctx: EventContext, request: Message, body: unknown, status = 200): void => {
    const senders = replySenders.get(ctx.connection);
    const to = request.reply_to as string | undefined;
    const sender = (to && senders?.get(to)) || undefined;
    if (!sender) return;
    sender.send({
      to,
      correlation_id: request.message_id,
      application_properties: {
        'status-code': status,
        'status-description': status === 200 ? 'OK' : 'Error',
      },
      body,
    });
  };

  const partitionFor = (key: string | undefined): string => {
    if (key !== undefined) return partitionOf(key);
    const id = partitionIds[roundRobin % partitionCount]!;
    roundRobin++;
    return id;
  };

  const record = (ctx: EventContext, msg: Message, fixedPartition: string | undefined): void => {
    const annotations = msg.message_annotations as Record<string, unknown> | undefined;
    const key = annotations?.['x-opt-partition-key'];
    const partitionKey = typeof key === 'string' ? key : undefined;
    const partition = fixedPartition ?? partitionFor(partitionKey);
    const list = stored.get(partition)!;
    const event: FakeHubEvent = {
      partition,
      sequenceNumber: list.length,
      partitionKey,
      body: bodyOf(msg),
      properties: msg.application_properties as Record<string, unknown> | undefined,
      connection: ctx.connection.container_id ?? '',
    };
    list.push(event);
    all.push(event);
  };

  container.on('message', (ctx: EventContext) => {
    const r = ctx.receiver!;
    const info = linkInfo.get(r);
    if (!info) return;
    const raw = ctx.message as unknown;
    if (info.kind === 'cbs') {
      stats.putTokens++;
      reply(ctx, raw as Message, undefined);
      return;
    }
    if (info.kind === 'management') {
      stats.reads++;
      const m = raw as Message;
      const props = (m.application_properties ?? {}) as Record<string, unknown>;
      if (props.type === 'com.microsoft:partition') {
        const id = String(props.partition);
        const list = stored.get(id) ?? [];
        reply(ctx, m, {
          name: hub,
          partition: id,
          begin_sequence_number: 0,
          last_enqueued_sequence_number: list.length - 1,
          last_enqueued_offset: String(Math.max(0, list.length - 1)),
          last_enqueued_time_utc: new Date(),
          is_partition_empty: list.length === 0,
        });
      } else {
        reply(ctx, m, {
          name: hub,
          created_at: createdAt,
          partition_count: partitionCount,
          partition_ids: partitionIds,
        });
      }
      return;
    }
    stats.transfers++;
    if (busy) {
      ctx.delivery?.reject({ condition: 'com.microsoft:server-busy', description: 'busy (fake)' });
      return;
    }
    const format = (ctx as EventContext & { format?: number }).format;
    const max = opts.maxMessageSize ?? 1_048_576;
    if (Buffer.isBuffer(raw) && raw.length > max) {
      ctx.delivery?.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `message of ${raw.length} bytes over ${max} (fake)`,
      });
      return;
    }
    if (format === BATCH_FORMAT || Buffer.isBuffer(raw)) {
      const envelope = rhea.message.decode(raw as Buffer);
      for (const section of dataSections(envelope as unknown as Message))
        record(ctx, rhea.message.decode(section) as unknown as Message, info.partition);
    } else record(ctx, raw as Message, info.partition);
  });

  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let port = opts.port ?? 0;

  const listenOnce = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = container.listen({ port, host: '127.0.0.1' }) as unknown as Server;
      s.on('connection', (sock: Socket) => {
        sockets.add(sock);
        // As the service answers: no Nagle delay on the dispositions (else every send waits for a delayed ACK).
        sock.setNoDelay(true);
        sock.on('close', () => sockets.delete(sock));
      });
      s.once('error', reject);
      s.once('listening', () => {
        port = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  // stop() gives the port up (an outage refuses connections) and start() takes it again: a port the system hands
  // out for port 0 could be handed to another listener in between (a CI run failed so: EADDRINUSE on restart), so
  // the first listen without a port takes one below the ephemeral range, which only an explicit bind can take.
  const listen = async (): Promise<void> => {
    if (port !== 0) return listenOnce();
    for (let attempt = 1; ; attempt++) {
      port = nonEphemeralPort();
      try {
        return await listenOnce();
      } catch (e) {
        if (attempt >= 20 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      }
    }
  };

  const stop = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    await closed;
  };

  function partitionOf(key: string): string {
    return partitionIdForKey(key, partitionIds);
  }

  await listen();
  const ws = opts.webSocket ? await startWebSocketBridge(opts.webSocket, () => port) : undefined;

  return {
    hub,
    partitionIds,
    get port() {
      return port;
    },
    get connectionString() {
      return `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=fake;SharedAccessKey=ZmFrZQ==;EntityPath=${hub};UseDevelopmentEmulator=true`;
    },
    get running() {
      return server !== undefined;
    },
    get busy() {
      return busy;
    },
    set busy(v: boolean) {
      busy = v;
    },
    webSocketPort: ws?.port,
    webSocketConnectionString: ws
      ? `Endpoint=sb://localhost:${ws.port}/;SharedAccessKeyName=fake;SharedAccessKey=ZmFrZQ==;EntityPath=${hub}`
      : undefined,
    webSocketUpgrades: ws?.upgrades ?? [],
    events: (partition) => (partition === undefined ? [...all] : [...(stored.get(partition) ?? [])]),
    partitionOf,
    stats,
    stop,
    start: async () => {
      if (!server) await listen();
    },
    close: async () => {
      await stop();
      await ws?.close();
    },
  };
}

/** HTTPS + WebSocket upgrade (`ws`'s server) → a plain TCP connection to the AMQP port, bytes copied both ways. */
async function startWebSocketBridge(
  tls: { cert: string; key: string },
  amqpPort: () => number,
): Promise<{
  port: number;
  upgrades: { path: string; protocol: string; extensions: string }[];
  close(): Promise<void>;
}> {
  const upgrades: { path: string; protocol: string; extensions: string }[] = [];
  const amqpSockets = new Set<Socket>();
  const server = createHttpsServer({ cert: tls.cert, key: tls.key }, (_req, res) => {
    res.writeHead(426).end();
  });
  // The service speaks AMQP over WebSockets only with the AMQPWSB10 subprotocol.
  const wss = new WebSocketServer({
    server,
    handleProtocols: (offered) => (offered.has('AMQPWSB10') ? 'AMQPWSB10' : false),
  });
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    upgrades.push({
      path: req.url ?? '',
      protocol: String(req.headers['sec-websocket-protocol'] ?? ''),
      extensions: String(req.headers['sec-websocket-extensions'] ?? ''),
    });
    const amqp = tcpConnect(amqpPort(), '127.0.0.1');
    amqpSockets.add(amqp);
    const end = () => {
      ws.terminate();
      amqp.destroy();
    };
    amqp.on('data', (d: Buffer) => ws.send(d, { binary: true }));
    amqp.on('close', () => {
      amqpSockets.delete(amqp);
      end();
    });
    amqp.on('error', end);
    ws.on('message', (data: RawData) =>
      amqp.write(
        Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data),
      ),
    );
    ws.on('close', () => amqp.end());
    ws.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    upgrades,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      for (const s of amqpSockets) s.destroy();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Attach {
  source?: { address?: string };
  target?: { address?: string };
}

/** The peer's attach frame (rhea keeps it on `remote`, which its typings leave out). */
function remoteAttach(link: Sender | Receiver): Attach {
  return ((link as unknown as { remote?: { attach?: Attach } }).remote?.attach ?? {}) as Attach;
}

/** Our attach must echo the peer's source and target, or the SDK does not accept the link. */
function echo(link: Sender | Receiver, remote: Attach): void {
  link.set_source((remote.source ?? {}) as Source);
  link.set_target((remote.target ?? {}) as TerminusOptions);
}

/** The data sections of a batch envelope: each one is an encoded message. */
function dataSections(envelope: Message): Buffer[] {
  const body = envelope.body as { multiple?: boolean; content?: unknown } | undefined;
  if (!body) return [];
  const content = body.content;
  if (body.multiple && Array.isArray(content)) return content.filter((c): c is Buffer => Buffer.isBuffer(c));
  return Buffer.isBuffer(content) ? [content] : [];
}

function bodyOf(msg: Message): unknown {
  const body = msg.body as { typecode?: number; content?: unknown } | unknown;
  if (
    body &&
    typeof body === 'object' &&
    'typecode' in body &&
    (body as { typecode: number }).typecode === 0x75
  ) {
    const content = (body as { content?: unknown }).content;
    return Buffer.isBuffer(content) ? content.toString('utf8') : content;
  }
  return Buffer.isBuffer(body) ? body.toString('utf8') : body;
}

/** A random port in [10000, the system's first ephemeral port): what `listen(0)` never hands out. */
function nonEphemeralPort(): number {
  let first = 32768; // Linux's default; /proc says what this machine uses
  try {
    first =
      Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || first;
  } catch {
    // not Linux: keep the default
  }
  const low = Math.min(10_000, first - 1_000);
  return low + Math.floor(Math.random() * (first - low));
}
