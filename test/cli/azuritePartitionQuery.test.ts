/**
 * The launcher's partition queries (cli/state/azuritePartitionQuery.ts): a query that starts with `PartitionKey eq`
 * reads that partition's RowKey buckets its bounds reach; it must answer exactly what the filter says, for every
 * kind of bound, after inserts, replaces and deletes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzuriteHandle, startAzurite } from '../../cli/azurite.js';
import { azuriteTableClient } from '../../cli/state/azuriteTable.js';

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});

describe('Azurite for --state: queries of one partition', () => {
  it('answer exactly the filter for ge/gt/le/lt bounds across RowKey kinds, after writes and deletes', async () => {
    const table = azuriteTableClient(azurite.tableUrl, 'rangeq');
    await table.createTable();
    const rows = [
      'a~1',
      'd~',
      'd~x',
      'd~y',
      'e',
      'h~k1',
      'h~k2',
      'i~9',
      't~00000001~a',
      't~00000002~b',
      't~00000003~c',
      'x',
      "q'1",
    ];
    for (const pk of ['p~one', 'p~two'])
      for (const rk of rows) await table.createEntity({ partitionKey: pk, rowKey: rk, n: 1 });
    await table.deleteEntity('p~one', 'd~x');
    await table.updateEntity({ partitionKey: 'p~one', rowKey: 'h~k1', n: 2 }, 'Replace');
    const live = rows.filter((r) => r !== 'd~x');
    const cases: [string, (rk: string) => boolean][] = [
      ["RowKey ge 'd~' and RowKey lt 'e'", (rk) => rk >= 'd~' && rk < 'e'],
      ["RowKey ge 't~' and RowKey lt 't~00000003'", (rk) => rk >= 't~' && rk < 't~00000003'],
      ["RowKey gt 'h~k1' and RowKey le 'i~9'", (rk) => rk > 'h~k1' && rk <= 'i~9'],
      ["RowKey lt 'd~'", (rk) => rk < 'd~'],
      ["RowKey ge 'q'", (rk) => rk >= 'q'],
      ["RowKey ge 'e' and RowKey le 'e'", (rk) => rk === 'e'],
    ];
    for (const [bounds, want] of cases) {
      const got: string[] = [];
      for await (const e of table.listEntities({
        queryOptions: { filter: `PartitionKey eq 'p~one' and ${bounds}` },
      }))
        got.push(e.rowKey!);
      expect(got.sort(), bounds).toEqual(live.filter(want).sort());
    }
    // A filter on another property still runs, on the partition.
    const n2: string[] = [];
    for await (const e of table.listEntities({
      queryOptions: { filter: "PartitionKey eq 'p~one' and n eq 2" },
    }))
      n2.push(e.rowKey!);
    expect(n2).toEqual(['h~k1']);
  });
});
