import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, toIsoDuration } from '../../analytics/duration.js';
import { isKustoLoaded } from '../../analytics/kusto.js';
import { workspaceSchema } from '../../analytics/schemas.js';
import {
  jsonOffsetPosition,
  parseJsonSource,
  parseYamlSource,
  yamlOffsetPosition,
} from '../../analytics/source.js';
import { STAND_IN, substituteParameters, type WorkbookParameterInfo } from '../../analytics/workbook.js';
import '../../cli/commands/validate.js';
import { OTALERTS_COLUMNS } from '../../pipeline/sink/schema.js';

describe('durations', () => {
  it('reads the short and ISO forms', () => {
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('PT5M')).toBe(300_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(parseDuration('P2DT1H30M')).toBe(2 * 86_400_000 + 5_400_000);
    for (const bad of ['5', '5 m', 'PT', 'P', '1w', '', 'PT1.5H'])
      expect(parseDuration(bad), bad).toBeUndefined();
  });

  it('writes ISO 8601 and short forms', () => {
    expect(toIsoDuration(300_000)).toBe('PT5M');
    expect(toIsoDuration(86_400_000)).toBe('P1D');
    expect(toIsoDuration(90_000_000)).toBe('P1DT1H');
    expect(toIsoDuration(0)).toBe('PT0S');
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(5_400_000)).toBe('90m');
  });
});

describe('source positions', () => {
  it('maps an offset inside a literal block scalar to the file line and column', () => {
    const text = 'id: x\nquery: |\n  let a = 1;\n\n  OTAlerts_CL\n  | where Site == "x"\nname: y\n';
    const src = parseYamlSource('f.yaml', text);
    const query = 'let a = 1;\n\nOTAlerts_CL\n| where Site == "x"\n';
    expect(yamlOffsetPosition(src, ['query'], query.indexOf('Site'))).toEqual({ line: 6, col: 11 });
    expect(yamlOffsetPosition(src, ['query'], 0)).toEqual({ line: 3, col: 3 });
  });

  it('maps an offset inside a quoted one-line scalar', () => {
    const src = parseYamlSource('f.yaml', 'query: "OTAlerts_CL | take x"\n');
    expect(yamlOffsetPosition(src, ['query'], 'OTAlerts_CL | take '.length)).toEqual({ line: 1, col: 28 });
  });

  it('maps a decoded offset inside a JSON string through its escapes', () => {
    const text = '{\n  "a": [\n    {"q": "x\\n\\"y\\" | z"}\n  ]\n}\n';
    const src = parseJsonSource('f.json', text);
    const decoded = 'x\n"y" | z';
    const pos = jsonOffsetPosition(src, ['a', 0, 'q'], decoded.indexOf('z'));
    expect(pos.line).toBe(3);
    expect(text.split('\n')[2]![pos.col - 1]).toBe('z');
  });
});

describe('workbook parameter stand-ins', () => {
  const params = new Map<string, WorkbookParameterInfo>([
    ['TimeRange', { name: 'TimeRange', kind: 4 }],
    ['Site', { name: 'Site', kind: 2, multiSelect: true, quote: "'", delimiter: ',' }],
    ['Tech', { name: 'Tech', kind: 'exported' }],
  ]);

  it('substitutes type-correct values and maps offsets back to the original text', () => {
    const q = "T | where TimeGenerated {TimeRange} | where Site in ({Site}) | where X == '{Tech}' | where Y";
    const s = substituteParameters(q, params);
    expect(s.text).toBe(
      `T | where TimeGenerated ${STAND_IN.timeRange} | where Site in ('stand-in-1','stand-in-2') | where X == 'stand-in' | where Y`,
    );
    expect(s.unknown).toEqual([]);
    expect(s.toOriginal(s.text.indexOf('where Y'))).toBe(q.indexOf('where Y'));
    expect(s.toOriginal(s.text.indexOf('ago'))).toBe(q.indexOf('{TimeRange}'));
    expect(s.toOriginal(0)).toBe(0);
  });

  it('knows the time range formats', () => {
    const s = substituteParameters(
      '{TimeRange:start} {TimeRange:end} {TimeRange:grain} {TimeRange:query}',
      params,
    );
    expect(s.text).toBe(`${STAND_IN.start} ${STAND_IN.end} ${STAND_IN.grain} ${STAND_IN.timeRange}`);
  });
});

describe('schema and loading', () => {
  it('builds OTAlerts_CL from OTALERTS_COLUMNS, so a new column is known to the validator at once', () => {
    const table = workspaceSchema().tables.find((t) => t.name === 'OTAlerts_CL')!;
    for (const c of OTALERTS_COLUMNS) expect(table.schema).toContain(`${c.name}:${c.type}`);
    expect(workspaceSchema().functions.map((f) => f.name)).toEqual(['_GetWatchlist']);
  });

  it('does not load the Kusto bridge until something is validated', () => {
    // this file imported the validator and the CLI command, but never created an analyzer
    expect(isKustoLoaded()).toBe(false);
    expect((globalThis as { Kusto?: unknown }).Kusto).toBeUndefined();
  });

  it('keeps the Function path free of analytics imports', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (
          p.endsWith('.ts') &&
          /from ['"][./]*\/?analytics\/|language-service/.test(readFileSync(p, 'utf8'))
        )
          offenders.push(p);
      }
    };
    walk('functions');
    walk('pipeline');
    expect(offenders).toEqual([]);
  });
});
