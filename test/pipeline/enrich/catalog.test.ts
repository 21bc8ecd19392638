import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  isActiveTechnique,
  SENTINEL_ICS_TACTICS,
  tacticsOfTechnique,
  technique,
} from '../../../pipeline/enrich/attack.js';
import {
  CATALOG_INDEX_SIZE,
  D4IOT_CATALOG,
  lookupTitle,
  mapAttack,
  normalizeTitle,
} from '../../../pipeline/enrich/catalog.js';
import { type CustomMappings, customMappingSchema } from '../../../pipeline/enrich/customMappingSchema.js';
import { ENGINES, SEVERITIES } from '../../../pipeline/model/alert.js';
import {
  ATTACK_FILE,
  CATALOG_FILE,
  GenerateError,
  generate,
  LICENSE_FILE,
  main,
} from '../../../scripts/gen-attack.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SHARED = join(ROOT, '../shared/data');
const BUNDLE = join(SHARED, 'ics-attack.json');
const CATALOG = join(SHARED, 'd4iot-alert-catalog.tsv');
const OUT = join(ROOT, 'pipeline/enrich');
const hasShared = existsSync(BUNDLE) && existsSync(CATALOG);

/**
 * Catalog rows that list a tactic none of their techniques carries in v18.1 (doc quirks). Kept as printed.
 * - T0836 Modify Parameter is only Impair Process Control, yet 9 "New Activity" rows pair it with Inhibit Response Function.
 * - T0811 Data from Information Repositories is Collection; two rows say Initial Access.
 * - T0803/T0821 carry Inhibit Response Function/Execution; the GOOSE row says Impair Process Control.
 * - Misprinted ids (id kept): T0841 "Hooking" is really deprecated T0841 Network Service Scanning (Hooking is T0874,
 *   Execution + Privilege Escalation); T0820 "Remote Services" is Exploitation for Evasion (Remote Services is T0886);
 *   T0869 "Exploitation of Remote Services" is Standard Application Layer Protocol (the printed name is T0866).
 */
const TACTIC_EXCEPTIONS: Record<string, string[]> = {
  'GOOSE Control Block Requires Further Configuration': ['ImpairProcessControl'],
  'Illegal Protocol Version': ['InitialAccess', 'LateralMovement'],
  'New Activity Detected - CIP Class Service': ['InhibitResponseFunction'],
  'New Activity Detected - CIP PCCC Command': ['InhibitResponseFunction'],
  'New Activity Detected - CIP Symbol': ['InhibitResponseFunction'],
  'New Activity Detected - EtherNet/IP Protocol Command': ['InhibitResponseFunction'],
  'New Activity Detected - Read/Write Command (AMS Index Group)': ['InhibitResponseFunction'],
  'New Activity Detected - Read/Write Command (AMS Index Offset)': ['InhibitResponseFunction'],
  'New Activity Detected - Using AMS Protocol Command': ['InhibitResponseFunction'],
  'New Activity Detected - Using Siemens SICAM Command': ['InhibitResponseFunction'],
  'New Activity Detected - Using Suitelink Protocol command': ['InhibitResponseFunction'],
  'Unauthorized Access to Siemens S7 Data Block': ['InitialAccess'],
  'Unauthorized Database Operation': ['InitialAccess'],
  'Unauthorized Windows Process': ['Execution', 'PrivilegeEscalation'],
  'Unexpected message length': ['InitialAccess', 'LateralMovement'],
};

/** Tactics mapAttack adds because an active technique had none of its tactics in the catalog row. */
const ADDED_TACTICS: Record<string, string[]> = {
  'GOOSE Control Block Requires Further Configuration': ['Execution'],
  'Illegal Protocol Version': ['DefenseEvasion'],
  'New Activity Detected - CIP Class Service': ['ImpairProcessControl'],
  'New Activity Detected - CIP PCCC Command': ['ImpairProcessControl'],
  'New Activity Detected - EtherNet/IP Protocol Command': ['ImpairProcessControl'],
  'Password Guessing Attempt Detected': ['ImpairProcessControl'],
  'Unauthorized Access to Siemens S7 Data Block': ['Collection'],
  'Unauthorized Database Operation': ['Collection'],
  'Unauthorized GE SRTP Protocol Command': ['Execution'],
  'Unexpected message length': ['CommandAndControl'],
};

