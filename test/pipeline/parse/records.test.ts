import { describe, expect, it } from 'vitest';
import {
  isSplitError,
  MAX_RECORD_BYTES,
  type RawRecord,
  type SplitPiece,
  splitEvent,
  splitText,
} from '../../../pipeline/parse/records.js';
import { fixture, fixtureLines } from './fixtures.js';

const kinds = (pieces: SplitPiece[]) =>
  pieces.map((p) => (isSplitError(p) ? `error:${p.error}` : typeof p.value));
const records = (pieces: SplitPiece[]) => pieces.filter((p): p is RawRecord => !isSplitError(p));

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

describe('splitEvent: already-parsed bodies', () => {
  it('splits a Log Analytics export envelope into its records', () => {
    const env = JSON.parse(fixture('export-envelope.json')) as { records: unknown[] };
    const pieces = splitEvent(env);
    expect(pieces).toHaveLength(3);
    expect(pieces.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(records(pieces).map((p) => p.value)).toEqual(env.records);
  });

  it('splits a JSON array into its elements and keeps a plain object whole', () => {
    expect(kinds(splitEvent([{ a: 1 }, '<14>line', { b: 2 }]))).toEqual(['object', 'string', 'object']);
    const one = splitEvent({ AlertName: 'x' });
    expect(one).toHaveLength(1);
    expect((one[0] as RawRecord).value).toEqual({ AlertName: 'x' });
  });

  it('serialises raw lazily for parsed values, and JSON.stringify includes it', () => {
    const [p] = splitEvent({ AlertName: 'x', n: 1 }) as [RawRecord];
    expect(p.raw).toBe('{"AlertName":"x","n":1}');
    expect(JSON.parse(JSON.stringify(p))).toEqual({ value: { AlertName: 'x', n: 1 }, raw: p.raw, index: 0 });
  });

  it('rejects elements that are not records', () => {
    expect(kinds(splitEvent([null, 3, [1], { ok: true }]))).toEqual([
      'error:record is null, not an object or string',
      'error:record is number, not an object or string',
      'error:record is a nested array, not an object or string',
      'object',
    ]);
  });

  it('reports empty and unsupported bodies', () => {
    expect(kinds(splitEvent(undefined))).toEqual(['error:empty event body']);
    expect(kinds(splitEvent(42))).toEqual(['error:unsupported event body type number']);
  });

  it('rejects JSON nested deeper than 64 but accepts exactly 64', () => {
    expect(kinds(splitEvent(JSON.parse(nested(64))))).toEqual(['object']);
    expect(kinds(splitEvent(JSON.parse(nested(65))))).toEqual(['error:JSON nesting deeper than 64']);
  });

  it('rejects an oversized record inside an envelope without losing the others', () => {
    const big = { AlertName: 'x', Description: 'a'.repeat(MAX_RECORD_BYTES + 10) };
    const pieces = splitEvent({ records: [{ AlertName: 'ok' }, big, { AlertName: 'ok2' }] });
    expect(kinds(pieces)).toEqual([
      'object',
      `error:record too large (over ${MAX_RECORD_BYTES} bytes)`,
      'object',
    ]);
    const err = pieces[1]!;
    expect(err.raw.length).toBeLessThan(MAX_RECORD_BYTES + 100); // dead-letter copy is capped at 1 MiB
  });

  it('honours a smaller maxRecordBytes', () => {
    expect(
      kinds(splitEvent('short line\nthis line is longer than twenty bytes', { maxRecordBytes: 20 })),
    ).toEqual(['string', 'error:record too large (37 bytes > 20)']);
  });
});

describe('splitEvent: strings and bytes', () => {
  it('splits NDJSON into one record per line with the line as raw text', () => {
    const lines = fixtureLines('securityalert.ndjson');
    const pieces = splitEvent(lines.join('\n'));
    expect(pieces).toHaveLength(3);
    expect(pieces.map((p) => p.raw)).toEqual(lines);
    expect(pieces.map((p) => p.line)).toEqual([1, 2, 3]);
  });

  it('splits syslog lines, strips CR, skips blank lines', () => {
    const pieces = splitEvent('<14>one\r\n\r\n   \r\n<14>two\r\n');
    expect(records(pieces).map((p) => [p.value, p.line])).toEqual([
      ['<14>one', 1],
      ['<14>two', 4],
    ]);
  });

  it('decodes UTF-8 bytes (Buffer, Uint8Array, ArrayBuffer), dropping a BOM', () => {
    const text = '\uFEFF<14>Jan  5 10:11:12 host CEF:0|x|Ä|1|2|Tïtle|1|\n';
    const buf = Buffer.from(text, 'utf8');
    for (const body of [
      buf,
      new Uint8Array(buf),
      buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length),
    ]) {
      const pieces = splitEvent(body);
      expect(records(pieces).map((p) => p.value)).toEqual([
        '<14>Jan  5 10:11:12 host CEF:0|x|Ä|1|2|Tïtle|1|',
      ]);
    }
  });

  it('turns invalid UTF-8 into one failed piece', () => {
    const pieces = splitEvent(Buffer.from([0x3c, 0x31, 0x34, 0x3e, 0xc3, 0x28, 0x41]));
    expect(kinds(pieces)).toEqual(['error:invalid UTF-8 in event body']);
    expect(pieces[0]!.raw).toContain('<14>');
  });

  it('reports bad JSON that opens an object, keeps going on the next lines', () => {
    const pieces = splitEvent('{"AlertName": "ok"}\n{"AlertName": \n<14>after');
    expect(kinds(pieces)).toEqual(['object', expect.stringMatching(/^error:invalid JSON: /), 'string']);
    expect(pieces[1]!.raw).toBe('{"AlertName":');
  });

  it('reads a pretty-printed envelope as one document', () => {
    const pieces = splitEvent(fixture('export-envelope.json'));
    expect(kinds(pieces)).toEqual(['object', 'object', 'object']);
  });

  it('treats a broken pretty-printed document as one failed record', () => {
    const broken = fixture('export-envelope.json').slice(0, 500);
    const pieces = splitEvent(broken);
    expect(kinds(pieces)).toEqual([expect.stringMatching(/^error:invalid JSON: /)]);
  });

  it('rejects a single huge line and a deep JSON line', () => {
    const pieces = splitEvent(`${'x'.repeat(MAX_RECORD_BYTES + 1)}\n${nested(100)}\n<14>fine`);
    expect(kinds(pieces)).toEqual([
      `error:record too large (${MAX_RECORD_BYTES + 1} bytes > ${MAX_RECORD_BYTES})`,
      'error:JSON nesting deeper than 64',
      'string',
    ]);
  });

  it('counts multi-byte characters as bytes for the size limit', () => {
    const line = 'é'.repeat(MAX_RECORD_BYTES / 2 + 1); // fewer chars than the limit, more bytes
    expect(kinds(splitEvent(line))).toEqual([
      `error:record too large (${MAX_RECORD_BYTES + 2} bytes > ${MAX_RECORD_BYTES})`,
    ]);
  });

  it('rejects 10,000 levels of array nesting without overflowing the stack', () => {
    // Serialising the nested element for the dead letter used to throw RangeError out of splitEvent, which
    // crashed the whole batch in processBatch.
    // Its raw text is kept: the text as read, or (a body the host already parsed) serialised without recursion.
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const envelope = `{"records":[${deep}]}`;
    const cases: [unknown, string][] = [
      [deep, deep],
      [envelope, envelope],
      [JSON.parse(`[${deep}]`) as unknown, deep],
    ];
    for (const [body, raw] of cases) {
      const pieces = splitEvent(body);
      expect(kinds(pieces)).toEqual(['error:record is a nested array, not an object or string']);
      expect(pieces[0]!.raw).toBe(raw);
    }
  });

  it('keeps __proto__ keys as inert data', () => {
    const text =
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"AlertName":"x"}';
    const [p] = splitEvent(text) as [RawRecord];
    expect(Object.hasOwn(p.value as object, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('splitText: replay files', () => {
  it('splits a mixed file line by line with line numbers', () => {
    const pieces = splitText(fixture('mixed.txt'));
    expect(kinds(pieces)).toEqual([
      'object',
      'string',
      'string',
      expect.stringMatching(/^error:invalid JSON: /),
      'string',
      'object',
      'string',
    ]);
    expect(pieces.map((p) => p.line)).toEqual([1, 2, 4, 6, 7, 8, 9]);
    expect(pieces.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // A text line starting with '[' that is not JSON stays a text record.
    expect((pieces[6] as RawRecord).value).toBe('[2026-01-05 10:00:00] plain application log line');
  });

  it('expands a JSON array file into its elements', () => {
    const pieces = splitText(fixture('sensor-api-v1.json'));
    expect(kinds(pieces)).toEqual(['object', 'object', 'object', 'object']);
    expect(pieces.every((p) => p.line === 1)).toBe(true);
  });

  it('returns nothing for an empty or blank file', () => {
    expect(splitText('')).toEqual([]);
    expect(splitText(' \n\r\n\t')).toEqual([]);
  });
});
