/**
 * `ot-soc inventory`: any inventory the pipeline reads, written as the OTAssetInventory watchlist CSV, which is then
 * both the pipeline's inventory and the watchlist the rules read (the local Sentinel's, and `assetInventoryCsv`).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInventory } from '../../cli/commands/inventory.js';
import { UsageError } from '../../cli/commands/usageError.js';
import { parseInventoryCsv } from '../../pipeline/enrich/inventory/index.js';
import { sensorPlacementSchema } from '../../pipeline/enrich/sensorPlacement.js';
import { watchlistTable } from '../../sentinel/watchlists.js';
import { samples } from '../sentinel/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-inventory-cmd-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// Defender for IoT's device inventory export from the Azure portal (docs/contracts.md): no SearchKey, other names.
const PORTAL =
  'Name,Class,Type,IPv4 Address,MAC Address,Vendor,Model,Firmware version,Purdue level,Importance,Site,Zone,Sensor\n' +
  'LYN-FIL-PLC-01,Industrial,PLC,10.20.3.21,00:1d:9c:14:03:21,Rockwell Automation,"CompactLogix 5380, 5069",33.011,Process control,High,Lyon,Filling,s1\n' +
  'HMI "Line 2",Industrial,HMI,,00-0C-29-14-03-30,Rockwell Automation,PanelView,12.011,Supervisory,Medium,Lyon,Filling,s1\n';

const convert = async (name: string, text: string) => {
  const input = join(dir, name);
  const out = join(dir, `${name}.watchlist.csv`);
  await writeFile(input, text);
  const said: string[] = [];
  await runInventory({ input, out }, (l) => said.push(l));
  return { input, text: await readFile(out, 'utf8'), said };
};

describe('ot-soc inventory', () => {
  it("writes Defender for IoT's export as the watchlist: its columns, SearchKey the IP else the MAC, fields quoted", async () => {
    const { text, said } = await convert('portal.csv', PORTAL);
    expect(text).toBe(
      'SearchKey,IPAddress,MACAddress,AssetName,AssetType,Vendor,Model,Firmware,PurdueLevel,Criticality,Owner,OTTeam,Site,Zone,ProductionLine\n' +
        '10.20.3.21,10.20.3.21,00:1d:9c:14:03:21,LYN-FIL-PLC-01,PLC,Rockwell Automation,"CompactLogix 5380, 5069",33.011,1,High,,,Lyon,Filling,\n' +
        '00:0c:29:14:03:30,,00:0c:29:14:03:30,"HMI ""Line 2""",HMI,Rockwell Automation,PanelView,12.011,2,Medium,,,Lyon,Filling,\n',
    );
    expect(said).toEqual([
      expect.stringMatching(
        /portal\.csv: 2 devices; controllers: 1 PLC; 1 without an IP address \(matched by MAC or name only\) → .*portal\.csv\.watchlist\.csv$/,
      ),
      '1 sensor at the site and zone of their devices; a site that forwards syslog (CEF and LEEF name the sensor, not its zone) needs them in enrichment.sensors:',
      '    "s1": { "site": "Lyon", "zone": "Filling" }',
    ]);
    // The local Sentinel (and Sentinel) reads it as the watchlist; the pipeline reads the same devices back.
    const table = watchlistTable(text, 'w.csv');
    expect(table.rows.map((r) => [r.SearchKey, r.AssetType, r.Site, r.Zone])).toEqual([
      ['10.20.3.21', 'PLC', 'Lyon', 'Filling'],
      ['00:0c:29:14:03:30', 'HMI', 'Lyon', 'Filling'],
    ]);
    // the sensor is no watchlist column: the same devices otherwise
    const withoutSensor = parseInventoryCsv(PORTAL).map(({ sensor: _, ...a }) => a);
    expect(parseInventoryCsv(text)).toEqual(withoutSensor);
  });

  it('keeps the bundled watchlist-shaped inventory as the same devices', async () => {
    const original = await readFile(samples('inventory.csv'), 'utf8');
    const { text, said } = await convert('bundled.csv', original);
    expect(parseInventoryCsv(text)).toEqual(parseInventoryCsv(original));
    expect(said[0]).toContain('17 devices; controllers: 4 PLC, 1 SIS');
  });

  it('writes a device with two NICs as a watchlist row per address, and counts it once', async () => {
    const dual =
      'Name,Type,IPv4 Address,MAC Address,Site,Zone\n' +
      'LYN-FIL-PLC-02,PLC,"10.20.3.41, 10.20.4.41",00:1d:9c:14:03:41,Lyon,Filling\n' +
      'LYN-FIL-HMI-02,HMI,10.20.3.42,,Lyon,Filling\n';
    const { text, said } = await convert('dual.csv', dual);
    expect(watchlistTable(text, 'w.csv').rows.map((r) => [r.SearchKey, r.AssetName, r.MACAddress])).toEqual([
      ['10.20.3.41', 'LYN-FIL-PLC-02', '00:1d:9c:14:03:41'],
      ['10.20.4.41', 'LYN-FIL-PLC-02', ''],
      ['10.20.3.42', 'LYN-FIL-HMI-02', ''],
    ]);
    expect(said[0]).toMatch(
      /^.*dual\.csv: 2 devices \(3 rows: one per address of a device with several\); controllers: 1 PLC → /,
    );
    expect(parseInventoryCsv(text)).toEqual(parseInventoryCsv(dual));
  });

  it('places each sensor at the site and zone most of its devices are in, pasteable as enrichment.sensors', async () => {
    const export_ =
      'Name,IPv4 Address,Site,Zone,Sensor\n' +
      'a,10.0.0.1,Lyon,Filling,lyn-fil-sensor-01\n' +
      'b,10.0.0.2,Lyon,Filling,lyn-fil-sensor-01\n' +
      // a device the filling sensor sees in another zone: the majority wins
      'c,10.0.0.3,Lyon,Brewhouse,lyn-fil-sensor-01\n' +
      'd,10.0.1.1,Gdansk,,gdn-sensor-01\n' +
      'e,10.0.1.2,,,orphan-sensor\n';
    const { said } = await convert('sensors.csv', export_);
    expect(said.slice(1)).toEqual([
      '2 sensors at the site and zone of their devices; a site that forwards syslog (CEF and LEEF name the sensor, not its zone) needs them in enrichment.sensors:',
      '    "lyn-fil-sensor-01": { "site": "Lyon", "zone": "Filling" },',
      '    "gdn-sensor-01": { "site": "Gdansk" }',
    ]);
    // what it prints is valid configuration
    const pasted = JSON.parse(`{${said.slice(2).join('\n')}}`) as Record<string, unknown>;
    expect(sensorPlacementSchema.parse(pasted)).toMatchObject({ 'gdn-sensor-01': { site: 'Gdansk' } });
  });

  it('refuses a file the pipeline would refuse, with its problems, and writes nothing', async () => {
    const input = join(dir, 'semi.csv');
    await writeFile(input, 'IPAddress;AssetName\n10.0.0.1;A\n');
    const out = join(dir, 'semi.out.csv');
    const run = runInventory({ input, out }, () => {});
    await expect(run).rejects.toThrow(UsageError);
    await expect(runInventory({ input, out }, () => {})).rejects.toThrow(/separated by semicolons/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });
});
