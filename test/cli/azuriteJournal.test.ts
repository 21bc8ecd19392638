/**
 * The `--state` Azurite's durability by journal (cli/state/azuriteLauncher.ts): a flush appends what changed
 * since the last one; a kill -9 of Azurite keeps exactly what was flushed (inserts, replaces and deletes), and
 * the journal is replayed and folded into the database file on the next start.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzuriteHandle, startAzurite } from '../../cli/azurite.js';
import { azuriteTableClient } from '../../cli/state/azuriteTable.js';
import { waitForExit } from '../../cli/state/processes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-journal-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tableOf = (a: AzuriteHandle) => azuriteTableClient(a.tableUrl, 'journal');

async function entities(location: string): Promise<Map<string, number>> {
  const azurite = await startAzurite({ location });
  try {
    const out = new Map<string, number>();
    for await (const e of tableOf(azurite).listEntities<{ n: number }>()) out.set(e.rowKey!, e.n);
    return out;
  } finally {
    await azurite.stop();
  }
}

const kill9 = async (a: AzuriteHandle) => {
  process.kill(a.pid, 'SIGKILL');
  await waitForExit(a.pid, 5000);
};

describe('Azurite for --state: a journal per flush', () => {
  it('keeps what was flushed (inserts, replaces, deletes) through kill -9, and nothing after it', async () => {
    const location = join(dir, 'one');
    await mkdir(location, { recursive: true });
    const journal = join(location, '__azurite_db_table__.json.journal');
    const azurite = await startAzurite({ location });
    const table = tableOf(azurite);
    await table.createTable();
    for (let i = 0; i < 5; i++) await table.createEntity({ partitionKey: 'p', rowKey: String(i), n: i });
    await azurite.flush(); // a table was created: a whole save
    expect(existsSync(journal)).toBe(false);
    const zero = await table.getEntity('p', '0');
    await table.updateEntity({ partitionKey: 'p', rowKey: '0', n: 100 }, 'Replace', { etag: zero.etag });
    await table.deleteEntity('p', '1');
    await table.createEntity({ partitionKey: 'p', rowKey: '5', n: 5 });
    await azurite.flush(); // entities only: one journal line
    expect(existsSync(journal)).toBe(true);
    await table.createEntity({ partitionKey: 'p', rowKey: 'not-flushed', n: -1 });
    await table.deleteEntity('p', '2');
    await kill9(azurite);

    const want = new Map([
      ['0', 100],
      ['2', 2],
      ['3', 3],
      ['4', 4],
      ['5', 5],
    ]);
    expect(await entities(location)).toEqual(want);
    // The start replayed the journal into the database file and removed it; a second start reads the same.
    expect(existsSync(journal)).toBe(false);
    expect(await entities(location)).toEqual(want);
  });

  it('point reads and conditional writes see the latest entity after replaces, deletes and re-inserts', async () => {
    const location = join(dir, 'two');
    await mkdir(location, { recursive: true });
    const azurite = await startAzurite({ location });
    try {
      const table = tableOf(azurite);
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'k', n: 1 });
      let etag = (await table.getEntity('p', 'k')).etag;
      for (let n = 2; n <= 5; n++) {
        const r = await table.updateEntity({ partitionKey: 'p', rowKey: 'k', n }, 'Replace', { etag });
        await expect(
          table.updateEntity({ partitionKey: 'p', rowKey: 'k', n: -1 }, 'Replace', { etag }),
        ).rejects.toMatchObject({ statusCode: 412 });
        etag = r.etag!;
      }
      expect((await table.getEntity<{ n: number }>('p', 'k')).n).toBe(5);
      await table.deleteEntity('p', 'k');
      await expect(table.getEntity('p', 'k')).rejects.toMatchObject({ statusCode: 404 });
      await table.createEntity({ partitionKey: 'p', rowKey: 'k', n: 6 });
      await expect(table.createEntity({ partitionKey: 'p', rowKey: 'k', n: 7 })).rejects.toMatchObject({
        statusCode: 409,
      });
      expect((await table.getEntity<{ n: number }>('p', 'k')).n).toBe(6);
      await azurite.flush();
    } finally {
      await azurite.stop();
    }
    expect(await entities(location)).toEqual(new Map([['k', 6]]));
  });
});
