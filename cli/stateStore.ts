import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import type { GroupStore } from '../pipeline/dedup/groupState.js';
import { MemoryGroupStore } from '../pipeline/dedup/memoryGroupStore.js';
import { TableGroupStore } from '../pipeline/dedup/tableGroupStore.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, azuriteMain, startAzurite } from './azurite.js';

export interface StateStore {
  store: GroupStore;
  /** What holds the state, for the summary. */
  description: string;
  /** Makes what was committed so far durable (survives this process being killed); none when nothing to do. */
  durable?: () => Promise<void>;
  close(): Promise<void>;
}

/**
 * Grouping state for a local run. With a directory, state persists in Azurite's Table service with its
 * data under `DIR/azurite`: the very TableGroupStore (ETags and all) the Function uses in Azure, so a
 * local replay exercises the production path. Where azurite is not installed (a production install
 * without dev dependencies) a JSON snapshot of the memory store (`DIR/groups.json`) keeps the state.
 * Without a directory, state lives in memory for the run.
 */
export async function openStateStore(dir: string | undefined): Promise<StateStore> {
  if (!dir) {
    return { store: new MemoryGroupStore(), description: 'memory (this run only)', close: async () => {} };
  }
  await mkdir(dir, { recursive: true });
  if (azuriteMain()) {
    const location = join(dir, 'azurite');
    await mkdir(location, { recursive: true });
    const azurite = await startAzurite({ location });
    const table = new TableClient(
      azurite.tableUrl,
      'otsocgroups',
      new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      {
        allowInsecureConnection: true,
      },
    );
    try {
      const store = await new TableGroupStore(table).init();
      return {
        store,
        description: `Table Storage (Azurite, data in ${location})`,
        close: () => azurite.stop(),
      };
    } catch (e) {
      await azurite.stop();
      throw e;
    }
  }
  const file = join(dir, 'groups.json');
  const store = await MemoryGroupStore.load(file);
  return { store, description: `snapshot file ${file}`, close: () => store.save(file) };
}
