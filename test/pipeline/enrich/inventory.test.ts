import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Asset,
  buildAssetIndex,
  entityAsset,
  findEntity,
  InventoryError,
  inventoryConfigSchema,
  loadInventoryFile,
  normalizeAssetType,
  normalizeMac,
  parseCriticality,
  parseInventory,
  parseInventoryCsv,
  parseInventoryJson,
  parsePurdueLevel,
  primaryAsset,
  readCsv,
  resolveAsset,
} from '../../../pipeline/enrich/inventory/index.js';
import type { EntityAsset } from '../../../pipeline/model/alert.js';

const SAMPLES = fileURLToPath(new URL('../../../samples/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ot-soc-inventory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The problems an InventoryError carries (fails the test when something else is thrown). */
function problemsOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InventoryError) return e.problems;
    throw e;
  }
  throw new Error('expected an InventoryError');
}

describe('readCsv (RFC 4180)', () => {
  it('reads quoted fields with commas, "" escapes and line breaks, CRLF, a BOM and blank lines', () => {
    const text =
      '\uFEFFa,b,c\r\n' + '1,"Jansen, P.","12"" panel"\r\n' + '\r\n' + '2,"two\nlines",\r\n' + '3,x,"",\n';
    expect(readCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'Jansen, P.', '12" panel'] },
      { line: 4, fields: ['2', 'two\nlines', ''] },
      { line: 6, fields: ['3', 'x', '', ''] },
    ]);
  });

  it('reads a last line without a newline and keeps a stray quote inside an unquoted field', () => {
    expect(readCsv('a,b\n12" panel,x')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['12" panel', 'x'] },
    ]);
  });

  it('fails on an unclosed quote and on text after a closing quote, naming the line', () => {
    expect(problemsOf(() => readCsv('a,b\n1,2\n3,"open\n4,5\n', 'inv.csv'))).toEqual([
      'inv.csv:3: quoted field is not closed (missing ")',
    ]);
    expect(problemsOf(() => readCsv('a,b\n"x"y,1\n', 'inv.csv'))[0]).toMatch(
      /^inv\.csv:2: text after a closing quote/,
    );
  });
});

describe('value normalization', () => {
  it.each([
    ['Level 1', 1],
    ['level1', 1],
    ['L1', 1],
    ['l 2', 2],
    ['1', 1],
    ['0', 0],
    ['5', 5],
    ['3.5', 3],
    ['L3.5', 3],
    ['DMZ', 3],
    ['Purdue Level 2', 2],
    ['Process Control', 1],
    ['Supervisory', 2],
    ['Enterprise', 4],
    [4, 4],
    ['6', undefined],
    ['Level 9', undefined],
    ['-1', undefined],
    ['1.2', undefined],
    ['high', undefined],
    [2.5, undefined],
    // Built-in property names: the lookup used to find Object's and return a function as the level.
    ['constructor', undefined],
    ['Con-structor', undefined],
    ['__proto__', undefined],
  ] as const)('Purdue level %j → %j', (input, expected) => {
    expect(parsePurdueLevel(input)).toBe(expected);
  });

  it.each([
    ['PLC', 'PLC'],
    ['plc', 'PLC'],
    ['Engineering Station', 'EngineeringStation'],
    ['engineering-workstation', 'EngineeringStation'],
    ['EWS', 'EngineeringStation'],
    ['DCS Controller', 'DCS'],
    ['Safety Controller', 'SIS'],
    ['Remote IO', 'IODevice'],
    ['VFD', 'Drive'],
    ['Laptop', 'Workstation'],
    ['SCADA Server', 'SCADAServer'],
    ['Historian', 'Historian'],
    ['  Barcode Printer ', 'Barcode Printer'],
  ])('asset type %j → %j', (input, expected) => {
    expect(normalizeAssetType(input)).toBe(expected);
  });

  it.each([
    ['low', 'Low'],
    ['Normal', 'Medium'],
    ['MEDIUM', 'Medium'],
    ['High', 'High'],
    ['critical', 'Critical'],
    ['Crown Jewel', 'Critical'],
    ['urgent', undefined],
    ['constructor', undefined],
    ['to String', undefined],
  ])('criticality %j → %j', (input, expected) => {
    expect(parseCriticality(input)).toBe(expected);
  });

  it.each([
    ['00:1B:1B:0A:02:21', '00:1b:1b:0a:02:21'],
    ['00-1b-1b-0a-02-21', '00:1b:1b:0a:02:21'],
    ['001b.1b0a.0221', '00:1b:1b:0a:02:21'],
    ['001B1B0A0221', '00:1b:1b:0a:02:21'],
    ['00:1b:1b:0a:02:21', '00:1b:1b:0a:02:21'],
    ['00:1b:1b:0a:02', undefined],
    ['zz:1b:1b:0a:02:21', undefined],
  ])('MAC %j → %j', (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });
});

