import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FileEvent, fileEvents, readFileEvents } from '../../cli/fileEvents.js';
import { Utf8FileDecoder } from '../../cli/files/decode.js';
import { RecordScanner } from '../../cli/files/scanner.js';
import { cefLine, minute, securityAlert } from '../helpers/records.js';

const T0 = '2026-11-18T02:00:00.000Z';
let dir: string;
let files = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ot-soc-layouts-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(bytes: Buffer | string, chunkBytes?: number): Promise<FileEvent[]> {
  const file = join(dir, `f${files++}`);
  await writeFile(file, bytes);
  const out: FileEvent[] = [];
  for await (const e of readFileEvents(file, 'in.json', chunkBytes ? { chunkBytes } : {})) out.push(e);
  return out;
}

// Records with the characters a scanner can trip on: quotes, braces, escapes, a line break and non-ASCII text.
const records = [
  securityAlert({ t: T0 }),
  {
    ...securityAlert({ t: minute(T0, 1) }),
    Description: 'a "quoted" {brace} [x] \\ back\nslash — Zürich 工厂 😀',
  },
  securityAlert({ t: minute(T0, 2), sensor: 'rtm-pkg-sensor-02' }),
];
const expected = JSON.parse(JSON.stringify(records)) as unknown[];

const layouts: Record<string, string> = {
  'NDJSON (compact)': records.map((r) => JSON.stringify(r)).join('\n'),
  'concatenated pretty documents': records.map((r) => JSON.stringify(r, null, 2)).join('\n'),
  'concatenated on one line': records.map((r) => JSON.stringify(r)).join(''),
  'one array (compact)': JSON.stringify(records),
  'one array (pretty)': JSON.stringify(records, null, 2),
  'envelope (compact)': JSON.stringify({ records }),
  'envelope (jq . pretty)': `${JSON.stringify({ records }, null, 2)}\n`,
  'envelope (tabs, other keys around)': JSON.stringify(
    { meta: { records: 1 }, records, next: [1] },
    null,
    '\t',
  ),
};
const endings: Record<string, (s: string) => string> = {
  LF: (s) => s,
  CRLF: (s) => s.replace(/\n/g, '\r\n'),
  CR: (s) => s.replace(/\n/g, '\r'),
};
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
const encodings: Record<string, (s: string) => Buffer> = {
  'UTF-8': (s) => Buffer.from(s, 'utf8'),
  'UTF-8 BOM': (s) => Buffer.from(`\ufeff${s}`, 'utf8'),
  'UTF-16LE BOM': (s) => Buffer.from(`\ufeff${s}`, 'utf16le'),
  'UTF-16BE BOM': (s) => utf16be(`\ufeff${s}`),
  'UTF-16LE without BOM': (s) => Buffer.from(s, 'utf16le'),
};

describe('replay files: every layout, line ending and encoding gives the same records', () => {
  for (const [layout, text] of Object.entries(layouts))
    it(layout, async () => {
      for (const [ending, eol] of Object.entries(endings))
        for (const [encoding, encode] of Object.entries(encodings))
          for (const chunk of [undefined, 7]) {
            const events = await read(encode(eol(text)), chunk);
            const label = `${layout}, ${ending}, ${encoding}, chunk ${chunk ?? 'default'}`;
            expect(
              events.filter((e) => e.error),
              label,
            ).toEqual([]);
            expect(
              events.map((e) => e.body),
              label,
            ).toEqual(expected);
          }
    });

  it('locators name the line each record starts on (and its index in an array or envelope)', async () => {
    const pretty = JSON.stringify({ records }, null, 2);
    const starts = pretty
      .split('\n')
      .flatMap((l, i) => (l === '    {' ? [i + 1] : []))
      .map((line, k) => `in.json:${line} records[${k}]`);
    const events = await read(pretty.replace(/\n/g, '\r\n'));
    expect(events.map((e) => e.locator)).toEqual(starts);
    const ndjson = await read(`\n${layouts['NDJSON (compact)']}\r\n\r\n${cefLine({ t: T0 })}`);
    expect(ndjson.map((e) => e.locator)).toEqual(['in.json:2', 'in.json:3', 'in.json:4', 'in.json:6']);
  });

  it('syslog lines mixed with NDJSON and a pretty-printed document', async () => {
    const text = [
      cefLine({ t: T0 }),
      JSON.stringify(records[0]),
      JSON.stringify(records[1], null, 2),
      '[2026-11-18 02:00:00] a text line that starts with a bracket',
      cefLine({ t: minute(T0, 1) }),
    ].join('\r\n');
    const events = await read(text, 5);
    expect(events.map((e) => (typeof e.body === 'string' ? 'text' : 'json'))).toEqual([
      'text',
      'json',
      'json',
      'text',
      'text',
    ]);
    expect(events[2]!.body).toEqual(expected[1]);
    expect(events[3]!.body).toBe('[2026-11-18 02:00:00] a text line that starts with a bracket');
  });
});

