import { describe, expect, it } from 'vitest';
import { ndjsonRecords } from '../../../pipeline/util/ndjson.js';

describe('ndjsonRecords', () => {
  it('skips blank lines and numbers records by their line in the file', () => {
    expect([...ndjsonRecords('{"a":1}\n\n  \n{"a":2}\n', 'f.ndjson')]).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: { a: 2 }, line: 4 },
    ]);
  });

  it('names the file and the line of a record that is not JSON, blank lines counted', () => {
    expect(() => [...ndjsonRecords('{"a":1}\n\n{"a":', 'f.ndjson')]).toThrow(/^f\.ndjson:3: not JSON: /);
  });
});
