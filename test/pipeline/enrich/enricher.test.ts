import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ConfigError,
  loadConfigFile,
  type OtSocConfig,
  parseConfig,
} from '../../../pipeline/config/config.js';
import { applyMember } from '../../../pipeline/dedup/grouper.js';
import { groupRow } from '../../../pipeline/dedup/groupRow.js';
import { DEFAULT_KEY_SPEC } from '../../../pipeline/dedup/keySpec.js';
import type { EnrichedAlert } from '../../../pipeline/enrich/enriched.js';
import {
  createEnricher,
  type EnrichConfig,
  enrichConfigSchema,
  loadEnrichment,
} from '../../../pipeline/enrich/enricher.js';
import type { OtAlert, OtAlertInput } from '../../../pipeline/model/alert.js';
import { otAlertSchema } from '../../../pipeline/model/alert.js';
import { validateRow } from '../../../pipeline/sink/rowValidator.js';

const SAMPLE_CONFIG = fileURLToPath(new URL('../../../samples/ot-soc.config.json', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'ot-soc-enricher-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const alert = (over: Partial<OtAlertInput>): OtAlert =>
  otAlertSchema.parse({
    title: 'Modbus Address Range Violation',
    severity: 'Medium',
    status: 'New',
    source: {},
    destination: {},
    firstSeen: '2026-11-18T08:00:00.000Z',
    lastSeen: '2026-11-18T08:00:00.000Z',
    sourceFormat: 'SecurityAlert',
    ...over,
  });

const LAPTOP = { ip: '10.10.1.66', mac: '3c:22:fb:9e:41:66', name: 'LAPTOP-7Q2K' };
const RTM_PLC = { ip: '10.10.2.21', mac: '00:1b:1b:0a:02:21', name: 'RTM-PKG-PLC-01' };
const LYN_EWS = { ip: '10.20.1.10', mac: '00:1d:9c:14:01:10' };
const LYN_PLC = { ip: '10.20.2.21', mac: '00:1d:9c:14:02:21' };

describe('enrichment config', () => {
  const problems = (enrichment: unknown): string[] => {
    try {
      parseConfig({ enrichment }, 'test.json');
    } catch (e) {
      if (e instanceof ConfigError) return e.problems;
      throw e;
    }
    return [];
  };

  it('names the path of each bad setting', () => {
    expect(problems({ sites: { Lyon: { timeZone: 'Europe/Lyonn' } } })).toEqual([
      'enrichment.sites.Lyon.timeZone: unknown time zone "Europe/Lyonn"',
    ]);
    expect(problems({ inventory: { devices: [{ IPAddress: '10.0.0.1', PurdueLevel: 'Level 7' }] } })).toEqual(
      [
        'enrichment.inventory.devices.0.PurdueLevel: "Level 7" is not a Purdue level (0–5: "Level 1", "L1" or "1")',
      ],
    );
    expect(problems({ escalation: { techniques: ['T0843', 'Program Download'] } })).toEqual([
      'enrichment.escalation.techniques.1: "Program Download" is not an ATT&CK for ICS technique id (e.g. "T0843")',
    ]);
    expect(
      problems({
        sites: {
          Lyon: {
            timeZone: 'Europe/Paris',
            maintenanceWindows: [{ start: 'tomorrow', end: '2026-11-18T12:00', devices: ['x'] }],
          },
        },
      }),
    ).toEqual([
      'enrichment.sites.Lyon.maintenanceWindows.0.start: "tomorrow" is not a date-time (site local "2026-11-18T10:00" or ISO with offset "2026-11-18T10:00:00+01:00")',
    ]);
    expect(
      problems({ sites: { Lyon: { timeZone: 'Europe/Paris', workingHours: { 'Mon-Fri': '9 to 5' } } } }),
    ).toEqual([
      'enrichment.sites.Lyon.workingHours.Mon-Fri: "9 to 5" is not a time range (e.g. "06:00-22:00")',
    ]);
    expect(problems({ timezones: {} })).toEqual(['enrichment: Unrecognized key: "timezones"']);
  });

  it('a sensor placed in a site the calendars do not name is a typo: named with the sites there are', () => {
    const sites = { Lyon: { timeZone: 'Europe/Paris' }, Rotterdam: { timeZone: 'Europe/Amsterdam' } };
    expect(problems({ sites, sensors: { 'lyn-1': { site: 'Lyonn', zone: 'Brewhouse' } } })).toEqual([
      'enrichment.sensors.lyn-1.site: "Lyonn" is not a site of enrichment.sites (Lyon, Rotterdam): add it there with its timeZone, or correct the name',
    ]);
    // Names compare case-insensitively, as everywhere; without calendars a site needs none.
    expect(problems({ sites, sensors: { 'lyn-1': { site: 'LYON' } } })).toEqual([]);
    expect(problems({ sensors: { 'lyn-1': { site: 'Lyonn' } } })).toEqual([]);
  });

  it('the sample config is valid, uses every section and loads its inventory relative to itself', async () => {
    const config = await loadConfigFile(SAMPLE_CONFIG);
    const e = config.enrichment;
    expect(e.inventory?.file).toBeUndefined();
    expect(e.inventory?.devices?.length).toBeGreaterThan(15);
    expect(e.inventory?.devices?.at(-1)?.name).toBe('LYN-FIL-LABELLER-01'); // inline after the file's
    expect(Object.keys(e.sites ?? {})).toEqual(['Rotterdam', 'Lyon']);
    expect(e.sites?.Lyon?.maintenanceWindows?.[0]).toMatchObject({
      start: '2026-11-18T10:00',
      end: '2026-11-18T12:00',
    });
    expect(e.sites?.Rotterdam?.holidays?.length).toBeGreaterThan(0);
    expect(e.escalation?.severity).toBe('High');
  });

  it('a bad inventory file fails the config load with the file, line and setting', async () => {
    const dir = mkdtempSync(join(tmp, 'cfg-'));
    writeFileSync(
      join(dir, 'devices.csv'),
      'IPAddress,AssetType,PurdueLevel\n10.0.0.1,PLC,1\n10.0.0.2,PLC,Level 7\n',
    );
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ enrichment: { inventory: { file: 'devices.csv' } } }),
    );
    const err = await loadConfigFile(join(dir, 'config.json')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      `enrichment.inventory.file: ${join(dir, 'devices.csv')}:3: PurdueLevel: "Level 7" is not a Purdue level (0–5: "Level 1", "L1" or "1")`,
    ]);

    writeFileSync(
      join(dir, 'missing.json'),
      JSON.stringify({ enrichment: { inventory: { file: 'nope.csv' } } }),
    );
    const missing = await loadConfigFile(join(dir, 'missing.json')).catch((e: unknown) => e);
    expect((missing as ConfigError).problems[0]).toMatch(
      /^enrichment\.inventory\.file: .*nope\.csv: cannot read the file: ENOENT$/,
    );
  });

  it('loadEnrichment reads the file relative to a base directory; createEnricher refuses an unread file', async () => {
    const dir = mkdtempSync(join(tmp, 'base-'));
    writeFileSync(join(dir, 'inv.json'), JSON.stringify([{ ip: '10.0.0.1', name: 'FROM-FILE', site: 'X' }]));
    const config = enrichConfigSchema.parse({
      inventory: { file: 'inv.json', devices: [{ ip: '10.0.0.1', name: 'INLINE', site: 'X' }] },
    });
    expect(() => createEnricher(config)).toThrow(/enrichment\.inventory\.file "inv\.json" was not read/);
    const loaded = await loadEnrichment(config, dir);
    expect(loaded.inventory).toEqual({
      devices: [
        { ip: '10.0.0.1', name: 'FROM-FILE', site: 'X' },
        { ip: '10.0.0.1', name: 'INLINE', site: 'X' },
      ],
    });
    const enriched = createEnricher(loaded)(alert({ site: 'X', source: { ip: '10.0.0.1' } }));
    expect(enriched.context.SourceAssetName).toBe('INLINE'); // inline overrides the file for the same device
  });
});

