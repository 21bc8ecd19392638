/**
 * The terminal summary and the report as a new user reads them: a sensor the configuration does not place shows
 * "(no site)/(no zone)" (was "/"), a cut table says how much it shows, a run that wrote nothing says so instead of
 * empty headings, and drawing a chart prints no Observable Plot warning on stderr.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runFile } from '../../cli/commands/runFile.js';
import { timeChart } from '../../cli/report/charts/plot.js';
import { formatSummary } from '../../cli/summary.js';
import { minute, securityAlert } from '../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-summary-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const replay = async (name: string, text: string) => {
  const input = join(dir, name);
  await writeFile(input, text);
  return runFile({ input, out: join(dir, `${name}-out`), partitions: 1, batchSize: 50, progress: false });
};

describe('the terminal summary', () => {
  it('names what is missing for unplaced sensors and says the table shows 12 of the groups', async () => {
    // 14 groups (one destination each) from a sensor no configuration places: no Site, no Zone.
    const records = Array.from({ length: 14 }, (_, i) =>
      JSON.stringify(
        securityAlert({
          t: minute(T0, i),
          sensor: 'unplaced-sensor',
          site: '',
          zone: '',
          dst: `10.30.0.${i + 1}`,
        }),
      ),
    );
    const summary = await replay('unplaced.ndjson', records.join('\n'));
    expect(summary.groups).toBe(14);
    const text = formatSummary(summary);
    expect(text).toContain('worst first; 12 of 14 groups):');
    const table = text.split('\n').filter((l) => l.includes('Unauthorized PLC Programming'));
    expect(table.length).toBeGreaterThan(0);
    for (const line of table) expect(line).toContain('(no site)/(no zone)');
    expect(text).not.toMatch(/ \/ {3,}Unauthorized/);
    expect(text).toMatch(/T0843 +Program Download +14 alerts in 14 groups/);
    // And how many had no zone, with the setting that places them.
    expect(summary.withoutZone).toBe(14);
    expect(text).toMatch(
      /^ {2}without a zone {8}14 {2}\(no zone in the record, in enrichment\.sensors\.<name> for its sensor/m,
    );
  });

  it('one alert as a webhook (its zone named) and as CEF (none) is two groups until the sensor is placed', async () => {
    const webhook = JSON.stringify({
      sensorName: 'ham-press-sensor-01',
      zoneName: 'Presswerk',
      siteName: 'Hamburg',
      UUID: 'ham-press-sensor-01-1795395180000',
      time: 1795395180000,
      title: 'Unauthorized PLC Programming',
      message: 'Unauthorized PLC programming was detected',
      severity: 'Major',
      engine: 'Policy Violation',
      sourceDeviceAddress: '192.168.40.15',
      destinationDeviceAddress: '192.168.40.20',
    });
    const cef =
      '<9>Nov 23 00:53:05 ham-press-sensor-01 CEF:0|Microsoft Defender for IoT/CyberX|ham-press-sensor-01|24.1.3|' +
      'Microsoft Defender for IoT Alert|Unauthorized PLC Programming|8|msg=Unauthorized PLC programming was detected ' +
      'protocol=S7 severity=Major type=Policy Violation UUID=ham-press-sensor-01-1795395180000 ' +
      'start=Nov 23 2026 00:53:00 src_ip=192.168.40.15 dst_ip=192.168.40.20 cat=Programming';
    const input = join(dir, 'pair.log');
    await writeFile(input, `${webhook}\n${cef}\n`);
    const run = (config?: string) =>
      runFile({
        input,
        out: join(dir, `pair-${config ? 'placed' : 'not'}`),
        partitions: 1,
        batchSize: 50,
        progress: false,
        ...(config ? { config } : {}),
      });
    const unplaced = await run();
    expect(unplaced).toMatchObject({ groups: 2, withoutZone: 1, vendorUpdates: 0 });
    // The summary names the sensor and the entry to add, from the zone its webhook record named.
    const hint = formatSummary(unplaced).match(
      /^ {6}ham-press-sensor-01: 1 alert; .*enrichment\.sensors (.*)$/m,
    );
    expect(hint?.[0]).toContain('its other records name Hamburg/Presswerk');
    const config = join(dir, 'placed.json');
    // That entry, pasted as it is printed.
    await writeFile(config, `{"enrichment": {"sensors": {${hint![1]}}}}`);
    const placed = await run(config);
    expect(placed).toMatchObject({ groups: 1, withoutZone: 0, vendorUpdates: 1 });
    expect(formatSummary(placed)).not.toMatch(/^ {2}without a zone/m);
  });

  it('the same file replayed again into its state: every record a redelivery, said so, no row', async () => {
    const input = join(dir, 'again.ndjson');
    await writeFile(input, `${JSON.stringify(securityAlert({ t: minute(T0, 1) }))}\n`);
    const run = (n: number) =>
      runFile({
        input,
        out: join(dir, `again-${n}`),
        state: join(dir, 'again-state'),
        partitions: 1,
        batchSize: 50,
        progress: false,
      });
    expect(formatSummary(await run(1))).toMatch(/^ {2}redeliveries ignored {2}0$/m);
    const second = formatSummary(await run(2));
    expect(second).toMatch(
      /^ {2}redeliveries ignored {2}1 {2}\(records this grouping state had already applied: the same input replayed again/m,
    );
    expect(second).toContain('No row reached Sentinel in this run');
  }, 60_000);

  it("says which sensors' syslog times stayed UTC and the offset their rules look set to; a timeZone ends it", async () => {
    const cef = (sensor: string, sent: string, start: string, title: string) =>
      `<134>Nov 18 ${sent} ${sensor} CEF:0|Microsoft Defender for IoT/CyberX|${sensor}|24.1.3|Microsoft Defender for IoT Alert|` +
      `${title}|8|msg=${title} protocol=S7 severity=Major type=Anomaly start=Nov 18 2026 ${start} ` +
      'src_ip=192.168.5.77 dst_ip=192.168.5.20 cat=Scan';
    const input = join(dir, 'wallclock.log');
    await writeFile(
      input,
      [
        // A rule in Europe/Berlin (UTC+1 in November): an hour ahead of the send time, less the forwarding delay.
        cef('ham-sensor-7', '20:31:05', '21:30:00', 'PLC Scan Detected'),
        cef('ham-sensor-7', '20:45:10', '21:44:00', 'Port Scan Detected'),
        // A rule in UTC.
        cef('lyon-utc-2', '20:50:10', '20:49:30', 'PLC Scan Detected'),
      ].join('\n'),
    );
    const run = (name: string, config?: string) =>
      runFile({
        input,
        out: join(dir, name),
        partitions: 1,
        batchSize: 50,
        progress: false,
        ...(config ? { config } : {}),
      });
    const before = formatSummary(await run('wallclock-utc'));
    expect(before).toMatch(/^ {2}times read as UTC {5}3 /m);
    expect(before).toMatch(
      /^ {6}ham-sensor-7: 2 alerts; detection times 60 min after the syslog header's \(median of 2\): its forwarding rule looks set to UTC\+01:00; set enrichment\.sensors\.ham-sensor-7\.timeZone/m,
    );
    expect(before).toMatch(
      /^ {6}lyon-utc-2: 1 alert; detection times match the syslog header's .*likely set to UTC/m,
    );
    const config = join(dir, 'berlin.json');
    await writeFile(
      config,
      JSON.stringify({
        enrichment: {
          sensors: { 'ham-sensor-7': { site: 'Hamburg', zone: 'Presswerk', timeZone: 'Europe/Berlin' } },
        },
      }),
    );
    const after = await run('wallclock-berlin', config);
    expect(after).toMatchObject({ timesReadAsUtc: 1, wallClockSensors: [{ sensor: 'lyon-utc-2' }] });
    expect(formatSummary(after)).not.toContain('ham-sensor-7: 2 alerts; detection times');
  });

  it('lists an escalation its groups share once, with how many groups and alerts', async () => {
    // A historian programming a Lyon PLC all day: one group per 10-minute window, all with the same reason.
    const records = Array.from({ length: 30 }, (_, i) =>
      JSON.stringify(
        securityAlert({
          t: minute('2026-11-18T09:00:00.000Z', i * 15),
          sensor: 'lyn-fil-sensor-01',
          site: 'Lyon',
          zone: 'Filling',
          src: '10.20.0.5',
          dst: '10.20.3.40',
        }),
      ),
    );
    const input = join(dir, 'historian.ndjson');
    await writeFile(input, records.join('\n'));
    const config = new URL('../../samples/ot-soc.config.json', import.meta.url).pathname;
    const summary = await runFile({
      input,
      out: join(dir, 'historian-out'),
      config,
      partitions: 1,
      batchSize: 50,
      progress: false,
    });
    expect(summary.groups).toBe(30);
    expect(summary.escalated).toHaveLength(1);
    expect(summary.escalated[0]).toMatchObject({
      title: 'Unauthorized PLC Programming',
      groups: 30,
      alerts: 30,
    });
    const why = formatSummary(summary).split('\n');
    const at = why.indexOf('  Why (escalations and expected maintenance):');
    expect(why.slice(at + 1, at + 3)).toEqual([
      '    Unauthorized PLC Programming (Lyon/Filling), 30 groups, 30 alerts:',
      '      - NotEngineeringStation: PLC programming from LYN-HIST-01 (10.20.0.5, Historian), which is not an engineering station',
    ]);
    expect(why[at + 3]).toBe('');
  });

  it('a run that wrote no row says so, without empty tables', async () => {
    const summary = await replay('nothing.ndjson', 'not an alert\n');
    const text = formatSummary(summary);
    expect(text).toContain('No row reached Sentinel in this run');
    expect(text).not.toContain('What reached Sentinel');
    expect(text).not.toContain('Top ATT&CK');
    expect(text).toMatch(/by severity +none/);
  });

  it('says how many lines were not UTF-8 and read as Windows-1252, and the names come out right', async () => {
    const input = join(dir, 'ansi.log');
    const line = (title: string) =>
      `<9>2026-11-18T02:00:00Z s1 CEF:0|Microsoft Defender for IoT/CyberX|s1|1|x|${title}|8|msg=m start=2026-11-18T02:00:00Z dst_ip=10.3.0.1 cat=Scan\n`;
    await writeFile(
      input,
      Buffer.concat([Buffer.from(line('Scan Zürich'), 'latin1'), Buffer.from(line('Scan Łódź'), 'utf8')]),
    );
    const summary = await runFile({
      input,
      out: join(dir, 'ansi-out'),
      partitions: 1,
      batchSize: 50,
      progress: false,
    });
    expect(summary).toMatchObject({ alertsParsed: 2, windows1252Lines: 1 });
    expect(summary.topGroups.map((g) => g.title).sort()).toEqual(['Scan Zürich', 'Scan Łódź']);
    expect(formatSummary(summary)).toMatch(/not UTF-8 +1 line, read as Windows-1252/);
    expect(
      formatSummary(await replay('utf8.ndjson', JSON.stringify(securityAlert({ t: T0 })))),
    ).not.toContain('not UTF-8');
  });

  it('a run without dead letters still writes the deadletter.ndjson it names (empty)', async () => {
    const summary = await replay('clean.ndjson', JSON.stringify(securityAlert({ t: T0 })));
    expect(summary.deadLettered).toBe(0);
    expect(await readFile(join(dir, 'clean.ndjson-out', 'deadletter.ndjson'), 'utf8')).toBe('');
  });
});

describe('the report charts', () => {
  it('a time chart whose series have one point each draws without a warning on stderr', () => {
    const warn = vi.spyOn(console, 'warn');
    const points = Array.from({ length: 8 }, (_, i) => ({
      x: new Date(Date.parse(T0) + i * 60_000),
      series: `sensor-${i}`,
      y: i + 1,
    }));
    const html = timeChart(points, { title: 'one point per series', width: 600 });
    expect(html).toContain('<svg');
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });
});
