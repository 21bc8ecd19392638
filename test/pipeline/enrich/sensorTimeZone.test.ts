/**
 * Syslog detection times without a zone (CEF/LEEF `start`, syslog object `Alert time`) are in the time zone of the
 * sensor's forwarding rule (docs/formats.md "Times without a zone"): read as UTC unless the sensor's `timeZone` is
 * configured, and counted so the summary says so.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFile } from '../../../cli/commands/runFile.js';
import { ConfigError, parseConfig } from '../../../pipeline/config/config.js';
import { createEnricher, enrichConfigSchema } from '../../../pipeline/enrich/enricher.js';
import { readTime, resolveTimes } from '../../../pipeline/parse/fields/index.js';
import { parseRecord } from '../../../pipeline/parse/index.js';
import { tempDirSync } from '../../helpers/tempDirs.js';
import { NOW } from '../parse/fixtures.js';

const cef = (start: string, extra = '') =>
  `<9>Nov 18 20:31:00 10.10.0.4 CEF:0|Microsoft Defender for IoT/CyberX|rtm-sensor|22.3.5|Microsoft Defender for IoT Alert|Unauthorized PLC Programming|8|msg=Program download to 10.10.2.21 protocol=S7 severity=Major type=Policy Violation start=${start} src_ip=10.10.1.66 dst_ip=10.10.2.21 cat=Programming${extra}`;
const leef = (start: string) =>
  `<9>Nov 18 20:31:00 10.10.0.4 rtm-sensor LEEF:1.0|Microsoft Defender for IoT|Sensor|22.3.5|Microsoft Defender for IoT Alert|title=Unauthorized PLC Programming\tmsg=Program download to 10.10.2.21\tprotocol=S7\tseverity=Major\ttype=Policy Violation\tstart=${start}\tsrc_ip=10.10.1.66\tdst_ip=10.10.2.21\tcat=Programming`;
const object = (time: string) =>
  `<9>Nov 18 20:31:00 10.10.0.4 Sensor name: rtm-sensor, Alert time: ${time}, Alert title: PLC Stop Command, Alert message: Stop sent, Alert severity: Major, Alert type: Operational, Protocol: S7, Source_MAC: 10.10.1.66, Destination_MAC: 10.10.2.21, alert_group: Restart/stop commands`;

const parsed = (line: string) => {
  const r = parseRecord(line, { now: NOW });
  if (!r.ok) throw new Error(r.reason);
  return r.alert;
};

describe('zone-less syslog detection times', () => {
  it('readTime says whether the text named its zone; epochs always do', () => {
    expect(readTime('Nov 18 2026 21:30:00', NOW)).toEqual({
      t: Date.UTC(2026, 10, 18, 21, 30),
      zoned: false,
    });
    expect(readTime('2026-11-18T21:30:00', NOW)?.zoned).toBe(false);
    expect(readTime('2026-11-18 21:30:00 +01:00', NOW)).toEqual({
      t: Date.UTC(2026, 10, 18, 20, 30),
      zoned: true,
    });
    expect(readTime('Nov 18 2026 21:30:00 GMT', NOW)?.zoned).toBe(true);
    expect(readTime('2026-11-18T21:30:00.000Z', NOW)?.zoned).toBe(true);
    expect(readTime('1795030200000', NOW)?.zoned).toBe(true);
    expect(readTime(1795030200, NOW)?.zoned).toBe(true);
    expect(readTime('tomorrow', NOW)).toBeUndefined();
  });

  it('resolveTimes lists a syslog record’s own zone-less times, never the header’s or a zoned one', () => {
    const syslog = { headerTime: '2026-11-18T20:31:00.000Z', sentAt: true };
    expect(resolveTimes(['Nov 18 2026 21:30:00'], [], undefined, syslog)).toEqual({
      firstSeen: '2026-11-18T21:30:00.000Z',
      lastSeen: '2026-11-18T21:30:00.000Z',
      wallClock: ['firstSeen', 'lastSeen'],
      sentAt: '2026-11-18T20:31:00.000Z',
    });
    // A header that is not the send time (the syslog object's: the server's receipt): not kept.
    expect(
      resolveTimes(['Nov 18 2026 21:30:00'], [], undefined, { headerTime: syslog.headerTime }),
    ).not.toHaveProperty('sentAt');
    // No time of its own: the header's (UTC) is not a wall-clock reading.
    expect(resolveTimes([undefined], [], undefined, syslog)).toEqual({
      firstSeen: '2026-11-18T20:31:00.000Z',
      lastSeen: '2026-11-18T20:31:00.000Z',
    });
    // A zoned start and a zone-less end: only the end is listed.
    expect(resolveTimes(['2026-11-18T20:00:00Z'], ['Nov 18 2026 21:40:00'], undefined, syslog)).toMatchObject(
      {
        wallClock: ['lastSeen'],
      },
    );
    // Not a syslog format (SecurityAlert, sensor API): zone-less is UTC by contract, nothing listed.
    expect(resolveTimes(['2026-11-18 21:30:00'], [], undefined)).not.toHaveProperty('wallClock');
  });

  it('CEF, LEEF and syslog object records carry the list; zoned or epoch starts do not', () => {
    expect(parsed(cef('Nov 18 2026 21:30:00')).wallClock).toEqual(['firstSeen', 'lastSeen']);
    expect(parsed(leef('Nov 18 2026 21:30:00')).wallClock).toEqual(['firstSeen', 'lastSeen']);
    expect(parsed(object('2026-11-18 21:30:00')).wallClock).toEqual(['firstSeen', 'lastSeen']);
    expect(parsed(cef('2026-11-18T20:30:00Z')).wallClock).toBeUndefined();
    expect(parsed(cef('1795030200000')).wallClock).toBeUndefined();
    expect(parsed(cef('Nov 18 2026 21:30:00 +01:00')).wallClock).toBeUndefined();
  });

  it('the enricher reads them in the sensor’s timeZone, DST-correct, and clears the list', () => {
    const enrich = createEnricher(
      enrichConfigSchema.parse({
        sensors: { 'RTM-Sensor': { site: 'Rotterdam', zone: 'Packaging', timeZone: 'Europe/Amsterdam' } },
      }),
    );
    const winter = enrich(parsed(cef('Nov 18 2026 21:30:00')));
    expect([winter.firstSeen, winter.lastSeen, winter.wallClock]).toEqual([
      '2026-11-18T20:30:00.000Z',
      '2026-11-18T20:30:00.000Z',
      undefined,
    ]);
    expect(enrich(parsed(leef('Jul 01 2026 21:30:00'))).firstSeen).toBe('2026-07-01T19:30:00.000Z');
    // 02:30 on the spring-forward day does not exist in Amsterdam: read with the offset before (03:30 CEST).
    expect(enrich(parsed(cef('Mar 29 2026 02:30:00'))).firstSeen).toBe('2026-03-29T01:30:00.000Z');
    // A zoned start is left as it is.
    expect(enrich(parsed(cef('2026-11-18T21:30:00Z'))).firstSeen).toBe('2026-11-18T21:30:00.000Z');

    const unplaced = createEnricher(enrichConfigSchema.parse({}))(parsed(cef('Nov 18 2026 21:30:00')));
    expect([unplaced.firstSeen, unplaced.wallClock]).toEqual([
      '2026-11-18T21:30:00.000Z',
      ['firstSeen', 'lastSeen'],
    ]);
  });

  it('a sensor timeZone that is not an IANA zone fails the config with its path', () => {
    try {
      parseConfig({ enrichment: { sensors: { s1: { site: 'x', timeZone: 'CET+1' } } } }, 'c.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems).toEqual([
        'enrichment.sensors.s1.timeZone: unknown time zone "CET+1"',
      ]);
    }
  });

  it('through replay: working hours are judged at the plant’s time, a CEF and a LEEF copy stay one alert', async () => {
    const dir = tempDirSync('ot-soc-sensor-tz-');
    const input = join(dir, 'site.log');
    // 21:30 on a Wednesday in Rotterdam's forwarding rules: inside 06:00–22:00; 21:30 UTC would be 22:30 there.
    await writeFile(input, `${cef('Nov 18 2026 21:30:00')}\n${leef('Nov 18 2026 21:30:00')}\n`);
    const run = async (name: string, timeZone?: string) => {
      const config = join(dir, `${name}.json`);
      await writeFile(
        config,
        JSON.stringify({
          enrichment: {
            sensors: {
              'rtm-sensor': { site: 'Rotterdam', zone: 'Packaging', ...(timeZone ? { timeZone } : {}) },
            },
            sites: {
              Rotterdam: { timeZone: 'Europe/Amsterdam', workingHours: { 'Mon-Fri': '06:00-22:00' } },
            },
            escalation: { unknownSource: 'ignore' },
          },
        }),
      );
      const out = join(dir, name);
      const summary = await runFile({ input, out, config, partitions: 1, batchSize: 10, progress: false });
      const rows = (await readFile(join(out, 'OTAlerts_CL.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      return { summary, rows };
    };

    const local = await run('local', 'Europe/Amsterdam');
    expect(local.summary).toMatchObject({ alertsParsed: 2, vendorUpdates: 1, groups: 1, timesReadAsUtc: 0 });
    expect(local.rows.at(-1)).toMatchObject({
      FirstSeen: '2026-11-18T20:30:00.000Z',
      Count: 1,
      Severity: 'Medium',
    });
    expect(local.rows.at(-1)?.Escalations ?? []).toEqual([]);

    // Without the setting the same records are read as UTC: an hour late, after hours, escalated, and said so.
    const utc = await run('utc');
    expect(utc.summary).toMatchObject({ alertsParsed: 2, vendorUpdates: 1, groups: 1, timesReadAsUtc: 2 });
    expect(utc.rows.at(-1)).toMatchObject({ FirstSeen: '2026-11-18T21:30:00.000Z', Severity: 'High' });
    expect(JSON.stringify(utc.rows.at(-1)?.Escalations)).toContain('OutsideWorkingHours');
  });
});
