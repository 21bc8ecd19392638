import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import type { KqlAnalyzer } from '../../analytics/kusto.js';
import { createContentAnalyzer } from '../../analytics/validate.js';
import { registerCoverage, runCoverage } from '../../cli/commands/coverage.js';
import { UsageError } from '../../cli/commands/usageError.js';
import { registerValidate, runValidate } from '../../cli/commands/validate.js';
import { tempDirSync } from '../helpers/tempDirs.js';
import { BASE_HUNTING, BASE_RULE, contentDir } from './helpers.js';

const capture = () => {
  const lines: string[] = [];
  return { lines, out: (l: string) => lines.push(l) };
};

let analyzer: KqlAnalyzer;
beforeAll(() => {
  analyzer = createContentAnalyzer();
}, 60_000);

describe('ot-soc validate', () => {
  it('exits 0 with a summary on clean content', () => {
    const dir = contentDir({ 'rules/a.yaml': BASE_RULE, 'hunting/b.yaml': BASE_HUNTING });
    const { lines, out } = capture();
    expect(runValidate({ content: dir }, out, analyzer)).toBe(0);
    expect(lines).toEqual([
      'ok: 1 analytics rules, 1 hunting queries, 0 workbooks; 7 KQL queries type-checked; no problems',
    ]);
  }, 60_000);

  it('prints file:line:col: message per problem and exits 1', () => {
    const dir = contentDir({
      'rules/a.yaml': BASE_RULE.replace('queryFrequency: 1h', 'queryFrequency: 1d').replace(
        '  - T0843',
        '  - T0999',
      ),
    });
    const { lines, out } = capture();
    expect(runValidate({ content: dir }, out, analyzer)).toBe(1);
    expect(lines.slice(0, -1).map((l) => l.replace(`${dir}/`, ''))).toEqual([
      'rules/a.yaml:9:17: queryFrequency 1d is longer than queryPeriod 1h: events between runs would never be queried',
      'rules/a.yaml:16:5: T0999 is not a technique of ATT&CK for ICS 18.1',
    ]);
    expect(lines.at(-1)).toBe(
      'FAILED: 1 analytics rules, 0 hunting queries, 0 workbooks; 6 KQL queries type-checked; 2 problems',
    );
  }, 60_000);

  it('is a usage error (exit 2) without content', () => {
    expect(() => runValidate({ content: join(tmpdir(), 'does-not-exist-ot-soc') })).toThrow(UsageError);
    expect(() => runValidate({ content: tempDirSync('ot-soc-empty-') })).toThrow(/no content under/);
  });

  it('is registered with --content and help text', () => {
    const program = new Command();
    registerValidate(program);
    const cmd = program.commands.find((c) => c.name() === 'validate')!;
    expect(cmd.description()).toMatch(/type-checked with Kusto\.Language/);
    expect(cmd.helpInformation()).toContain('--content <dir>');
  });
});

describe('ot-soc coverage', () => {
  it('prints the table and writes the Navigator layer', () => {
    const layer = join(tempDirSync('ot-soc-cov-'), 'layer.json');
    const { lines, out } = capture();
    expect(runCoverage({ content: process.cwd(), layer }, out)).toBe(0);
    expect(lines[0]).toMatch(/^ATT&CK for ICS 18\.1 coverage: \d+ analytics rules, \d+ hunting queries/);
    expect(lines.join('\n')).toContain('Tactics covered:     12 of 12');
    expect(existsSync(layer)).toBe(true);
    expect(JSON.parse(readFileSync(layer, 'utf8')).domain).toBe('ics-attack');
  });

  it('runs through commander with --layer and --content', async () => {
    const layer = join(tempDirSync('ot-soc-cov-'), 'l.json');
    const program = new Command().exitOverride();
    registerCoverage(program);
    const log = console.log;
    const lines: string[] = [];
    console.log = (s: string) => lines.push(s);
    try {
      await program.parseAsync(['node', 'ot-soc', 'coverage', '--layer', layer, '--content', process.cwd()]);
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toContain(`ATT&CK Navigator layer: ${layer}`);
    expect(existsSync(layer)).toBe(true);
    const cmd = program.commands.find((c) => c.name() === 'coverage')!;
    expect(cmd.helpInformation()).toContain('--layer <file>');
  });

  it('refuses content that does not parse', () => {
    const dir = contentDir({ 'rules/a.yaml': BASE_RULE.replace('kind: Scheduled', 'kind: Sometimes') });
    expect(() => runCoverage({ content: dir, layer: join(dir, 'l.json') })).toThrow(/invalid content/);
  });
});
