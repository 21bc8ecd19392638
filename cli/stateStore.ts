import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CachingGroupStore } from '../pipeline/dedup/cachingGroupStore.js';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import type { KeySpec } from '../pipeline/dedup/keySpec.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../pipeline/dedup/tableGroupStore.js';
import { azuriteMain, reapAzurite } from './azurite.js';
import { azuriteTableClient } from './state/azuriteTable.js';
import { durableAfterAnswers } from './state/durableAnswers.js';
import { acquireStateLock, LOCK_FILE, type StateLock } from './state/lock.js';
import {
  AZURITE_PID_FILE,
  type StartedState,
  startLocked,
  stopStarted,
  takePrestarted,
} from './state/prestart.js';

export interface StateStore {
  store: GroupStore;
  /** What holds the state, for the summary. */
  description: string;
  /** Makes what was committed so far durable (survives this process being killed); none when nothing to do. */
  durable?: () => Promise<void>;
  close(): Promise<void>;
}

export { AZURITE_PID_FILE } from './state/prestart.js';

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
  // Started while the CLI loaded (cli/state/prestart.ts): the same steps, in the same order, a second earlier.
  const early = o.fresh ? undefined : takePrestarted(dir);
  if (early === 'ending') return new Promise<StateStore>(() => {}); // a signal is stopping this run
  if (early) return openAzurite(early, o.spec);
  await mkdir(dir, { recursive: true });
  const lock: StateLock = await acquireStateLock(dir, o.command ?? 'replay');
  try {
    if (o.fresh) {
      // Start from nothing (the demo): stop a leftover Azurite first, then clear all but the lock.
      await reapAzurite(join(dir, AZURITE_PID_FILE), join(dir, 'azurite'));
      for (const name of await readdir(dir))
        if (name !== LOCK_FILE) await rm(join(dir, name), { recursive: true, force: true });
    }
  } catch (e) {
    await lock.release();
    throw e;
  }
  return azuriteMain() ? openAzurite(startLocked(dir, lock), o.spec) : openSnapshot(dir, lock);
}

/** Opens the Table store on the Azurite `pending` starts; signals stop it in order from the first instant. */
async function openAzurite(pending: Promise<StartedState>, spec?: KeySpec): Promise<StateStore> {
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= pending.then(stopStarted, () => undefined); // a failed start: not locked, nothing started
    return closing;
  };
  const unhook = onSignals(close);
  try {
    const { location, orphan, starting } = await pending;
    if (orphan)
      process.stderr.write(`stopped Azurite ${orphan} left running on ${location} by an earlier run\n`);
    const azurite = await starting;
    const answers = durableAfterAnswers(() => azurite.flush());
    const table = azuriteTableClient(azurite.tableUrl, 'otsocgroups', {
      additionalPolicies: [{ policy: answers.policy, position: 'perCall' }],
    });
    // Heads validated by ETag, as the Function caches them (cachingGroupStore.ts): reads only on a miss or a 412.
    // With the key spec, Azurite data of an earlier layout is migrated once (tableMigration.ts).
    const store = new CachingGroupStore(await new TableGroupStore(table).init({ spec }));
    return {
      store,
      description: `Table Storage (Azurite, data in ${location})`,
      durable: answers.durable,
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

/** Where azurite is not installed: a JSON snapshot of the memory store keeps the state. */
async function openSnapshot(dir: string, lock: StateLock): Promise<StateStore> {
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
