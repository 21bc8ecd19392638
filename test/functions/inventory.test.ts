/**
 * The ingest Function's inventory: the file OTSOC_CONFIG names is read once at the instance's start, relative to the
 * deployed package (where `infra/deploy.sh --inventory` puts it), and a missing one stops the start naming it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeFromEnv } from '../../functions/deps.js';
import { parseRecord } from '../../pipeline/parse/index.js';
import { securityAlert } from '../helpers/records.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-fn-inventory-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const env = (config: object) => ({
  OTSOC_LOCAL_WORKSPACE_DIR: dir,
  OTSOC_CONFIG: JSON.stringify(config),
});

describe('the Function reads the inventory OTSOC_CONFIG names', () => {
  it('relative to the package: the alert to the packaging PLC is enriched from samples/inventory.csv', async () => {
    const runtime = await runtimeFromEnv(
      env({ enrichment: { inventory: { file: 'samples/inventory.csv' } } }),
    );
    const parsed = parseRecord(securityAlert({ t: '2026-11-18T02:24:00.000Z', dst: '10.10.2.21' }));
    if (!parsed.ok) throw new Error(parsed.reason);
    const enriched = runtime.deps.enrich(parsed.alert);
    const { context, site, zone } = enriched;
    expect([context.DestinationAssetName, context.DestinationAssetType, site, zone]).toEqual([
      'RTM-PKG-PLC-01',
      'PLC',
      'Rotterdam',
      'Packaging',
    ]);
  });

  it('refuses to start without the file, naming it', async () => {
    await expect(
      runtimeFromEnv(env({ enrichment: { inventory: { file: 'inventory-not-deployed.csv' } } })),
    ).rejects.toThrow(/inventory-not-deployed\.csv: cannot read the file: ENOENT/);
  });
});