describe('replay files: what is not a record costs only itself, with its line', () => {
  it('a broken NDJSON line, a line cut short and a truncated last record', async () => {
    const [a, b, c] = records.map((r) => JSON.stringify(r));
    const text = [a, '{"AlertName": "broken', b, c!.slice(0, 40), a, 'not json at all', c!.slice(0, 60)].join(
      '\n',
    );
    const events = await read(text, 11);
    expect(events.map((e) => [e.locator, e.error ? 'error' : 'ok'])).toEqual([
      ['in.json:1', 'ok'],
      ['in.json:2', 'error'],
      ['in.json:3', 'ok'],
      ['in.json:4', 'error'],
      ['in.json:5', 'ok'],
      ['in.json:6', 'ok'], // a text line: the parser, not the splitter, refuses it
      ['in.json:7', 'error'],
    ]);
    expect(events[1]!.raw).toBe('{"AlertName": "broken');
    expect(events[3]!.raw).toBe(c!.slice(0, 40));
    expect(events[6]!.error).toMatch(/ends inside this record/);
  });

  it('an element that is no record, a record too large, JSON nested too deep', async () => {
    const big = { AlertName: 'x'.repeat(2000) };
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    const events = await read(`[${JSON.stringify(records[0])}, 5, [1], ${JSON.stringify(big)}, ${deep}]`, 64);
    const file = join(dir, 'limits.json');
    await writeFile(file, `[${JSON.stringify(records[0])}, ${JSON.stringify(big)}, ${deep}]`);
    const limited: FileEvent[] = [];
    for await (const e of readFileEvents(file, 'limits.json', { maxRecordBytes: 1000, chunkBytes: 100 }))
      limited.push(e);
    expect(limited.map((e) => e.error ?? 'ok')).toEqual([
      'ok',
      expect.stringMatching(/record too large/),
      expect.stringMatching(/nesting deeper than 64/),
    ]);
    expect(events.map((e) => e.error ?? 'ok')).toEqual([
      'ok',
      'record is number, not an object or string',
      'record is a nested array, not an object or string',
      'ok',
      expect.stringMatching(/nesting deeper than 64/),
    ]);
  });

  it('a UTF-32 or gzip file is refused with one dead letter naming what it is', async () => {
    const utf32 = Buffer.alloc(40);
    utf32.writeUInt32LE(0xfeff, 0);
    const [letter, ...rest] = await read(utf32);
    expect(rest).toEqual([]);
    expect(letter!.error).toMatch(/UTF-32LE/);
    const gz = await read(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]));
    expect(gz).toHaveLength(1);
    expect(gz[0]!.error).toMatch(/gzip/);
  });
});