/** Catalog technique ids deprecated in v18.1 (each row also has active techniques). */
const DEPRECATED_IN_CATALOG: Record<string, string[]> = {
  'Suspicion of Malicious Activity (Stuxnet)': ['T0818'],
  'Unauthorized Windows Process': ['T0841'],
};

/** Catalog rows with no technique at all (none in the 2022-11 doc). */
const NO_TECHNIQUE: string[] = [];

describe('catalog: all 202 Defender for IoT alerts', () => {
  it('has 202 rows, unique after normalization, sorted by title', () => {
    expect(D4IOT_CATALOG).toHaveLength(202);
    expect(CATALOG_INDEX_SIZE).toBe(202);
    const titles = D4IOT_CATALOG.map((e) => e.title);
    expect([...titles].sort()).toEqual(titles);
  });

  it('has the documented engine and severity split', () => {
    const count = (f: (e: (typeof D4IOT_CATALOG)[number]) => string) =>
      D4IOT_CATALOG.reduce<Record<string, number>>((acc, e) => {
        acc[f(e)] = (acc[f(e)] ?? 0) + 1;
        return acc;
      }, {});
    expect(count((e) => e.engine)).toEqual({
      'Policy violation': 90,
      Operational: 38,
      Malware: 26,
      'Protocol violation': 25,
      Anomaly: 23,
    });
    expect(count((e) => e.severity)).toEqual({ High: 41, Medium: 123, Low: 38 });
    expect(D4IOT_CATALOG.filter((e) => e.offByDefault)).toHaveLength(38);
    expect(D4IOT_CATALOG.every((e) => e.category)).toBe(true);
  });

  it('maps every title from the catalog with techniques that exist and are active in v18.1', () => {
    const noTechnique: string[] = [];
    const deprecated: Record<string, string[]> = {};
    for (const entry of D4IOT_CATALOG) {
      const m = mapAttack({ title: entry.title });
      expect(m.source, entry.title).toBe('Catalog');
      expect(ENGINES).toContain(m.engine);
      expect(SEVERITIES).toContain(m.defaultSeverity);
      expect(m.engine).toBe(entry.engine);
      expect(m.category).toBe(entry.category);
      expect(m.techniques).toEqual([...entry.techniques].sort());
      expect(m.techniqueNames).toEqual(m.techniques.map((id) => technique(id)!.name));
      if (m.techniques.length === 0) noTechnique.push(entry.title);
      else expect(m.techniques.some(isActiveTechnique), entry.title).toBe(true);
      for (const id of m.techniques) expect(technique(id), `${entry.title} ${id}`).toBeDefined();
      expect(m.deprecated).toEqual(m.techniques.filter((id) => !isActiveTechnique(id)));
      if (m.deprecated.length) deprecated[entry.title] = m.deprecated;
    }
    expect(noTechnique).toEqual(NO_TECHNIQUE);
    expect(deprecated).toEqual(DEPRECATED_IN_CATALOG);
  });

  it('gives only Sentinel tactic values, each carried by a technique, except the listed doc quirks', () => {
    const exceptions: Record<string, string[]> = {};
    const added: Record<string, string[]> = {};
    for (const entry of D4IOT_CATALOG) {
      const m = mapAttack({ title: entry.title });
      expect(m.tactics.length, entry.title).toBeGreaterThan(0);
      for (const t of m.tactics) expect(SENTINEL_ICS_TACTICS).toContain(t);
      // unique and in matrix order
      const order = m.tactics.map((t) => SENTINEL_ICS_TACTICS.indexOf(t));
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(new Set(m.tactics).size).toBe(m.tactics.length);
      // every catalog tactic is kept
      for (const t of entry.tactics) expect(m.tactics).toContain(t);
      const carried = new Set(m.techniques.flatMap((id) => tacticsOfTechnique(id)));
      const orphan = m.tactics.filter((t) => !carried.has(t));
      if (orphan.length) exceptions[entry.title] = orphan;
      const extra = m.tactics.filter((t) => !entry.tactics.includes(t));
      if (extra.length) added[entry.title] = extra;
      // Sentinel's rule: every (active) technique has at least one of its tactics in the list
      for (const id of m.techniques) {
        if (!isActiveTechnique(id)) continue;
        expect(
          tacticsOfTechnique(id).some((t) => m.tactics.includes(t)),
          `${entry.title} ${id}`,
        ).toBe(true);
      }
    }
    expect(exceptions).toEqual(TACTIC_EXCEPTIONS);
    expect(added).toEqual(ADDED_TACTICS);
  });

  it('keeps the ids of misprinted techniques', () => {
    expect(mapAttack({ title: 'Unexpected message length' })).toMatchObject({
      techniques: ['T0869'],
      techniqueNames: ['Standard Application Layer Protocol'],
      tactics: ['InitialAccess', 'LateralMovement', 'CommandAndControl'],
    });
    expect(mapAttack({ title: 'Illegal Protocol Version' })).toMatchObject({
      techniques: ['T0820', 'T0836'],
      tactics: ['InitialAccess', 'DefenseEvasion', 'LateralMovement', 'ImpairProcessControl'],
    });
    expect(mapAttack({ title: 'Unauthorized Windows Process' })).toMatchObject({
      techniques: ['T0841', 'T0885'],
      tactics: ['Execution', 'PrivilegeEscalation', 'CommandAndControl'],
      deprecated: ['T0841'],
    });
  });

  it('parses thresholds and categories from the descriptions', () => {
    expect(lookupTitle('Port Scan Detected')).toMatchObject({
      source: 'Catalog',
      entry: { engine: 'Anomaly', severity: 'High', category: 'Scan', threshold: '25 scans in 2 minutes' },
    });
    expect(lookupTitle('Suspicion of Unresponsive MODBUS Device')?.entry).toMatchObject({
      threshold: 'minimum of 1 valid response for a minimum of 3 requests within 5 minutes',
      category: 'Unresponsive',
    });
    expect(lookupTitle('ARP Spoofing')?.entry).toMatchObject({ offByDefault: true });
  });
});

