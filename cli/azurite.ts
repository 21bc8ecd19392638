import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { LAUNCHER } from './state/azuriteLauncher.js';
import { TABLE_ONLY_FLAG } from './state/azuriteTableOnly.js';
import { commandLine, isAlive, waitForExit } from './state/processes.js';

/** Azurite's published development account (documented by Microsoft for the emulator; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  tableUrl: string;
  /** Only when started with `blob: true`. */
  blobUrl?: string;
  pid: number;
  /**
   * Makes the Table service's data durable now (a journal line of what changed; state/azuriteLauncher.ts):
   * after it resolves, everything written before survives this process and Azurite being killed.
   */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Where the azurite package is, or undefined when it is not installed (a production install). */
export function azuriteMain(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
  } catch {
    return undefined;
  }
}

export interface AzuriteOptions {
  /** Where its data lives; in memory without it. */
  location?: string;
  timeoutMs?: number;
  /** Written with its pid and location once spawned (reapAzurite reads it). */
  pidFile?: string;
  /** Also start the Blob (and Queue) services; only the Table service without it. */
  blob?: boolean;
}

/**
 * Starts Azurite on free loopback ports, in memory or with its data under `location`: the Table service, and
 * Blob and Queue with `blob`. Resolves once they listen. `stop()` ends it.
 */
export async function startAzurite(opts: AzuriteOptions = {}): Promise<AzuriteHandle> {
  const main = azuriteMain();
  if (!main) throw new Error('azurite is not installed (it is a development dependency: run npm ci)');
  // A free port can be taken by another process between freePort() and Azurite's listen: try new ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(main, opts);
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(main: string, opts: AzuriteOptions): Promise<AzuriteHandle> {
  const table = await freePort();
  const [blob, queue] = opts.blob ? [await freePort(), await freePort()] : [];
  const args = [
    '-e',
    LAUNCHER,
    main,
    ...(opts.blob ? [] : [TABLE_ONLY_FLAG]),
    ...(opts.location ? ['--location', opts.location] : ['--inMemoryPersistence']),
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    ...['--tableHost', '127.0.0.1', '--tablePort', String(table)],
    ...(opts.blob
      ? [
          '--blobHost',
          '127.0.0.1',
          '--blobPort',
          String(blob),
          '--queueHost',
          '127.0.0.1',
          '--queuePort',
          String(queue),
        ]
      : []),
  ];
  // Its own process group: a Ctrl-C in the terminal reaches the CLI, which stops Azurite in order (a second
  // signal while Azurite is already closing would kill it before it saved).
  const child: ChildProcess = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  if (opts.pidFile && child.pid)
    await writeFile(opts.pidFile, `${JSON.stringify({ pid: child.pid, location: opts.location })}\n`);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Azurite did not start in ${opts.timeoutMs ?? 30_000} ms:\n${out}`));
    }, opts.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (
        /Table service is successfully listening/.test(out) &&
        (!opts.blob || /Blob service is successfully listening/.test(out))
      ) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}:\n${out}`));
    });
  });
  let flushes = 0;
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  child.on('message', (m: { flushed?: number; error?: string }) => {
    const p = m.flushed === undefined ? undefined : pending.get(m.flushed);
    if (!p) return;
    pending.delete(m.flushed!);
    if (m.error) p.reject(new Error(`Azurite could not save its data: ${m.error}`));
    else p.resolve();
  });
  child.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`Azurite exited (${code}) before saving its data`));
    pending.clear();
  });
  return {
    tableUrl: `http://127.0.0.1:${table}/${AZURITE_ACCOUNT}`,
    ...(opts.blob && { blobUrl: `http://127.0.0.1:${blob}/${AZURITE_ACCOUNT}` }),
    pid: child.pid!,
    flush: () =>
      new Promise<void>((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) {
          reject(new Error('Azurite is not running'));
          return;
        }
        const id = ++flushes;
        pending.set(id, { resolve, reject });
        child.send({ flush: id });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        // The timer is cleared once Azurite exits: a pending one kept the CLI alive 10 s after every run.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      if (child.connected) child.disconnect();
      if (opts.pidFile) await rm(opts.pidFile, { force: true });
    },
  };
}

/**
 * Stops an Azurite that a run killed before it could stop it left behind on `location` (its pid file says
 * which): SIGTERM first, so it saves what it holds, then SIGKILL after `timeoutMs`. A pid that now runs
 * something else is left alone. Returns the pid stopped, if any.
 */
export async function reapAzurite(
  pidFile: string,
  location: string,
  timeoutMs = 15_000,
): Promise<number | undefined> {
  let recorded: { pid?: unknown; location?: unknown };
  try {
    recorded = JSON.parse(await readFile(pidFile, 'utf8')) as typeof recorded;
  } catch {
    return undefined;
  }
  const pid = Number(recorded.pid);
  let reaped: number | undefined;
  const cmd = isAlive(pid) ? commandLine(pid) : undefined;
  if (cmd?.includes('azurite') && cmd.includes(location)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitForExit(pid, timeoutMs))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 2000);
    }
    reaped = pid;
  }
  await rm(pidFile, { force: true });
  return reaped;
}
