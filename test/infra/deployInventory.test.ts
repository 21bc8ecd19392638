/**
 * infra/deploy.sh --inventory, with stand-ins for `az` and `zip` on PATH (each call recorded): the plant's inventory
 * is converted once and reaches both sides, the app (packaged as inventory.csv, named in OTSOC_CONFIG, the rest of
 * the parameters file's configuration kept) and Sentinel (the OTAssetInventory watchlist parameter of
 * sentinel-content.json). Runs the real script in a copy of the repository whose build is a no-op (dist is the
 * built one), so nothing here rebuilds or deploys anything.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../pipeline/config/config.js';
import { loadEnrichment } from '../../pipeline/enrich/enricher.js';
import { parseInventoryCsv } from '../../pipeline/enrich/inventory/index.js';
import { watchlistTable } from '../../sentinel/watchlists.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist', 'cli', 'main.js');

// `az`: records its arguments; answers what deploy.sh reads (the main deployment's outputs, a signed-in user).
const AZ = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "ad signed-in-user") echo 00000000-0000-0000-0000-0000000000aa ;;
  "deployment group")
    if [ "$3" = create ] && [[ "$*" == *"properties.outputs"* ]]; then
      echo '{"functionAppName":{"value":"otsoc-func"},"workspaceResourceGroup":{"value":"rg-sentinel"},"workspaceName":{"value":"sentinel-prod"},"keyVaultName":{"value":"otsoc-kv"}}'
    fi ;;
esac
exit 0
`;
// `zip -qr OUT .`: lists what the package holds and keeps its inventory, instead of compressing.
const ZIP = `#!/usr/bin/env bash
printf 'zip %s\\n' "$*" >> "$FAKE_LOG"
{ find . -maxdepth 1 | sort; echo ---; cat inventory.csv 2>/dev/null; } > "$2"
`;

const PORTAL =
  'Name,Type,IPv4 Address,MAC Address,Vendor,Purdue level,Importance,Site,Zone\n' +
  'LYN-FIL-PLC-01,PLC,10.20.3.21,00:1d:9c:14:03:21,Rockwell Automation,Process control,High,Lyon,Filling\n';

let dir: string;
let repo: string;
let log: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-deploy-'));
  repo = join(dir, 'repo');
  log = join(dir, 'calls.log');
  await mkdir(join(dir, 'bin'), { recursive: true });
  await cp(join(ROOT, 'infra'), join(repo, 'infra'), { recursive: true });
  await symlink(join(ROOT, 'dist'), join(repo, 'dist'));
  await cp(join(ROOT, 'host.json'), join(repo, 'host.json'));
  await writeFile(
    join(repo, 'package.json'),
    JSON.stringify({ name: 'fake', version: '0.0.0', private: true, scripts: { build: 'true' } }),
  );
  await writeFile(
    join(repo, 'package-lock.json'),
    JSON.stringify({
      name: 'fake',
      version: '0.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'fake', version: '0.0.0' } },
    }),
  );
  for (const [name, text] of [
    ['az', AZ],
    ['zip', ZIP],
  ] as const) {
    await writeFile(join(dir, 'bin', name), text);
    await chmod(join(dir, 'bin', name), 0o755);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(DIST))('infra/deploy.sh --inventory', () => {
  it('converts the inventory once and deploys it to the app (packaged, named in OTSOC_CONFIG) and as the watchlist', async () => {
    const inventory = join(dir, 'device-inventory-export.csv');
    await writeFile(inventory, PORTAL);
    const params = join(dir, 'params.json');
    const sensors = { 'lyn-fil-sensor-01': { site: 'Lyon', zone: 'Filling' } };
    await writeFile(
      params,
      JSON.stringify({
        parameters: {
          namePrefix: { value: 'otsoc' },
          otsocConfig: { value: { grouping: { windowMinutes: 10 }, enrichment: { sensors } } },
        },
      }),
    );
    const r = spawnSync(
      'bash',
      [join(repo, 'infra', 'deploy.sh'), '-g', 'rg-ot', '-p', params, '--inventory', inventory],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_LOG: log },
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('1 device; controllers: 1 PLC');

    const [name] = await readdir(join(repo, '.ot-soc', 'deploy'));
    const out = join(repo, '.ot-soc', 'deploy', name!);
    const csv = await readFile(join(out, 'inventory.csv'), 'utf8');
    expect(parseInventoryCsv(csv)).toEqual(parseInventoryCsv(PORTAL));
    const calls = (await readFile(log, 'utf8')).split('\n');

    // 1. the app's configuration: the parameters file's, with the packaged inventory named
    const main = calls.find((c) => c.startsWith('deployment group create -g rg-ot '))!;
    expect(main).toContain(`-p @${params} `);
    expect(main).toContain(`otsocConfig=@${join(out, 'otsocConfig.json')}`);
    expect(JSON.parse(await readFile(join(out, 'otsocConfig.json'), 'utf8'))).toEqual({
      grouping: { windowMinutes: 10 },
      enrichment: { sensors, inventory: { file: 'inventory.csv' } },
    });
    // 2. the package holds it at the app root, where the Function reads OTSOC_CONFIG's file from
    const listing = await readFile(join(out, 'app.zip'), 'utf8');
    const [files, packaged] = listing.split('---\n');
    expect(files).toContain('./inventory.csv');
    expect(packaged).toBe(csv);
    expect(
      calls.some((c) => c.startsWith('functionapp deployment source config-zip -g rg-ot -n otsoc-func')),
    ).toBe(true);
    // … and the Function's start (functions/deps.ts: OTSOC_CONFIG, files relative to the app root) reads it.
    const appRoot = join(dir, 'wwwroot');
    await mkdir(appRoot, { recursive: true });
    await writeFile(join(appRoot, 'inventory.csv'), packaged!);
    const config = parseConfig(
      JSON.parse(await readFile(join(out, 'otsocConfig.json'), 'utf8')),
      'OTSOC_CONFIG',
    );
    const enrichment = await loadEnrichment(config.enrichment, appRoot);
    expect(enrichment.inventory?.devices).toEqual(parseInventoryCsv(PORTAL));
    // 3. the watchlist: the same CSV as sentinel-content.json's assetInventoryCsv, in the workspace's group
    const content = JSON.parse(await readFile(join(out, 'sentinel-content.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(content.parameters.assetInventoryCsv!.value).toBe(csv);
    expect(watchlistTable(csv, 'w').rows.map((x) => [x.SearchKey, x.AssetType])).toEqual([
      ['10.20.3.21', 'PLC'],
    ]);
    expect(
      calls.some(
        (c) => c.startsWith('deployment group create -g rg-sentinel ') && c.includes('sentinel-content.json'),
      ),
    ).toBe(true);
  }, 180_000);

  it('refuses an inventory the pipeline would refuse, before deploying anything', async () => {
    const inventory = join(dir, 'semicolons.csv');
    await writeFile(inventory, 'IPAddress;AssetType\n10.0.0.1;PLC\n');
    await writeFile(log, '');
    const r = spawnSync('bash', [join(repo, 'infra', 'deploy.sh'), '-g', 'rg-ot', '--inventory', inventory], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE_LOG: log },
      timeout: 120_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('separated by semicolons');
    expect(await readFile(log, 'utf8')).not.toContain('deployment group create');
  }, 180_000);
});
