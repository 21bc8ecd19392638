/** `demo` / `replay --sentinel` input errors: a bad --playbooks or --config is a usage error naming the file. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/commands/usageError.js';
import { runSentinelTwin } from '../../cli/sentinelTwin.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-twin-cli-'));
  await writeFile(join(dir, 'OTAlerts_CL.ndjson'), '');
  await writeFile(
    join(dir, 'bad-playbooks.json'),
    JSON.stringify({ sites: { Lyon: { ticketSystem: 'nope' } } }),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the twin from the CLI', () => {
  it('refuses a missing --playbooks file, naming it', async () => {
    const file = join(dir, 'missing.json');
    await expect(runSentinelTwin(dir, file)).rejects.toThrow(UsageError);
    await expect(runSentinelTwin(dir, file)).rejects.toThrow(file);
  });

  it('refuses an invalid playbook configuration, naming the file and the path', async () => {
    const file = join(dir, 'bad-playbooks.json');
    await expect(runSentinelTwin(dir, file)).rejects.toThrow(/bad-playbooks\.json.*ticketSystem/);
  });

  it('refuses a missing --config file, naming it', async () => {
    const config = join(dir, 'no-config.json');
    await expect(
      runSentinelTwin(dir, join(process.cwd(), 'samples', 'playbooks.config.json'), config),
    ).rejects.toThrow(new RegExp(`--config ${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });
});
