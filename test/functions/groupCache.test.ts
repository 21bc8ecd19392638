import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../cli/azurite.js';
import { runtimeFromEnv } from '../../functions/deps.js';
import { readSettings } from '../../functions/settings.js';
import { ConfigError } from '../../pipeline/config/config.js';
import { CachingGroupStore, DEFAULT_CACHE_ENTRIES } from '../../pipeline/dedup/cachingGroupStore.js';
import { TableGroupStore } from '../../pipeline/dedup/tableGroupStore.js';
import { azuriteUrl } from '../helpers/azuriteUrl.js';

// OTSOC_GROUP_CACHE_ENTRIES: the ETag cache in front of the Table group store (Azurite), as deps.ts builds it.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-cache-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const env = (extra: Record<string, string>) => ({
  OTSOC_LOCAL_WORKSPACE_DIR: dir,
  OTSOC_GROUP_TABLE_CONNECTION: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=${azuriteUrl('azuriteTableUrl')};`,
  OTSOC_GROUP_TABLE_NAME: `cache${process.pid}x${Date.now().toString(36)}`.replace(/[^A-Za-z0-9]/g, ''),
  ...extra,
});

describe('OTSOC_GROUP_CACHE_ENTRIES', () => {
  it('defaults to the documented size, and refuses what is not a count, naming the setting', () => {
    expect(readSettings(env({})).OTSOC_GROUP_CACHE_ENTRIES).toBe(DEFAULT_CACHE_ENTRIES);
    for (const bad of ['-1', 'many', '2000000'])
      expect(() => readSettings(env({ OTSOC_GROUP_CACHE_ENTRIES: bad }))).toThrow(
        /OTSOC_GROUP_CACHE_ENTRIES/,
      );
    expect(() => readSettings(env({ OTSOC_GROUP_CACHE_ENTRIES: 'many' }))).toThrow(ConfigError);
  });

  it('puts the cache in front of the Table store, or not with 0', async () => {
    const cached = (await runtimeFromEnv(env({}))).deps.store;
    expect(cached).toBeInstanceOf(CachingGroupStore);
    const plain = (await runtimeFromEnv(env({ OTSOC_GROUP_CACHE_ENTRIES: '0' }))).deps.store;
    expect(plain).toBeInstanceOf(TableGroupStore);
  });
});