describe('tolerant title matching', () => {
  const titleOf = (t: string) => lookupTitle(t)?.entry?.title;

  it('normalizeTitle is idempotent and canonical', () => {
    for (const e of D4IOT_CATALOG)
      expect(normalizeTitle(normalizeTitle(e.title))).toBe(normalizeTitle(e.title));
    expect(normalizeTitle('  Suspicion of\u00a0 Malicious Activity(Havex). ')).toBe(
      'suspicion of malicious activity (havex)',
    );
    expect(normalizeTitle('Outstation\u2019s Configuration Changed')).toBe(
      "outstation's configuration changed",
    );
    expect(normalizeTitle('New Activity Detected \u2013 CIP Class')).toBe(
      'new activity detected - cip class',
    );
  });

  it.each([
    ['port scan detected', 'Port Scan Detected'],
    ['PORT   SCAN\tDETECTED', 'Port Scan Detected'],
    ['Port Scan Detected.', 'Port Scan Detected'],
    ['Port Scan Detected!!', 'Port Scan Detected'],
    ['"Port Scan Detected"', 'Port Scan Detected'],
    ['Port Scan Detected - 10.1.2.3', 'Port Scan Detected'],
    ['Port Scan Detected: 10.1.2.3 -> 10.1.2.0/24', 'Port Scan Detected'],
    ['Suspicion of Malicious Activity (Havex)', 'Suspicion of Malicious Activity (Havex)'],
    ['suspicion of malicious activity ( havex )', 'Suspicion of Malicious Activity (Havex)'],
    ['Suspicion of Malicious Activity (Havex) - PLC-7', 'Suspicion of Malicious Activity (Havex)'],
    ['Suspicion of Malicious Activity (Industroyer)', 'Suspicion of Malicious Activity'],
    ['Suspicion of Malicious Activity - Industroyer2', 'Suspicion of Malicious Activity'],
    ['Suspicion of Malicious Activity (Industroyer) - 10.0.0.9.', 'Suspicion of Malicious Activity'],
    ['Illegal MODBUS Operation (Function Code Zero)', 'Illegal MODBUS Operation (Function Code Zero)'],
    ['New Activity Detected - CIP Class Service', 'New Activity Detected - CIP Class Service'],
    ['New Activity Detected \u2014 CIP Class', 'New Activity Detected - CIP Class'],
    ['New Activity Detected - CIP Class (class 0x66)', 'New Activity Detected - CIP Class'],
    ['Outstation\u2019s Corrupted Configuration Detected', "Outstation's Corrupted Configuration Detected"],
    ['Malware Test File Detected - EICAR AV Success', 'Malware Test File Detected - EICAR AV Success'],
  ])('%j matches %j', (input, expected) => {
    expect(titleOf(input)).toBe(expected);
    expect(mapAttack({ title: input }).source).toBe('Catalog');
  });

  it('reports whether the match was exact', () => {
    expect(lookupTitle('port scan detected.')).toMatchObject({ source: 'Catalog', exact: true });
    expect(lookupTitle('Port Scan Detected (x)')).toMatchObject({ source: 'Catalog', exact: false });
  });

  it.each([
    'Suspicion of NotPetya Malware - Illegal SMB Something Else',
    'New Activity Detected',
    'Port Scan',
    'Totally Unknown Alert',
    '',
    '   ',
  ])('%j is not in the catalog → Unmapped', (title) => {
    expect(lookupTitle(title)).toBeUndefined();
    expect(mapAttack({ title })).toEqual({
      tactics: [],
      techniques: [],
      techniqueNames: [],
      source: 'Unmapped',
      deprecated: [],
    });
  });

  it('returns fresh arrays (callers may mutate them)', () => {
    const a = mapAttack({ title: 'Port Scan Detected' });
    a.tactics.push('Impact');
    a.techniques.length = 0;
    expect(mapAttack({ title: 'Port Scan Detected' })).toMatchObject({
      tactics: ['Discovery'],
      techniques: ['T0842'],
    });
  });
});

