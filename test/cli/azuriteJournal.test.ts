/**
 * The `--state` Azurite's durability by journal (cli/state/azuriteLauncher.ts): every answer is sent after the
 * entity changes it acknowledges are journaled, so a kill -9 of Azurite keeps every answered write (inserts,
 * replaces and deletes); a created table asks for a flush (a whole save); the journal is replayed and folded into
 * the database file on the next start.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzuriteHandle, startAzurite } from '../../cli/azurite.js';
import { UNSAVED_HEADER } from '../../cli/state/azuriteLauncher.js';
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

describe('Azurite for --state: a journal line per answer', () => {
  it('keeps every answered write (inserts, replaces, deletes) through kill -9 with no flush; a created table asks for one', async () => {
    const location = join(dir, 'one');
    await mkdir(location, { recursive: true });
    const journal = join(location, '__azurite_db_table__.json.journal');
    const azurite = await startAzurite({ location });
    const unsaved: boolean[] = [];
    const table = azuriteTableClient(azurite.tableUrl, 'journal', {
      additionalPolicies: [
        {
          position: 'perCall',
          policy: {
            name: 'seeUnsaved',
            async sendRequest(request, next) {
              const response = await next(request);
              unsaved.push(response.headers.get(UNSAVED_HEADER) === '1');
              return response;
            },
          },
        },
      ],
    });
    // A table's creation is no entity change: its answer, and every one until a flush, say a whole save is due.
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: '0', n: 0 });
    expect(unsaved).toEqual([true, true]);
    await azurite.flush(); // a whole save: no journal left
    expect(existsSync(journal)).toBe(false);
    for (let i = 1; i < 5; i++) await table.createEntity({ partitionKey: 'p', rowKey: String(i), n: i });
    const zero = await table.getEntity('p', '0');
    await table.updateEntity({ partitionKey: 'p', rowKey: '0', n: 100 }, 'Replace', { etag: zero.etag });
    await table.deleteEntity('p', '1');
    await table.createEntity({ partitionKey: 'p', rowKey: '5', n: 5 });
    expect(unsaved.slice(2)).toEqual(Array(8).fill(false));
    expect(existsSync(journal)).toBe(true);
    await kill9(azurite); // no flush since the writes: their answers were journaled before they were sent

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

  it('a table created and killed before its flush is not there after a restart (hence the flush it asks for)', async () => {
    const location = join(dir, 'unsaved');
    await mkdir(location, { recursive: true });
    const azurite = await startAzurite({ location });
    const table = tableOf(azurite);
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: '0', n: 0 });
    await kill9(azurite);
    await expect(entities(location)).rejects.toThrow(/TableNotFound/);
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
