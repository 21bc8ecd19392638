/**
 * The summary's "times read as UTC" detail: per sensor, how far its zone-less detection times are from the syslog
 * header's (the sensor's send time, UTC), i.e. the offset its forwarding rule looks set to.
 */
import { describe, expect, it } from 'vitest';
import { wallClockLines } from '../../cli/wallClockSensors.js';
import { utcOffset, WallClockSensors } from '../../pipeline/enrich/wallClockSensors.js';

const at = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
const SENT = '2026-11-18T20:31:00.000Z';

/** One alert of `sensor` detected `minutes` after it was sent, its time still a zone-less reading (or not). */
function observe(
  c: WallClockSensors,
  sensor: string,
  minutes: number,
  o: { wall?: boolean; sent?: boolean } = {},
) {
  c.observe({
    sensor,
    firstSeen: at(SENT, minutes),
    ...(o.sent === false ? {} : { sentAt: SENT }),
    ...(o.wall === false ? {} : { wallClock: ['firstSeen', 'lastSeen'] }),
  });
}

describe('sensors whose detection times stayed UTC', () => {
  it('takes the median difference to the nearest quarter hour, per sensor, most alerts first', () => {
    const c = new WallClockSensors();
    // A rule in UTC+1: an hour ahead, less the seconds to a few minutes before each record was sent.
    for (const m of [59, 58.5, 60, 41, 59.9]) observe(c, 'ham-1', m);
    // A rule in UTC: a little before the send time.
    for (const m of [-0.5, -2]) observe(c, 'lyon-2', m);
    // India (+05:30), and a zone west of UTC.
    observe(c, 'pune-3', 329);
    observe(c, 'houston-4', -301);
    // Converted by its configured timeZone (no longer wall clock): not listed.
    observe(c, 'placed-5', 60, { wall: false });
    // No header time to compare with.
    observe(c, 'bare-6', 0, { sent: false });
    expect(c.list()).toEqual([
      { sensor: 'ham-1', alerts: 5, compared: 5, offsetMinutes: 60 },
      { sensor: 'lyon-2', alerts: 2, compared: 2, offsetMinutes: 0 },
      { sensor: 'bare-6', alerts: 1, compared: 0 },
      { sensor: 'houston-4', alerts: 1, compared: 1, offsetMinutes: -300 },
      { sensor: 'pune-3', alerts: 1, compared: 1, offsetMinutes: 330 },
    ]);
  });

  it('reports a sensor whose rule is not UTC once, after enough comparisons (the Function warns of it)', () => {
    const c = new WallClockSensors();
    for (let i = 0; i < 19; i++) observe(c, 'ham-1', 59);
    for (let i = 0; i < 30; i++) observe(c, 'lyon-2', -1);
    expect(c.settled()).toEqual([]);
    observe(c, 'ham-1', 59);
    expect(c.settled()).toEqual([{ sensor: 'ham-1', alerts: 20, compared: 20, offsetMinutes: 60 }]);
    observe(c, 'ham-1', 59);
    expect(c.settled()).toEqual([]);
    // A rule switched to local time later is judged again at 200 comparisons.
    for (let i = 0; i < 169; i++) observe(c, 'lyon-2', 60);
    expect(c.settled()).toEqual([]);
    observe(c, 'lyon-2', 60);
    expect(c.settled()).toEqual([{ sensor: 'lyon-2', alerts: 200, compared: 200, offsetMinutes: 60 }]);
  });

  it('watches at most 1,000 sensors (their names come from the records)', () => {
    const c = new WallClockSensors();
    for (let i = 0; i < 1_005; i++) observe(c, `s-${i}`, 60);
    expect(c.list()).toHaveLength(1_000);
    observe(c, 's-0', 60);
    expect(c.list().find((x) => x.sensor === 's-0')?.alerts).toBe(2);
  });

  it('says the offset, that UTC is right, or that there is nothing to compare', () => {
    expect(utcOffset(60)).toBe('UTC+01:00');
    expect(utcOffset(330)).toBe('UTC+05:30');
    expect(utcOffset(-300)).toBe('UTC−05:00');
    const lines = wallClockLines([
      { sensor: 'ham-1', alerts: 5, compared: 5, offsetMinutes: 60 },
      { sensor: 'lyon-2', alerts: 1, compared: 1, offsetMinutes: 0 },
      { sensor: 'houston-4', alerts: 2, compared: 2, offsetMinutes: -300 },
      { sensor: 'bare-6', alerts: 1, compared: 0 },
    ]);
    expect(lines).toEqual([
      "      ham-1: 5 alerts; detection times 60 min after the syslog header's (median of 5): its forwarding rule looks set to UTC+01:00; set enrichment.sensors.ham-1.timeZone to its zone (IANA, e.g. Europe/Berlin)",
      "      lyon-2: 1 alert; detection times match the syslog header's (median of 1): its forwarding rule is likely set to UTC, and they are right",
      "      houston-4: 2 alerts; detection times 300 min before the syslog header's (median of 2): its forwarding rule looks set to UTC−05:00; set enrichment.sensors.houston-4.timeZone to its zone (IANA, e.g. Europe/Berlin)",
      '      bare-6: 1 alert; nothing to compare its times with (only CEF and LEEF headers carry the send time in UTC): set enrichment.sensors.bare-6.timeZone unless its forwarding rule is in UTC',
    ]);
    const many = Array.from({ length: 10 }, (_, i) => ({ sensor: `s${i}`, alerts: 1, compared: 0 }));
    expect(wallClockLines(many).at(-1)).toBe('      and 2 more sensors');
  });
});