describe('parseInventoryCsv', () => {
  const HEADER =
    'SearchKey,IPAddress,MACAddress,AssetName,AssetType,Vendor,Model,Firmware,PurdueLevel,Criticality,Owner,OTTeam,Site,Zone,ProductionLine';

  it('reads the Sentinel watchlist shape into normalized assets', () => {
    const csv = `${HEADER}\n10.10.2.21,10.10.2.21,00-1B-1B-0A-02-21,RTM-PKG-PLC-01,plc,Siemens,"S7-1500, CPU 1515",V2.9.4,Level 1,critical,"Jansen, P.",OT-Rotterdam-Packaging,Rotterdam,Packaging,Line 1\n`;
    expect(parseInventoryCsv(csv)).toEqual([
      {
        ip: '10.10.2.21',
        mac: '00:1b:1b:0a:02:21',
        name: 'RTM-PKG-PLC-01',
        type: 'PLC',
        vendor: 'Siemens',
        model: 'S7-1500, CPU 1515',
        firmware: 'V2.9.4',
        purdueLevel: 1,
        criticality: 'Critical',
        owner: 'Jansen, P.',
        otTeam: 'OT-Rotterdam-Packaging',
        site: 'Rotterdam',
        zone: 'Packaging',
        productionLine: 'Line 1',
      },
    ]);
  });

  it('matches headers case-insensitively with aliases and ignores unknown columns', () => {
    const csv =
      'ip address,MAC,device name,Device Type,Manufacturer,purdue_level,Importance,Team,Plant,Last Seen\n' +
      '10.0.0.1,,HMI-1,Operator Panel,Rockwell,L2,Normal,OT-A,Lyon,2026-01-01\n';
    expect(parseInventoryCsv(csv)).toEqual([
      {
        ip: '10.0.0.1',
        name: 'HMI-1',
        type: 'HMI',
        vendor: 'Rockwell',
        purdueLevel: 2,
        criticality: 'Medium',
        otTeam: 'OT-A',
        site: 'Lyon',
      },
    ]);
  });

  it("reads Defender for IoT's own device inventory export (Azure portal columns, docs/contracts.md)", () => {
    const csv =
      'Name,Class,Type,Subtype,IPv4 Address,IPv6 Address,MAC Address,Vendor,Model,Firmware version,Purdue level,' +
      'Importance,Site,Zone,Sensor,Programming device,Authorization,Last activity\n' +
      'LYN-FIL-PLC-01,Industrial,PLC,,10.20.3.21,,00:1d:9c:14:03:21,Rockwell Automation,CompactLogix 5380,33.011,' +
      'Process control,High,Lyon,Filling,lyn-fil-sensor-01,No,Authorized,12/01/2026 10:00:00 AM\n';
    expect(parseInventoryCsv(csv)).toEqual([
      {
        ip: '10.20.3.21',
        mac: '00:1d:9c:14:03:21',
        name: 'LYN-FIL-PLC-01',
        type: 'PLC',
        vendor: 'Rockwell Automation',
        model: 'CompactLogix 5380',
        firmware: '33.011',
        purdueLevel: 1,
        criticality: 'High',
        site: 'Lyon',
        zone: 'Filling',
        sensor: 'lyn-fil-sensor-01',
      },
    ]);
  });

  it('uses SearchKey as the IP, MAC or name when that column is empty', () => {
    const csv = 'SearchKey,AssetType\n10.0.0.7,PLC\n00-11-22-33-44-55,HMI\nPLC-9,PLC\n';
    expect(parseInventoryCsv(csv)).toEqual([
      { ip: '10.0.0.7', type: 'PLC' },
      { mac: '00:11:22:33:44:55', type: 'HMI' },
      { name: 'PLC-9', type: 'PLC' },
    ]);
  });

  it('collects every bad row with its line number before failing', () => {
    const csv = [
      'IPAddress,AssetName,PurdueLevel,Criticality,MACAddress',
      '10.0.0.1,A,Level 1,High,',
      '10.0.0.300,B,1,High,',
      '10.0.0.3,C,Level 9,Urgent,',
      '10.0.0.4,D,1',
      '"10.0.0.5","E, with comma",1,Low,not-a-mac',
      ',,2,Low,',
      '10.0.0.1,F,1,Low,',
    ].join('\n');
    expect(problemsOf(() => parseInventoryCsv(csv, 'plant.csv'))).toEqual([
      'plant.csv:3: IPAddress: "10.0.0.300" is not an IP address',
      'plant.csv:4: PurdueLevel: "Level 9" is not a Purdue level (0–5: "Level 1", "L1" or "1")',
      'plant.csv:4: Criticality: "Urgent" is not a criticality (Low, Medium, High or Critical)',
      'plant.csv:5: 3 fields, the header has 5',
      'plant.csv:6: MACAddress: "not-a-mac" is not a MAC address',
      'plant.csv:7: no IPAddress, MACAddress, AssetName or SearchKey: the device cannot be matched',
      'plant.csv:8: IP 10.0.0.1 is already on line 2',
    ]);
  });

  it('allows the same IP at two sites, not twice at one site', () => {
    const ok = 'IPAddress,AssetName,Site\n10.0.0.1,A,Rotterdam\n10.0.0.1,B,Lyon\n';
    expect(parseInventoryCsv(ok)).toHaveLength(2);
    const bad = 'IPAddress,AssetName,Site\n10.0.0.1,A,Lyon\n10.0.0.1,B,lyon\n';
    expect(problemsOf(() => parseInventoryCsv(bad, 'x.csv'))).toEqual([
      'x.csv:3: IP 10.0.0.1 at site lyon is already on line 2',
    ]);
  });

  it('rejects an empty file, a header without a key column and two columns for one field', () => {
    expect(problemsOf(() => parseInventoryCsv('\n\n', 'e.csv'))[0]).toMatch(/^e\.csv: empty file/);
    expect(problemsOf(() => parseInventoryCsv('Vendor,Model\nA,B\n', 'k.csv'))).toEqual([
      'k.csv:1: no column to match devices by (expected IPAddress, MACAddress, AssetName or SearchKey)',
    ]);
    expect(problemsOf(() => parseInventoryCsv('IP,IPAddress\n1.1.1.1,1.1.1.1\n', 'd.csv'))).toEqual([
      'd.csv:1: columns "IP" and "IPAddress" mean the same field',
    ]);
  });

  it('says a file separated by semicolons or tabs (Excel "CSV" in comma-decimal locales) is to be saved with commas', () => {
    const semi = 'IPAddress;AssetName;AssetType\n10.20.3.21;LYN-FIL-PLC-01;PLC\n';
    expect(problemsOf(() => parseInventoryCsv(semi, 's.csv'))).toEqual([
      's.csv:1: no column to match devices by (expected IPAddress, MACAddress, AssetName or SearchKey); the header is one column separated by semicolons: save the file as comma-separated CSV (in Excel "CSV UTF-8 (Comma delimited)")',
    ]);
    expect(problemsOf(() => parseInventoryCsv('IPAddress\tAssetName\n', 't.csv'))[0]).toContain(
      'separated by tabs',
    );
  });

  it('the sample inventory holds every device of the bundled scenario, normalized', () => {
    const assets = parseInventoryCsv(readFileSync(join(SAMPLES, 'inventory.csv'), 'utf8'));
    const byName = new Map(assets.map((a) => [a.name, a]));
    for (const name of [
      'RTM-EWS-01',
      'LAPTOP-7Q2K',
      'RTM-PKG-PLC-01',
      'RTM-PKG-HMI-01',
      'RTM-HIST-01',
      'RTM-UTL-PLC-01',
      'LYN-EWS-01',
      'LYN-BRW-PLC-01',
      'LYN-BRW-HMI-01',
      'LYN-FIL-PLC-01',
      'LYN-FIL-HMI-01',
    ]) {
      const a = byName.get(name);
      expect(a, name).toBeDefined();
      expect(a?.purdueLevel, name).toBeTypeOf('number');
      expect(a?.criticality, name).toBeDefined();
      expect(a?.otTeam, name).toMatch(/^OT-(Rotterdam|Lyon)-/);
    }
    expect(assets.length).toBeGreaterThan(11);
    expect(byName.get('RTM-EWS-01')?.type).toBe('EngineeringStation');
    expect(byName.get('LYN-EWS-01')?.type).toBe('EngineeringStation');
    expect(byName.get('LAPTOP-7Q2K')?.type).toBe('Workstation');
    expect(byName.get('RTM-PKG-PLC-01')).toMatchObject({
      type: 'PLC',
      purdueLevel: 1,
      criticality: 'Critical',
    });
    expect(byName.get('RTM-UTL-PLC-01')?.productionLine).toBe('Steam, Compressed Air & Water');
    expect(byName.get('RTM-PKG-HMI-01')?.model).toBe('SIMATIC HMI TP1200 Comfort 12"');
  });
});

