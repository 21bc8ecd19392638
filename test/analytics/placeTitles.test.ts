/**
 * Alert and incident titles of the shipped rules name where it happened: "in Site/Zone", and for a sensor the
 * configuration does not place (no Site, no Zone) "(no site/zone, sensor NAME)" instead of "in /". Through the
 * real path of `ot-soc replay --sentinel`: runFile, then the local Sentinel over the rows it wrote.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent, packageRoot } from '../../analytics/content.js';
import { runFile } from '../../cli/commands/runFile.js';
import { runSentinelTwin } from '../../cli/sentinelTwin.js';
import { securityAlert } from '../helpers/records.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-place-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rule titles name the place, or say it is unknown', () => {
  it('a placed sensor gives "in Site/Zone"; an unplaced one "(no site/zone, sensor NAME)", never "in /"', async () => {
    const t = new Date(Date.now() - 3_600_000).toISOString();
    const input = join(dir, 'two.ndjson');
    // Addresses no inventory knows: the place comes from the sensor alone (an asset's Site would fill it in).
    const placed = securityAlert({ t, title: 'Port Scan Detected', src: '10.99.0.5', dst: '10.99.0.2' });
    const unplaced = securityAlert({
      t,
      title: 'Port Scan Detected',
      sensor: 'lab-sensor-9',
      site: '',
      zone: '',
      src: '10.99.0.5',
      dst: '10.99.0.1',
    });
    await writeFile(input, `${JSON.stringify(placed)}\n${JSON.stringify(unplaced)}\n`);
    const out = join(dir, 'out');
    const config = join(packageRoot(), 'samples', 'ot-soc.config.json');
    const summary = await runFile({ input, out, config, partitions: 1, batchSize: 10, progress: false });
    expect(summary.groups).toBe(2);
    await runSentinelTwin(out, join(packageRoot(), 'samples', 'playbooks.config.json'), config);
    const titles = (await readFile(join(out, 'sentinel', 'incidents.ndjson'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => String((JSON.parse(l) as { Title: unknown }).Title))
      .sort();
    expect(titles).toEqual([
      'OT: Port Scan Detected in (no site/zone, sensor lab-sensor-9)',
      'OT: Port Scan Detected in Rotterdam/Packaging',
    ]);
  }, 120_000);

  it('no shipped rule titles with {{Site}} or {{Zone}} (empty for an unplaced sensor): they use {{Place}}', () => {
    const rules = loadContent().rules.map((r) => ({
      name: basename(r.file),
      doc: r.doc.toJS() as { query: string; alertDetailsOverride?: { alertDisplayNameFormat?: string } },
    }));
    const titled = rules.filter((r) => r.doc.alertDetailsOverride?.alertDisplayNameFormat);
    expect(titled.length).toBeGreaterThan(20);
    const bare = titled.filter((r) =>
      /\{\{(Site|Zone)\}\}/.test(r.doc.alertDetailsOverride!.alertDisplayNameFormat!),
    );
    expect(bare.map((r) => r.name)).toEqual([]);
    for (const r of titled.filter((r) =>
      r.doc.alertDetailsOverride!.alertDisplayNameFormat!.includes('{{Place}}'),
    ))
      expect(r.doc.query, r.name).toMatch(/Place = case\(isnotempty\(Site\) or isnotempty\(Zone\)/);
  });
});
