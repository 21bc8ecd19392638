import type { PipelineRequest } from '@azure/core-rest-pipeline';
import type { TransactionAction } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { statusOf } from '../../../pipeline/util/tablePut.js';
import {
  MAX_TRANSACTION_BYTES,
  submitTransaction,
  TransactionTooLargeError,
} from '../../../pipeline/util/tableTransaction.js';
import { azuriteTable, capturingTable as capturing } from '../../helpers/azurite.js';

/** The request with its boundaries (random per transaction) and per-request headers made comparable. */
function normalised(r: PipelineRequest): { url: string; body: string; headers: Record<string, string> } {
  const batch = /boundary=batch_([0-9a-f-]+)/.exec(r.headers.get('content-type') ?? '')![1]!;
  const body = String(r.body);
  const changeset = /boundary=changeset_([0-9a-f-]+)/.exec(body)![1]!;
  const headers: Record<string, string> = {};
  for (const [name, value] of r.headers)
    if (!['x-ms-client-request-id', 'x-ms-date', 'authorization', 'user-agent'].includes(name))
      headers[name] = value.replaceAll(batch, 'B');
  return { url: r.url, body: body.replaceAll(batch, 'B').replaceAll(changeset, 'C'), headers };
}

const ACTIONS: TransactionAction[] = [
  [
    'create',
    { partitionKey: "p~a b'c", rowKey: 'i~x y', s: 'héllo "q"\n', b: true, n: 3, f: 1.5, u: undefined },
  ],
  ['update', { partitionKey: "p~a b'c", rowKey: 'h~k:1', s: 'x' }, 'Replace', { etag: `W/"datetime'2026'"` }],
  ['update', { partitionKey: "p~a b'c", rowKey: 'h~m', s: 'x' }, 'Merge'],
  ['update', { partitionKey: "p~a b'c", rowKey: 'h~n', s: 'x' }, 'Replace'],
  ['upsert', { partitionKey: "p~a b'c", rowKey: "d~h~k'%+&=é" }, 'Replace'],
  ['upsert', { partitionKey: "p~a b'c", rowKey: 'd~h~m', v: false }, 'Merge'],
  ['delete', { partitionKey: "p~a b'c", rowKey: "t~0'1" }],
];

describe('submitTransaction: the SDK request, built in one pass', () => {
  for (const url of ['http://127.0.0.1:10002/devstoreaccount1', 'https://acct.table.core.windows.net/'])
    it(`sends what TableClient.submitTransaction sends for every kind of action (${url})`, async () => {
      const sdk = capturing(url);
      const ours = capturing(url);
      await sdk.table.submitTransaction(ACTIONS);
      await submitTransaction(ours.table, ACTIONS);
      expect(ours.sent).toHaveLength(1);
      expect(normalised(ours.sent[0]!)).toEqual(normalised(sdk.sent[0]!));
      // Signed by the client's own pipeline (its credential policy ran).
      expect(ours.sent[0]!.headers.get('authorization')).toMatch(/^SharedKeyLite devstoreaccount1:/);
    });

  it('refuses what one transaction cannot hold', async () => {
    const { table, sent } = capturing('http://127.0.0.1:1/devstoreaccount1');
    // Over 4 MiB of request (60 entities of 70,000 chars): not sent, a TransactionTooLargeError.
    const big: TransactionAction[] = Array.from({ length: 60 }, (_, i) => [
      'create',
      {
        partitionKey: 'a',
        rowKey: String(i),
        s0: 'x'.repeat(30_000),
        s1: 'y'.repeat(30_000),
        s2: 'z'.repeat(10_000),
      },
    ]);
    const tooLarge = await submitTransaction(table, big).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(TransactionTooLargeError);
    expect((tooLarge as TransactionTooLargeError).bytes).toBeGreaterThan(MAX_TRANSACTION_BYTES);
    expect(sent).toHaveLength(0);
    await submitTransaction(table, big.slice(0, 55)); // 55 × 70,000 chars + envelopes: under 4 MiB, sent
    expect(sent).toHaveLength(1);
    await expect(submitTransaction(table, [])).rejects.toThrow(/at least one/);
    const two: TransactionAction[] = [
      ['create', { partitionKey: 'a', rowKey: '1' }],
      ['create', { partitionKey: 'b', rowKey: '1' }],
    ];
    await expect(submitTransaction(table, two)).rejects.toThrow(/same partitionKey/);
    await expect(
      submitTransaction(table, [['create', { partitionKey: 'a', rowKey: '1', d: new Date() }]]),
    ).rejects.toThrow(/property d is a object/);
  });
});

describe('submitTransaction on Azurite: the answers the SDK gives', () => {
  it('returns one sub-response per action with the ETag a read then sees', async () => {
    const table = azuriteTable('tx');
    await table.createTable();
    const r = await submitTransaction(table, [
      ['create', { partitionKey: 'p', rowKey: 'a', s: 'one' }],
      ['upsert', { partitionKey: 'p', rowKey: 'b', s: 'two' }, 'Replace'],
    ]);
    expect(r.subResponses.map((s) => s.status)).toEqual([204, 204]);
    const a = await table.getEntity('p', 'a');
    const b = await table.getEntity('p', 'b');
    expect(r.subResponses.map((s) => s.etag)).toEqual([a.etag, b.etag]);
    expect(a.s).toBe('one');

    // A replace conditional on that ETag, and a delete, commit together.
    const next = await submitTransaction(table, [
      ['update', { partitionKey: 'p', rowKey: 'a', s: 'uno' }, 'Replace', { etag: a.etag }],
      ['delete', { partitionKey: 'p', rowKey: 'b' }],
    ]);
    expect(next.subResponses.map((s) => s.status)).toEqual([204, 204]);
    expect((await table.getEntity('p', 'a')).s).toBe('uno');
    await expect(table.getEntity('p', 'b')).rejects.toSatisfy((e) => statusOf(e) === 404);
  });

  it('fails the whole transaction with the status of the sub-request that failed, as the SDK does', async () => {
    const table = azuriteTable('tx');
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'a', s: 'one' });
    const stale = (await table.getEntity('p', 'a')).etag;
    await table.updateEntity({ partitionKey: 'p', rowKey: 'a', s: 'two' }, 'Replace');
    const cases: [TransactionAction[], number][] = [
      // An insert of what exists: 409, and the first action (new) is not applied either.
      [
        [
          ['create', { partitionKey: 'p', rowKey: 'new' }],
          ['create', { partitionKey: 'p', rowKey: 'a' }],
        ],
        409,
      ],
      // A replace with a stale ETag: 412.
      [[['update', { partitionKey: 'p', rowKey: 'a', s: 'x' }, 'Replace', { etag: stale }]], 412],
      // A replace of what does not exist: 404.
      [[['update', { partitionKey: 'p', rowKey: 'gone', s: 'x' }, 'Replace', { etag: stale }]], 404],
    ];
    for (const [actions, status] of cases) {
      const sdk = await table.submitTransaction(actions).catch((e: unknown) => e);
      const ours = await submitTransaction(table, actions).catch((e: unknown) => e);
      expect(statusOf(sdk)).toBe(status);
      expect(statusOf(ours)).toBe(status);
      // Same message but for the service's request id and time.
      const first = (e: unknown) => (e as Error).message.split('\n')[0];
      expect(first(ours)).toBe(first(sdk));
      expect((ours as { code?: string }).code).toBe((sdk as { code?: string }).code);
    }
    await expect(table.getEntity('p', 'new')).rejects.toSatisfy((e) => statusOf(e) === 404);
    expect((await table.getEntity('p', 'a')).s).toBe('two');
  });
});