describe('parseInventoryJson / parseInventory / loadInventoryFile', () => {
  it('reads an array or {"devices": [...]}, with the CSV field names', () => {
    const devices = [{ IPAddress: '10.0.0.1', AssetType: 'EWS', PurdueLevel: 2, extra: true }];
    expect(parseInventoryJson(JSON.stringify(devices))).toEqual([
      { ip: '10.0.0.1', type: 'EngineeringStation', purdueLevel: 2 },
    ]);
    expect(parseInventoryJson(JSON.stringify({ devices }))).toHaveLength(1);
  });

  it('names the device index of each bad entry', () => {
    const text = JSON.stringify([
      { ip: '10.0.0.1' },
      'x',
      { ip: '10.0.0.2', purdueLevel: 7 },
      { name: ['a'] },
    ]);
    expect(problemsOf(() => parseInventoryJson(text, 'inv.json'))).toEqual([
      'inv.json[1]: expected an object',
      'inv.json[2]: purdueLevel: "7" is not a Purdue level (0–5: "Level 1", "L1" or "1")',
      'inv.json[3]: name: expected text, got an array',
    ]);
    expect(problemsOf(() => parseInventoryJson('{"x": 1}', 'o.json'))).toEqual([
      'o.json: expected an array of devices or {"devices": [...]}',
    ]);
    expect(problemsOf(() => parseInventoryJson('[{', 'b.json'))[0]).toMatch(/^b\.json: not valid JSON/);
  });

  it("reads the on-premises management console's device list (/external/v1/devices): address arrays, firmware modules, N/A", () => {
    // the documented response example, and a device with two NICs (docs/contracts.md)
    const console = [
      {
        sensorId: 7,
        zoneId: 1,
        siteId: 1,
        vendor: null,
        name: '10.4.14.102',
        firmware: [
          { slot: 'N/A', model: 'N/A', serial: 'N/A', firmwareVersion: 'N/A', address: '10.4.14.102' },
          {
            slot: 'N/A',
            model: 'CJ2M-CPU31',
            serial: 'N/A',
            firmwareVersion: '20.55',
            address: '10.4.14.102',
          },
        ],
        id: 79,
        macAddresses: null,
        authorized: true,
        ipAddresses: ['10.4.14.102'],
        engineeringStation: false,
        type: 'PLC',
        operatingSystem: null,
        protocols: [{ addresses: [], id: 62, name: 'Omron FINS' }],
        scanner: false,
      },
      {
        name: 'RTU-7',
        type: 'RTU',
        vendor: 'Rockwell',
        firmware: [],
        ipAddresses: ['10.4.14.110', '10.4.15.110'],
        macAddresses: ['00:1D:9C:00:00:01', 'N/A', '00:1d:9c:00:00:03'],
      },
    ];
    expect(parseInventoryJson(JSON.stringify(console))).toEqual([
      { ip: '10.4.14.102', name: '10.4.14.102', type: 'PLC', model: 'CJ2M-CPU31', firmware: '20.55' },
      { ip: '10.4.14.110', mac: '00:1d:9c:00:00:01', name: 'RTU-7', type: 'RTU', vendor: 'Rockwell' },
      { ip: '10.4.15.110', mac: '00:1d:9c:00:00:03', name: 'RTU-7', type: 'RTU', vendor: 'Rockwell' },
    ]);
    expect(problemsOf(() => parseInventoryJson('[{"ipAddresses": ["10.0.0.1", "x", 3]}]', 'c.json'))).toEqual(
      [
        'c.json[0]: ipAddresses: "x" is not an IP address',
        'c.json[0]: ipAddresses: "3" is not an IP address',
      ],
    );
    expect(
      problemsOf(() => parseInventoryJson('[{"ip": "10.0.0.1", "firmware": ["1.0"]}]', 'f.json')),
    ).toEqual(['f.json[0]: firmware: expected text, got an array']);
  });

  it('a device with several addresses in one cell is one asset per address, each found by the enricher', () => {
    const csv =
      'Name,Type,IPv4 Address,MAC Address,Site\n' +
      'LYN-FIL-HMI-02,HMI,"10.20.3.40, 10.20.4.40",00:0c:29:14:03:40,Lyon\n' +
      'LYN-FIL-PLC-02,PLC,10.20.3.41;10.20.4.41,N/A,Lyon\n';
    const assets = parseInventoryCsv(csv);
    expect(assets.map((a) => [a.name, a.ip, a.mac])).toEqual([
      ['LYN-FIL-HMI-02', '10.20.3.40', '00:0c:29:14:03:40'],
      ['LYN-FIL-HMI-02', '10.20.4.40', undefined],
      ['LYN-FIL-PLC-02', '10.20.3.41', undefined],
      ['LYN-FIL-PLC-02', '10.20.4.41', undefined],
    ]);
    const index = buildAssetIndex(assets);
    expect(index.find({ ip: '10.20.4.41' }, 'lyon')?.type).toBe('PLC');
    // one address twice is still a data error, named on its line
    expect(
      problemsOf(() => parseInventoryCsv('IPAddress,Site\n"10.0.0.1, 10.0.0.2",A\n10.0.0.2,A\n', 'd.csv')),
    ).toEqual(['d.csv:3: IP 10.0.0.2 at site A is already on line 2']);
  });

  it('chooses the format by extension, else by content', () => {
    expect(parseInventory('[{"ip":"10.0.0.1"}]', 'devices')).toEqual([{ ip: '10.0.0.1' }]);
    expect(parseInventory('IPAddress\n10.0.0.1\n', 'devices')).toEqual([{ ip: '10.0.0.1' }]);
    expect(parseInventory('IPAddress\n10.0.0.1\n', 'devices.csv')).toEqual([{ ip: '10.0.0.1' }]);
  });

  it('reads a file once and reports an unreadable one', async () => {
    const file = join(tmp, 'inv.csv');
    writeFileSync(file, 'IPAddress,AssetType\n10.0.0.1,PLC\n');
    await expect(loadInventoryFile(file)).resolves.toEqual([{ ip: '10.0.0.1', type: 'PLC' }]);
    await expect(loadInventoryFile(join(tmp, 'missing.csv'))).rejects.toThrow(/cannot read the file: ENOENT/);
  });
});