describe('custom mappings (config)', () => {
  const custom: CustomMappings = customMappingSchema.parse({
    '  port scan DETECTED. ': {
      tactics: ['Impair Process Control'],
      techniques: ['T0855: Unauthorized Command Message'],
    },
    'My Plant Rule': { techniques: ['T0843', 't0858'] },
    'Suppressed Alert': { tactics: [], techniques: [] },
    'Legacy Rule': { techniques: ['T0818 Engineering Workstation Compromise'] },
  });

  it('normalizes tactic and technique spellings when parsing', () => {
    // keys are trimmed; matching uses normalizeTitle(key)
    expect(custom['port scan DETECTED.']).toEqual({
      tactics: ['ImpairProcessControl'],
      techniques: ['T0855'],
    });
    expect(custom['My Plant Rule']).toEqual({ techniques: ['T0843', 'T0858'] });
    expect(customMappingSchema.parse({})).toEqual({});
  });

  it('wins over the catalog for the exact normalized title, keeping catalog engine/category', () => {
    const m = mapAttack({ title: 'Port Scan Detected' }, custom);
    expect(m).toEqual({
      tactics: ['ImpairProcessControl'],
      techniques: ['T0855'],
      techniqueNames: ['Unauthorized Command Message'],
      source: 'Config',
      engine: 'Anomaly',
      category: 'Scan',
      defaultSeverity: 'High',
      deprecated: [],
    });
    expect(lookupTitle('port scan detected', custom)).toMatchObject({
      source: 'Config',
      key: 'port scan DETECTED.',
      entry: { title: 'Port Scan Detected' },
    });
  });

  it('matches only the exact normalized title (suffixed titles fall back to the catalog)', () => {
    expect(mapAttack({ title: 'Port Scan Detected - 10.1.2.3' }, custom).source).toBe('Catalog');
  });

  it('wins over vendor-stated tactics; tactics default to the techniques’ tactics', () => {
    const m = mapAttack(
      { title: 'my plant rule', vendorTactics: ['Impact'], vendorTechniques: ['T0826'] },
      custom,
    );
    expect(m).toMatchObject({
      source: 'Config',
      tactics: ['Execution', 'DefenseEvasion', 'LateralMovement'],
      techniques: ['T0843', 'T0858'],
    });
    expect(m.engine).toBeUndefined();
  });

  it('can suppress a catalog mapping and reports deprecated ids', () => {
    expect(mapAttack({ title: 'Suppressed Alert' }, custom)).toMatchObject({ source: 'Config', tactics: [] });
    expect(mapAttack({ title: 'Legacy Rule' }, custom)).toMatchObject({
      source: 'Config',
      techniques: ['T0818'],
      tactics: [],
      deprecated: ['T0818'],
    });
  });

  it('leaves other titles to the catalog', () => {
    expect(mapAttack({ title: 'ARP Spoofing' }, custom).source).toBe('Catalog');
  });

  it('rejects unknown techniques and tactics with clear messages', () => {
    const r = customMappingSchema.safeParse({
      'Rule A': {
        tactics: ['Evasion', 'Lateral Movemnt'],
        techniques: ['T0999', 'T0843', 'Program Download'],
      },
    });
    expect(r.success).toBe(false);
    const issues = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual([
      expect.stringMatching(/^Rule A\.tactics\.1: "Lateral Movemnt" is not an ATT&CK for ICS tactic/),
      'Rule A.techniques.0: T0999 is not a technique in MITRE ATT&CK for ICS 18.1',
      'Rule A.techniques.2: "Program Download" is not a technique id (expected e.g. "T0843")',
    ]);
    expect(
      customMappingSchema.safeParse({ 'Rule B': { techniques: ['T1071'] } }).error?.issues[0]?.message,
    ).toBe('T1071 is not a technique in MITRE ATT&CK for ICS 18.1');
  });

  it('rejects titles that collide once normalized, missing techniques and unknown keys', () => {
    const dup = customMappingSchema.safeParse({
      'Rule X': { techniques: [] },
      'rule  x.': { techniques: [] },
    });
    expect(dup.error?.issues[0]?.message).toMatch(/"rule {2}x\." is the same alert title as "Rule X"/);
    expect(customMappingSchema.safeParse({ 'Rule Y': { tactics: ['Impact'] } }).success).toBe(false);
    expect(
      customMappingSchema.safeParse({ 'Rule Z': { techniques: [], technique: ['T0843'] } }).success,
    ).toBe(false);
    expect(customMappingSchema.safeParse({ '  ': { techniques: [] } }).success).toBe(false);
  });
});

