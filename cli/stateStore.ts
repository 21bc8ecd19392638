import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { CachingGroupStore } from '../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../pipeline/dedup/tableGroupStore.js';
import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  type AzuriteHandle,
  azuriteMain,
  reapAzurite,
  startAzurite,
} from './azurite.js';
import { acquireStateLock, LOCK_FILE, type StateLock } from './state/lock.js';

export interface StateStore {
  store: GroupStore;
  /** What holds the state, for the summary. */
  description: string;
  /** Makes what was committed so far durable (survives this process being killed); none when nothing to do. */
  durable?: () => Promise<void>;
  close(): Promise<void>;
}

/** The Azurite a run started on `DIR/azurite`, so the next run can stop it if this one was killed. */
export const AZURITE_PID_FILE = 'azurite.pid';

/**
 * Stops what holds the state when the CLI is interrupted (Ctrl-C, SIGTERM), then ends as the signal would.
 * Without it, Node would exit at once and leave Azurite running on the directory.
 */
function onSignals(close: () => Promise<void>): () => void {
  const handler = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: saving state and stopping…\n`);
    close().finally(() => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
      process.kill(process.pid, signal);
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

/**
 * Grouping state for a local run (docs/local-state.md). With a directory, state persists in Azurite's Table
 * service with its data under `DIR/azurite`: the very TableGroupStore (ETags and all) the Function uses in Azure,
 * so a local replay exercises the production path. Where azurite is not installed (a production install without
 * dev dependencies) a JSON snapshot of the memory store (`DIR/groups.json`) keeps the state. Without a
 * directory, state lives in memory for the run.
 *
 * Safe local state: one run at a time per directory (state/lock.ts); an Azurite left by a killed run is
 * stopped first (it saves what it holds); `durable()` saves the state before any row is written, so a run
 * killed at any point and run again gives the counts of one clean run; Ctrl-C and SIGTERM stop Azurite in order.
 */
export async function openStateStore(
  dir: string | undefined,
  o: { command?: string; fresh?: boolean; spec?: KeySpec } = {},
): Promise<StateStore> {
  if (!dir) {
    return { store: new MemoryGroupStore(), description: 'memory (this run only)', close: async () => {} };
  }
  await mkdir(dir, { recursive: true });
  const lock: StateLock = await acquireStateLock(dir, o.command ?? 'replay');
  try {
    if (o.fresh) {
      // Start from nothing (the demo): stop a leftover Azurite first, then clear all but the lock.
      await reapAzurite(join(dir, AZURITE_PID_FILE), join(dir, 'azurite'));
      for (const name of await readdir(dir))
        if (name !== LOCK_FILE) await rm(join(dir, name), { recursive: true, force: true });
    }
    return await openLocked(dir, lock, o.spec);
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function openLocked(dir: string, lock: StateLock, spec?: KeySpec): Promise<StateStore> {
  if (azuriteMain()) {
    const location = join(dir, 'azurite');
    const pidFile = join(dir, AZURITE_PID_FILE);
    await mkdir(location, { recursive: true });
    const orphan = await reapAzurite(pidFile, location);
    if (orphan)
      process.stderr.write(`stopped Azurite ${orphan} left running on ${location} by an earlier run\n`);
    // Signals are handled from before Azurite starts: a Ctrl-C during its start still stops it.
    const starting = startAzurite({ location, pidFile });
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= starting
        .then(
          (a) => a.stop(),
          () => undefined,
        )
        .finally(() => lock.release());
      return closing;
    };
    const unhook = onSignals(close);
    let azurite: AzuriteHandle;
    try {
      azurite = await starting;
    } catch (e) {
      unhook();
      await close();
      throw e;
    }
    const table = new TableClient(
      azurite.tableUrl,
      'otsocgroups',
      new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      { allowInsecureConnection: true },
    );
    try {
      // Heads validated by ETag, as the Function caches them (cachingGroupStore.ts): reads only on a miss or a 412.
      // With the key spec, Azurite data of an earlier layout is migrated once (tableMigration.ts).
      const store = new CachingGroupStore(await new TableGroupStore(table).init({ spec }));
      return {
        store,
        description: `Table Storage (Azurite, data in ${location})`,
        durable: () => azurite.flush(),
        close: async () => {
          unhook();
          await close();
        },
      };
    } catch (e) {
      unhook();
      await close();
      throw e;
    }
  }
  const file = join(dir, 'groups.json');
  const store = await MemoryGroupStore.load(file);
  const close = () => store.save(file).finally(() => lock.release());
  const unhook = onSignals(close);
  return {
    store,
    description: `snapshot file ${file}`,
    durable: () => store.save(file),
    close: async () => {
      unhook();
      await close();
    },
  };
}