describe('inventoryConfigSchema (inline devices)', () => {
  it('parses inline devices to assets', () => {
    const r = inventoryConfigSchema.parse({
      devices: [{ IPAddress: '10.0.0.1', AssetType: 'PLC', Criticality: 'high' }],
    });
    expect(r.devices).toEqual([{ ip: '10.0.0.1', type: 'PLC', criticality: 'High' }]);
  });

  it('reports bad values and unknown fields with their path', () => {
    const r = inventoryConfigSchema.safeParse({
      devices: [{ IPAddress: '10.0.0.1' }, { IPAddress: 'x', PurdueLevel: 'L8', Colour: 'red' }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      expect.stringMatching(/^devices\.1\.Colour: unknown device field/),
      'devices.1.IPAddress: "x" is not an IP address',
      'devices.1.PurdueLevel: "L8" is not a Purdue level (0–5: "Level 1", "L1" or "1")',
    ]);
  });

  it('parses an inline device with several addresses to one asset per address', () => {
    const r = inventoryConfigSchema.safeParse({
      devices: [
        { ip: '10.0.0.9' },
        { AssetName: 'RTU-7', IPAddress: ['10.0.0.1', '10.0.1.1'] },
        { ip: '10.0.1.1' },
      ],
    });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'devices.2: IP 10.0.1.1 is already on device 1',
    ]);
    expect(
      inventoryConfigSchema.parse({ devices: [{ AssetName: 'RTU-7', IPAddress: '10.0.0.1 10.0.1.1' }] })
        .devices,
    ).toEqual([
      { name: 'RTU-7', ip: '10.0.0.1' },
      { name: 'RTU-7', ip: '10.0.1.1' },
    ]);
  });

  it('rejects the same IP twice', () => {
    const r = inventoryConfigSchema.safeParse({ devices: [{ ip: '10.0.0.1' }, { ip: '10.0.0.1' }] });
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'devices.1: IP 10.0.0.1 is already on device 0',
    ]);
  });
});