describe('createEnricher with the sample plant', () => {
  let config: OtSocConfig;
  let enrich: (a: OtAlert) => EnrichedAlert;
  beforeAll(async () => {
    config = await loadConfigFile(SAMPLE_CONFIG);
    enrich = createEnricher(config.enrichment);
  });

  it('escalates the Rotterdam night-time PLC programming from the laptop, with reasons', () => {
    const e = enrich(
      alert({
        title: 'Unauthorized PLC Programming',
        category: 'Programming',
        severity: 'High',
        protocol: 'S7',
        source: LAPTOP,
        destination: RTM_PLC,
        sensor: 'rtm-pkg-sensor-01',
        site: 'Rotterdam',
        zone: 'Packaging',
        firstSeen: '2026-11-18T02:24:00.000Z',
        lastSeen: '2026-11-18T02:24:01.000Z',
      }),
    );
    expect(e.severity).toBe('High');
    expect(e.originalSeverity).toBe('High');
    expect(e.context).toMatchObject({
      SourceAssetName: 'LAPTOP-7Q2K',
      SourceAssetType: 'Workstation',
      DestinationAssetName: 'RTM-PKG-PLC-01',
      DestinationAssetType: 'PLC',
      PurdueLevel: 1,
      AssetCriticality: 'Critical',
      AssetVendor: 'Siemens',
      AssetModel: 'S7-1500 CPU 1515-2 PN',
      AssetFirmware: 'V2.9.4',
      AssetOwner: 'Jansen, P. (Packaging engineering)',
      OTTeam: 'OT-Rotterdam-Packaging',
      ProductionLine: 'Packaging Line 1',
      InBusinessHours: false,
      InMaintenanceWindow: false,
      LocalTime: '2026-11-18T03:24:00+01:00',
      Escalations: [
        {
          rule: 'OutsideWorkingHours',
          reason:
            'PLC programming at 03:24 Europe/Amsterdam (Wed 2026-11-18), outside working hours Mon–Fri 06:00–22:00; Sat 06:00–14:00',
        },
        {
          rule: 'NotEngineeringStation',
          reason:
            'PLC programming from LAPTOP-7Q2K (10.10.1.66, Workstation), which is not an engineering station',
        },
      ],
      RiskScore: 92,
    });
  });

  it('raises the night-time S7 stop command from Low to High and says so', () => {
    const e = enrich(
      alert({
        title: 'An S7 Stop PLC Command was Sent',
        category: 'Restart/ Stop Commands',
        severity: 'Low',
        source: LAPTOP,
        destination: RTM_PLC,
        sensor: 'rtm-pkg-sensor-01',
        site: 'Rotterdam',
        zone: 'Packaging',
        firstSeen: '2026-11-18T02:31:00.000Z',
        lastSeen: '2026-11-18T02:31:00.000Z',
      }),
    );
    expect(e.severity).toBe('High');
    expect(e.originalSeverity).toBe('Low');
    expect(e.context.Escalations).toEqual([
      expect.objectContaining({ rule: 'OutsideWorkingHours', from: 'Low', to: 'High' }),
      expect.objectContaining({ rule: 'NotEngineeringStation' }),
    ]);
    expect(e.context.RiskScore).toBe(92);
  });

  it('tags the Lyon firmware change from the EWS in its maintenance window as expected (CEF: site from the sensor)', () => {
    const e = enrich(
      alert({
        title: 'Firmware Version Changed',
        category: 'Firmware change',
        severity: 'Medium',
        source: LYN_EWS,
        destination: LYN_PLC,
        sensor: 'lyn-brw-sensor-01',
        firstSeen: '2026-11-18T10:12:00.000Z',
        lastSeen: '2026-11-18T10:12:00.000Z',
        sourceFormat: 'CEF',
      }),
    );
    expect(e).toMatchObject({
      site: 'Lyon',
      zone: 'Brewhouse',
      severity: 'Medium',
      originalSeverity: 'Medium',
    });
    expect(e.context).toMatchObject({
      SourceAssetName: 'LYN-EWS-01',
      SourceAssetType: 'EngineeringStation',
      DestinationAssetName: 'LYN-BRW-PLC-01',
      InBusinessHours: true,
      InMaintenanceWindow: true,
      LocalTime: '2026-11-18T11:12:00+01:00',
      Escalations: [
        {
          rule: 'ExpectedMaintenance',
          reason:
            'Firmware change from LYN-EWS-01 (10.20.1.10, EngineeringStation) inside maintenance window ' +
            '"Brewhouse PLC firmware upgrade (CHG0042317)" 2026-11-18 10:00–12:00 Europe/Paris',
        },
      ],
    });
  });

  it("tags the EWS's scan of the PLC in the window as expected work; a stranger's scan and one after it are untouched", () => {
    const scan = (source: typeof LYN_EWS, at: string) =>
      enrich(
        alert({
          title: 'PLC Scan Detected',
          category: 'Scan',
          severity: 'High',
          source,
          destination: LYN_PLC,
          sensor: 'lyn-brw-sensor-01',
          firstSeen: at,
          lastSeen: at,
          sourceFormat: 'CEF',
        }),
      );
    // An engineering tool discovering the controller it is about to flash: part of the announced work.
    expect(scan(LYN_EWS, '2026-11-18T10:05:00.000Z').context.Escalations).toEqual([
      {
        rule: 'ExpectedMaintenance',
        reason:
          'Scan from LYN-EWS-01 (10.20.1.10, EngineeringStation) inside maintenance window ' +
          '"Brewhouse PLC firmware upgrade (CHG0042317)" 2026-11-18 10:00–12:00 Europe/Paris',
      },
    ]);
    // A device the window does not allow, or the EWS after the window: a scan is still judged by no escalation rule.
    const stranger = scan({ ip: '10.20.9.99', mac: '00:00:5e:00:53:99' }, '2026-11-18T10:05:00.000Z');
    expect([stranger.context.Escalations, stranger.severity]).toEqual([undefined, 'High']);
    expect(scan(LYN_EWS, '2026-11-18T13:05:00.000Z').context.Escalations).toBeUndefined();
  });

  it('an alert without sensor or site takes site and zone from its devices (sensor API)', () => {
    const e = enrich(
      alert({
        title: 'Unauthorized PLC Programming',
        severity: 'High',
        source: { ip: '10.20.1.10' },
        destination: { ip: '10.20.2.21' },
        firstSeen: '2026-11-18T09:40:00.000Z',
        lastSeen: '2026-11-18T09:40:00.000Z',
        sourceFormat: 'SensorApi',
      }),
    );
    expect(e).toMatchObject({ site: 'Lyon', zone: 'Brewhouse', category: 'Programming' });
    expect((e.context.Escalations as { rule: string }[]).map((x) => x.rule)).toEqual(['ExpectedMaintenance']);
  });

  it('the same firmware change from an HMI inside the window is escalated, and still shown as in the window', () => {
    const e = enrich(
      alert({
        title: 'Firmware Version Changed',
        severity: 'Medium',
        source: { ip: '10.20.2.30' },
        destination: LYN_PLC,
        sensor: 'lyn-brw-sensor-01',
        firstSeen: '2026-11-18T10:12:00.000Z',
        lastSeen: '2026-11-18T10:12:00.000Z',
      }),
    );
    expect(e.severity).toBe('High');
    expect(e.context).toMatchObject({
      InMaintenanceWindow: true,
      Escalations: [
        {
          rule: 'NotEngineeringStation',
          reason:
            'Firmware change from LYN-BRW-HMI-01 (10.20.2.30, HMI), which is not an engineering station',
          from: 'Medium',
          to: 'High',
        },
      ],
    });
  });

  it('leaves ordinary daytime alerts alone, with their asset and time context', () => {
    const e = enrich(
      alert({
        source: { ip: '10.10.2.30' },
        destination: { ip: '10.10.2.21' },
        sensor: 'rtm-pkg-sensor-02',
        firstSeen: '2026-11-18T08:10:00.000Z',
        lastSeen: '2026-11-18T08:10:00.000Z',
      }),
    );
    expect(e.severity).toBe('Medium');
    expect(e.context).toMatchObject({
      SourceAssetType: 'HMI',
      DestinationAssetType: 'PLC',
      InBusinessHours: true,
      InMaintenanceWindow: false,
      LocalTime: '2026-11-18T09:10:00+01:00',
    });
    expect(e.context.Escalations).toBeUndefined();
  });

  it('an unknown site and unknown devices give no time or asset columns, only the risk score', () => {
    const e = enrich(
      alert({ source: { ip: '192.168.9.9' }, destination: { ip: '192.168.9.10' }, sensor: 'elsewhere' }),
    );
    const known = Object.fromEntries(Object.entries(e.context).filter(([, v]) => v !== undefined));
    expect(known).toEqual({ RiskScore: 25 + 5 + 5 + 3 });
    expect(e.site).toBeUndefined();
  });

  it('falls back to the SecurityAlert entities for devices the inventory does not know', () => {
    const e = enrich(
      alert({
        title: 'Unauthorized PLC Programming',
        severity: 'Medium',
        source: { ip: '10.10.1.77' },
        destination: { ip: '10.10.2.21' },
        site: 'Rotterdam',
        zone: 'Packaging',
        firstSeen: '2026-11-18T10:00:00.000Z',
        lastSeen: '2026-11-18T10:00:00.000Z',
        entities: [
          { ip: '10.10.1.77', name: 'VENDOR-PC', type: 'Engineering Station', vendor: 'Dell' },
          { ip: '10.10.2.21', name: 'ignored-name', firmware: 'V3.0', type: 'PLC' },
        ],
      }),
    );
    expect(e.context).toMatchObject({
      SourceAssetName: 'VENDOR-PC',
      SourceAssetType: 'EngineeringStation',
      DestinationAssetName: 'RTM-PKG-PLC-01', // the inventory wins
      AssetFirmware: 'V2.9.4',
    });
    expect(e.context.Escalations).toBeUndefined();
  });

  it('keeps the ATT&CK mapping and the parsed fields', () => {
    const a = alert({
      title: 'Unauthorized PLC Programming',
      severity: 'High',
      id: 'x-1',
      protocol: 'S7',
      site: 'Rotterdam',
    });
    const e = enrich(a);
    expect(e).toMatchObject({
      ...a,
      category: 'Programming',
      engine: 'Policy violation',
      attackMapping: 'Catalog',
    });
    expect(e.techniques).toEqual(['T0839', 'T0843', 'T0889']);
  });

  it('its context columns form a valid OTAlerts_CL row', () => {
    const e = enrich(
      alert({
        title: 'An S7 Stop PLC Command was Sent',
        severity: 'Low',
        source: LAPTOP,
        destination: RTM_PLC,
        site: 'Rotterdam',
        zone: 'Packaging',
        firstSeen: '2026-11-18T02:31:00.000Z',
        lastSeen: '2026-11-18T02:31:00.000Z',
      }),
    );
    const origin = { partition: '0', sequence: 1, index: 0, locator: 'p0' };
    const { head } = applyMember(undefined, { alert: e, origin, key: 'k' }, DEFAULT_KEY_SPEC, 'v1');
    const row = groupRow(head, 'Created', new Date('2026-11-18T03:00:00Z'));
    expect(validateRow(row)).toEqual([]);
    expect(row).toMatchObject({
      Severity: 'High',
      OriginalSeverity: 'Low',
      RiskScore: 92,
      PurdueLevel: 1,
      InBusinessHours: false,
    });
    expect(JSON.parse(JSON.stringify(row)).Escalations).toHaveLength(2);
  });
});

