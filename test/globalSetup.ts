import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteTableUrl: string;
    azuriteBlobUrl: string;
  }
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

let child: ChildProcess | undefined;

/**
 * Starts Azurite (Table + Blob, in memory, loopback only) once for the whole test run and stops it
 * afterwards: the durable stores are tested against real ETag/412 semantics with nothing to install.
 */
export async function setup(project: TestProject): Promise<void> {
  const [table, blob, queue] = [await freePort(), await freePort(), await freePort()];
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/azurite.js');
  child = spawn(
    process.execPath,
    [
      main,
      '--inMemoryPersistence',
      '--silent',
      '--skipApiVersionCheck',
      '--tableHost', '127.0.0.1', '--tablePort', String(table),
      '--blobHost', '127.0.0.1', '--blobPort', String(blob),
      '--queueHost', '127.0.0.1', '--queuePort', String(queue),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Table service is successfully listening/.test(out) && /Blob service is successfully listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.once('exit', (code) => reject(new Error(`Azurite exited with ${code}:\n${out}`)));
  });
  project.provide('azuriteTableUrl', `http://127.0.0.1:${table}/devstoreaccount1`);
  project.provide('azuriteBlobUrl', `http://127.0.0.1:${blob}/devstoreaccount1`);
}

export async function teardown(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child!.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