describe('vendor fallback', () => {
  it('uses vendor tactics and techniques in any common spelling', () => {
    const m = mapAttack({
      title: 'Unauthorized communication was detected by a User Defined Protocol Rule',
      vendorTactics: ['Impair Process Control', 'InhibitResponseFunction', 'Evasion', 'CredentialAccess'],
      vendorTechniques: ['T0855: Unauthorized Command Message', 't0803', 'T1071', 'not an id'],
    });
    expect(m).toEqual({
      tactics: ['DefenseEvasion', 'InhibitResponseFunction', 'ImpairProcessControl'],
      techniques: ['T0803', 'T0855'],
      techniqueNames: ['Block Command Message', 'Unauthorized Command Message'],
      source: 'Vendor',
      deprecated: [],
    });
  });

  it('takes tactics from the bundle when the vendor gives only techniques', () => {
    expect(
      mapAttack({ title: 'Illegal Beckhoff AMS Command', vendorTechniques: ['T0843', 'T0858'] }),
    ).toMatchObject({
      source: 'Vendor',
      tactics: ['Execution', 'DefenseEvasion', 'LateralMovement'],
      techniques: ['T0843', 'T0858'],
    });
  });

  it('accepts comma-joined lists and tactics without techniques', () => {
    expect(
      mapAttack({
        title: 'x',
        vendorTactics: ['LateralMovement, Discovery'],
        vendorTechniques: ['T0843, T0846'],
      }),
    ).toMatchObject({
      source: 'Vendor',
      tactics: ['Discovery', 'LateralMovement'],
      techniques: ['T0843', 'T0846'],
    });
    expect(mapAttack({ title: 'x', vendorTactics: ['Defense Evasion'] })).toMatchObject({
      source: 'Vendor',
      tactics: ['DefenseEvasion'],
      techniques: [],
    });
  });

  it('is ignored when the catalog knows the title', () => {
    const m = mapAttack({
      title: 'Port Scan Detected',
      vendorTactics: ['Impact'],
      vendorTechniques: ['T0826'],
    });
    expect(m).toMatchObject({ source: 'Catalog', tactics: ['Discovery'], techniques: ['T0842'] });
  });

  it('is Unmapped when nothing the vendor states is ATT&CK for ICS', () => {
    const m = mapAttack({ title: 'x', vendorTactics: ['CredentialAccess'], vendorTechniques: ['T1071'] });
    expect(m.source).toBe('Unmapped');
    expect(m.tactics).toEqual([]);
  });
});