describe('no I/O per alert', () => {
  afterEach(() => {
    vi.doUnmock('node:fs');
    vi.doUnmock('node:fs/promises');
    vi.resetModules();
  });

  it('enriches without touching the file system, synchronously', async () => {
    let calls = 0;
    const counting = async (importOriginal: () => Promise<Record<string, unknown>>) => {
      const real = await importOriginal();
      return Object.fromEntries(
        Object.entries(real).map(([k, v]) => [
          k,
          typeof v === 'function'
            ? (...args: unknown[]) => {
                calls++;
                return (v as (...a: unknown[]) => unknown)(...args);
              }
            : v,
        ]),
      );
    };
    vi.resetModules();
    vi.doMock('node:fs', counting);
    vi.doMock('node:fs/promises', counting);
    const { createEnricher: fresh } = await import('../../../pipeline/enrich/enricher.js');
    const { loadConfigFile: freshLoad } = await import('../../../pipeline/config/config.js');
    const config: EnrichConfig = (await freshLoad(SAMPLE_CONFIG)).enrichment;
    expect(calls).toBeGreaterThan(0); // the mock sees file reads: loading the config and inventory did read
    const enrich = fresh(config);
    calls = 0;
    const alerts = Array.from({ length: 2000 }, (_, i) =>
      alert({
        title: i % 2 ? 'Unauthorized PLC Programming' : 'Firmware Version Changed',
        severity: 'Medium',
        source: i % 3 ? LAPTOP : LYN_EWS,
        destination: i % 3 ? RTM_PLC : LYN_PLC,
        sensor: i % 3 ? 'rtm-pkg-sensor-01' : 'lyn-brw-sensor-01',
        firstSeen: new Date(Date.parse('2026-11-18T00:00:00Z') + i * 43_000).toISOString(),
        lastSeen: new Date(Date.parse('2026-11-18T00:00:00Z') + i * 43_000).toISOString(),
      }),
    );
    for (const a of alerts) {
      const e = enrich(a);
      expect(e).not.toBeInstanceOf(Promise);
    }
    // No file I/O per alert. Its cost per alert is a benchmark figure (npm run bench), not a timed test.
    expect(calls).toBe(0);
  });
});