describe('asset index', () => {
  const plc: Asset = {
    ip: '10.0.0.21',
    mac: '00:1b:1b:0a:02:21',
    name: 'PLC-01',
    type: 'PLC',
    site: 'Rotterdam',
  };
  const ews: Asset = { ip: '10.0.0.10', name: 'EWS-01', type: 'EngineeringStation', site: 'Rotterdam' };
  const lyonTwin: Asset = { ip: '10.0.0.21', name: 'LYN-PLC', type: 'PLC', site: 'Lyon' };
  const index = buildAssetIndex([plc, ews, lyonTwin]);

  it.each([
    ['by IP', { ip: '10.0.0.21' }, 'rotterdam', plc],
    ['by MAC in another spelling', { mac: '00-1B-1B-0A-02-21' }, 'rotterdam', plc],
    ['by name, any case', { name: 'ews-01' }, 'rotterdam', ews],
    [
      'IP before MAC and name',
      { ip: '10.0.0.10', mac: '00:1b:1b:0a:02:21', name: 'PLC-01' },
      'rotterdam',
      ews,
    ],
    ['MAC when the IP is unknown', { ip: '10.9.9.9', mac: '00:1b:1b:0a:02:21' }, 'rotterdam', plc],
    ['the site picks among shared addresses', { ip: '10.0.0.21' }, 'lyon', lyonTwin],
    ['without a site, the first in file order', { ip: '10.0.0.21' }, undefined, plc],
    ['never a device of another site', { name: 'EWS-01' }, 'lyon', undefined],
    ['nothing for an unknown device', { ip: '10.1.1.1', name: 'X' }, 'rotterdam', undefined],
  ] as const)('%s', (_, device, site, expected) => {
    expect(index.find(device, site)).toBe(expected);
  });

  it('a site-less device matches at any site; a later entry replaces one with the same key and site', () => {
    const a: Asset = { ip: '10.0.0.1', name: 'A' };
    const b: Asset = { ip: '10.0.0.1', name: 'B' };
    const i = buildAssetIndex([a, b]);
    expect(i.find({ ip: '10.0.0.1' }, 'lyon')).toBe(b);
    expect(i.size).toBe(2);
  });
});