describe('category fallback: a title the catalog does not know, in a known category', () => {
  const entriesOf = (category: string) => D4IOT_CATALOG.filter((e) => e.category === category);

  it('takes what every catalogued alert of the category shares, in any forwarded spelling', () => {
    expect(mapAttack({ title: 'Site rule 7', category: 'Firmware change' })).toMatchObject({
      source: 'Category',
      techniques: ['T0857'],
      techniqueNames: ['System Firmware'],
      tactics: ['Persistence', 'InhibitResponseFunction'],
    });
    // No technique is common to the stop commands, their tactic is.
    expect(mapAttack({ title: 'PLC Stop Command', category: 'Restart and stop commands' })).toMatchObject({
      source: 'Category',
      techniques: [],
      tactics: ['InhibitResponseFunction'],
    });
    expect(mapAttack({ title: 'x', category: 'Scan' })).toMatchObject({ techniques: ['T0842'] });
  });

  it('is derived from the catalog: each technique and tactic is in every entry of its category', () => {
    const categories = [...new Set(D4IOT_CATALOG.map((e) => e.category).filter(Boolean))] as string[];
    let mapped = 0;
    for (const c of categories) {
      const m = mapAttack({ title: 'no such title', category: c });
      if (m.source !== 'Category') continue;
      mapped++;
      for (const e of entriesOf(c)) {
        for (const t of m.techniques) expect(e.techniques, `${c}: ${e.title}`).toContain(t);
        for (const t of m.tactics) expect(e.tactics, `${c}: ${e.title}`).toContain(t);
      }
      expect(entriesOf(c).length, c).toBeGreaterThan(1);
    }
    expect(mapped).toBeGreaterThan(5);
  });

  it('says nothing for a category of one entry, an unknown one, or none; the catalog and the vendor come first', () => {
    expect(entriesOf('Custom Alerts')).toHaveLength(1);
    for (const category of ['Custom alerts', 'Operation failures', 'Something new', undefined])
      expect(mapAttack({ title: 'Site rule', category }).source, String(category)).toBe('Unmapped');
    expect(mapAttack({ title: 'Port Scan Detected', category: 'Firmware Change' })).toMatchObject({
      source: 'Catalog',
      techniques: ['T0842'],
    });
    expect(
      mapAttack({ title: 'Site rule', category: 'Firmware Change', vendorTechniques: ['T0843'] }),
    ).toMatchObject({ source: 'Vendor', techniques: ['T0843'] });
  });
});

