import { createHttpHeaders, type PipelineRequest } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { statusOf } from '../../../pipeline/util/tablePut.js';
import { readEntity } from '../../../pipeline/util/tableRead.js';
import { azuriteTable, capturingTable } from '../../helpers/azurite.js';

/** A request with its per-request headers (id, date, signature, agent) left out. */
function comparable(r: PipelineRequest): { url: string; method: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [name, value] of r.headers)
    if (!['x-ms-client-request-id', 'x-ms-date', 'authorization', 'user-agent'].includes(name.toLowerCase()))
      headers[name.toLowerCase()] = value;
  return { url: r.url, method: r.method, headers };
}

const KEYS: [string, string][] = [
  ["p~a b'c", 'h~k:1 é%+&='],
  ['p~x', "i~g:0f0e'"],
];

describe('readEntity: a point read through the client pipeline', () => {
  for (const url of ['http://127.0.0.1:10002/devstoreaccount1', 'https://acct.table.core.windows.net/'])
    for (const [pk, rk] of KEYS)
      it(`sends what TableClient.getEntity sends (${url}, ${rk})`, async () => {
        const sdk = capturingTable(url, () => ({ status: 404 }));
        const ours = capturingTable(url, () => ({ status: 404 }));
        await sdk.table.getEntity(pk, rk).catch(() => undefined);
        expect(await readEntity(ours.table, pk, rk)).toBeUndefined();
        expect(ours.sent).toHaveLength(1);
        expect(comparable(ours.sent[0]!)).toEqual(comparable(sdk.sent[0]!));
        expect(ours.sent[0]!.headers.get('authorization')).toMatch(/^SharedKeyLite devstoreaccount1:/);
      });

  it('gives what getEntity gives on Azurite, undefined where getEntity throws 404', async () => {
    const table = azuriteTable('read');
    await table.createTable();
    const [pk, rk] = KEYS[0]!;
    await table.createEntity({
      partitionKey: pk,
      rowKey: rk,
      s0: 'héllo "q"\n',
      parts: 2,
      dirty: false,
      at: '17',
    });
    const sdk = await table.getEntity(pk, rk);
    const ours = await readEntity(table, pk, rk);
    expect(ours).toEqual({ ...sdk });
    expect(ours!.etag).toMatch(/^W\/"datetime'/);
    await expect(table.getEntity(pk, 'h~none')).rejects.toSatisfy((e) => statusOf(e) === 404);
    expect(await readEntity(table, pk, 'h~none')).toBeUndefined();
  });

  it('throws the service error as a RestError with its status and code', async () => {
    const { table } = capturingTable('http://127.0.0.1:1/devstoreaccount1', () => ({
      status: 400,
      headers: createHttpHeaders({ 'x-ms-error-code': 'InvalidInput' }),
      bodyAsText: JSON.stringify({ 'odata.error': { code: 'InvalidInput', message: { value: 'bad key' } } }),
    }));
    const e = await readEntity(table, 'p', 'r').catch((x: unknown) => x);
    expect(statusOf(e)).toBe(400);
    expect(e).toMatchObject({ code: 'InvalidInput', message: 'bad key' });
  });
});
