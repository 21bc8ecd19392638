import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

/** Azurite's published development account (documented by Microsoft for the emulator; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteHandle {
  tableUrl: string;
  blobUrl: string;
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

/**
 * Starts Azurite (Blob, Queue, Table) on free loopback ports, in memory or with its data under
 * `location`, and resolves once Table and Blob listen. `stop()` ends it.
 */
export async function startAzurite(
  opts: { location?: string; timeoutMs?: number } = {},
): Promise<AzuriteHandle> {
  const main = azuriteMain();
  if (!main) throw new Error('azurite is not installed (it is a development dependency: run npm ci)');
  const [table, blob, queue] = [await freePort(), await freePort(), await freePort()];
  const args = [
    main,
    ...(opts.location ? ['--location', opts.location] : ['--inMemoryPersistence']),
    '--silent',
    '--skipApiVersionCheck',
    ...['--tableHost', '127.0.0.1', '--tablePort', String(table)],
    ...['--blobHost', '127.0.0.1', '--blobPort', String(blob)],
    ...['--queueHost', '127.0.0.1', '--queuePort', String(queue)],
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
        /Blob service is successfully listening/.test(out)
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
  return {
    tableUrl: `http://127.0.0.1:${table}/${AZURITE_ACCOUNT}`,
    blobUrl: `http://127.0.0.1:${blob}/${AZURITE_ACCOUNT}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
