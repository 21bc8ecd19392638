/**
 * One process at a time per `--state` directory. Two runs sharing a directory would each start an Azurite on
 * the same files and overwrite each other's saves (lost updates), so the second is refused, naming the holder.
 *
 * The lock is a file created exclusively (`DIR/ot-soc.lock`, O_EXCL) holding the owner's pid. A lock whose pid
 * is no longer running (a run killed with `kill -9`, a power cut) is stale and taken over; the takeover itself is
 * serialised by a second exclusive file so that two starting runs never both take it.
 */
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../commands/usageError.js';
import { commandLine, isAlive } from './processes.js';

export const LOCK_FILE = 'ot-soc.lock';

interface Holder {
  pid: number;
  startedAt: string;
  command: string;
}

/** The state directory is in use by another run. */
export class StateLockedError extends UsageError {
  constructor(
    readonly dir: string,
    readonly holder: Holder,
  ) {
    super(
      `--state ${dir} is in use by ot-soc process ${holder.pid}${holder.pid === process.pid ? ' (this process)' : ''} (${holder.command || 'a run'}, started ${holder.startedAt}): one run at a time per state directory. Wait for it to end, or stop it (kill ${holder.pid}); a lock left by a process that is gone is taken over by itself.`,
    );
    this.name = 'StateLockedError';
  }
}

export interface StateLock {
  release(): Promise<void>;
}

async function readHolder(file: string): Promise<Holder | undefined> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number'
      ? { pid: h.pid, startedAt: String(h.startedAt ?? ''), command: String(h.command ?? '') }
      : undefined;
  } catch {
    return undefined;
  }
}

async function ageMs(file: string): Promise<number> {
  try {
    return Date.now() - (await stat(file)).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A holder is live while its pid runs a node process (a recycled pid running something else is not us). */
function live(h: Holder): boolean {
  if (!isAlive(h.pid)) return false;
  const cmd = commandLine(h.pid);
  return cmd === undefined || /node/i.test(cmd);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireStateLock(dir: string, command: string): Promise<StateLock> {
  const file = join(dir, LOCK_FILE);
  const takeover = `${file}.takeover`;
  const me: Holder = { pid: process.pid, startedAt: new Date().toISOString(), command };
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await writeFile(file, `${JSON.stringify(me)}\n`, { flag: 'wx' });
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          const h = await readHolder(file);
          if (h?.pid === me.pid && h.startedAt === me.startedAt) await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await readHolder(file);
    if (holder && live(holder)) throw new StateLockedError(dir, holder);
    // Unreadable: being written this instant, or left half-written by a crash (then old).
    if (!holder && (await ageMs(file)) < 2000) {
      await sleep(50);
      continue;
    }
    try {
      await writeFile(takeover, String(process.pid), { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if ((await ageMs(takeover)) > 10_000) await unlink(takeover).catch(() => undefined);
      await sleep(50);
      continue;
    }
    try {
      const again = await readHolder(file);
      if (JSON.stringify(again) === JSON.stringify(holder)) await unlink(file).catch(() => undefined);
    } finally {
      await unlink(takeover).catch(() => undefined);
    }
  }
  throw new Error(`could not lock --state ${dir} (${file})`);
}