describe.skipIf(!hasShared)('generator (scripts/gen-attack.ts)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gen-attack-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('regenerates exactly the committed files (no drift)', () => {
    const result = generate({ bundlePath: BUNDLE, catalogPath: CATALOG });
    expect(Object.keys(result.files).sort()).toEqual([LICENSE_FILE, ATTACK_FILE, CATALOG_FILE].sort());
    for (const [name, content] of Object.entries(result.files)) {
      expect(content, `${name} differs from the committed file: run npm run gen:attack`).toBe(
        readFileSync(join(OUT, name), 'utf8'),
      );
    }
    expect(result.files[LICENSE_FILE]).toBe(readFileSync(join(SHARED, 'ics-attack-LICENSE.txt'), 'utf8'));
    expect(result.files[ATTACK_FILE]).toContain('GENERATED FILE: DO NOT EDIT');
    expect(result.files[ATTACK_FILE]).toContain('The MITRE Corporation (MITRE) hereby grants you');
    expect(result.counts).toEqual({
      tactics: 12,
      techniques: 95,
      active: 83,
      deprecated: 12,
      revoked: 0,
      alerts: 202,
    });
  });

  it('writes the same files through the CLI into a temp dir', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const out = join(tmp, 'out');
      expect(main(['--bundle', BUNDLE, '--catalog', CATALOG, '--out', out])).toBe(0);
      for (const name of [ATTACK_FILE, CATALOG_FILE, LICENSE_FILE]) {
        expect(readFileSync(join(out, name), 'utf8'), name).toBe(readFileSync(join(OUT, name), 'utf8'));
      }
      expect(main(['--bundle', BUNDLE, '--catalog', CATALOG, '--out', OUT, '--check'])).toBe(0);
      expect(warn).toHaveBeenCalled();
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it('reports deprecated ids and printed-name mismatches', () => {
    const result = generate({ bundlePath: BUNDLE, catalogPath: CATALOG });
    expect(result.deprecatedInCatalog).toEqual([
      {
        id: 'T0818',
        name: 'Engineering Workstation Compromise',
        titles: ['Suspicion of Malicious Activity (Stuxnet)'],
      },
      { id: 'T0841', name: 'Network Service Scanning', titles: ['Unauthorized Windows Process'] },
    ]);
    expect(result.nameMismatches.map((m) => [m.id, m.printed, m.printedNameIsId])).toEqual([
      ['T0820', 'Remote Services', 'T0886'],
      ['T0830', 'Man in the Middle', undefined],
      ['T0841', 'Hooking', 'T0874'],
      ['T0869', 'Exploitation of Remote Services', 'T0866'],
    ]);
    expect(result.warnings.join('\n')).toMatch(/T0869 printed "Exploitation of Remote Services"/);
  });

  it('fails loudly on a catalog technique id that is not in the bundle', () => {
    const tsv = readFileSync(CATALOG, 'utf8').replace(
      'Port Scan Detected\tAnomaly\tHigh\tDiscovery\tT0842 Network Sniffing',
      'Port Scan Detected\tAnomaly\tHigh\tDiscovery\tT0999 Imaginary Technique; T0842 Network Sniffing',
    );
    expect(tsv).toContain('T0999');
    const catalogPath = join(tmp, 'catalog-unknown.tsv');
    writeFileSync(catalogPath, tsv);
    expect(() => generate({ bundlePath: BUNDLE, catalogPath })).toThrow(GenerateError);
    expect(() => generate({ bundlePath: BUNDLE, catalogPath })).toThrow(
      /1 catalog technique id\(s\) are not in the ATT&CK for ICS bundle[\s\S]*T0999 "Imaginary Technique" in .*"Port Scan Detected"/,
    );

    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(main(['--bundle', BUNDLE, '--catalog', catalogPath, '--out', join(tmp, 'never')])).toBe(1);
      expect(err.mock.calls[0]?.[0]).toMatch(/^gen-attack: .*T0999/s);
      expect(existsSync(join(tmp, 'never'))).toBe(false);
    } finally {
      err.mockRestore();
    }
  });

  it('fails loudly when a newer bundle no longer has a catalog technique', () => {
    const bundle = JSON.parse(readFileSync(BUNDLE, 'utf8')) as {
      objects: { external_references?: unknown }[];
    };
    bundle.objects = bundle.objects.filter(
      (o) => !JSON.stringify(o.external_references ?? []).includes('"external_id":"T0857"'),
    );
    const dir = join(tmp, 'bundle');
    const bundlePath = join(dir, 'ics-attack-99.0.json');
    mkdirSync(dir, { recursive: true });
    writeFileSync(bundlePath, JSON.stringify(bundle));
    expect(() =>
      generate({ bundlePath, catalogPath: CATALOG, licensePath: join(SHARED, 'ics-attack-LICENSE.txt') }),
    ).toThrow(
      /not in the ATT&CK for ICS bundle[\s\S]*T0857 "System Firmware" in .*"Beckhoff Software Changed"/,
    );
  });
});
