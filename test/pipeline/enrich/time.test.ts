import { describe, expect, it } from 'vitest';
import type { Asset } from '../../../pipeline/enrich/inventory/index.js';
import {
  compileEscalation,
  compileSite,
  type EscalationRules,
  escalate,
  escalationSchema,
  isTimeZone,
  localMoment,
  localToUtc,
  offsetMinutes,
  operationKind,
  parseDays,
  parseTimeRange,
  parseWhen,
  type RuleInput,
  type SiteConfig,
  siteSchema,
  sitesSchema,
  timeContextAt,
} from '../../../pipeline/enrich/time/index.js';
import type { Severity } from '../../../pipeline/model/alert.js';

const AMS = 'Europe/Amsterdam';
const t = (iso: string): number => Date.parse(iso);
const issues = (r: { error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  r.error?.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`);

// 2026 in Europe/Amsterdam: CET→CEST on Sun 29 March at 02:00 local (01:00Z), back on Sun 25 October at 03:00 local (01:00Z).
describe('zone clock', () => {
  it('knows IANA zones and rejects typos', () => {
    expect(isTimeZone(AMS)).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Europe/Lyonn')).toBe(false);
  });

  it.each([
    ['2026-11-18T02:24:00Z', '2026-11-18T03:24:00+01:00', 3, 3 * 60 + 24],
    ['2026-07-01T12:00:00Z', '2026-07-01T14:00:00+02:00', 3, 14 * 60],
    ['2026-11-18T23:30:00Z', '2026-11-19T00:30:00+01:00', 4, 30],
    // Spring forward: the last CET minute, then 03:00 CEST; 02:xx local never happens that day.
    ['2026-03-29T00:59:00Z', '2026-03-29T01:59:00+01:00', 0, 119],
    ['2026-03-29T01:00:00Z', '2026-03-29T03:00:00+02:00', 0, 180],
    ['2026-03-29T01:30:00Z', '2026-03-29T03:30:00+02:00', 0, 210],
    // Fall back: 02:30 local happens twice, first in CEST, then in CET.
    ['2026-10-25T00:30:00Z', '2026-10-25T02:30:00+02:00', 0, 150],
    ['2026-10-25T01:30:00Z', '2026-10-25T02:30:00+01:00', 0, 150],
    ['2026-10-25T02:00:00Z', '2026-10-25T03:00:00+01:00', 0, 180],
  ])('%s is %s in Europe/Amsterdam', (utc, local, weekday, minute) => {
    expect(localMoment(AMS, t(utc))).toMatchObject({ iso: local, weekday, minute, date: local.slice(0, 10) });
  });

  it('handles zones west of UTC and with half-hour offsets', () => {
    expect(localMoment('America/New_York', t('2026-11-18T02:24:00Z')).iso).toBe('2026-11-17T21:24:00-05:00');
    expect(localMoment('Asia/Kolkata', t('2026-11-18T02:24:00Z')).iso).toBe('2026-11-18T07:54:00+05:30');
    expect(offsetMinutes('UTC', t('2026-11-18T02:24:00Z'))).toBe(0);
  });

  it('resolves local wall times: ambiguous → the earlier, non-existent → moved forward by the gap', () => {
    expect(new Date(localToUtc(AMS, 2026, 11, 18, 10, 0)).toISOString()).toBe('2026-11-18T09:00:00.000Z');
    expect(new Date(localToUtc(AMS, 2026, 7, 1, 10, 0)).toISOString()).toBe('2026-07-01T08:00:00.000Z');
    // 02:30 on the spring-forward day does not exist: it is read as 03:30 CEST.
    expect(new Date(localToUtc(AMS, 2026, 3, 29, 2, 30)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 on the fall-back day happens twice: the first (CEST) one.
    expect(new Date(localToUtc(AMS, 2026, 10, 25, 2, 30)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(new Date(localToUtc(AMS, 2026, 10, 25, 3, 0)).toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });
});

describe('calendar values', () => {
  it.each([
    ['Mon-Fri', [1, 2, 3, 4, 5]],
    ['mon–fri', [1, 2, 3, 4, 5]],
    ['Sat', [6]],
    ['Sunday', [0]],
    ['Fri-Mon', [0, 1, 5, 6]],
    ['Mon,Wed, Fri', [1, 3, 5]],
    ['daily', [0, 1, 2, 3, 4, 5, 6]],
  ])('days %j', (spec, days) => {
    expect(parseDays(spec)).toEqual(days);
  });

  it.each(['Mo', 'Funday', 'Mon-', 'Mon-Tue-Wed'])('rejects days %j', (spec) => {
    expect(parseDays(spec)).toBeTypeOf('string');
  });

  it.each([
    ['06:00-22:00', [360, 1320]],
    ['6:00 – 22:30', [360, 1350]],
    ['22:00-06:00', [1320, 360]],
    ['00:00-24:00', [0, 1440]],
  ])('time range %j', (s, r) => {
    expect(parseTimeRange(s)).toEqual(r);
  });

  it.each(['06:00', '25:00-26:00', '06:60-07:00', '10:00-10:00', '06:00-24:30', 'nine to five'])(
    'rejects time range %j',
    (s) => {
      expect(parseTimeRange(s)).toBeTypeOf('string');
    },
  );

  it('reads window bounds as local wall times or instants', () => {
    expect(parseWhen('2026-11-18T10:00')).toEqual({ wall: [2026, 11, 18, 10, 0, 0] });
    expect(parseWhen('2026-11-18 10:00:30')).toEqual({ wall: [2026, 11, 18, 10, 0, 30] });
    expect(parseWhen('2026-11-18T10:00:00+01:00')).toEqual({ instant: t('2026-11-18T09:00:00Z') });
    expect(parseWhen('2026-11-18T09:00Z')).toEqual({ instant: t('2026-11-18T09:00:00Z') });
    expect(parseWhen('2026-02-30T10:00')).toBeTypeOf('string');
    expect(parseWhen('18/11/2026 10:00')).toBeTypeOf('string');
  });
});

describe('site config (sitesSchema)', () => {
  it('accepts a full site', () => {
    const r = sitesSchema.safeParse({
      Lyon: {
        timeZone: 'Europe/Paris',
        workingHours: { 'Mon-Fri': '05:00-21:00', Sat: ['06:00-10:00', '14:00-18:00'] },
        holidays: ['2026-11-11', { date: '2026-12-25', name: 'Noël' }],
        maintenanceWindows: [
          {
            title: 'FW',
            start: '2026-11-18T10:00',
            end: '2026-11-18T12:00',
            devices: ['LYN-EWS-01'],
            zones: ['Brewhouse'],
          },
        ],
      },
    });
    expect(r.success).toBe(true);
  });

  it('names the path of every bad setting', () => {
    const r = sitesSchema.safeParse({
      Lyon: {
        timeZone: 'Europe/Lyonn',
        workingHours: { 'Mon-Fri': '05:00-25:00', Funday: '08:00-12:00' },
        holidays: ['2026-02-30'],
        maintenanceWindows: [{ start: '2026-11-18T12:00', end: '2026-11-18T10:00', devices: [] }],
        openOnSundays: true,
      },
      Rotterdam: {
        timeZone: AMS,
        maintenanceWindows: [{ start: '2026-11-18T12:00', end: '2026-11-18T10:00', devices: ['x'] }],
      },
    });
    expect(issues(r)).toEqual(
      expect.arrayContaining([
        'Lyon.timeZone: unknown time zone "Europe/Lyonn"',
        'Lyon.workingHours.Mon-Fri: "05:00-25:00" is not a time range (e.g. "06:00-22:00")',
        'Lyon.workingHours.Funday: "Funday" is not a day or range of days (e.g. "Mon-Fri", "Sat", "Mon,Wed", "daily")',
        'Lyon.holidays.0: expected a date "YYYY-MM-DD"',
        expect.stringMatching(/^Lyon\.maintenanceWindows\.0\.devices: Too small/),
        expect.stringMatching(/^Lyon: Unrecognized key: "openOnSundays"/),
        'Rotterdam.maintenanceWindows.0.end: "2026-11-18T10:00" is not after start "2026-11-18T12:00"',
      ]),
    );
  });

  it('rejects the same site twice in different case', () => {
    const r = sitesSchema.safeParse({
      Lyon: { timeZone: 'Europe/Paris' },
      LYON: { timeZone: 'Europe/Paris' },
    });
    expect(issues(r)).toEqual(['LYON: same site as "Lyon" (names are compared case-insensitively)']);
  });
});

function site(cfg: Partial<SiteConfig> = {}): ReturnType<typeof compileSite> {
  return compileSite(
    'Rotterdam',
    siteSchema.parse({ timeZone: AMS, workingHours: { 'Mon-Fri': '06:00-22:00' }, ...cfg }),
  );
}

describe('working hours and holidays', () => {
  const rtm = site({ holidays: [{ date: '2026-12-25', name: 'Eerste Kerstdag' }, '2026-12-24'] });
  it.each([
    ['Wed 03:24 local', '2026-11-18T02:24:00Z', false],
    ['Wed 06:00 local (start included)', '2026-11-18T05:00:00Z', true],
    ['Wed 05:59 local', '2026-11-18T04:59:00Z', false],
    ['Wed 21:59 local', '2026-11-18T20:59:00Z', true],
    ['Wed 22:00 local (end excluded)', '2026-11-18T21:00:00Z', false],
    ['Sat 10:00 local', '2026-11-21T09:00:00Z', false],
    ['summer Wed 07:30 CEST (05:30Z)', '2026-07-01T05:30:00Z', true],
    ['summer Wed 05:30 CEST (03:30Z)', '2026-07-01T03:30:00Z', false],
    ['holiday Fri 10:00', '2026-12-25T09:00:00Z', false],
    ['unnamed holiday Thu 10:00', '2026-12-24T09:00:00Z', false],
  ])('%s → %s', (_, utc, expected) => {
    expect(timeContextAt(rtm, t(utc), undefined).inBusinessHours).toBe(expected);
  });

  it('names the holiday', () => {
    expect(timeContextAt(rtm, t('2026-12-25T09:00:00Z'), undefined).holiday).toBe('Eerste Kerstdag');
    expect(timeContextAt(rtm, t('2026-12-24T09:00:00Z'), undefined).holiday).toBe('2026-12-24');
  });

  it('a night shift runs into the next day', () => {
    const night = site({ workingHours: { Fri: '22:00-06:00' } });
    expect(timeContextAt(night, t('2026-11-21T02:00:00Z'), undefined).inBusinessHours).toBe(true); // Sat 03:00
    expect(timeContextAt(night, t('2026-11-21T06:00:00Z'), undefined).inBusinessHours).toBe(false); // Sat 07:00
    expect(timeContextAt(night, t('2026-11-20T20:00:00Z'), undefined).inBusinessHours).toBe(false); // Fri 21:00
  });

  it('without working hours there is no verdict', () => {
    const open = compileSite('X', siteSchema.parse({ timeZone: AMS }));
    expect(timeContextAt(open, t('2026-11-18T02:24:00Z'), undefined).inBusinessHours).toBeUndefined();
  });

  it('02:30 local on the fall-back day is inside a Sunday 02:00–03:00 shift both times; the shift lasts two hours', () => {
    const shift = site({ workingHours: { Sun: '02:00-03:00' } });
    const at = (utc: string) => timeContextAt(shift, t(utc), undefined).inBusinessHours;
    expect(at('2026-10-25T00:30:00Z')).toBe(true); // 02:30 CEST
    expect(at('2026-10-25T01:30:00Z')).toBe(true); // 02:30 CET
    expect(at('2026-10-25T01:59:00Z')).toBe(true); // 02:59 CET
    expect(at('2026-10-25T02:00:00Z')).toBe(false); // 03:00 CET
    expect(at('2026-10-24T23:59:00Z')).toBe(false); // 01:59 CEST
  });

  it('on the spring-forward day 02:00–03:00 never happens: 01:59 CET and 03:00 CEST are both outside', () => {
    const shift = site({ workingHours: { Sun: '02:00-03:00' } });
    expect(timeContextAt(shift, t('2026-03-29T00:59:00Z'), undefined).inBusinessHours).toBe(false);
    expect(timeContextAt(shift, t('2026-03-29T01:00:00Z'), undefined).inBusinessHours).toBe(false);
    const early = site({ workingHours: { Sun: '03:00-04:00' } });
    expect(timeContextAt(early, t('2026-03-29T01:00:00Z'), undefined).inBusinessHours).toBe(true);
  });
});

describe('maintenance windows', () => {
  const lyon = compileSite(
    'Lyon',
    siteSchema.parse({
      timeZone: 'Europe/Paris',
      maintenanceWindows: [
        {
          title: 'FW',
          start: '2026-11-18T10:00',
          end: '2026-11-18T12:00',
          devices: ['LYN-EWS-01'],
          zones: ['Brewhouse'],
        },
        { start: '2026-11-18T11:30:00+01:00', end: '2026-11-19T02:00:00+01:00', devices: ['10.20.1.10'] },
        // Over the fall-back night: 22:00 CEST → 06:00 CET is nine hours, not eight.
        { start: '2026-10-24T22:00', end: '2026-10-25T06:00', devices: ['x'] },
        // Over the spring-forward night: 22:00 CET → 06:00 CEST is seven hours.
        { start: '2026-03-28T22:00', end: '2026-03-29T06:00', devices: ['x'] },
      ],
    }),
  );
  const open = (utc: string, zone?: string) =>
    timeContextAt(lyon, t(utc), zone).windows.map((w) => w.title ?? new Date(w.start).toISOString());

  it('the local window 10:00–12:00 Europe/Paris in November is 09:00–11:00Z', () => {
    expect(open('2026-11-18T08:59:59Z', 'brewhouse')).toEqual([]);
    expect(open('2026-11-18T09:00:00Z', 'brewhouse')).toEqual(['FW']);
    expect(open('2026-11-18T10:59:00Z', 'brewhouse')).toEqual(['FW', '2026-11-18T10:30:00.000Z']);
    expect(open('2026-11-18T11:00:00Z', 'brewhouse')).toEqual(['2026-11-18T10:30:00.000Z']);
  });

  it('a window limited to zones is closed for other zones and for alerts without a zone', () => {
    expect(open('2026-11-18T09:30:00Z', 'filling')).toEqual([]);
    expect(open('2026-11-18T09:30:00Z')).toEqual([]);
  });

  it('a window spanning the fall-back change lasts nine real hours', () => {
    expect(open('2026-10-24T19:59:00Z')).toEqual([]);
    expect(open('2026-10-24T20:00:00Z')).toEqual(['2026-10-24T20:00:00.000Z']);
    expect(open('2026-10-25T04:30:00Z')).toEqual(['2026-10-24T20:00:00.000Z']); // 05:30 CET
    expect(open('2026-10-25T05:00:00Z')).toEqual([]); // 06:00 CET
  });

  it('a window spanning the spring-forward change lasts seven real hours', () => {
    expect(open('2026-03-28T21:00:00Z')).toEqual(['2026-03-28T21:00:00.000Z']);
    expect(open('2026-03-29T03:59:00Z')).toEqual(['2026-03-28T21:00:00.000Z']); // 05:59 CEST
    expect(open('2026-03-29T04:00:00Z')).toEqual([]); // 06:00 CEST
  });

  it('describes a window in local time', () => {
    expect(lyon.windows.find((w) => w.title === 'FW')?.text).toBe('"FW" 2026-11-18 10:00–12:00 Europe/Paris');
    expect(lyon.windows.find((w) => w.start === t('2026-11-18T10:30:00Z'))?.text).toBe(
      '2026-11-18 11:30–2026-11-19 02:00 Europe/Paris',
    );
  });
});

describe('operationKind', () => {
  const rules = compileEscalation(escalationSchema.parse({}));
  it.each([
    ['Programming', [], 'PLC programming'],
    ['Firmware change', [], 'Firmware change'],
    ['Restart/ Stop Commands', [], 'Stop/restart command'],
    ['Restart/Stop Commands', ['T0843'], 'Stop/restart command'],
    ['Configuration Changes', ['T0858'], 'Configuration change'],
    [undefined, ['T0858'], 'Operating mode change'],
    [undefined, ['T0842', 'T0843'], 'PLC programming'],
    ['Abnormal Communication Behavior', ['T0831', 'T0889'], 'PLC programming'],
    // Observations, not commands: a silent device or a full buffer carries T0881/T0839 but is not an operation.
    ['Unresponsive', ['T0881'], undefined],
    ['Buffer Overflow', ['T0814', 'T0839'], undefined],
    ['Scan', ['T0842'], undefined],
    [undefined, [], undefined],
  ] as const)('%s %j → %s', (category, techniques, kind) => {
    expect(operationKind(category, techniques, rules)).toBe(kind);
  });

  it('follows the configured categories and techniques', () => {
    const custom = compileEscalation(
      escalationSchema.parse({ categories: ['Custom Alerts'], techniques: ['T0836'], ignoreCategories: [] }),
    );
    expect(operationKind('custom alerts', [], custom)).toBe('Custom Alerts');
    expect(operationKind(undefined, ['T0836'], custom)).toBe('Modify Parameter');
    expect(operationKind('Programming', ['T0843'], custom)).toBeUndefined();
  });

  it('rejects unknown techniques and options with their path', () => {
    expect(
      issues(escalationSchema.safeParse({ techniques: ['T0843', 'T9999'], unknownSource: 'maybe' })),
    ).toEqual([
      'techniques.1: "T9999" is not an ATT&CK for ICS technique id (e.g. "T0843")',
      expect.stringMatching(/^unknownSource: Invalid option/),
    ]);
  });
});

describe('escalate', () => {
  const rules = compileEscalation(escalationSchema.parse({}));
  const rtm = site();
  const lyon = compileSite(
    'Lyon',
    siteSchema.parse({
      timeZone: 'Europe/Paris',
      workingHours: { 'Mon-Fri': '05:00-21:00' },
      maintenanceWindows: [
        {
          title: 'Brewhouse PLC firmware upgrade',
          start: '2026-11-18T10:00',
          end: '2026-11-18T12:00',
          devices: ['LYN-EWS-01', '00:1d:9c:14:01:99'],
          zones: ['Brewhouse'],
        },
        { start: '2026-11-19T01:00', end: '2026-11-19T03:00', devices: ['10.20.1.10'] },
      ],
    }),
  );
  const ews: Asset = { name: 'RTM-EWS-01', ip: '10.10.1.10', type: 'EngineeringStation' };
  const laptop: Asset = { name: 'LAPTOP-7Q2K', ip: '10.10.1.66', type: 'Workstation' };
  const lynEws: Asset = { name: 'LYN-EWS-01', ip: '10.20.1.10', type: 'EngineeringStation' };
  const NIGHT = '2026-11-18T02:24:00Z'; // Wed 03:24 Amsterdam
  const DAYTIME = '2026-11-18T09:40:00Z'; // Wed 10:40 Amsterdam/Paris

  function run(
    over: Partial<RuleInput> & { at?: string; zone?: string; cal?: typeof rtm },
    r: EscalationRules = rules,
  ) {
    const cal = over.cal ?? rtm;
    const input: RuleInput = {
      kind: 'PLC programming',
      severity: 'Medium',
      site: cal,
      time: timeContextAt(cal, t(over.at ?? DAYTIME), over.zone),
      source: { ip: over.sourceAsset?.ip ?? '10.10.1.10' },
      sourceAsset: ews,
      ...over,
    };
    return escalate(input, r);
  }
  const rulesOf = (r: ReturnType<typeof escalate>) => r.escalations.map((e) => e.rule);

  it.each([
    ['EWS in working hours', { sourceAsset: ews }, 'Medium', []],
    ['EWS at night', { at: NIGHT, sourceAsset: ews }, 'High', ['OutsideWorkingHours']],
    ['laptop in working hours', { sourceAsset: laptop }, 'High', ['NotEngineeringStation']],
    [
      'laptop at night',
      { at: NIGHT, sourceAsset: laptop },
      'High',
      ['OutsideWorkingHours', 'NotEngineeringStation'],
    ],
    ['not an operation, laptop at night', { at: NIGHT, sourceAsset: laptop, kind: undefined }, 'Medium', []],
    [
      'unknown type',
      { sourceAsset: undefined, source: { ip: '10.9.9.9' } },
      'High',
      ['NotEngineeringStation'],
    ],
    ['no source device at all', { sourceAsset: undefined, source: {} }, 'Medium', []],
    ['site unknown (no time context), EWS', { site: undefined, time: undefined }, 'Medium', []],
    [
      'site unknown, laptop',
      { site: undefined, time: undefined, sourceAsset: laptop },
      'High',
      ['NotEngineeringStation'],
    ],
  ] as const)('%s', (_, over, severity, expected) => {
    const r = run(over as Partial<RuleInput>);
    expect(r.severity).toBe(severity);
    expect(rulesOf(r)).toEqual(expected);
  });

  it('explains each escalation; the rule that raised the severity carries from/to', () => {
    const r = run({ at: NIGHT, sourceAsset: laptop, severity: 'Low' });
    expect(r.escalations).toEqual([
      {
        rule: 'OutsideWorkingHours',
        reason:
          'PLC programming at 03:24 Europe/Amsterdam (Wed 2026-11-18), outside working hours Mon–Fri 06:00–22:00',
        from: 'Low',
        to: 'High',
      },
      {
        rule: 'NotEngineeringStation',
        reason:
          'PLC programming from LAPTOP-7Q2K (10.10.1.66, Workstation), which is not an engineering station',
      },
    ]);
  });

  it('an alert already at the target severity is explained but not changed', () => {
    const r = run({ at: NIGHT, sourceAsset: laptop, severity: 'High' });
    expect(r.severity).toBe('High');
    expect(r.escalations.every((e) => e.from === undefined && e.to === undefined)).toBe(true);
    expect(r.escalations).toHaveLength(2);
  });

  it('never lowers: a configured target below the alert severity leaves it', () => {
    const medium = compileEscalation(escalationSchema.parse({ severity: 'Medium' }));
    expect(run({ at: NIGHT, severity: 'High' }, medium).severity).toBe('High');
    expect(run({ at: NIGHT, severity: 'Low' }, medium)).toMatchObject({
      severity: 'Medium',
      escalations: [{ rule: 'OutsideWorkingHours', from: 'Low', to: 'Medium' }],
    });
  });

  it('a source of unknown type is given the benefit of the doubt with unknownSource: ignore', () => {
    const lenient = compileEscalation(escalationSchema.parse({ unknownSource: 'ignore' }));
    const r = run({ sourceAsset: undefined, source: { ip: '10.9.9.9' } }, lenient);
    expect(r.escalations).toEqual([]);
    expect(run({ sourceAsset: undefined, source: { ip: '10.9.9.9' } }).escalations[0]?.reason).toBe(
      'PLC programming from 10.9.9.9, a device of unknown type (not a known engineering station)',
    );
  });

  it('names a holiday', () => {
    const xmas = site({ holidays: [{ date: '2026-12-25', name: 'Eerste Kerstdag' }] });
    const r = run({ cal: xmas, at: '2026-12-25T09:00:00Z' });
    expect(r.escalations[0]?.reason).toBe(
      'PLC programming at 10:00 Europe/Amsterdam (Fri 2026-12-25), on a holiday: Eerste Kerstdag',
    );
  });

  describe('maintenance windows', () => {
    const inWindow = (over: Partial<RuleInput> & { at?: string; zone?: string }) =>
      run({ cal: lyon, zone: 'brewhouse', kind: 'Firmware change', ...over });

    it('an allowed device (by name of its asset) inside the window → ExpectedMaintenance only, no raise', () => {
      const r = inWindow({ source: { ip: '10.20.1.10' }, sourceAsset: lynEws });
      expect(r).toEqual({
        severity: 'Medium',
        escalations: [
          {
            rule: 'ExpectedMaintenance',
            reason:
              'Firmware change from LYN-EWS-01 (10.20.1.10, EngineeringStation) inside maintenance window ' +
              '"Brewhouse PLC firmware upgrade" 2026-11-18 10:00–12:00 Europe/Paris',
          },
        ],
      });
    });

    it('allowed by the alert device name or MAC, even when the type is unknown', () => {
      expect(rulesOf(inWindow({ source: { name: 'lyn-ews-01' }, sourceAsset: undefined }))).toEqual([
        'ExpectedMaintenance',
      ]);
      expect(rulesOf(inWindow({ source: { mac: '00-1D-9C-14-01-99' }, sourceAsset: undefined }))).toEqual([
        'ExpectedMaintenance',
      ]);
    });

    it('a device the window does not allow is judged as usual', () => {
      const r = inWindow({ source: { ip: '10.10.1.66' }, sourceAsset: laptop });
      expect(rulesOf(r)).toEqual(['NotEngineeringStation']);
      expect(r.severity).toBe('High');
      const otherEws = inWindow({
        source: { ip: '10.20.1.11' },
        sourceAsset: { name: 'LYN-EWS-02', type: 'EngineeringStation' },
      });
      expect(otherEws.escalations).toEqual([]);
    });

    it('outside the window or in another zone the same device is judged as usual', () => {
      expect(rulesOf(inWindow({ sourceAsset: lynEws, at: '2026-11-18T11:05:00Z' }))).toEqual([]); // 12:05, in hours
      expect(rulesOf(inWindow({ sourceAsset: lynEws, zone: 'filling' }))).toEqual([]);
    });

    it('a night window makes night work expected instead of escalated', () => {
      const night = '2026-11-19T01:30:00Z'; // Thu 02:30 Paris
      expect(rulesOf(inWindow({ at: night, source: { ip: '10.20.1.10' }, sourceAsset: lynEws }))).toEqual([
        'ExpectedMaintenance',
      ]);
      expect(
        rulesOf(
          inWindow({
            at: night,
            source: { ip: '10.20.1.12' },
            sourceAsset: { name: 'LYN-EWS-02', type: 'EngineeringStation' },
          }),
        ),
      ).toEqual(['OutsideWorkingHours']);
    });
  });

  describe('an operation near a window that allows its source (an overrun, an early start)', () => {
    const night = (at: string, sourceAsset: Asset = lynEws) =>
      run({
        cal: lyon,
        zone: 'brewhouse',
        kind: 'Firmware change',
        at,
        source: { ip: sourceAsset.ip },
        sourceAsset,
      });
    const window = 'maintenance window 2026-11-19 01:00–03:00 Europe/Paris';

    it('is escalated as usual, its reason saying how far from which window', () => {
      const r = night('2026-11-19T02:20:00Z'); // Thu 03:20 Paris, 20 min after 03:00
      expect(r.severity).toBe('High');
      expect(r.escalations.map((e) => [e.rule, e.reason])).toEqual([
        [
          'OutsideWorkingHours',
          'Firmware change at 03:20 Europe/Paris (Thu 2026-11-19), outside working hours Mon–Fri 05:00–21:00; ' +
            `20 min after ${window} ended, which allows LYN-EWS-01`,
        ],
      ]);
      expect(night('2026-11-18T23:15:00Z').escalations[0]!.reason).toMatch(
        new RegExp(`; 45 min before ${window} opens, which allows LYN-EWS-01$`),
      );
    });

    it('up to two hours from it, for a device it allows', () => {
      expect(night('2026-11-19T03:55:00Z').escalations[0]!.reason).toContain('; 115 min after'); // 04:55
      // 2 h 30 min before it opened
      expect(night('2026-11-18T21:30:00Z').escalations[0]!.reason).not.toContain('maintenance window');
      const other = { name: 'LYN-EWS-02', ip: '10.20.1.12', type: 'EngineeringStation' };
      expect(night('2026-11-19T02:20:00Z', other).escalations[0]!.reason).not.toContain('maintenance window');
    });
  });

  it('is pure: the same input gives the same output', () => {
    const severities: Severity[] = ['Informational', 'Low', 'Medium', 'High'];
    for (const severity of severities) {
      expect(run({ at: NIGHT, sourceAsset: laptop, severity })).toEqual(
        run({ at: NIGHT, sourceAsset: laptop, severity }),
      );
    }
  });
});
