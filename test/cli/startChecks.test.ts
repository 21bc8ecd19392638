/**
 * What a new user gets wrong first, through the real CLI: bad arguments exit 2 as docs/reference/cli.md says
 * (commander alone exits 1), an --out that cannot be written and a bad --playbooks fail at start with one clear
 * line (not after a whole replay, not as a stack dump), and configuration files saved by Windows tools (UTF-8
 * byte-order mark) are read.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReplay } from '../../cli/commands/replay.js';
import { runFile } from '../../cli/commands/runFile.js';
import { UsageError } from '../../cli/commands/usageError.js';
import { checkPlaybooksFile, checkTwinInventory } from '../../cli/sentinelTwin.js';
import { securityAlert } from '../helpers/records.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const BOM = '\uFEFF';
let dir: string;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-start-'));
  input = join(dir, 'one.ndjson');
  await writeFile(
    input,
    `${JSON.stringify(securityAlert({ t: '2026-11-18T02:00:00.000Z', dst: '10.20.9.9' }))}\n`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, err: r.stderr };
};

describe.skipIf(!existsSync(CLI))('exit codes of the built CLI (dist/cli/main.js)', () => {
  it('bad arguments exit 2, with commander’s reason; --help exits 0', () => {
    for (const args of [
      ['replay', '--input', 'x', '--out', 'y', '--batch', '0'],
      ['replay', '--out', 'y'],
      ['replay', '--input', 'x', '--out', 'y', '--bogus'],
      ['no-such-command'],
    ]) {
      const r = cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(/^error: /);
    }
    expect(cli('replay', '--help').code).toBe(0);
  });

  it('an --out that is a file: exit 2 naming it, before anything runs, no stack dump', async () => {
    const r = cli('replay', '--input', input, '--out', join(input, 'sub'), '--no-progress');
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(
      `ot-soc: cannot write to --out ${join(input, 'sub')}: a file is in the way (not a directory)`,
    );
  });
});

describe('configuration checked at start', () => {
  it('replay --sentinel with an invalid --playbooks fails before the pipeline runs, naming the setting', async () => {
    const playbooks = join(dir, 'bad-playbooks.json');
    await writeFile(playbooks, JSON.stringify({ teams: 5 }));
    const out = join(dir, 'bad-playbooks-out');
    const program = new Command().exitOverride();
    registerReplay(program);
    const run = program.parseAsync([
      ...['node', 'ot-soc', 'replay', '--input', input, '--out', out],
      ...['--sentinel', '--playbooks', playbooks, '--no-progress'],
    ]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(`${playbooks}: teams: Invalid input`);
    expect(existsSync(join(out, 'OTAlerts_CL.ndjson'))).toBe(false);
  });

  it('replay --sentinel with an inventory that cannot be the watchlist fails before the pipeline runs, saying how to convert it', async () => {
    const inventory = join(dir, 'portal.csv');
    await writeFile(inventory, 'Name,Type,IPv4 Address\nPLC-1,PLC,10.20.9.9\n');
    const config = join(dir, 'portal.config.json');
    await writeFile(config, JSON.stringify({ enrichment: { inventory: { file: 'portal.csv' } } }));
    const out = join(dir, 'portal-out');
    const program = new Command().exitOverride();
    registerReplay(program);
    const run = program.parseAsync([
      ...['node', 'ot-soc', 'replay', '--input', input, '--out', out, '--config', config],
      ...['--sentinel', '--no-progress'],
    ]);
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(
      `${inventory}: no SearchKey column (the watchlist's search key). Convert it once with \`ot-soc inventory --input ${inventory} --out inventory.csv\``,
    );
    expect(existsSync(join(out, 'OTAlerts_CL.ndjson'))).toBe(false);
    // A JSON inventory is no watchlist either.
    await writeFile(
      join(dir, 'assets-only.json'),
      JSON.stringify([{ IPAddress: '10.20.9.9', AssetType: 'PLC' }]),
    );
    const jsonConfig = join(dir, 'json.config.json');
    await writeFile(jsonConfig, JSON.stringify({ enrichment: { inventory: { file: 'assets-only.json' } } }));
    await expect(checkTwinInventory(jsonConfig)).rejects.toThrow(
      /a JSON inventory is not a watchlist \(CSV\)\. Convert it once/,
    );
    // The pipeline alone reads it (the IPv4 column is the IP): only the local Sentinel needs the watchlist's shape.
    const summary = await runFile({ input, out, config, partitions: 1, batchSize: 10, progress: false });
    expect(summary.groups).toBe(1);
  });

  it('a configuration, its JSON inventory and the playbook file saved with a UTF-8 BOM are read', async () => {
    const inventory = join(dir, 'assets.json');
    await writeFile(
      inventory,
      `${BOM}${JSON.stringify([{ IPAddress: '10.20.9.9', AssetName: 'BOM-PLC-01', AssetType: 'PLC' }])}`,
    );
    const config = join(dir, 'bom.config.json');
    await writeFile(
      config,
      `${BOM}${JSON.stringify({ enrichment: { inventory: { file: 'assets.json' } } })}`,
    );
    const out = join(dir, 'bom-out');
    const summary = await runFile({ input, out, config, partitions: 1, batchSize: 10, progress: false });
    expect(summary.groups).toBe(1);
    const row = JSON.parse((await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8')).trim()) as Record<
      string,
      unknown
    >;
    expect(row.DestinationAssetName).toBe('BOM-PLC-01');

    const playbooks = join(dir, 'bom-playbooks.json');
    await writeFile(
      playbooks,
      `${BOM}${await readFile(join(ROOT, 'samples', 'playbooks.config.json'), 'utf8')}`,
    );
    await expect(checkPlaybooksFile(playbooks)).resolves.toBeUndefined();
  });
});
