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