describe('replay files: a line that is not UTF-8', () => {
  // What a Windows syslog server writes ("ANSI"): the accented names and the € and ’ of Windows-1252.
  const latin = (s: string) => Buffer.from(s, 'latin1');
  const cp1252Line = Buffer.concat([
    latin('<9>Nov 18 02:00:00 s1 CEF:0|Microsoft Defender for IoT/CyberX|s1|1|x|Z'),
    latin('\xfc'),
    latin('rich line stop|8|msg=PLC in V'),
    Buffer.from([0xe9]),
    latin('nissieux costs 5 '),
    Buffer.from([0x80, 0x20, 0x92]),
    latin('ok'),
    latin(' start=2026-11-18T02:00:00Z cat=Scan'),
  ]);
  const utf8Line = Buffer.from(`${JSON.stringify(records[1])}`, 'utf8');

  it.each([1, 3, 7, 64, 1 << 20])(
    'is read as Windows-1252, the UTF-8 lines around it as UTF-8 (read step %i)',
    async (chunk) => {
      const bytes = Buffer.concat([
        utf8Line,
        latin('\r\n'),
        cp1252Line,
        latin('\r\n'),
        utf8Line,
        latin('\n'),
      ]);
      const file = join(dir, `f${files++}`);
      await writeFile(file, bytes);
      const events: FileEvent[] = [];
      let legacy = -1;
      for await (const e of readFileEvents(file, 'in.log', {
        chunkBytes: chunk,
        onLegacyLines: (n) => (legacy = n),
      }))
        events.push(e);
      expect(events.map((e) => e.locator)).toEqual(['in.log:1', 'in.log:2', 'in.log:3']);
      expect(events[0]!.body).toEqual(expected[1]);
      expect(events[2]!.body).toEqual(expected[1]);
      expect(events[1]!.body).toBe(
        '<9>Nov 18 02:00:00 s1 CEF:0|Microsoft Defender for IoT/CyberX|s1|1|x|Zürich line stop|8|msg=PLC in Vénissieux costs 5 € ’ok start=2026-11-18T02:00:00Z cat=Scan',
      );
      expect(legacy).toBe(1);
    },
  );

  it('the byte order mark is dropped in any read step, even one byte at a time', () => {
    const bytes = Buffer.from('\ufeff{"a":"Zürich"}\n', 'utf8');
    for (const step of [1, 2, 3, 4, 64]) {
      const d = new Utf8FileDecoder();
      let text = '';
      for (let i = 0; i < bytes.length; i += step) text += d.decode(bytes.subarray(i, i + step), false);
      text += d.decode(new Uint8Array(0), true);
      expect(text, `step ${step}`).toBe('{"a":"Zürich"}\n');
    }
  });

  it('a valid UTF-8 file reports none, and its characters split across read steps come back whole', async () => {
    let legacy = 0;
    const file = join(dir, `f${files++}`);
    await writeFile(file, `${layouts['NDJSON (compact)']}\n`);
    const events: FileEvent[] = [];
    for await (const e of readFileEvents(file, 'in.json', {
      chunkBytes: 1,
      onLegacyLines: (n) => (legacy = n),
    }))
      events.push(e);
    expect(events.map((e) => e.body)).toEqual(expected);
    expect(legacy).toBe(0);
  });
});

describe('replay files: properties', () => {
  const record = fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), {
    minKeys: 1,
    maxKeys: 5,
  });
  it('any records in any layout, ending and read step come back as they were', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 6 }),
        fc.constantFrom('ndjson', 'pretty', 'array', 'envelope'),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.integer({ min: 1, max: 64 }),
        async (recs, layout, eol, chunk) => {
          const want = JSON.parse(JSON.stringify(recs)) as unknown[];
          const text =
            layout === 'ndjson'
              ? recs.map((r) => JSON.stringify(r)).join('\n')
              : layout === 'pretty'
                ? recs.map((r) => JSON.stringify(r, null, 2)).join('\n')
                : layout === 'array'
                  ? JSON.stringify(recs, null, 1)
                  : JSON.stringify({ records: recs }, null, 2);
          const events = await read(text.replace(/\n/g, eol), chunk);
          expect(events.map((e) => e.body)).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('arbitrary text never throws, splits the same in any read step, and names lines that exist', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', '\n', '\r', ' ', 'a', '1'),
        }),
        fc.integer({ min: 1, max: 9 }),
        (text, step) => {
          const whole = fileEvents(text, 'f');
          const scanner = new RecordScanner();
          const parts = [];
          for (let i = 0; i < text.length; i += step) parts.push(...scanner.push(text.slice(i, i + step)));
          parts.push(...scanner.end());
          expect(parts.map((p) => p.line)).toEqual(whole.map((e) => Number(e.locator.split(/[: ]/)[1])));
          const lines = text.split(/\r\n|\r|\n/).length;
          for (const p of parts) expect(p.line).toBeLessThanOrEqual(lines);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('replay files: bounded memory', () => {
  it('a stream many times the record size holds at most one record between read steps', () => {
    // The scanner never holds more than the record it is reading, so a file larger than V8's longest string
    // (~512 MiB) streams through; `npm run bench -- --only bigfile` reads a 600 MiB file (peak heap figure).
    const scanner = new RecordScanner();
    const element = JSON.stringify(records[1], null, 2);
    let maxHeld = 0;
    let seen = 0;
    const step = 4096;
    seen += scanner.push('{"records": [').length;
    for (let i = 0; i < 4000; i++) {
      const text = `${i ? ',' : ''}${element}`;
      for (let k = 0; k < text.length; k += step) {
        seen += scanner.push(text.slice(k, k + step)).length;
        maxHeld = Math.max(maxHeld, scanner.held);
      }
    }
    seen += scanner.push(']}').length + scanner.end().length;
    expect(seen).toBe(4000);
    expect(maxHeld).toBeLessThanOrEqual(element.length + 1);
  });
});