describe('SecurityAlert entities as a fallback', () => {
  const entities: EntityAsset[] = [
    {
      ip: '10.0.0.66',
      name: 'LAPTOP-1',
      type: 'Workstation',
      vendor: 'Lenovo',
      importance: 'Low',
      owners: ['a', 'b'],
    },
    {
      ip: '10.0.0.21',
      mac: '00:1b:1b:0a:02:21',
      name: 'PLC-01',
      type: 'PLC',
      firmware: 'V9',
      purdueLevel: 'Level 1',
      site: 'Rotterdam',
      zone: 'Packaging',
    },
  ];
  const inventory = buildAssetIndex([
    { ip: '10.0.0.21', name: 'RTM-PLC-01', type: 'PLC', criticality: 'Critical' },
  ]);

  it('normalizes an entity leniently', () => {
    expect(entityAsset(entities[0]!)).toEqual({
      ip: '10.0.0.66',
      name: 'LAPTOP-1',
      type: 'Workstation',
      vendor: 'Lenovo',
      criticality: 'Low',
      owner: 'a, b',
    });
    expect(entityAsset({ ip: 'x', purdueLevel: 'Level 12', importance: '??' })).toEqual({});
  });

  it('finds the entity of a device by IP, MAC or name', () => {
    expect(findEntity(entities, { ip: '10.0.0.66' })).toBe(entities[0]);
    expect(findEntity(entities, { mac: '00-1b-1b-0a-02-21' })).toBe(entities[1]);
    expect(findEntity(entities, { name: 'laptop-1' })).toBe(entities[0]);
    expect(findEntity(entities, { ip: '10.9.9.9' })).toBeUndefined();
  });

  it('the inventory wins field by field; the entity fills the gaps; an entity alone is used as is', () => {
    expect(resolveAsset(inventory, { ip: '10.0.0.21' }, 'rotterdam', entities)).toEqual({
      ip: '10.0.0.21',
      mac: '00:1b:1b:0a:02:21',
      name: 'RTM-PLC-01',
      type: 'PLC',
      criticality: 'Critical',
      firmware: 'V9',
      purdueLevel: 1,
      site: 'Rotterdam',
      zone: 'Packaging',
    });
    expect(resolveAsset(inventory, { ip: '10.0.0.66' }, 'rotterdam', entities)?.type).toBe('Workstation');
    expect(resolveAsset(inventory, { ip: '10.0.0.21' }, 'rotterdam', undefined)?.name).toBe('RTM-PLC-01');
    expect(resolveAsset(inventory, { ip: '10.9.9.9' }, 'rotterdam', entities)).toBeUndefined();
  });
});

describe('primaryAsset: the destination when it is a controller, else the source', () => {
  const plc: Asset = { name: 'PLC', type: 'PLC' };
  const rtu: Asset = { name: 'RTU', type: 'RTU' };
  const hmi: Asset = { name: 'HMI', type: 'HMI' };
  const ews: Asset = { name: 'EWS', type: 'EngineeringStation' };
  it.each([
    ['EWS → PLC', ews, plc, plc],
    ['HMI → RTU', hmi, rtu, rtu],
    ['EWS → HMI', ews, hmi, ews],
    ['PLC → HMI', plc, hmi, plc],
    ['unknown → HMI', undefined, hmi, hmi],
    ['EWS → unknown', ews, undefined, ews],
    ['unknown → unknown', undefined, undefined, undefined],
  ] as const)('%s', (_, src, dst, expected) => {
    expect(primaryAsset(src, dst)).toBe(expected);
  });
});
