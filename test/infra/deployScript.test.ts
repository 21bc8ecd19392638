/**
 * infra/deploy.sh run for real, with stand-ins for `az` and `zip` on PATH (each call recorded) in a copy of the
 * repository whose build is a no-op (dist is the built one), so nothing here rebuilds or deploys anything:
 * - `--inventory`: the plant's inventory is converted once and reaches both sides, the app (packaged as
 *   inventory.csv, named in OTSOC_CONFIG, the rest of the parameters file's configuration kept, read by the
 *   Function's start) and Sentinel (the OTAssetInventory watchlist parameter of sentinel-content.json); a bad one
 *   stops the script before any deployment;
 * - `--playbooks all`: every shim gets its required parameters from the main deployment's outputs (all those
 *   infra/main.json declares), the Function key reaches Key Vault first and never a command line.
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

// `az`: records its arguments; answers what deploy.sh reads: the main deployment's outputs (every output
// infra/main.json declares, FAKE_OUTPUTS), a shim's outputs, a signed-in user, a function key.
const AZ = `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "$FAKE_LOG"
case "$1 $2" in
  "ad signed-in-user") echo 00000000-0000-0000-0000-0000000000aa ;;
  "ad sp") echo 00000000-0000-0000-0000-0000000000bb ;;
  "functionapp keys") echo fake-function-key ;;
  "keyvault show") echo /subscriptions/s/resourceGroups/rg-ot/providers/Microsoft.KeyVault/vaults/otsoc-kv ;;
  "deployment group")
    if [ "$3" = create ] && [[ "$*" == *"properties.outputs"* ]]; then
      if [[ "$*" == *playbook-shim.json* ]]; then echo '{"logicAppPrincipalId":{"value":"00000000-0000-0000-0000-0000000000cc"}}'
      else cat "$FAKE_OUTPUTS"; fi
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
  const main = JSON.parse(await readFile(join(ROOT, 'infra', 'main.json'), 'utf8')) as { outputs: object };
  const given: Record<string, string> = {
    functionAppName: 'otsoc-func',
    workspaceResourceGroup: 'rg-sentinel',
    workspaceName: 'sentinel-prod',
    keyVaultName: 'otsoc-kv',
  };
  await writeFile(
    join(dir, 'outputs.json'),
    JSON.stringify(
      Object.fromEntries(Object.keys(main.outputs).map((k) => [k, { value: given[k] ?? `${k}-value` }])),
    ),
  );
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

/** The output folder of the last deploy.sh run (.ot-soc/deploy/ot-soc-<UTC time>). */
const latestOut = async () =>
  join(repo, '.ot-soc', 'deploy', (await readdir(join(repo, '.ot-soc', 'deploy'))).sort().at(-1)!);

const env = () => ({
  ...process.env,
  PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
  FAKE_LOG: log,
  FAKE_OUTPUTS: join(dir, 'outputs.json'),
});

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
        env: env(),
        timeout: 120_000,
      },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain('1 device; controllers: 1 PLC');

    const out = await latestOut();
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
    await writeFile(join(dir, 'semicolons.csv'), 'IPAddress;AssetType\n10.0.0.1;PLC\n');
    await writeFile(log, '');
    // A relative path, from where the script is run (the script itself works from the repository root).
    const r = spawnSync(
      'bash',
      [join(repo, 'infra', 'deploy.sh'), '-g', 'rg-ot', '--inventory', 'semicolons.csv'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: env(),
        timeout: 120_000,
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('separated by semicolons');
    expect(await readFile(log, 'utf8')).not.toContain('deployment group create');
  }, 180_000);

  it("deploys every playbook shim with the main deployment's outputs for its required parameters, and no inventory", async () => {
    await writeFile(log, '');
    const r = spawnSync(
      'bash',
      [join(repo, 'infra', 'deploy.sh'), '-g', 'rg-ot', '--infra-only', '--playbooks', 'all'],
      { encoding: 'utf8', env: env(), timeout: 120_000 },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const calls = (await readFile(log, 'utf8')).split('\n');
    const shims = calls.filter(
      (c) => c.startsWith('deployment group create -g rg-sentinel ') && c.includes('playbook-shim.json'),
    );
    expect(shims).toHaveLength(5);
    const out = await latestOut();
    for (const pb of ['auto-close', 'reassign-ot', 'create-ticket', 'notify-teams', 'sync-status']) {
      const p = JSON.parse(await readFile(join(out, `shim-${pb}.parameters.json`), 'utf8')) as {
        parameters: Record<string, { value: unknown }>;
      };
      expect(p.parameters.playbook!.value).toBe(pb);
      expect(p.parameters.functionAppName!.value).toBe('otsoc-func');
      expect(p.parameters.keyVaultName!.value).toBe('otsoc-kv');
      expect(p.parameters.workspaceName!.value).toBe('sentinel-prod');
    }
    // The function key goes to Key Vault before the shims, from a file (never on a command line).
    const key = calls.findIndex((c) =>
      c.startsWith('keyvault secret set --vault-name otsoc-kv -n ot-soc-playbooks-function-key --file '),
    );
    expect(key).toBeGreaterThan(-1);
    expect(key).toBeLessThan(calls.indexOf(shims[0]!));
    expect(calls.join('\n')).not.toContain('fake-function-key');
    // No --inventory: the app's configuration is the parameters file's, the watchlist parameter is not given.
    expect(calls.find((c) => c.startsWith('deployment group create -g rg-ot '))).not.toContain(
      'otsocConfig=',
    );
    const content = JSON.parse(await readFile(join(out, 'sentinel-content.parameters.json'), 'utf8')) as {
      parameters: Record<string, unknown>;
    };
    expect(content.parameters.assetInventoryCsv).toBeUndefined();
  }, 180_000);
});
