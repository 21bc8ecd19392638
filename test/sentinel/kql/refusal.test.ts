/** Valid KQL the engine does not implement fails loudly, naming the construct and its line:col; it never guesses. */
import { describe, expect, it } from 'vitest';
import {
  type KqlContext,
  KqlRuntimeError,
  KqlUnsupportedError,
  runQuery,
} from '../../../sentinel/kql/index.js';

const ctx: KqlContext = {
  now: new Date('2026-11-18T12:00:00Z'),
  tables: {
    T: {
      columns: [
        { name: 'A', type: 'string' },
        { name: 'N', type: 'long' },
      ],
      rows: [{ A: 'x', N: 1 }],
    },
  },
};

function refusal(query: string): KqlUnsupportedError {
  try {
    runQuery(query, ctx);
  } catch (e) {
    if (e instanceof KqlUnsupportedError) return e;
    throw e;
  }
  throw new Error(`no refusal for: ${query}`);
}

describe('refusals', () => {
  it('an unsupported operator names itself and where it is', () => {
    const e = refusal('T\n| where N > 0\n| make-series c = count() on N step 1');
    expect(e.construct).toBe('operator make-series');
    expect([e.line, e.column]).toEqual([3, 3]);
    expect(e.message).toBe('unsupported KQL operator make-series at 3:3');
  });

  it('an unsupported scalar function', () => {
    const e = refusal('T | extend h = hash_sha256(A)');
    expect(e.construct).toBe('function hash_sha256()');
    expect([e.line, e.column]).toEqual([1, 16]);
  });

  it('an unsupported aggregate', () => {
    const e = refusal('T | summarize stdev(N)');
    expect(e.construct).toBe('aggregate stdev()');
    expect([e.line, e.column]).toEqual([1, 15]);
  });

  it('unsupported operator parameters', () => {
    expect(refusal('T | union kind=inner (T)').construct).toBe('union parameters');
    expect(refusal('T | summarize hint.shufflekey=A count() by A').construct).toBe('summarize parameters');
    expect(refusal('T | count as Rows').construct).toBe('count clause AsIdentifier');
  });

  it('a let function declaration', () => {
    expect(refusal('let f = (x:long) { x + 1 };\nT | extend y = f(N)').construct).toBe(
      'let function declaration',
    );
  });

  it('a query that does not compile is a runtime error with its position, as Kusto rejects it', () => {
    try {
      runQuery('T\n| where Missing == 1', ctx);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(KqlRuntimeError);
      expect((e as KqlRuntimeError).line).toBe(2);
      expect((e as KqlRuntimeError).message).toMatch(/does not compile/);
    }
  });

  it('refusal positions are in the workbook query as written, before parameter substitution', () => {
    try {
      runQuery('T | where A in ({Site})\n| make-series c = count() on N step 1', {
        ...ctx,
        parameters: { Site: "'a','b'" },
      });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(KqlUnsupportedError);
      expect([(e as KqlUnsupportedError).line, (e as KqlUnsupportedError).column]).toEqual([2, 3]);
    }
  });
});
